"""FAQ entries are shown formatted, not as raw Markdown (issue 13, item 13).

A focal person's answer written with Markdown becomes an FAQ entry; the admin's review queue and
the learner who is answered by it see bold, italics, links and lists as Telegram formatting, and
a long entry arrives in pieces that each fit Telegram's limit and parse on their own.
"""

from __future__ import annotations

from bot.i18n import Catalogue, markdown_to_html, split_message
from tests.e2e.people.conftest import ADMIN, PeopleBot
from tests.e2e.trust.conftest import DraftFaq
from tests.fakebotapi import ChatMessage

CLASSMATE = 1002
QUESTION = "Can I pause my licence during my exams?"
ANSWER = (
    "**Yes**, once a year: ask your _focal person_ before the 1st of the month "
    "(see [the licence terms](https://hec.gov.pk/licence-terms)); use `/help` for more."
)
TELEGRAM_LIMIT = 4096


def entity_types(message: ChatMessage) -> set[str]:
    return {str(entity.get("type")) for entity in message.entities}


def assert_formatted(message: ChatMessage) -> None:
    text = message.text or ""
    assert "**" not in text and "_focal person_" not in text and "](" not in text, text
    assert "Yes, once a year" in text and "focal person" in text
    assert {"bold", "italic", "text_link", "code"} <= entity_types(message), message.entities
    [link] = [e for e in message.entities if e.get("type") == "text_link"]
    assert link.get("url") == "https://hec.gov.pk/licence-terms"


async def test_an_faq_entry_is_formatted_in_the_queue_and_for_the_learner(
    people_bot: PeopleBot, faq_drafted: DraftFaq
) -> None:
    people = people_bot
    await faq_drafted(QUESTION, ANSWER)

    [_, draft, _] = await people.send(ADMIN, "/faq", expect=3)
    assert_formatted(draft)
    await people.press(ADMIN, draft, people.button(draft, "faq:approve"), expect=0)
    [approved] = [m for m in people.messages(ADMIN) if m.message_id == draft.message_id]
    assert_formatted(approved)

    await people.onboard(CLASSMATE, "comsats")
    [answered] = await people.send(CLASSMATE, QUESTION)
    assert_formatted(answered)


async def test_a_long_faq_entry_arrives_in_pieces_within_telegrams_limit(
    people_bot: PeopleBot, faq_drafted: DraftFaq
) -> None:
    people = people_bot
    await faq_drafted(QUESTION, "Short answer, edited below.")
    [_, draft, _] = await people.send(ADMIN, "/faq", expect=3)
    # The admin writes the full answer (at most 3,500 characters), dense with links and bold:
    # formatted, it is longer than one message may be.
    long_answer = " ".join(
        f"**Step {n}:** see [item {n}](https://hec.gov.pk/terms/{n}) first." for n in range(1, 56)
    )
    assert len(long_answer) <= 3500 and len(markdown_to_html(long_answer)) > 4000
    await people.press(ADMIN, draft, people.button(draft, "faq:edit"))
    before = len(people.messages(ADMIN))
    people.tg.push_message(ADMIN, f"{QUESTION}\n{long_answer}")
    await people.until(
        lambda: any(d.startswith("faq:") for d in people.messages(ADMIN)[-1].callback_data),
        "the edited entry with its buttons",
    )
    pieces = people.messages(ADMIN)[before + 1 :]  # after "FAQ entry #1 was edited"
    assert len(pieces) >= 2
    assert all(len(piece.text or "") <= TELEGRAM_LIMIT for piece in pieces)
    assert all("**" not in (piece.text or "") for piece in pieces)
    assert all({"bold", "text_link"} <= entity_types(piece) for piece in pieces)
    assert "Step 55:" in (pieces[-1].text or "")
    assert any(d.startswith("faq:approve") for d in pieces[-1].callback_data)
    await people.press(ADMIN, pieces[-1], people.button(pieces[-1], "faq:approve"), expect=0)

    await people.onboard(CLASSMATE, "comsats")
    before = len(people.messages(CLASSMATE))
    people.tg.push_message(CLASSMATE, QUESTION)
    await people.until(
        lambda: (
            len(people.messages(CLASSMATE)) > before
            and bool(people.messages(CLASSMATE)[-1].callback_data)
        ),
        "the answer's last piece, with its buttons",
    )
    answer = people.messages(CLASSMATE)[before:]
    assert len(answer) >= 2
    assert all(len(piece.text or "") <= TELEGRAM_LIMIT for piece in answer)
    assert "Step 1:" in (answer[0].text or "") and "Step 55:" in "".join(
        piece.text or "" for piece in answer
    )
    assert all("**" not in (piece.text or "") for piece in answer)


def test_markdown_is_escaped_except_its_formatting() -> None:
    html = markdown_to_html(
        "# Fees\n- **none** for <learners> & staff\n- snake_case_name 2*3*4\n"
        "[bad](javascript:alert(1)) `a<b`\n```\n<pre> & raw\n```\n> quoted *line*"
    )
    assert html.splitlines()[0] == "<b>Fees</b>"
    assert "• <b>none</b> for &lt;learners&gt; &amp; staff" in html
    assert "snake_case_name 2*3*4" in html
    assert "<a " not in html and "javascript" in html  # only http(s) links become links
    assert "<code>a&lt;b</code>" in html
    assert "<pre>&lt;pre&gt; &amp; raw</pre>" in html
    assert "<blockquote>quoted <i>line</i></blockquote>" in html


def test_a_cut_through_a_block_closes_and_reopens_it() -> None:
    text = "<blockquote>" + "\n".join(f"line <b>{n}</b>" for n in range(900)) + "</blockquote>"
    pieces = split_message(text)
    assert len(pieces) >= 2
    for piece in pieces:
        assert len(piece) <= 4000
        assert piece.startswith("<blockquote>") and piece.endswith("</blockquote>")
        assert piece.count("<b>") == piece.count("</b>")


def test_a_long_value_is_not_lost_in_a_catalogue_text() -> None:
    """Fluent refuses placeables over 1,000 characters; the catalogue still shows them."""
    answer = markdown_to_html("**Long.** " * 300)
    text = Catalogue.load().text(
        "en",
        "faq-entry",
        id="1",
        question="Q?",
        answer=answer,
        university="U",
        date="d",
        reviewed="r",
    )
    assert "{???}" not in text and text.count("<b>Long.</b>") == 300
