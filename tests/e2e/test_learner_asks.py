"""A learner meets the bot on Telegram: onboarding, questions in three languages, feedback."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlmodel import select

import handlers.rendering
from bot.config import Settings
from bot.storage.models import QuestionLog, User
from bot.telegram.container import AppServices, build_services
from handlers.rendering import TYPING_AFTER_SECONDS
from knowledge.answers import Answer
from knowledge.engine import KnowledgeEngine
from tests.e2e.harness import Learner, running_bot
from tests.fakebotapi import FakeTelegram

SOURCES_LINE = re.compile(r"^\d+\. .+", re.MULTILINE)


async def stored_questions(services: AppServices) -> list[QuestionLog]:
    async with services.database.session() as session:
        return list((await session.exec(select(QuestionLog).order_by(QuestionLog.id))).all())  # type: ignore[arg-type]


async def test_learner_gets_cited_answers_in_english_roman_urdu_and_urdu(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=5_000_000_123)
    async with running_bot(fake_telegram, services):
        _, languages, *_ = await learner.onboards()
        assert "English" in str(languages.reply_markup) and "اردو" in str(languages.reply_markup)

        questions = [
            "How long does a Coursera licence last?",
            "license kitne arsay ke liye milta hai?",
            "لائسنس کتنے عرصے کے لیے ملتا ہے؟",
        ]
        for question in questions:
            (answer,) = await learner.says(question)
            assert "Sources:" in answer.text, answer.text
            assert SOURCES_LINE.search(answer.text), answer.text
            # Urdu script is answered from the rule's Urdu version, whatever the setting.
            six_months = "6 ماہ" if re.search(r"[\u0600-\u06ff]", question) else "6 months"
            assert six_months in answer.text, answer.text
            assert any("Helpful" in data or "fb:" in data for data in answer.callback_data)

    stored = await stored_questions(services)
    assert [q.question for q in stored] == questions
    assert all(not q.abstained and q.citations and q.latency_ms > 0 for q in stored)
    assert {q.user_id for q in stored} == {learner.user_id}


async def test_feedback_is_stored_and_off_topic_questions_get_an_honest_i_dont_know(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=42_000)
    async with running_bot(fake_telegram, services):
        await learner.onboards()
        (answer,) = await learner.says("Who is eligible for a free Coursera licence?")
        await learner.presses(answer, "Helpful")
        (off_topic,) = await learner.says("What is the weather in Lahore tomorrow?")
        assert "not covered by the programme's rules" in off_topic.text  # and where to go
        (unknown,) = await learner.says("Can my pet parrot watch the lectures with me?")
        assert "don't know" in unknown.text

    first, second, third = await stored_questions(services)
    assert first.feedback == 1 and first.feedback_at is not None
    assert second.abstained and third.abstained


async def test_an_answer_offers_the_full_rule_and_an_urdu_question_is_answered_in_urdu(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=42_001)
    async with running_bot(fake_telegram, services):
        await learner.onboards()
        (answer,) = await learner.says("How many days do I have to accept the invitation?")
        assert "14 days" in answer.text
        (full,) = await learner.presses(answer, "Show the full rule", replies=1)
        assert "waiting list" in full.text  # the rest of the section
        (urdu,) = await learner.says("لائسنس کتنے مہینے کے لیے ملتا ہے؟")
        assert "6 ماہ" in urdu.text and "Urdu version" in urdu.text  # cites the Urdu version too


async def test_choosing_urdu_switches_every_later_reply(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=77)
    async with running_bot(fake_telegram, services):
        _, _, confirmation, *_ = await learner.onboards(
            language="اردو", kind="طالب علم", university_button="کامسیٹس"
        )
        assert re.search(r"[\u0600-\u06ff]", confirmation.text)
        (help_text,) = await learner.says("/help")
        assert "بوٹ" in help_text.text
    async with services.database.session() as session:
        user = await session.get(User, learner.user_id)
        assert user is not None and user.language == "ur"


async def test_bad_input_gets_clear_replies_and_nothing_breaks(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=88)
    async with running_bot(fake_telegram, services):
        await learner.onboards()
        (too_long,) = await learner.says("licence " * 512)  # 4,096: the most one message holds
        assert "too long" in too_long.text
        (unknown,) = await learner.says("/frobnicate")
        assert "/help" in unknown.text
        fake_telegram.push_message(learner.user_id, sticker="👍")
        (sticker_reply,) = await learner._replies(1, 20)
        assert "text" in sticker_reply.text
        (still_answers,) = await learner.says("How do I apply for a licence?")
        assert "Sources:" in still_answers.text
    stored = await stored_questions(services)
    assert [q.question for q in stored] == ["How do I apply for a licence?"]


class SlowEngine:
    """The real engine, taking a second longer than TYPING_AFTER_SECONDS to answer."""

    def __init__(self, engine: KnowledgeEngine) -> None:
        self._engine = engine

    async def ask(self, question: str) -> Answer:
        await asyncio.sleep(TYPING_AFTER_SECONDS + 1)
        return await self._engine.ask(question)


async def test_an_answer_quicker_than_the_typing_delay_sends_no_typing(
    fake_telegram: FakeTelegram, services: AppServices, monkeypatch: pytest.MonkeyPatch
):
    # A delay no answer here reaches, so the test does not depend on the machine's speed.
    monkeypatch.setattr(handlers.rendering, "TYPING_AFTER_SECONDS", 30.0)
    learner = Learner(fake_telegram, user_id=5_000_000_126)
    async with running_bot(fake_telegram, services):
        await learner.onboards()
        (answer,) = await learner.says("Who is eligible for a free Coursera licence?")
        assert "Sources:" in answer.text
    assert fake_telegram.requests("sendChatAction", chat_id=learner.user_id) == []


async def test_a_slow_answer_shows_typing_while_the_learner_waits(
    fake_telegram: FakeTelegram, settings: Settings, knowledge_engine: KnowledgeEngine
):
    services = await build_services(settings, answerer=SlowEngine(knowledge_engine))
    learner = Learner(fake_telegram, user_id=5_000_000_124)
    try:
        async with running_bot(fake_telegram, services):
            await learner.onboards()
            (answer,) = await learner.says("Who is eligible for a free Coursera licence?")
            assert "Sources:" in answer.text
    finally:
        await services.database.close()
    typing = fake_telegram.requests("sendChatAction", chat_id=learner.user_id)
    assert len(typing) == 1 and typing[0].params["action"] == "typing"


async def test_the_example_question_offered_after_onboarding_gets_the_how_to_apply_answer(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=5_000_000_125)
    async with running_bot(fake_telegram, services):
        *_, done = await learner.onboards()
        # The example is in italics in the "All set" message (its <i> becomes an entity).
        italic = next(e for e in done.entities if e.get("type") == "italic")
        example = (done.text or "")[italic["offset"] : italic["offset"] + italic["length"]]
        assert "licence" in example
        (answer,) = await learner.says(example)
    # The first thing a learner tries must be answered by the rule on applying, not by a
    # neighbouring rule about invitations (as it was before the FAQ had this question).
    assert "Form DLSEI-F1" in answer.text, answer.text
    assert "focal person" in answer.text


async def test_content_free_messages_get_a_prompt_for_a_full_question_never_an_answer(
    fake_telegram: FakeTelegram, services: AppServices
):
    from bot.services.insights import InsightsService

    learner = Learner(fake_telegram, user_id=5_000_000_130)
    urdu_learner = Learner(fake_telegram, user_id=5_000_000_131)
    content_free = ["👍", "?", "ok", "....", "the", "licence?", "ok thanks"]
    async with running_bot(fake_telegram, services):
        await learner.onboards()
        await urdu_learner.onboards(language="اردو", kind="طالب علم", university_button="کامسیٹس")
        for text in content_free:
            (reply,) = await learner.says(text)
            assert "full question" in reply.text, (text, reply.text)
            assert "Sources:" not in reply.text and not reply.callback_data
        # Roman Urdu typed by someone who chose Urdu: the prompt in Urdu.
        (reply,) = await urdu_learner.says("acha")
        assert "پورا سوال" in reply.text and not reply.callback_data
        (answer,) = await learner.says("How long does a Coursera licence last?")
        assert "Sources:" in answer.text

    stored = await stored_questions(services)
    assert [q.question for q in stored if q.content_free] == [*content_free, "acha"]
    assert not any(q.abstained for q in stored if q.content_free)
    report = await InsightsService(services.database).report(None)
    assert (report.content_free, report.abstained, report.gaps) == (len(content_free) + 1, 0, [])


async def test_urdu_questions_no_vocabulary_knows_reach_the_engine_not_the_full_question_prompt(
    fake_telegram: FakeTelegram, services: AppServices
):
    """Urdu-script words no vocabulary knows ("ای کیٹ", "لائبریری", "موسم") once made real
    questions look content-free (94 of the 1,389 eval questions, 91 of them Urdu script): the
    learner was asked for "a full question" instead of getting an answer, a decline or a
    redirect. Now they reach the engine, which redirects the weather question."""
    learner = Learner(fake_telegram, user_id=5_000_000_132)
    urdu_learner = Learner(fake_telegram, user_id=5_000_000_133)
    entry_test, library = "ای کیٹ میں کتنے سوال ہوتے ہیں؟", "لائبریری کتنے بجے بند ہوتی ہے؟"
    weather = "کل لاہور میں موسم کیسا ہوگا؟"
    async with running_bot(fake_telegram, services):
        await learner.onboards()
        await urdu_learner.onboards(language="اردو", kind="طالب علم", university_button="کامسیٹس")
        for person in (learner, urdu_learner):
            for question in (entry_test, library, weather):
                (reply,) = await person.says(question)
                prompt = ("full question", "پورا سوال")
                assert not any(p in reply.text for p in prompt), (question, reply.text)

    stored = await stored_questions(services)
    assert [q.question for q in stored] == [entry_test, library, weather] * 2
    assert not any(q.content_free for q in stored)
    assert all(q.abstained for q in stored if q.question == weather)  # the redirect


@pytest.mark.xfail(
    reason="the engine answers it from the micro-survey rule (1 to 3 questions); out-of-scope "
    "abstention is the `decline` round's work, not the content-free check's",
    strict=False,
)
async def test_an_urdu_entry_test_question_is_redirected_or_declined(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=5_000_000_134)
    async with running_bot(fake_telegram, services):
        await learner.onboards()
        await learner.says("ای کیٹ میں کتنے سوال ہوتے ہیں؟")
    (stored,) = await stored_questions(services)
    assert stored.abstained and not stored.content_free


async def test_a_course_sounding_rules_question_is_answered_in_the_learners_language(
    fake_telegram: FakeTelegram, services: AppServices
):
    """Sounding like a course choice, it goes to the recommender first; no course fits, so the
    rules answer. They once answered without the learner's language: English for a learner who
    chose Urdu, though the rule has an Urdu version."""
    learner = Learner(fake_telegram, user_id=5_000_000_135, language_code="ur")
    async with running_bot(fake_telegram, services):
        await learner.onboards(language="اردو", kind="طالب علم", university_button="کامسیٹس")
        (answer,) = await learner.says(
            "What's the difference between a Specialization and a single course?"
        )
    assert "اسپیشلائزیشن" in answer.text, answer.text
    assert "اردو ترجمہ" in answer.text  # the Urdu version it came from, among the sources
