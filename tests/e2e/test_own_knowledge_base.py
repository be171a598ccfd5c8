"""An operator's own knowledge base, as the checks outside the project use one: the bot answers
from it alone, in three languages, through Telegram, the terminal chat and `hecbot ask`.

The knowledge base is `knowledge/eval/unseen_kb2/` (a fictional university's Digital Skills
Bootcamp: three rule documents, Urdu versions of some sections in `ur/`, its own
`not-covered.md`), indexed once per module as an operator does: `hecbot kb index PATH --as NAME`
into an empty data dir. The bot is then built from settings naming that data dir. Nothing of the
bundled sample (DLSEI, HEC, Coursera licences, its files) may reach a learner.

The questions are this module's own, each answered by one section without doubt; they are not
the never-tuned `unseen2_questions.yaml`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.i18n import Catalogue
from bot.storage.models import QuestionLog
from bot.telegram.container import AppServices, build_services
from knowledge.engine import KnowledgeEngine
from tests.databases import sqlite_started
from tests.e2e.harness import (
    NO_URDU_VERSION,
    Learner,
    first_source,
    hecbot,
    hecbot_ask,
    own_kb_fixtures,
    running_bot,
    stored_questions,
)
from tests.fakebotapi import FakeTelegram

KB_DIR = Path(__file__).parents[2] / "knowledge" / "eval" / "unseen_kb2"
KB_NAME = "bootcamp"
JOINING = "Digital Skills Bootcamp: joining"
TRAINING = "Digital Skills Bootcamp: training and certificates"
CONDUCT = "Digital Skills Bootcamp: conduct and help"
NOT_COVERED = "Questions the Digital Skills Bootcamp does not cover"
OWN_SOURCES = {
    "bootcamp-joining.md",
    "bootcamp-training-and-certificates.md",
    "bootcamp-conduct-and-help.md",
    "not-covered.md",
    "ur/bootcamp-joining.md",
    "ur/bootcamp-conduct-and-help.md",
}
# The bundled sample's programme and its words: none may reach a learner of this knowledge base.
SAMPLE_NAMES = re.compile(r"DLSEI|\bHEC\b|Coursera|licen[cs]e|کورسیرا|لائسنس", re.IGNORECASE)
URDU = re.compile(r"[\u0600-\u06ff]")
CATALOGUE = Catalogue.load()


own_kb_data_dir, answering_engine = own_kb_fixtures(KB_NAME, OWN_SOURCES, KB_DIR)


def assert_nothing_of_the_sample(text: str | None) -> None:
    assert text is not None and not SAMPLE_NAMES.search(text), text


def assert_only_own_sources(stored: list[QuestionLog]) -> None:
    cited = {c["source"] for q in stored for c in q.citations}
    assert cited <= OWN_SOURCES, cited - OWN_SOURCES


async def test_an_english_learner_gets_cited_answers_from_the_bootcamp_rules_in_three_languages(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=5_000_000_501, language_code="en")
    async with running_bot(fake_telegram, services):
        *_, done = await learner.onboards()
        # The bundled programme's example ("How do I get a Coursera licence?") would be
        # declined here: none is suggested, after onboarding or for a content-free message.
        assert_nothing_of_the_sample(done.text)
        assert "Ask me anything about the programme." in done.text
        (prompt,) = await learner.says("ok")
        assert prompt.text == CATALOGUE.text("en", "question-content-free", example="none")

        (tracks,) = await learner.says("How many weeks does each track last?")
        assert "12 weeks" in tracks.text
        assert first_source(tracks) == f"{TRAINING} › Tracks and timings"
        # "Show the full rule": the whole section, the timings the answer left out included.
        (full,) = await learner.presses(tracks, "Show the full rule", replies=1)
        assert "Monday to Thursday from 6 pm to 9 pm" in full.text
        assert "Tracks and timings" in full.text

        (desk,) = await learner.says("help desk ka whatsapp number kya hai?")
        assert "0300-1112233" in desk.text
        assert first_source(desk) == f"{CONDUCT} › Help desk"

        # Urdu script, a section with an Urdu version: answered from it, in Urdu.
        (age,) = await learner.says("بوٹ کیمپ میں شامل ہونے کے لیے عمر کی حد کیا ہے؟")
        assert "18 سے 30" in age.text
        assert first_source(age) == f"{JOINING} › Who can join"
        assert "اردو ترجمہ" not in age.text and "Urdu version:" in age.text

        # Urdu script, a section without one: the English rule and the one-line Urdu note.
        (copy,) = await learner.says("سرٹیفکیٹ کی پرنٹ شدہ کاپی کتنے کی ہے؟")
        assert "Rs. 300" in copy.text and NO_URDU_VERSION in copy.text
        assert first_source(copy) == f"{TRAINING} › Certificates"
        assert "Urdu version:" not in copy.text

        await learner.presses(tracks, "Helpful")
        await learner.presses(desk, "Not helpful")
        for answer in (tracks, full, desk, age, copy):
            assert_nothing_of_the_sample(answer.text)

    stored = [q for q in await stored_questions(services) if not q.content_free]
    assert [q.feedback for q in stored] == [1, -1, None, None]
    assert not any(q.abstained for q in stored)
    assert_only_own_sources(stored)


async def test_an_urdu_learner_is_answered_in_urdu_where_the_rule_has_an_urdu_version(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=5_000_000_502, language_code="ur")
    async with running_bot(fake_telegram, services):
        *_, done = await learner.onboards(
            language="اردو", kind="طالب علم", university_button="کامسیٹس"
        )
        assert_nothing_of_the_sample(done.text)

        # English, Roman Urdu: the learner chose Urdu, the section has an Urdu version.
        (seat,) = await learner.says("How many days do I have to confirm my seat?")
        assert "5 دن" in seat.text and NO_URDU_VERSION not in seat.text
        assert first_source(seat) == f"{JOINING} › Selection"
        (leaving,) = await learner.says("bootcamp chhorne ke baad dobara kab apply kar sakte hain?")
        assert "ایک سال" in leaving.text
        assert first_source(leaving) == f"{CONDUCT} › Leaving the bootcamp"
        # The full rule of a translated section, in Urdu.
        (full,) = await learner.presses(seat, CATALOGUE.text("ur", "answer-show-rule"), replies=1)
        assert "40 منٹ" in full.text and "30%" in full.text

        # No Urdu version of the section: the English rule and the note.
        (issued,) = await learner.says("How long after the final results are certificates issued?")
        assert "within 3 weeks" in issued.text and NO_URDU_VERSION in issued.text
        assert first_source(issued) == f"{TRAINING} › Certificates"
        for answer in (seat, leaving, full, issued):
            assert_nothing_of_the_sample(answer.text)

    stored = await stored_questions(services)
    assert len(stored) == 3 and not any(q.abstained for q in stored)
    assert_only_own_sources(stored)


@pytest.mark.parametrize(
    ("language_code", "question", "section", "where"),
    [
        ("en", "Will I get a hostel room during the bootcamp?", "Hostels", "hostel office"),
        ("en", "kya bootcamp ke baad naukri milegi?", "Jobs and placements", "career services"),
        ("ur", "کیا بوٹ کیمپ وظیفہ دیتا ہے؟", "Scholarships", "financial aid office"),
    ],
)
async def test_a_topic_the_bootcamp_does_not_cover_is_sent_where_its_own_list_says(
    *,
    fake_telegram: FakeTelegram,
    services: AppServices,
    language_code: str,
    question: str,
    section: str,
    where: str,
):
    learner = Learner(fake_telegram, user_id=5_000_000_503, language_code=language_code)
    async with running_bot(fake_telegram, services):
        if language_code == "ur":
            await learner.onboards(language="اردو", kind="طالب علم", university_button="کامسیٹس")
        else:
            await learner.onboards()
        (redirect,) = await learner.says(question)
    assert where in redirect.text
    assert first_source(redirect).startswith(f"{NOT_COVERED} › {section}")
    assert_nothing_of_the_sample(redirect.text)
    if URDU.search(question):  # no Urdu version of the topic: the English text and the note
        assert NO_URDU_VERSION in redirect.text
    # Not an answer: the learner may still take it to a person.
    escalate = CATALOGUE.text(language_code, "ticket-button-escalate")
    assert escalate in str(redirect.reply_markup)
    (stored,) = await stored_questions(services)
    assert stored.abstained
    assert_only_own_sources([stored])


async def test_the_operator_names_their_programme_help_desk_and_example_question(
    fake_telegram: FakeTelegram, settings: Settings, answering_engine: KnowledgeEngine
):
    """`PROGRAMME_*` settings: the privacy notice, the decline and the example question the
    bot suggests name the operator's programme, help desk and one of its rules' questions,
    never HEC's (the sample's "the HEC desk" and "How do I get a Coursera licence?", which
    an operator's rules may "answer" wrongly)."""
    own = Settings(  # type: ignore[call-arg]
        HECBOT_DATA_DIR=settings.data_dir,
        HECBOT_THROTTLE_SECONDS=0,
        PROGRAMME_NAME="Digital Skills Bootcamp",
        PROGRAMME_OPERATOR="The Bootcamp Office",
        PROGRAMME_HELP_DESK="the bootcamp help desk",
        PROGRAMME_ABOUT="I answer questions about joining the bootcamp, its tracks and rules.",
        PROGRAMME_EXAMPLE_QUESTION="How many weeks does each track last?",
    )
    await sqlite_started(own)
    services = await build_services(own, answerer=answering_engine)
    learner = Learner(fake_telegram, user_id=5_000_000_505, language_code="en")
    try:
        async with running_bot(fake_telegram, services):
            notice, *_, done = await learner.onboards()
            assert "Welcome to the Digital Skills Bootcamp assistant!" in notice.text
            assert "The Bootcamp Office uses the questions" in notice.text
            assert "for example: How many weeks does each track last?" in done.text
            (prompt,) = await learner.says("ok")
            assert "How many weeks does each track last?" in prompt.text
            (cricket,) = await learner.says("Who won the cricket match yesterday?")
            assert "your university's focal person or the bootcamp help desk." in cricket.text
            (tracks,) = await learner.says("How many weeks does each track last?")
            assert "12 weeks" in tracks.text
            for message in (notice, done, prompt, cricket):
                assert_nothing_of_the_sample(message.text)
    finally:
        await services.database.close()


