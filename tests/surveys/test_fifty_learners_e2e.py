"""50 learners receive the impact survey through the real dispatcher and the fake Bot API; the
invitations go through the outbox and the embedded delivery worker, as in production.

30 answer in one go, 10 stop after three questions and finish after the bot restarts (a new
dispatcher and new services on the same database), 5 have blocked the bot (they end up
`is_blocked`, their deliveries `blocked`), 5 never answer. The 40 answer at the same time.
The exported CSV must hold exactly what each of them answered.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.config import Settings
from bot.services.survey_results import SKIPPED_CELL, SurveyResultsService
from bot.services.surveys import SurveyService
from bot.storage.delivery_models import Delivery
from bot.storage.models import User
from bot.storage.survey_models import SurveyInvitation
from tests.e2e.harness import BotHarness, Learner
from tests.fakebotapi import ChatStatus, FakeTelegram
from tests.surveys.factories import add_learners, shipped_survey

FIRST_ID = 900_000_000_001  # beyond 32 bits, as real Telegram ids are
LEARNERS = [FIRST_ID + n for n in range(50)]
FULL, RESUMING, BLOCKED, SILENT = LEARNERS[:30], LEARNERS[30:40], LEARNERS[40:45], LEARNERS[45:]
SKILLS = [("a_lot", "Yes, a lot"), ("somewhat", "Yes, somewhat"), ("none", "No")]
OUTCOMES = [
    ("new_job", "A new job"),
    ("promotion", "A promotion"),
    ("freelance_work", "Freelance clients"),
    ("own_business", "Started my own business"),
    ("nothing_yet", "Nothing yet"),
]
EARNINGS = [
    ("increased", "They increased"),
    ("same", "About the same"),
    ("decreased", "They decreased"),
]

Action = tuple[str, str]  # ("press" | "tick" | "say", label or text)


def plan_for(n: int) -> tuple[list[Action], dict[str, str]]:
    """What learner n does, and the CSV cells that should come out of it."""
    actions: list[Action] = [("press", SKILLS[n % 3][1])]
    expected = {"skills": SKILLS[n % 3][0]}
    chosen = sorted({n % 5, (n * 3 + 1) % 5}) if n % 2 else [n % 5]
    actions += [("tick", OUTCOMES[i][1]) for i in chosen] + [("press", "Done")]
    expected["career_outcome"] = ";".join(OUTCOMES[i][0] for i in chosen)
    freelancer = n % 3 != 1
    actions.append(("press", "Yes" if freelancer else "No"))
    expected["freelancer"] = "yes" if freelancer else "no"
    expected["earnings_change"] = expected["monthly_earnings"] = ""  # not asked: empty
    if freelancer:
        actions.append(("press", EARNINGS[n % 3][1]))
        expected["earnings_change"] = EARNINGS[n % 3][0]
        if n % 4:
            actions.append(("say", f"{(n + 1) * 1500:,}"))
            expected["monthly_earnings"] = str((n + 1) * 1500)
        else:
            actions.append(("press", "Skip"))
            expected["monthly_earnings"] = SKIPPED_CELL
    keep = n % 7 != 0
    actions.append(("press", "Yes" if keep else "No"))
    expected["continue_learning"] = "yes" if keep else "no"
    if n % 5:
        actions.append(("press", str(n % 11)))
        expected["recommend"] = str(n % 11)
    else:
        actions.append(("press", "Skip"))
        expected["recommend"] = SKIPPED_CELL
    if n % 3:
        actions.append(("say", f"Learner {n}: thank you, HEC & Coursera <3"))
        expected["comment"] = f"Learner {n}: thank you, HEC & Coursera <3"
    else:
        actions.append(("press", "Skip"))
        expected["comment"] = SKIPPED_CELL
    return actions, expected


async def all_at_once(jobs: list[Coroutine[Any, Any, None]]) -> None:
    """Every learner answers at the same time: the database must take concurrent writers."""
    await asyncio.gather(*jobs)


async def perform(learner: Learner, actions: list[Action]) -> None:
    for kind, text in actions:
        if kind == "press":
            await learner.press(text)
        elif kind == "tick":
            await learner.tick(text)
        else:
            await learner.say(text)


@pytest.mark.slow
async def test_fifty_learners_answer_resume_after_restart_and_export_matches(
    settings: Settings, tmp_path: Path
) -> None:
    start = datetime.now(UTC)
    async with FakeTelegram() as fake:
        running = BotHarness(fake, settings)
        services = await running.start()
        database = services.database
        for user_id in LEARNERS:
            fake.add_user(user_id)
        await add_learners(database, LEARNERS, created_at=start - timedelta(days=10))
        for user_id in BLOCKED:
            fake.set_chat_status(user_id, ChatStatus.BLOCKED)
        surveys = SurveyService(database)
        await surveys.add_survey(shipped_survey("impact"))
        await surveys.start_waves("impact")
        # Invitations go through the outbox; the embedded delivery worker sends them.
        assert await running.invite() == 50
        async with database.session() as session:
            deliveries = dict((await session.exec(select(Delivery.chat_id, Delivery.status))).all())
            blocked_after_invitations = (
                await session.exec(select(User.id).where(col(User.is_blocked)))
            ).all()
        assert deliveries == {
            user_id: "blocked" if user_id in BLOCKED else "sent" for user_id in LEARNERS
        }
        assert sorted(blocked_after_invitations) == BLOCKED
        for user_id in LEARNERS:
            invitations = [
                m for m in fake.messages_to(user_id) if "Start the survey" in str(m.reply_markup)
            ]
            assert len(invitations) == (0 if user_id in BLOCKED else 1), user_id

        learners = {user_id: Learner(fake, user_id) for user_id in LEARNERS}
        plans = {user_id: plan_for(n) for n, user_id in enumerate(LEARNERS)}

        async def answer(user_id: int, actions: list[Action]) -> None:
            await perform(learners[user_id], actions)

        # The resuming learners answer skills and career outcome, then leave; all 40 at once.
        first_part = {u: plans[u][0][: plans[u][0].index(("press", "Done")) + 1] for u in RESUMING}
        opening: list[Action] = [("press", "Start the survey")]
        await all_at_once(
            [answer(u, opening + plans[u][0]) for u in FULL]
            + [answer(u, opening + first_part[u]) for u in RESUMING]
        )

        await running.restart()

        for index, user_id in enumerate(RESUMING):
            learner = learners[user_id]
            if index % 2:  # comes back through the invitation's button
                invitation = fake.messages_to(user_id)[0]
                reply = await learner.press("Start the survey", message=invitation)
                assert "Question 3 of" in reply
        await all_at_once([answer(u, plans[u][0][len(first_part[u]) :]) for u in RESUMING])
        for user_id in FULL + RESUMING:
            assert "Thank you" in learners[user_id].last_text
        refused = await learners[FULL[0]].press(
            "Start the survey", message=fake.messages_to(FULL[0])[0]
        )
        assert "already answered" in refused

        export = tmp_path / "impact.csv"
        count = await SurveyResultsService(running.services.database).export(  # type: ignore[union-attr]
            "impact", export, "csv"
        )
        async with running.services.database.session() as session:  # type: ignore[union-attr]
            blocked = (await session.exec(select(User.id).where(User.is_blocked))).all()
            invited = (await session.exec(select(SurveyInvitation))).all()
        await running.stop()

    assert sorted(blocked) == BLOCKED
    assert len(invited) == 50
    assert count == 40
    with export.open(encoding="utf-8-sig") as handle:
        rows = {int(row["user_id"]): row for row in csv.DictReader(handle)}
    assert sorted(rows) == sorted(FULL + RESUMING)
    for user_id, row in rows.items():
        expected = plans[user_id][1]
        assert {key: row[key] for key in expected} == expected, user_id
        assert row["completed_at"]
