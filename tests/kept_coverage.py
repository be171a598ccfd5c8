"""What a worker measured counts, even when the worker does not live to the end of the run.

pytest-cov's workers hand their coverage data over only when the run ends. A worker that
tests/watchdog.py ends (a test hung where nothing else could end it) took its data with it: the
test passed on its rerun, and the run then failed the coverage gate (37% of 88% once). Nor can a
worker write its data beside pytest-cov's own files as it goes: every worker pytest-xdist starts,
the new one after the ended worker included, erases the data files there at its start (pytest-cov
builds the controller's coverage object in the worker too, and its start erases `.coverage.*`).

So each worker writes all it has measured so far to a file of its own in the run's folder
(`.pytest_cache/hangs/<run>/coverage/`, which no erase touches) after each test file. When the
run ends, before pytest-cov combines the data files, the controller moves these beside them, so
the combined data holds what every worker measured, whether it was ended or not, and whatever a
later worker's start erased. Combining is a union: lines a worker's own file has too count once.

Loaded for every run by `-p tests.kept_coverage` in pyproject.toml's pytest options; it does
nothing in a run without `--cov` or without pytest-xdist workers.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.watchdog import run_folder

# How many workers' last data the controller found for workers that ended before the run did:
# said in the summary, as pytest-cov says only that those workers "failed to return" data.
_RECOVERED: list[str] = []


def _kept_folder() -> Path:
    return run_folder() / "coverage"


def _controller(config: pytest.Config) -> Any:
    """pytest-cov's controller of this process (as its `cov` fixture finds it), when measuring."""
    plugin = config.pluginmanager.getplugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    if controller is None or getattr(controller, "cov", None) is None:
        return None
    return controller


def _keep(config: pytest.Config) -> None:
    """Write what this worker measured so far to its file in the run's folder (replaced whole,
    so a worker ended while writing leaves its previous file)."""
    controller = _controller(config)
    if controller is None or not controller.started:
        return
    from coverage import CoverageData

    folder = _kept_folder()
    folder.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    kept = folder / f"{worker}-{os.getpid()}"
    partial = folder / f"{kept.name}.partial"
    partial.unlink(missing_ok=True)
    copy = CoverageData(basename=str(partial))
    copy.update(controller.cov.get_data())  # get_data: what the tracers hold so far, too
    copy.close()
    partial.replace(kept)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield
    if hasattr(item.config, "workerinput") and (nextitem is None or nextitem.path != item.path):
        _keep(item.config)
    return result


def _bring_kept_data(config: pytest.Config) -> None:
    """Move the workers' kept files beside the data files pytest-cov is about to combine."""
    controller = _controller(config)
    folder = _kept_folder()
    if controller is None or not folder.is_dir():
        return
    data_file = Path(controller.topdir, controller.cov.config.data_file)
    for kept in sorted(folder.iterdir()):
        if kept.name.endswith(".partial"):
            kept.unlink()
            continue
        shutil.move(kept, data_file.with_name(f"{data_file.name}.kept-{kept.name}"))
    folder.rmdir()


@pytest.hookimpl(wrapper=True, trylast=True)  # inside pytest-cov's wrapper, which combines after
def pytest_runtestloop(session: pytest.Session) -> Iterator[object]:
    result = yield
    if not hasattr(session.config, "workerinput"):
        _bring_kept_data(session.config)
    return result


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """A worker that went down with an error (the watchdog ended it): its data is the kept file."""
    if error is not None and _controller(node.config) is not None:
        _RECOVERED.append(str(node.gateway.id))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _RECOVERED and not hasattr(terminalreporter.config, "workerinput"):
        terminalreporter.write_line(
            f"coverage: the data of {', '.join(_RECOVERED)} (ended before the run) was combined "
            "from what each had written after its last whole test file (tests/kept_coverage.py)"
        )
