"""Every command filter ignores case: `/START` and `/Help` are the commands (a phone's caps
lock or auto-capitalisation), not "I don't know that command"."""

from __future__ import annotations

import ast
from pathlib import Path

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"


def test_every_command_filter_ignores_case() -> None:
    careless: list[str] = []
    for path in sorted(HANDLERS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id not in {"Command", "CommandStart"}:
                continue
            ignores = any(
                keyword.arg == "ignore_case"
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value is True
                for keyword in node.keywords
            )
            if not ignores:
                careless.append(f"{path.name}:{node.lineno}")
    assert careless == []
