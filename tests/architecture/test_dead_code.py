"""No dead code: every function, method, class and module constant of the source is named
somewhere else.

A vulture-like reading kept as a test: a definition whose name appears nowhere but in its own
`def` (in the source, the tests, the dashboard's templates) is called by nothing. Decorated
definitions are registered by their decorator (CLI commands, routes, validators) and count as
used; methods a third-party base class calls are listed below.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator

from tests.architecture.graph import ROOT, source_files

# Called by the library whose interface they implement, never by name in our code.
THIRD_PARTY_HOOKS = {
    "stream_content",  # aiogram's BaseSession (bot/telegram/terminal.py)
    "process_bind_param",  # SQLAlchemy's TypeDecorator (bot/storage/types.py)
    "process_result_value",
    "embed_query",  # chromadb's EmbeddingFunction (knowledge/chroma_function.py)
    "default_space",
    "supported_spaces",
    "get_config",
    "build_from_config",
}
PLAIN_DECORATORS = {"property", "staticmethod", "classmethod"}
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _registered(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> bool:
    return any(
        not (isinstance(decorator, ast.Name) and decorator.id in PLAIN_DECORATORS)
        for decorator in node.decorator_list
    )


def _definitions(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """(name, line) of the functions, methods and classes not registered by a decorator, and of
    the module's UPPER_CASE constants."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and not node.name.startswith("__")
            and not _registered(node)
        ):
            yield node.name, node.lineno
    for statement in tree.body:
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign)
            else []
        )
        for target in targets:
            if isinstance(target, ast.Name) and target.id.isupper():
                yield target.id, statement.lineno


def test_every_definition_is_used_somewhere() -> None:
    texts = {path: path.read_text(encoding="utf-8") for path in source_files()}
    mentions: Counter[str] = Counter()
    others = [*(ROOT / "tests").rglob("*.py"), *(ROOT / "bot" / "web" / "static").rglob("*.js")]
    for text in [*texts.values(), *(path.read_text(encoding="utf-8") for path in others)]:
        mentions.update(NAME.findall(text))
    unused = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path, text in texts.items()
        for name, line in _definitions(ast.parse(text))
        if name not in THIRD_PARTY_HOOKS and mentions[name] <= 1
    ]
    assert unused == [], (
        "defined but never named elsewhere (remove, or list a hook):\n" + "\n".join(unused)
    )
