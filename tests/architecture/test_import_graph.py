"""The import directions of docs/architecture.md, checked on the source (an AST walk).

A failure names the file and line of the import that breaks a direction.
"""

from __future__ import annotations

from collections import defaultdict

from tests.architecture.graph import CROSS_CUTTING, OWN_TOP_LEVEL, component, edges, source_files

# Top to bottom: a package imports only packages of its own row or below (docs/architecture.md).
LAYERS: list[set[str]] = [
    {"bench"},
    {"bot.cli"},
    {"bot.telegram"},
    {"bot.web", "handlers"},
    {"bot.services"},
    {"bot.delivery"},
    {"bot.storage", "knowledge"},
    {"cross-cutting"},
]
# Packages in one row that must not import each other.
INDEPENDENT = [("bot.storage", "knowledge"), ("bot.web", "handlers")]
# aiogram stays in the Telegram layer (and in delivery's sender, the FSM storage, benchmarks).
AIOGRAM_COMPONENTS = {"bench", "bot.cli", "bot.telegram", "bot.web", "handlers"}
AIOGRAM_MODULES = {
    "bot.delivery.telegram",
    "bot.delivery.session",
    "bot.delivery.worker",
    "bot.delivery.__main__",
    "bot.storage.fsm",
    "bot.storage.locks",
    "bot.transient",
}
# SQL stays below the handlers.
SQL_LIBRARIES = {"sqlalchemy", "sqlmodel", "alembic", "asyncpg", "aiosqlite"}
SQL_COMPONENTS = {"bench", "bot.services", "bot.delivery", "bot.storage"}

ROW = {name: row for row, names in enumerate(LAYERS) for name in names}


def _own_edges() -> list[tuple[str, str, str]]:
    return [
        (component(edge.importer), component(edge.imported), str(edge))
        for edge in edges()
        if edge.imported.split(".")[0] in OWN_TOP_LEVEL
    ]


def test_every_module_belongs_to_a_package_of_the_map() -> None:
    from tests.architecture.graph import module_name

    unplaced = sorted(
        module_name(path)
        for path in source_files()
        if component(module_name(path)) not in ROW and module_name(path) != "bot"
    )
    assert unplaced == [], "place these in docs/architecture.md's map and in LAYERS"


def test_cross_cutting_modules_exist() -> None:
    names = {edge.importer for edge in edges()}
    assert names >= CROSS_CUTTING


def test_imports_point_down() -> None:
    upward = [
        line
        for importer, imported, line in _own_edges()
        if imported not in {importer, "tests"}
        and importer in ROW
        and imported in ROW
        and ROW[imported] < ROW[importer]
    ]
    assert upward == []


def test_siblings_stay_apart() -> None:
    crossing = [
        line
        for importer, imported, line in _own_edges()
        if (importer, imported) in INDEPENDENT or (imported, importer) in INDEPENDENT
    ]
    assert crossing == []


def test_runtime_never_imports_tests() -> None:
    into_tests = [
        line
        for importer, imported, line in _own_edges()
        if imported == "tests" and importer != "bench"
    ]
    assert into_tests == []


def test_no_cycles_between_packages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for importer, imported, _ in _own_edges():
        if imported not in {importer, "tests"}:
            graph[importer].add(imported)
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for following in sorted(graph[node]):
            if following == path[0]:
                cycles.append([*path, following])
            elif following not in path and following > path[0]:
                visit(following, [*path, following])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []


def test_aiogram_only_in_the_telegram_layer() -> None:
    offenders = [
        str(edge)
        for edge in edges()
        if edge.imported.split(".")[0] == "aiogram"
        and component(edge.importer) not in AIOGRAM_COMPONENTS
        and edge.importer not in AIOGRAM_MODULES
    ]
    assert offenders == []


def test_knowledge_knows_nothing_of_telegram_or_the_database() -> None:
    offenders = [
        str(edge)
        for edge in edges()
        if component(edge.importer) == "knowledge"
        and edge.imported.split(".")[0] in {"aiogram", "bot", "handlers", *SQL_LIBRARIES}
    ]
    assert offenders == []


def test_sql_stays_below_the_handlers() -> None:
    offenders = [
        str(edge)
        for edge in edges()
        if edge.imported.split(".")[0] in SQL_LIBRARIES
        and component(edge.importer) not in SQL_COMPONENTS
    ]
    assert offenders == []


def test_the_check_can_fail() -> None:
    """The walker sees imports inside functions and under TYPE_CHECKING too."""
    seen = {(edge.importer, edge.imported) for edge in edges()}
    # bot/cli/common.py imports the container inside a function, the database under TYPE_CHECKING.
    assert ("bot.cli.common", "bot.telegram.container") in seen
    assert ("bot.cli.common", "bot.storage.db") in seen
