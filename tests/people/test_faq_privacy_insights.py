"""FAQ entries from answered tickets, /mydata and /forget, and the insights report."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.errors import InvalidInputError, NotAllowedError
from bot.i18n import pakistan_today
from bot.services.faq import FAQ_TITLE, FaqService
from bot.services.faq_review import FaqReviewService
from bot.services.insights import InsightsService, format_csv, format_text
from bot.services.insights_chart import render_chart
from bot.services.privacy import PrivacyService
from bot.services.tickets import TicketService
from bot.storage.db import Database
from bot.storage.models import QuestionLog, Role, User
from bot.storage.people_models import FaqEntry, Ticket
from bot.storage.types import utcnow
from tests.factories import make_user
from tests.people.conftest import make_question


class RecordingIndexer:
    def __init__(self) -> None:
        self.snapshots: list[dict[str, str]] = []

    def index_paths(self, paths: Sequence[Path]) -> None:
        [folder] = paths
        self.snapshots.append(
            {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.md"))}
        )


async def answered_ticket(
    database: Database, tickets: TicketService, university_id: int
) -> tuple[int, int]:
    learner = await make_user(database, 100, university_id=university_id)
    focal = await make_user(database, 200, role=Role.FOCAL_PERSON, university_id=university_id)
    opened = await tickets.open_ticket(
        learner, await make_question(database, learner, "Is there a fee for the certificate?")
    )
    await tickets.answer(focal, opened.ticket.id, "No: certificates are free under the programme.")
    return opened.ticket.id, focal.id


async def test_answered_ticket_becomes_a_draft_published_only_when_approved(
    database: Database, tickets: TicketService, comsats_id: int, ucp_id: int, tmp_path: Path
) -> None:
    indexer = RecordingIndexer()
    faq = FaqService(database, tmp_path / "faq", indexer)
    review = FaqReviewService(database, faq)
    ticket_id, focal_id = await answered_ticket(database, tickets, comsats_id)
    focal = await make_user(database, 201, role=Role.FOCAL_PERSON, university_id=comsats_id)

    entry = await faq.add_from_ticket(focal, ticket_id)
    again = await faq.add_from_ticket(focal, ticket_id)
    assert again.id == entry.id
    # A draft: nothing written, nothing indexed, scoped to the ticket's university.
    assert not entry.reviewed and not entry.path.exists() and indexer.snapshots == []
    assert entry.university_id == comsats_id

    admin = await make_user(database, 1, role=Role.ADMIN)
    [draft] = await review.list_drafts(admin)
    assert draft.id == entry.id
    with pytest.raises(NotAllowedError):
        await review.approve(focal, entry.id)
    await review.edit(admin, entry.id, question="Does the certificate cost anything?")
    approved = await review.approve(admin, entry.id)
    assert approved.reviewed and await review.list_drafts(admin) == []
    [snapshot] = indexer.snapshots
    text = snapshot[entry.path.name]
    assert "## Does the certificate cost anything?" in text
    assert "Is there a fee" not in text  # the learner's own words are not published
    assert "certificates are free" in text
    assert "COMSATS University Islamabad" in text
    assert f"{pakistan_today():%Y-%m-%d}" in text
    assert str(focal_id) not in text

    # Scoped to COMSATS: an answer citing it is withheld from another university's learner.
    assert await review.scoped_out(ucp_id, [entry.path.name])
    assert not await review.scoped_out(comsats_id, [entry.path.name])
    await review.set_scope(admin, entry.id, None)
    assert not await review.scoped_out(ucp_id, [entry.path.name])

    # A start-up after a knowledge-base rebuild puts the entry back in the index.
    assert await faq.restore_index()
    assert entry.path.name in indexer.snapshots[-1]
    assert not await FaqService(database, tmp_path / "empty", indexer).restore_index()

    await review.reject(admin, entry.id)
    assert not entry.path.exists()
    assert indexer.snapshots[-1] == {}
    assert await faq.entries(admin) == []


async def test_an_answer_with_a_heading_line_stays_one_section_under_its_question(
    database: Database, tickets: TicketService, comsats_id: int, tmp_path: Path
) -> None:
    """A focal person's answer with a line "## Fees" (or "# Note") made a section of its own in
    the published FAQ: cut from the question, cited as a rule "Fees". It stays an answer line."""
    learner = await make_user(database, 100, university_id=comsats_id)
    focal = await make_user(database, 200, role=Role.FOCAL_PERSON, university_id=comsats_id)
    admin = await make_user(database, 1, role=Role.ADMIN)
    opened = await tickets.open_ticket(
        learner, await make_question(database, learner, "Is there a fee for the certificate?")
    )
    answer = "No.\n## Fees\nOnly the exam has a fee.\n   # Note: ask your focal person\n#1 rule"
    await tickets.answer(focal, opened.ticket.id, answer)
    indexer = RecordingIndexer()
    faq = FaqService(database, tmp_path / "faq", indexer)
    entry = await faq.add_from_ticket(focal, opened.ticket.id)
    await FaqReviewService(database, faq).approve(admin, entry.id)
    text = indexer.snapshots[-1][entry.path.name]
    headings = [line for line in text.splitlines() if re.match(r"#{1,6} ", line)]
    assert headings == [f"# {FAQ_TITLE}", "## Is there a fee for the certificate?"], text
    assert "\nFees\nOnly the exam has a fee.\nNote: ask your focal person\n#1 rule" in text


async def test_an_entry_answered_late_in_the_utc_evening_is_dated_the_next_day(
    database: Database, tickets: TicketService, comsats_id: int, tmp_path: Path
) -> None:
    """22:00 UTC on 5 December is 03:00 on 6 December in Pakistan, the date everyone there sees."""
    indexer = RecordingIndexer()
    faq = FaqService(database, tmp_path / "faq", indexer)
    ticket_id, _ = await answered_ticket(database, tickets, comsats_id)
    focal = await make_user(database, 201, role=Role.FOCAL_PERSON, university_id=comsats_id)
    entry = await faq.add_from_ticket(focal, ticket_id)
    async with database.session() as session:
        row = await session.get(FaqEntry, entry.id)
        assert row is not None
        row.created_at = datetime(2026, 12, 5, 22, 0, tzinfo=UTC)
        session.add(row)

    admin = await make_user(database, 1, role=Role.ADMIN)
    await FaqReviewService(database, faq).approve(admin, entry.id)

    text = indexer.snapshots[-1][entry.path.name]
    assert "on 2026-12-06 (FAQ entry" in text, text


async def test_an_unreviewed_entry_published_before_review_existed_leaves_the_index(
    database: Database, tickets: TicketService, comsats_id: int, tmp_path: Path
) -> None:
    indexer = RecordingIndexer()
    faq = FaqService(database, tmp_path / "faq", indexer)
    ticket_id, _ = await answered_ticket(database, tickets, comsats_id)
    focal = await make_user(database, 201, role=Role.FOCAL_PERSON, university_id=comsats_id)
    entry = await faq.add_from_ticket(focal, ticket_id)
    entry.path.parent.mkdir(parents=True)
    entry.path.write_text("## Is there a fee for the certificate?\n\nNo.\n", encoding="utf-8")
    assert not await faq.restore_index()
    assert not entry.path.exists()


async def test_faq_needs_an_answer_and_the_right_person(
    database: Database, tickets: TicketService, comsats_id: int, ucp_id: int, tmp_path: Path
) -> None:
    faq = FaqService(database, tmp_path / "faq", RecordingIndexer())
    learner = await make_user(database, 100, university_id=comsats_id)
    await make_user(database, 1, role=Role.ADMIN)
    opened = await tickets.open_ticket(learner, await make_question(database, learner))
    other_focal = await make_user(database, 300, role=Role.FOCAL_PERSON, university_id=ucp_id)
    admin = await make_user(database, 2, role=Role.ADMIN)
    with pytest.raises(InvalidInputError):
        await faq.add_from_ticket(admin, opened.ticket.id)
    for outsider in (learner, other_focal):
        with pytest.raises(NotAllowedError):
            await faq.add_from_ticket(outsider, opened.ticket.id)
        with pytest.raises(NotAllowedError):
            await faq.entries(outsider)
        with pytest.raises(NotAllowedError):
            await faq.remove(outsider, 1)
        with pytest.raises(NotAllowedError):
            await FaqReviewService(database, faq).list_drafts(outsider)


async def test_mydata_exports_and_forget_anonymises(
    database: Database, tickets: TicketService, comsats_id: int
) -> None:
    privacy = PrivacyService(database)
    ticket_id, _ = await answered_ticket(database, tickets, comsats_id)

    exported = await privacy.export(100)
    assert exported["profile"]["telegram_id"] == 100
    assert exported["profile"]["university"] == "COMSATS University Islamabad"
    assert [q["question"] for q in exported["questions"]] == ["Is there a fee for the certificate?"]
    assert exported["tickets"][0]["answer"].startswith("No: certificates")

    report = await privacy.forget(100)

    assert (report.questions_anonymised, report.tickets_anonymised) == (1, 1)
    async with database.session() as session:
        assert await session.get(User, 100) is None
        question = (await session.exec(select(QuestionLog))).one()
        ticket = await session.get(Ticket, ticket_id)
    # The anonymous aggregate stays (asked, when, answered or not), without the words.
    assert question.user_id is None and question.question == "" and question.created_at
    assert ticket is not None and ticket.learner_id is None and ticket.learner_kind is None
    assert ticket.question == "" and ticket.status == "answered"
    after = await privacy.export(100)
    assert after["profile"] is None
    assert all(rows == [] for name, rows in after.items() if name not in {"profile", "exported_at"})


async def test_insights_counts_topics_gaps_feedback_and_answer_times(
    database: Database, tickets: TicketService, comsats_id: int, ucp_id: int, tmp_path: Path
) -> None:
    insights = InsightsService(database)
    comsats = await make_user(database, 100, university_id=comsats_id)
    ucp = await make_user(database, 101, university_id=ucp_id)
    focal = await make_user(database, 200, role=Role.FOCAL_PERSON, university_id=comsats_id)
    admin = await make_user(database, 1, role=Role.ADMIN)
    yesterday = utcnow() - timedelta(days=1)
    await make_question(
        database,
        comsats,
        "How do I apply?",
        abstained=False,
        top_section="Applying › Steps",
        feedback=1,
        created_at=yesterday,
    )
    await make_question(
        database, ucp, "How to apply", abstained=False, top_section="Applying › Steps", feedback=-1
    )
    await make_question(database, comsats, "Can I get a laptop?")
    await make_question(database, ucp, "can I get a LAPTOP")
    gap_id = await make_question(database, comsats, "Is Udemy included?")
    opened = await tickets.open_ticket(comsats, gap_id)
    await tickets.answer(focal, opened.ticket.id, "No.")

    report = await insights.report(admin)
    assert (report.total_questions, report.answered, report.abstained) == (5, 2, 3)
    assert [count for _, count in report.per_day] == [1, 4]
    assert report.topics == [("Applying › Steps", 2)]
    assert [(gap.text, gap.count) for gap in report.gaps] == [
        ("Can I get a laptop?", 2),
        ("Is Udemy included?", 1),
    ]
    assert (report.thumbs_up, report.thumbs_down, report.tickets_answered) == (1, 1, 1)
    assert report.median_answer_hours is not None and report.median_answer_hours < 1

    own = await insights.report(focal, university_id=comsats_id)
    assert own.total_questions == 3
    with pytest.raises(NotAllowedError):
        await insights.report(focal, university_id=None)
    with pytest.raises(NotAllowedError):
        await insights.report(comsats, university_id=comsats_id)
    assert (await insights.report(None, since=utcnow().date())).total_questions == 4

    assert "Can I get a laptop?" in format_text(report, help_desk="the HEC desk")
    rows = list(csv.reader(io.StringIO(format_csv(report))))
    assert ["unanswered", "Can I get a laptop?", "2"] in rows
    assert ["summary", "questions", "5"] in rows
    chart = render_chart(report, tmp_path / "chart.png", title="All")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_insights_csv_keeps_a_question_that_looks_like_a_formula_as_text(
    database: Database, comsats_id: int
) -> None:
    """A learner's "question" "=cmd|' /C calc'!A0" is an unanswered gap: in the CSV staff open
    in a spreadsheet it is text (apostrophe first), never a formula (CSV injection)."""
    learner = await make_user(database, 100, university_id=comsats_id)
    admin = await make_user(database, 1, role=Role.ADMIN)
    await make_question(database, learner, "=cmd|' /C calc'!A0")
    await make_question(database, learner, "@SUM(1+1)*cmd|' /C calc'!A0")
    report = await InsightsService(database).report(admin)
    rows = list(csv.reader(io.StringIO(format_csv(report))))
    gaps = sorted(label for section, label, _ in rows if section == "unanswered")
    assert gaps == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"]
    assert ["summary", "questions", "2"] in rows