async def test_off_topic_and_sample_kb_questions_get_an_honest_not_ours_and_reach_a_person(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=5_000_000_504, language_code="en")
    async with running_bot(fake_telegram, services):
        await learner.onboards()
        (cricket,) = await learner.says("Who won the cricket match yesterday?")
        assert cricket.text == CATALOGUE.text("en", "answer-abstained")
        # Nearer some topic ("Transport") than any rule, yet about nothing a topic speaks of:
        # no office to send the learner to, so the same honest decline.
        (capital,) = await learner.says("What is the capital of France?")
        assert capital.text == CATALOGUE.text("en", "answer-abstained")
        # The bundled sample's own topic: nothing here answers it, and no sample rule leaks in.
        (licence,) = await learner.says("How do I get a Coursera licence?")
        assert "Sources:" not in licence.text
        (urdu,) = await learner.says("فرانس کا دارالحکومت کیا ہے؟")
        assert urdu.text == CATALOGUE.text("en", "answer-abstained")
        # The way to a person: the question becomes a ticket.
        (ticket,) = await learner.presses(cricket, "Ask my focal person", replies=1)
        assert re.search(r"#\d+", ticket.text), ticket.text

    stored = await stored_questions(services)
    assert [q.abstained for q in stored] == [True, True, True, True]
    assert all(q.citations == [] for q in stored)


