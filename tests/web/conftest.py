"""Browser tests need a Chromium from the system packages; say plainly when there is none."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    configured = os.environ.get("HECBOT_CHROMIUM")
    if configured:
        return configured if os.path.exists(configured) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    ran_browser_tests = any(
        "tests/web/test_browser.py" in report.nodeid
        for reports in terminalreporter.stats.values()
        for report in reports
        if hasattr(report, "nodeid")
    )
    if ran_browser_tests and chromium_path() is None:
        terminalreporter.write_line(
            "NOTICE: the dashboard's browser tests were SKIPPED: no Chromium found "
            "(apt-get install chromium, or set HECBOT_CHROMIUM).",
            yellow=True,
            bold=True,
        )
