"""A learner chooses courses over Telegram: the real dispatcher, polling the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiogram import Bot, Dispatcher

from bot.config import Settings
from bot.services.courses import CourseService
from bot.telegram.container import AppServices
from knowledge.answers import Answer
from tests.courses.factories import HashingEmbedder
from tests.e2e.harness import BotHarness, onboarded_learner
from tests.fakebotapi import ChatMessage, FakeTelegram
from tests.fakebotapi.fixtures import fake_telegram

__all__ = ["fake_telegram"]

LEARNER = 7_100_000_042


class RecordingAnswerer:
    """The rules knowledge base as a test double: records which questions reached it."""

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.abstain = False

    async def ask(self, question: str) -> Answer:
        self.questions.append(question)
        return Answer(question, "From the rules.", abstained=self.abstain, latency_ms=1.0)


@dataclass
class Running:
    services: AppServices
    answerer: RecordingAnswerer
    courses: CourseService
    completed: list[tuple[int, int]]
    bot: Bot
    dispatcher: Dispatcher


@pytest.fixture
async def running(fake_telegram: FakeTelegram, settings: Settings) -> AsyncIterator[Running]:
    answerer = RecordingAnswerer()
    completed: list[tuple[int, int]] = []

    async def on_completed(user_id: int, course_id: int) -> None:
        completed.append((user_id, course_id))

    async def prepare(services: AppServices) -> None:
        # The hashing embedder stands in for e5 (embedding the sample takes ~30 s on two cores);
        # the benchmark exercises the real one.
        services.courses = CourseService(services.database, embedder=HashingEmbedder())
        services.courses.set_completion_hook(on_completed)
        # Learners answer questions only once onboarded (privacy accepted): these two already are.
        await onboarded_learner(services.database, LEARNER)
        await onboarded_learner(services.database, LEARNER + 1, language="ur")

    harness = BotHarness(fake_telegram, settings, answerer=answerer, prepare=prepare, worker=False)
    async with harness:
        services = harness.services
        assert services is not None and harness.dispatcher is not None
        yield Running(
            services, answerer, services.courses, completed, harness.bot, harness.dispatcher
        )


async def _say(fake: FakeTelegram, text: str) -> ChatMessage:
    before = len(fake.requests("sendMessage"))
    fake.push_message(LEARNER, text)
    await fake.wait_for("sendMessage", count=before + 1, timeout=15)
    last = fake.last_message_to(LEARNER)
    assert last is not None
    return last


async def _press(fake: FakeTelegram, message: ChatMessage, data: str) -> None:
    before = len(fake.requests("answerCallbackQuery"))
    fake.push_callback(LEARNER, message.message_id, data)
    await fake.wait_for("answerCallbackQuery", count=before + 1, timeout=15)


def _button(message: ChatMessage, prefix: str) -> str:
    matching = [data for data in message.callback_data if data.startswith(prefix)]
    assert matching, f"no {prefix} button in {message.callback_data}"
    return matching[0]


async def test_courses_conversation_saves_a_path_and_marks_it_done(
    fake_telegram: FakeTelegram, running: Running
):
    asked = await _say(fake_telegram, "/courses")
    assert "What do you want to learn" in (asked.text or "")

    again = await _say(fake_telegram, "asdf qwerty")
    assert "couldn't tell" in (again.text or "")

    level_question = await _say(fake_telegram, "mujhe data analyst banna hai freelancing ke liye")
    assert level_question.callback_data == ["crl:beginner", "crl:intermediate", "crl:advanced"]

    sends = len(fake_telegram.requests("sendMessage"))
    await _press(fake_telegram, level_question, "crl:beginner")
    await fake_telegram.wait_for("sendMessage", count=sends + 1)
    hours_question = fake_telegram.last_message_to(LEARNER)
    assert hours_question is not None
    assert "crh:5" in hours_question.callback_data

    sends = len(fake_telegram.requests("sendMessage"))
    await _press(fake_telegram, hours_question, "crh:5")
    await fake_telegram.wait_for("sendMessage", count=sends + 1, timeout=15)
    path = fake_telegram.last_message_to(LEARNER)
    assert path is not None and path.text is not None
    links = [e for e in path.entities if e.get("type") == "text_link"]
    # As many courses as fit a licence at 5 h a week, with the total against the time left.
    assert 1 <= len(links) <= 5
    assert all(link["url"].startswith("https://www.coursera.org/") for link in links)
    assert "your licence leaves about 26 weeks" in path.text
    assert "Data Analysis" in path.text and "Why:" in path.text
    assert "Data Analysis" in path.text.split("\n")[1]  # the HEC track line

    save = _button(path, "cra:save:")
    await _press(fake_telegram, path, save)
    (answer,) = fake_telegram.requests("answerCallbackQuery")[-1:]
    assert "Saved" in answer.params["text"]
    plan = await running.courses.plan(LEARNER)
    assert len(plan) == len(links)

    plan_message = await _say(fake_telegram, "/myplan")
    done_buttons = [d for d in plan_message.callback_data if d.startswith("cpe:")]
    assert len(done_buttons) == len(plan)
    await _press(fake_telegram, plan_message, done_buttons[0])
    await fake_telegram.wait_for("editMessageText")
    assert running.completed == [(LEARNER, plan[0].course.id)]
    edited = fake_telegram.last_message_to(LEARNER)
    assert edited is not None and "✅" in (edited.text or "")
    assert running.answerer.questions == []


async def test_more_like_this_and_start_from_basics(fake_telegram: FakeTelegram, running: Running):
    first = await _say(fake_telegram, "which course for cloud?")
    assert "/courses" in (first.text or "")  # the hint to tailor the path
    shown = _button(first, "cra:more:").split(":")[-1].split(".")

    sends = len(fake_telegram.requests("sendMessage"))
    await _press(fake_telegram, first, _button(first, "cra:more:"))
    await fake_telegram.wait_for("sendMessage", count=sends + 1, timeout=15)
    more = fake_telegram.last_message_to(LEARNER)
    assert more is not None
    again = _button(more, "cra:more:").split(":")[-1].split(".")
    assert not set(again) & set(shown)

    sends = len(fake_telegram.requests("sendMessage"))
    await _press(fake_telegram, first, _button(first, "cra:basics:"))
    await fake_telegram.wait_for("sendMessage", count=sends + 1, timeout=15)
    basics = fake_telegram.last_message_to(LEARNER)
    assert basics is not None
    assert _button(basics, "cra:more:").split(":")[2] == "beginner"
    assert running.answerer.questions == []


@pytest.mark.parametrize("hours", [0, -3, 999_999])
async def test_a_forged_hours_a_week_is_refused_not_planned(
    fake_telegram: FakeTelegram, running: Running, hours: int
):
    """ "More like this" and "Start from basics" carry the hours a week in their data: forged,
    they sent a path "about 0 weeks at -3 h a week" (or 999,999). Refused, and said so."""
    first = await _say(fake_telegram, "which course for cloud?")
    for action in ("more", "basics"):
        ids = _button(first, f"cra:{action}:").split(":")[-1]
        sends = len(fake_telegram.requests("sendMessage"))
        fake_telegram.push_callback(
            LEARNER, first.message_id, f"cra:{action}:beginner:{hours}:{ids}", check_button=False
        )
        await fake_telegram.wait_for("sendMessage", count=sends + 1, timeout=15)
        reply = fake_telegram.last_message_to(LEARNER)
        assert reply is not None and "could not understand" in (reply.text or "")


async def test_rules_questions_still_reach_the_knowledge_base(
    fake_telegram: FakeTelegram, running: Running
):
    reply = await _say(fake_telegram, "How do I get a Coursera licence?")
    assert running.answerer.questions == ["How do I get a Coursera licence?"]
    assert "From the rules." in (reply.text or "")


async def test_a_goal_nothing_fits_names_the_nearest_tracks(
    fake_telegram: FakeTelegram, running: Running
):
    await _say(fake_telegram, "/courses")
    level_question = await _say(fake_telegram, "I want to become a pilot")
    sends = len(fake_telegram.requests("sendMessage"))
    await _press(fake_telegram, level_question, "crl:beginner")
    await fake_telegram.wait_for("sendMessage", count=sends + 1)
    hours_question = fake_telegram.last_message_to(LEARNER)
    assert hours_question is not None
    sends = len(fake_telegram.requests("sendMessage"))
    await _press(fake_telegram, hours_question, "crh:2")
    await fake_telegram.wait_for("sendMessage", count=sends + 1, timeout=15)
    reply = fake_telegram.last_message_to(LEARNER)
    assert reply is not None and "no course" in (reply.text or "")
    assert reply.callback_data == []


async def test_urdu_speaker_gets_the_path_in_urdu(fake_telegram: FakeTelegram, running: Running):
    urdu_learner = LEARNER + 1
    fake_telegram.push_message(urdu_learner, "cloud ke liye konsa course", language_code="ur")
    await fake_telegram.wait_for("sendMessage", lambda r: r.chat_id == urdu_learner, timeout=15)
    reply = fake_telegram.last_message_to(urdu_learner)
    assert reply is not None and reply.text is not None
    assert "تعلیمی راستہ" in reply.text  # "learning path", the Urdu header
    assert "کلاؤڈ کمپیوٹنگ" in reply.text  # the track's Urdu title
    assert len([e for e in reply.entities if e.get("type") == "text_link"]) >= 1
    assert "کیوں:" in reply.text  # each course's reason, in Urdu
    assert "ہفتے باقی ہیں" in reply.text  # the weeks the licence leaves


async def test_a_course_question_in_urdu_script_reaches_the_recommender(
    fake_telegram: FakeTelegram, running: Running
):
    urdu_learner = LEARNER + 1  # onboarded in Urdu
    fake_telegram.push_message(urdu_learner, "مجھے ویب ڈویلپر بننا ہے", language_code="ur")
    await fake_telegram.wait_for("sendMessage", lambda r: r.chat_id == urdu_learner, timeout=15)
    reply = fake_telegram.last_message_to(urdu_learner)
    assert reply is not None and reply.text is not None
    assert "تعلیمی راستہ" in reply.text
    assert running.answerer.questions == []


async def test_course_questions_inside_another_conversation_are_left_alone(
    fake_telegram: FakeTelegram, running: Running
):
    context = running.dispatcher.fsm.get_context(running.bot, chat_id=LEARNER, user_id=LEARNER)
    await context.set_state("SurveyAnswer:free_text")
    await _say(fake_telegram, "which course for cloud?")
    # Not recommended: the text went on to the next router (here the rules questions).
    assert running.answerer.questions == ["which course for cloud?"]


async def test_a_course_sounding_question_no_course_fits_is_answered_from_the_rules(
    fake_telegram: FakeTelegram, running: Running
):
    # "what ... course" reads like a course choice, but it is about the programme's rules.
    question = "What's the difference between a Specialization and a single course?"
    reply = await _say(fake_telegram, question)
    assert running.answerer.questions == [question]
    assert "From the rules." in (reply.text or "")
    assert any(data.startswith("fb:") for data in reply.callback_data)


async def test_when_the_rules_have_nothing_either_the_course_reply_stands(
    fake_telegram: FakeTelegram, running: Running
):
    running.answerer.abstain = True
    reply = await _say(fake_telegram, "which course should I take to become a pilot?")
    assert running.answerer.questions == ["which course should I take to become a pilot?"]
    assert "no course" in (reply.text or "")
