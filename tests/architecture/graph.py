"""hecbot's own import graph, read from the source with `ast` (no module is imported)."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PACKAGES = ("bot", "handlers", "knowledge", "bench")
OWN_TOP_LEVEL = {*SOURCE_PACKAGES, "tests"}

# Cross-cutting modules: imported by every layer, importing none of them.
CROSS_CUTTING = {
    "bot.aiogram_import",
    "bot.config",
    "bot.errors",
    "bot.i18n",
    "bot.logging_setup",
    "bot.metrics",
    "bot.outages",
    "bot.startup_clock",
}


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.importer} imports {self.imported}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> Iterator[Path]:
    for package in SOURCE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts and "versions" in path.parts:
                continue
            yield path


def imports_of(path: Path) -> Iterator[tuple[str, int]]:
    """Every module `path` imports (at the top, inside functions or under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno
            # `from bot import runner` imports the module bot.telegram.runner.
            for alias in node.names:
                yield f"{target}.{alias.name}", node.lineno


@functools.cache
def edges() -> tuple[Edge, ...]:
    known = {module_name(path) for path in source_files()}
    found: list[Edge] = []
    for path in source_files():
        importer = module_name(path)
        for target, line in imports_of(path):
            top = target.split(".")[0]
            if top not in OWN_TOP_LEVEL:
                found.append(Edge(importer, target, path, line))
                continue
            if top == "tests":
                found.append(Edge(importer, target, path, line))
                continue
            # `from bot.x import name`: keep the module, drop the imported name.
            module = target
            while module and module not in known:
                module = module.rpartition(".")[0]
            if module and module != importer:
                found.append(Edge(importer, module, path, line))
    return tuple(found)


# Top-level modules of bot/ counted with a package: `transient` tells a database, Redis or
# Telegram outage from a bug, so it sits with storage.
PLACED_WITH = {"bot.transient": "bot.storage"}


def component(module: str) -> str:
    """The package a module belongs to in docs/architecture.md's folder map."""
    if module in CROSS_CUTTING:
        return "cross-cutting"
    if module in PLACED_WITH:
        return PLACED_WITH[module]
    parts = module.split(".")
    if (
        parts[0] == "bot"
        and len(parts) > 1
        and parts[1]
        in {
            "cli",
            "telegram",
            "web",
            "services",
            "storage",
            "delivery",
        }
    ):
        return f"bot.{parts[1]}"
    return parts[0] if parts[0] != "bot" else module
