"""An operator's own knowledge base with no Urdu versions and no list of topics it does not cover:
`knowledge/eval/unseen_kb/` (a fictional voucher scheme, three Markdown documents whose
front-matter titles are written "A — b" over a "# A: b" heading), indexed with
`hecbot kb index PATH --as NAME`. Urdu script gets the English rule with the one-line Urdu note;
a question off the scheme gets the honest decline and a way to a person, never a redirect.

The questions are this module's own, not the never-tuned `unseen_questions.yaml`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import Catalogue
from bot.telegram.container import AppServices
from tests.e2e.harness import (
    NO_URDU_VERSION,
    Learner,
    first_source,
    hecbot_ask,
    own_kb_fixtures,
    running_bot,
    stored_questions,
)
from tests.fakebotapi import FakeTelegram

KB_DIR = Path(__file__).parents[2] / "knowledge" / "eval" / "unseen_kb"
VALUE = "Digital Skills Voucher — value and training rules"
COMPLETION = "Digital Skills Voucher — completion, bonus and support"
SOURCES = {
    "voucher-completion-and-support.md",
    "voucher-eligibility-and-application.md",
    "voucher-value-and-training.md",
}
URDU = re.compile(r"[\u0600-\u06ff]")
CATALOGUE = Catalogue.load()


own_kb_data_dir, answering_engine = own_kb_fixtures("voucher", SOURCES, KB_DIR)


@pytest.mark.parametrize(
    ("language_code", "user_id"), [("en", 5_000_000_611), ("ur", 5_000_000_612)]
)
async def test_urdu_script_gets_the_english_rule_with_the_note_and_off_topic_an_honest_decline(
    *, fake_telegram: FakeTelegram, services: AppServices, language_code: str, user_id: int
):
    learner = Learner(fake_telegram, user_id=user_id, language_code=language_code)
    async with running_bot(fake_telegram, services):
        if language_code == "ur":
            await learner.onboards(language="اردو", kind="طالب علم", university_button="کامسیٹس")
        else:
            await learner.onboards()

        (worth,) = await learner.says("ووچر کی مالیت کتنی ہے؟")
        assert "PKR 40,000" in worth.text and NO_URDU_VERSION in worth.text
        # The "# A: b" heading under the title "A — b" is the title again, not a section.
        assert first_source(worth) == f"{VALUE} › What the voucher is worth"
        (full,) = await learner.presses(
            worth, CATALOGUE.text(language_code, "answer-show-rule"), replies=1
        )
        assert "paid directly to the provider" in full.text
        assert full.text.count("Digital Skills Voucher") == 1, full.text

        (bonus,) = await learner.says("completion bonus kitna milta hai?")
        assert "PKR 5,000" in bonus.text
        assert first_source(bonus) == f"{COMPLETION} › Certificate and completion bonus"

        # No not-covered.md: nothing to redirect to, the honest decline and a way to a person.
        declined = []
        for question in ("Who won the cricket match yesterday?", "کرکٹ میچ کس نے جیتا؟"):
            (answer,) = await learner.says(question)
            assert answer.text == CATALOGUE.text(language_code, "answer-abstained")
            assert "Sources:" not in answer.text
            assert CATALOGUE.text(language_code, "ticket-button-escalate") in str(
                answer.reply_markup
            )
            declined.append(answer)
        (ticket,) = await learner.presses(
            declined[1], CATALOGUE.text(language_code, "ticket-button-escalate"), replies=1
        )
        assert re.search(r"#\d+", ticket.text), ticket.text

    stored = await stored_questions(services)
    assert [q.abstained for q in stored] == [False, False, True, True]
    assert {c["source"] for q in stored for c in q.citations} <= SOURCES
    assert stored[2].citations == stored[3].citations == []


def test_hecbot_ask_in_urdu_is_the_english_rule_with_the_note_and_the_same_citations(
    own_kb_data_dir: Path,
) -> None:
    questions = [
        "How much is the voucher worth?",
        "ووچر کی مالیت کتنی ہے؟",
        "voucher kitne din mein redeem karna hai?",
        "Who won the cricket match yesterday?",
        "کرکٹ میچ کس نے جیتا؟",
    ]
    english = hecbot_ask(own_kb_data_dir, questions)
    urdu = hecbot_ask(own_kb_data_dir, questions, "--lang", "ur")
    assert [a["question"] for a in english] == [a["question"] for a in urdu] == questions
    for en, ur in zip(english, urdu, strict=True):
        assert en["citations"] == ur["citations"] and en["abstained"] == ur["abstained"]
        assert not en["redirect"] and not ur["redirect"]
    for answer in urdu[:3]:
        assert answer["answer_language"] == "en" and NO_URDU_VERSION in str(answer["answer"])
        assert "translation" not in answer["citations"][0]  # type: ignore[index]
    assert "PKR 40,000" in str(urdu[0]["answer"]) and "90 days" in str(urdu[2]["answer"])
    for answer in english[3:] + urdu[3:]:
        assert answer["abstained"] and answer["citations"] == []
    assert urdu[3]["answer_language"] == urdu[4]["answer_language"] == "ur"
    assert URDU.search(str(urdu[3]["answer"]))