def test_the_terminal_chat_answers_from_the_bootcamp_rules(
    own_kb_data_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(own_kb_data_dir, data_dir)  # the chat's database is this test's own
    # What `make chat` runs first: the bundled sample stays out of an index of one's own.
    indexed = hecbot(data_dir, "kb", "index", "--bundled", "--unless-own")
    assert "added" not in indexed
    assert "licence" not in hecbot(data_dir, "kb", "list").lower()
    # Onboarding: [1] agree, [1] English, [1] student, the university, [1] its button.
    out = hecbot(
        data_dir,
        "chat",
        stdin="\n".join(
            [
                "1",
                "1",
                "1",
                "comsats",
                "1",
                "What is the pass mark?",
                "نقل کرنے پر کیا سزا ہے؟",
                "Can I get a scholarship from the bootcamp?",
                "How do I get a Coursera licence?",
                "/quit",
            ]
        )
        + "\n",
    )
    assert "50 out of 100" in out
    assert f"{TRAINING} › Final project and passing" in out
    assert "zero marks" in out and NO_URDU_VERSION in out
    assert "financial aid office" in out and f"{NOT_COVERED} › Scholarships" in out
    assert "[1] 👍" in out
    # The sample programme's question, asked last: declined, no sample rule cited.
    assert "I don't know the answer" in out.split("financial aid office", 1)[1]
    assert not re.search(r"DLSEI|Coursera licen", out.split("All set", 1)[-1]), out  # no example


def test_hecbot_ask_answers_from_the_bootcamp_rules_as_json_and_in_urdu(
    own_kb_data_dir: Path,
) -> None:
    questions = [
        "Can employees of the university join the bootcamp?",
        "seat confirm karne ke liye kitne din hain?",
        "کیا بوٹ کیمپ کے دوران ہاسٹل ملے گا؟",
        "Who won the cricket match yesterday?",
    ]
    english = hecbot_ask(own_kb_data_dir, questions)
    urdu = hecbot_ask(own_kb_data_dir, questions, "--lang", "ur")
    assert [a["question"] for a in english] == [a["question"] for a in urdu] == questions

    employees, seat, hostel, cricket = english
    assert "Employees of Indus Valley University" in employees["answer"]
    assert employees["citations"][0]["source"] == "bootcamp-joining.md"
    assert employees["citations"][0]["section"] == "Who cannot join"
    assert seat["question_language"] == "roman_ur" and seat["answer_language"] == "en"
    assert "within 5 days" in seat["answer"]
    assert hostel["redirect"] and hostel["abstained"]
    assert hostel["citations"][0]["source"] == "not-covered.md"
    assert "hostel office" in hostel["answer"] and NO_URDU_VERSION in hostel["answer"]
    assert cricket["abstained"] and not cricket["redirect"] and cricket["citations"] == []

    employees_ur, seat_ur, hostel_ur, cricket_ur = urdu
    for answer in (employees_ur, seat_ur):
        assert answer["answer_language"] == "ur"
        assert answer["citations"][0]["translation"]["source"] == "ur/bootcamp-joining.md"
    assert "انڈس ویلی یونیورسٹی کے ملازمین" in employees_ur["answer"]
    assert "5 دن" in seat_ur["answer"]
    assert hostel_ur["answer"] == hostel["answer"]
    assert cricket_ur["abstained"] and not cricket_ur["redirect"]
    assert cricket_ur["answer_language"] == "ur" and URDU.search(cricket_ur["answer"])

    for answer in english + urdu:
        assert_nothing_of_the_sample(answer["answer"])
        assert {c["source"] for c in answer["citations"]} <= OWN_SOURCES
