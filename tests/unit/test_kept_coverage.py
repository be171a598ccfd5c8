"""Coverage measured by a worker that tests/watchdog.py ends still counts (tests/kept_coverage.py):
a run whose only failure was a hang, passed on its rerun, failed the coverage gate at 37%."""

from __future__ import annotations

import json
from pathlib import Path

from tests.inner_pytest import DID_NOT_END, run_pytest, watchdog_environ

MEASURED = """
def before_the_hang():
    return "measured by the worker the watchdog ends"


def after_the_hang():
    return "measured by the worker that runs the hung test again"


def never_called():
    return "measured by nobody"
"""

FIRST_FILE = """
from measured import before_the_hang


def test_before_the_hang():
    assert before_the_hang()
"""

# As in tests/unit/test_watchdog.py: the alarm cannot reach the test, the watchdog ends it.
HANGS_ONCE = """
import signal
import time
from pathlib import Path

from measured import after_the_hang

HUNG = Path(__file__).with_name("hung-once")


def test_hangs_only_the_first_time():
    if not HUNG.exists():
        HUNG.touch()
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        time.sleep(600)
    assert after_the_hang()
"""


def test_what_a_worker_ended_by_the_watchdog_measured_is_in_the_coverage(tmp_path: Path) -> None:
    (tmp_path / "measured.py").write_text(MEASURED, encoding="utf-8")
    run = run_pytest(
        tmp_path,
        HANGS_ONCE,
        "-p",
        "tests.watchdog",
        "-p",
        "tests.kept_coverage",
        "-n",
        "1",  # one worker: the one the watchdog ends ran the first file
        "--cov=measured",
        "--cov-report=json:coverage.json",
        before={"test_first.py": FIRST_FILE},
        environ=watchdog_environ(tmp_path),
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "2 passed, 1 rerun" in output, output
    assert f"test_hangs_only_the_first_time (call) {DID_NOT_END}" in output, output
    assert "coverage: the data of gw0 (ended before the run) was combined" in output, output
    report = json.loads((tmp_path / "coverage.json").read_text(encoding="utf-8"))
    measured = report["files"]["measured.py"]
    source = MEASURED.splitlines()
    executed = {source[number - 1].strip() for number in measured["executed_lines"]}
    missing = {source[number - 1].strip() for number in measured["missing_lines"]}
    assert 'return "measured by the worker the watchdog ends"' in executed, missing
    assert 'return "measured by the worker that runs the hung test again"' in executed, missing
    assert missing == {'return "measured by nobody"'}
    # The kept files were combined (and removed) with pytest-cov's own.
    assert not list(tmp_path.glob(".coverage.*")), list(tmp_path.glob(".coverage.*"))
    assert not list((tmp_path / "hangs").glob("*/coverage/*"))
