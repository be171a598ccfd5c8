"""The deployment docs stay runnable by `deploy/check-docs` (which runs them as root on a scratch
Debian host, too long and too invasive for the suite): the blocks it runs are marked, the values
an operator fills in are where it replaces them, and its stand-in for systemctl reads units and
environment files as systemd does."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def check_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_docs", ROOT / "deploy" / "check_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_docs"] = module
    spec.loader.exec_module(module)
    return module


def test_the_systemd_steps_are_one_marked_block_with_the_operators_values_on_top() -> None:
    module = check_docs()
    block = module.docs_block("systemd")
    for name in ("BOT_TOKEN", "WEBHOOK_URL", "HECBOT_REPO"):
        block = module.set_value(block, name, f"value-of-{name}")
        assert f"{name}=value-of-{name}\n" in block
    # Every step the issue found missing or broken is in the block.
    for step in (
        "useradd --system",
        "install -d -m 755 /etc/hecbot",
        "make install",
        "/etc/hecbot/hecbot.env",
        "kb index --bundled",
        "systemctl enable --now hecbot-worker",
        "/readyz",
    ):
        assert step in block, step
    assert "sudo" not in block  # a clean Debian has none; the steps run as root
    assert "<repo>" not in block and "sudoedit" not in block  # nothing to type by hand


def test_the_rollback_is_hecbot_db_downgrade_not_raw_alembic() -> None:
    block = check_docs().docs_block("rollback")
    assert "hecbot db downgrade REVISION" in block
    assert "alembic" not in block


def test_a_missing_marker_is_a_clear_failure(tmp_path: Path) -> None:
    docs = tmp_path / "deployment.md"
    docs.write_text("# Deploying\n\n```sh\necho untagged\n```\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="check-docs: systemd"):
        check_docs().docs_block("systemd", docs)


def test_environment_files_are_read_as_systemd_does_later_lines_winning(tmp_path: Path) -> None:
    env = tmp_path / "hecbot.env"
    env.write_text(
        "# comment\nWEBHOOK_PORT=8080\nCHROMA_URL=\n; other comment\n"
        "CHROMA_URL=http://127.0.0.1:8000\nSMTP_FROM='hecbot@example.org'\n",
        encoding="utf-8",
    )
    values = check_docs().environment_file(env)
    assert values == {
        "WEBHOOK_PORT": "8080",
        "CHROMA_URL": "http://127.0.0.1:8000",
        "SMTP_FROM": "hecbot@example.org",
    }


def test_the_bot_unit_puts_its_port_after_the_environment_file() -> None:
    module = check_docs()
    module.UNIT_DIR = ROOT / "deploy" / "systemd"
    path, instance = module.unit_file("hecbot-bot@8081.service")
    service = module.unit_settings(path)
    command = module.expand(service["ExecStart"], instance)
    assert service["EnvironmentFile"] == "/etc/hecbot/hecbot.env"
    # On the command line through env: a WEBHOOK_PORT in hecbot.env cannot win over it.
    assert command.startswith("/usr/bin/env ") and "WEBHOOK_PORT=8081" in command
    assert "DELIVERY_EMBEDDED=false" in command
