"""`hecbot universities|admin|insights` through Typer, on the test settings' database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.root import app
from bot.config import Settings
from tests.fakebotapi.server import FakeTelegram

HEADER = "code,name,name_ur,short_name,city,province,sector,aliases\n"


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HECBOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HECBOT_LOG_LEVEL", "WARNING")
    return CliRunner()


def test_universities_import_reports_bad_rows_by_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "ok-uni,OK University,,,,,public,\nbroken,,,,,,public,\n", "utf-8")
    result = runner.invoke(app, ["universities", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: empty name" in result.output
    assert "nothing was imported" in result.output

    good = tmp_path / "good.csv"
    good.write_text(HEADER + "ok-uni,OK University,,OKU,Quetta,Balochistan,public,\n", "utf-8")
    result = runner.invoke(app, ["universities", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "added 1" in result.output
    listing = runner.invoke(app, ["universities", "list"]).output
    assert "ok-uni\tOK University\tQuetta" in listing
    assert "comsats-islamabad" in listing  # the bundled list was loaded first


def test_admin_add_list_remove(runner: CliRunner) -> None:
    assert runner.invoke(app, ["admin", "add", "4242"]).exit_code == 0
    assert runner.invoke(app, ["admin", "list"]).output.split() == ["4242"]
    assert runner.invoke(app, ["admin", "remove", "4242"]).exit_code == 0
    assert runner.invoke(app, ["admin", "list"]).output.strip() == ""
    result = runner.invoke(app, ["admin", "remove", "4242"])
    assert result.exit_code == 1 and "not an HEC admin" in result.output


def test_insights_formats(runner: CliRunner) -> None:
    text = runner.invoke(app, ["insights", "--since", "2026-01-01"])
    assert text.exit_code == 0 and "Questions: 0" in text.output
    table = runner.invoke(app, ["insights", "--format", "csv"])
    assert table.output.splitlines()[0] == "section,label,value"
    assert runner.invoke(app, ["insights", "--format", "xml"]).exit_code == 2


def test_insights_name_the_programmes_help_desk(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The escalations line names PROGRAMME_HELP_DESK as written (it said "the HEC desk")."""
    assert "sent to the HEC desk" in runner.invoke(app, ["insights"]).output
    monkeypatch.setenv("PROGRAMME_HELP_DESK", "the Indus & Co desk")
    text = runner.invoke(app, ["insights"])
    assert text.exit_code == 0 and "0 sent to the Indus & Co desk" in text.output
    assert "HEC" not in text.output


async def test_admin_role_changes_from_the_cli_change_the_menu_at_once(
    runner: CliRunner, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_TOKEN", fake_telegram.token)
    monkeypatch.setenv("TELEGRAM_API_BASE", fake_telegram.base_url)
    fake_telegram.add_user(4242)
    # The CLI runs its own event loop; the fake Bot API needs this one meanwhile.
    added = await asyncio.to_thread(runner.invoke, app, ["admin", "add", "4242"])
    assert added.exit_code == 0, added.output
    [menu] = fake_telegram.requests("setMyCommands")
    assert menu.ok and menu.params["scope"] == {"type": "chat", "chat_id": 4242}
    commands = [c["command"] for c in menu.params["commands"]]
    assert {"invite_focal", "survey_send", "broadcast"} <= set(commands)

    removed = await asyncio.to_thread(runner.invoke, app, ["admin", "remove", "4242"])
    assert removed.exit_code == 0, removed.output
    [withdrawn] = fake_telegram.requests("deleteMyCommands")
    assert withdrawn.params["scope"] == {"type": "chat", "chat_id": 4242}


def test_without_a_token_the_cli_changes_roles_and_no_menu(runner: CliRunner) -> None:
    # The test settings have no token: no Bot API is contacted (there is none to contact).
    assert runner.invoke(app, ["admin", "add", "77"]).exit_code == 0
    assert runner.invoke(app, ["admin", "list"]).output.split() == ["77"]


def test_a_stray_quote_is_a_line_numbered_error_and_nothing_is_imported(
    runner: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "quotes.csv"
    bad.write_text(
        HEADER + "ok-uni,OK University,,,,,public,\n"
        'bad-uni,"Bad" University,,,,,public,\n'
        "other-uni,Other University,,,,,public,\n",
        "utf-8",
    )
    result = runner.invoke(app, ["universities", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: malformed CSV" in result.output
    assert "nothing was imported" in result.output
    assert "ok-uni" not in runner.invoke(app, ["universities", "list"]).output
