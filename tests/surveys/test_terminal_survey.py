"""`hecbot chat` can answer a survey: the invitation arrives through the outbox and the delivery
worker, and the learner answers by typing button numbers (and text where a question asks)."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.services.survey_results import SurveyResultsService
from bot.services.survey_scheduling import SurveyScheduler
from bot.telegram.container import AppServices, build_services
from bot.telegram.terminal import TERMINAL_USER_ID
from handlers.buttons import TelegramButtons
from tests.e2e.harness import NoAnswerer, at_the_terminal
from tests.factories import make_user
from tests.surveys.factories import shipped_survey


async def drained(services: AppServices, timeout: float = 30) -> None:
    """Wait until the delivery worker has sent every outbox row."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not all(job.progress.is_finished for job in await services.outbox.jobs()):
        assert loop.time() < deadline, "the delivery worker did not send the invitation"
        await asyncio.sleep(0.05)


async def test_terminal_user_answers_a_survey_by_typing_button_numbers(
    settings: Settings, tmp_path: Path
) -> None:
    services = await build_services(settings, answerer=NoAnswerer())
    try:
        await make_user(services.database, TERMINAL_USER_ID)
        async with at_the_terminal(services) as terminal:
            surveys = services.surveys
            await surveys.add_survey(shipped_survey("impact"))
            await surveys.start_waves("impact")
            scheduler = SurveyScheduler(
                services.database,
                services.outbox,
                services.catalogue,
                buttons=TelegramButtons(services.catalogue),
            )
            assert await scheduler.run_due(datetime.now(UTC) + timedelta(seconds=1)) == 1
            await drained(services)
            invitation = terminal.new_output()
            assert "Programme impact survey" in invitation
            assert "[1] ▶️ Start the survey" in invitation

            first = await terminal.type("1")
            assert "Question 1 of 8" in first and "[1] Yes, a lot" in first
            assert "Question 2 of" in await terminal.press("Yes, a lot")
            # Ticking redraws the keyboard in place, with the same numbers.
            assert "[1] ☑️ A new job" in await terminal.press("A new job")
            assert "[4] ☑️ Started my own business" in await terminal.press("Started my own")
            assert "Question 3 of" in await terminal.press("Done")
            await terminal.press("No")  # not a freelancer: the earnings questions are skipped
            await terminal.press("Yes")
            await terminal.press("9")
            assert "Thank you" in await terminal.type("Good courses & helpful staff")
    finally:
        await services.close()

    services = await build_services(settings, answerer=NoAnswerer())
    try:
        export = tmp_path / "impact.csv"
        await SurveyResultsService(services.database).export("impact", export, "csv")
    finally:
        await services.close()
    with export.open(encoding="utf-8-sig") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["user_id"] == str(TERMINAL_USER_ID)
    assert {key: row[key] for key in ("skills", "career_outcome", "freelancer")} == {
        "skills": "a_lot",
        "career_outcome": "new_job;own_business",
        "freelancer": "no",
    }
    assert (row["earnings_change"], row["monthly_earnings"]) == ("", "")
    assert (row["continue_learning"], row["recommend"]) == ("yes", "9")
    assert row["comment"] == "Good courses & helpful staff"
    assert row["completed_at"]
