"""A learner types instead of pressing, asks something mid-survey, sees what they chose, and the
export tells a skipped question from one never asked (the real dispatcher, the fake Bot API)."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.services.survey_results import SurveyResultsService
from bot.storage.survey_models import SurveyAnswer
from knowledge.answers import Answer, Citation
from tests.e2e.harness import BotHarness, Learner
from tests.fakebotapi import FakeTelegram
from tests.surveys.factories import add_learners

LEARNER = 7101
CERTIFICATE_ANSWER = "Certificates are issued by Coursera when you finish a course."

SURVEY = """
id: typing
version: 1
title: {en: Course check, ur: کورس کا جائزہ}
questions:
  - id: useful
    type: rating
    text: {en: "How useful were the courses?", ur: "کورسز کتنے مفید تھے؟"}
  - id: clear
    type: rating
    text: {en: "How clear were the videos?", ur: "ویڈیوز کتنی واضح تھیں؟"}
  - id: freelancer
    type: yes_no
    text: {en: "Do you work as a freelancer?", ur: "کیا آپ فری لانسر ہیں؟"}
  - id: clients
    type: number
    min: 0
    max: 100
    show_if: {question: freelancer, equals: yes}
    text: {en: "How many clients do you have?", ur: "آپ کے کتنے کلائنٹ ہیں؟"}
  - id: recommend
    type: nps
    required: false
    text: {en: "Would you recommend the programme?", ur: "کیا آپ پروگرام کی سفارش کریں گے؟"}
  - id: comment
    type: text
    required: false
    text: {en: "Anything else?", ur: "کچھ اور؟"}
"""


@dataclass
class CertificateAnswerer:
    """A knowledge base that knows one thing, and remembers what it was asked."""

    asked: list[str] = field(default_factory=list)

    async def ask(self, question: str) -> Answer:
        self.asked.append(question)
        citation = Citation("Certificates", "Getting one", "faq", 1.0, document="faq.md")
        return Answer(
            question, CERTIFICATE_ANSWER, abstained=False, citations=[citation], latency_ms=1.0
        )


@dataclass
class World:
    fake: FakeTelegram
    running: BotHarness
    answerer: CertificateAnswerer
    learner: Learner

    async def answers(self) -> dict[str, object]:
        services = self.running.services
        assert services is not None
        async with services.database.session() as session:
            rows = (await session.exec(select(SurveyAnswer))).all()
        return {row.question_id: "skipped" if row.skipped else row.value for row in rows}


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    answerer = CertificateAnswerer()
    async with FakeTelegram() as fake:
        running = BotHarness(fake, settings, answerer=answerer)
        services = await running.start()
        fake.add_user(LEARNER)
        now = datetime.now(UTC)
        await add_learners(services.database, [LEARNER], created_at=now - timedelta(days=1))
        await services.surveys.add_survey(SURVEY)
        await services.surveys.start_waves("typing")
        await running.invite()
        try:
            yield World(fake, running, answerer, Learner(fake, LEARNER))
        finally:
            await running.stop()


def keyboard_of(world: World, message_id: int) -> object:
    [message] = [m for m in world.fake.messages_to(LEARNER) if m.message_id == message_id]
    return message.reply_markup


async def test_typed_digits_answer_ratings_and_every_answer_is_echoed(world: World) -> None:
    learner = world.learner
    first = await learner.press("Start the survey")
    assert "Question 1 of" in first and "How useful" in first
    asked = learner.last_keyboard_message()

    second = await learner.say("4")  # typed, not pressed
    assert second.startswith("✓ 4") and "How clear" in second
    assert keyboard_of(world, asked.message_id) is None  # its buttons went with the answer
    assert "from 1 to 5" in await learner.say("7")  # no such button
    third = await learner.say("۵")  # Urdu digit
    assert third.startswith("✓ 5") and "freelancer" in third

    freelancer = learner.last_keyboard_message()
    assert "How many clients" in await learner.press("Yes")
    [edited] = [m for m in world.fake.messages_to(LEARNER) if m.message_id == freelancer.message_id]
    assert edited.text is not None
    assert edited.text.endswith("✓ Yes") and "Do you work as a freelancer?" in edited.text
    assert edited.reply_markup is None

    await learner.say("12")
    recommend = learner.last_keyboard_message()
    await learner.press("Skip")
    [skipped] = [m for m in world.fake.messages_to(LEARNER) if m.message_id == recommend.message_id]
    assert skipped.text is not None and skipped.text.endswith("⏭ Skipped")
    assert "Thank you" in await learner.say("Good programme.")
    assert await world.answers() == {
        "useful": 4,
        "clear": 5,
        "freelancer": "yes",
        "clients": 12,
        "recommend": "skipped",
        "comment": "Good programme.",
    }


async def test_a_question_typed_mid_survey_is_answered_and_the_survey_goes_on(
    world: World,
) -> None:
    learner = world.learner
    await learner.press("Start the survey")
    asked = await learner.say("How do I get my certificate?", expect_replies=2)
    assert world.answerer.asked == ["How do I get my certificate?"]
    texts = [m.text or "" for m in world.fake.messages_to(LEARNER)[-2:]]
    assert CERTIFICATE_ANSWER in texts[0]
    assert "/cancel" in asked and "How useful" in asked and "Course check" in asked
    assert await world.answers() == {}  # the question was no answer

    assert "How clear" in await learner.say("3")
    # Paused with /cancel, resumed from the invitation where it stopped.
    assert "answers so far are saved" in await learner.say("/cancel")
    await learner.say("kya certificate free hai")  # no longer in the survey: a plain question
    assert world.answerer.asked[-1] == "kya certificate free hai"
    invitation = world.fake.messages_to(LEARNER)[0]
    resumed = await learner.press("Start the survey", message=invitation)
    assert "Question 2 of" in resumed and "How clear" in resumed
    assert await world.answers() == {"useful": 3}


async def test_the_export_tells_a_skipped_question_from_one_never_asked(
    world: World, tmp_path: Path
) -> None:
    learner = world.learner
    await learner.press("Start the survey")
    await learner.press("2")
    await learner.press("3")
    await learner.press("No")  # so "clients" is never asked
    await learner.press("Skip")  # "recommend" is asked and skipped
    assert "Thank you" in await learner.press("Skip")
    services = world.running.services
    assert services is not None
    results = SurveyResultsService(services.database)
    await results.export("typing", tmp_path / "out.csv", "csv")
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert {key: row[key] for key in ("useful", "clients", "recommend", "comment")} == {
        "useful": "2",
        "clients": "",
        "recommend": "[skipped]",
        "comment": "[skipped]",
    }
    header, [cells] = await results.export_rows("typing")
    assert cells[header.index("clients")] is None
