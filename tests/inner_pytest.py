"""A pytest run of its own, over test files a test writes: for the tests of the suite's own
plugins (tests/watchdog.py, tests/alarm.py, tests/hygiene.py), whose behaviour shows only in how
a whole run goes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
# The suite's own asyncio settings (pyproject.toml): the inner run's pytest.ini unless told.
ASYNCIO_INI = "asyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
# How long tests/watchdog.py lets an inner run's test stay blocked before it ends the worker.
WATCHDOG_SECONDS = 3
# What the run's summary says of each test the watchdog ended.
DID_NOT_END = f"did not end within {WATCHDOG_SECONDS} s"


def watchdog_environ(folder: Path) -> dict[str, str]:
    """The environment of an inner run whose watchdog ends a test blocked for
    `WATCHDOG_SECONDS` and writes its hang reports under `folder`/hangs."""
    return {
        "HECBOT_TEST_HARD_TIMEOUT": str(WATCHDOG_SECONDS),
        "HECBOT_TEST_HANG_REPORTS": str(folder / "hangs"),
    }


def run_pytest(
    folder: Path,
    tests: str,
    *options: str,
    ini: str = ASYNCIO_INI,
    environ: dict[str, str] | None = None,
    seconds: float = 90,
    before: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Write `tests` to `folder`/test_inner.py and run pytest over it with `options` (the
    plugins to load among them), from `folder` as its root, with the project importable and no
    cache written. `ini` is the body of its pytest.ini (the suite's asyncio settings unless
    told). `before` names more test files (and their text) that run first, in their order."""
    for name, text in (before or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "test_inner.py").write_text(tests, encoding="utf-8")
    (folder / "pytest.ini").write_text(f"[pytest]\n{ini}", encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(PROJECT), **(environ or {})}
    environment.pop("HECBOT_TEST_WATCHDOG_RUN", None)  # the inner run is a run of its own
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(folder / "pytest.ini"),
            "--rootdir",
            str(folder),
            "-p",
            "no:cacheprovider",
            *options,
            *(str(folder / name) for name in before or {}),
            str(folder / "test_inner.py"),
        ],
        check=False,  # the callers' assertions read the inner run's outcome
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=seconds,
    )
