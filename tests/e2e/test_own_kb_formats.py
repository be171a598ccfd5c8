"""An operator's own knowledge base written in the other formats the loaders read: one HTML page,
one DOCX and one PDF (built here, in a temp dir, with the sample's own builders in
knowledge/data/_build_binary_docs.py), indexed with `hecbot kb index PATH --as NAME`. A learner's
citation names each file's title and the section the answer came from, as written, and "Show the
full rule" shows that section whole, whatever the format.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import Catalogue
from bot.telegram.container import AppServices
from knowledge.data._build_binary_docs import build_docx, build_pdf, h1, h2, li, p
from tests.e2e.harness import (
    Learner,
    first_source,
    hecbot_ask,
    own_kb_fixtures,
    running_bot,
    stored_questions,
)
from tests.fakebotapi import FakeTelegram

MEMBERSHIP = "Riverside Library: membership"
BORROWING = "Riverside Library: borrowing"
ROOMS = "Riverside Library: reading rooms"
SOURCES = {"membership.html", "borrowing.docx", "reading-rooms.pdf"}
CATALOGUE = Catalogue.load()

MEMBERSHIP_HTML = f"""<!doctype html>
<html><head><title>Membership | Riverside Library</title></head><body>
<nav><a href="/">Home</a> <a href="/rooms">Reading rooms</a></nav>
<main>
<h1>{MEMBERSHIP}</h1>
<p>Effective date: 2025-01-01</p>
<h2>Who can become a member</h2>
<p>Anyone who lives or studies in Riverside district can become a member. Membership is free
for students with a valid student card.</p>
<h2>Lost membership card</h2>
<p>A lost membership card is replaced for Rs. 250 at the front desk. Bring your CNIC.</p>
</main>
<footer>Copyright Riverside Library</footer>
</body></html>
"""


def build_library(root: Path) -> Path:
    """A fictional library's three rule documents, one per format (no Markdown, no Urdu)."""
    root.mkdir(parents=True)
    (root / "membership.html").write_text(MEMBERSHIP_HTML, encoding="utf-8")
    # A DOCX whose "Heading 1" is its title, as Word users write one.
    build_docx(
        [
            h1(BORROWING),
            p("Effective date: 2025-01-01"),
            h2("Loan periods"),
            p("Members may borrow up to 4 books at a time."),
            li("Each loan lasts 21 days."),
            li("A loan can be renewed twice, online or at the desk."),
            h2("Late returns"),
            p("A late book costs Rs. 20 per day, up to Rs. 500 per book."),
            p("Members with unpaid fines cannot borrow."),
        ],
        root / "borrowing.docx",
    )
    # A PDF with bookmarks, whose first section follows a line without final punctuation.
    build_pdf(
        [
            h1(ROOMS),
            p("Effective date: 2025-01-01"),
            h2("Opening hours"),
            p(
                "The reading rooms are open from 8 am to 10 pm, Monday to Saturday. "
                "They are closed on Sundays and public holidays."
            ),
            h2("Group study rooms"),
            p(
                "Group study rooms can be booked for up to 3 hours a day through the library "
                "portal. Food is not allowed in them."
            ),
        ],
        root / "reading-rooms.pdf",
    )
    return root


own_kb_data_dir, answering_engine = own_kb_fixtures("library", SOURCES, build_library)


async def test_citations_name_each_formats_file_and_section_and_the_full_rule_shows_it(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=5_000_000_601, language_code="en")
    async with running_bot(fake_telegram, services):
        await learner.onboards()

        (card,) = await learner.says("How much does a new membership card cost if I lose mine?")
        assert "Rs. 250" in card.text and "Copyright" not in card.text
        assert first_source(card) == f"{MEMBERSHIP} › Lost membership card"
        (full,) = await learner.presses(card, "Show the full rule", replies=1)
        assert "Bring your CNIC" in full.text and "Lost membership card" in full.text
        assert "Home" not in full.text  # the page's navigation is not the rule

        # DOCX: its "Heading 1" is the title, cited once, not as a section of itself.
        (renew,) = await learner.says("How many times can I renew a loan?")
        assert "renewed twice" in renew.text
        assert first_source(renew) == f"{BORROWING} › Loan periods"
        (full,) = await learner.presses(renew, "Show the full rule", replies=1)
        assert "21 days" in full.text and "online or at the desk" in full.text
        assert full.text.count(BORROWING) == 1, full.text

        # PDF: the section after "Effective date: ..." is found by its bookmark.
        (sunday,) = await learner.says("Is the reading room open on Sunday?")
        assert "8 am to 10 pm" in sunday.text and "Opening hours" not in sunday.text.split("\n")[0]
        assert first_source(sunday) == f"{ROOMS} › Opening hours"
        (full,) = await learner.presses(sunday, "Show the full rule", replies=1)
        assert "closed on Sundays" in full.text and "Group study" not in full.text

    stored = await stored_questions(services)
    assert not any(q.abstained for q in stored)
    assert {c["source"] for q in stored for c in q.citations} <= SOURCES


def test_hecbot_ask_cites_each_format_by_its_file_and_section(own_kb_data_dir: Path) -> None:
    questions = [
        "Who can become a member of the library?",
        "What is the fine for a late book?",
        "How long can I book a group study room?",
        "لائبریری اتوار کو کھلی ہے؟",
    ]
    answers = hecbot_ask(own_kb_data_dir, questions)
    cited = [(a["citations"][0]["source"], a["citations"][0]["section"]) for a in answers]
    assert cited == [
        ("membership.html", "Who can become a member"),
        ("borrowing.docx", f"{BORROWING} > Late returns"),  # the index keeps the path as written
        ("reading-rooms.pdf", "Group study rooms"),
        ("reading-rooms.pdf", "Opening hours"),
    ]
    assert not re.match(r"Opening hours", answers[3]["answer"])
    assert answers[3]["answer_language"] == "en"
