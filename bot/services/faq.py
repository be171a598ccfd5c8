"""Answered tickets become FAQ entries in the knowledge base, so the bot answers next time.

"Add to knowledge base" makes a *draft*: nothing is published until an HEC admin reviews it
(`bot.services.faq_review.FaqReviewService`: approve, edit, reject, scope to one university).
Each published entry is one Markdown file under `<data_dir>/faq/` (the reviewed question as
heading, the answer, who answered and when) and the folder is re-indexed at once through the
injected `FaqIndexer` (the knowledge engine's `index_paths`, which also drops removed files).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from sqlmodel import col, select

from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import in_pakistan
from bot.logging_setup import logged_user
from bot.services.access import FaqPolicy
from bot.services.permissions import Actor
from bot.storage.db import Database
from bot.storage.models import Role
from bot.storage.people_models import FaqEntry, Ticket, TicketStatus, University

log = logging.getLogger(__name__)

FAQ_TITLE = "Questions answered by focal persons and the HEC desk"


@runtime_checkable
class FaqIndexer(Protocol):
    """The knowledge engine's incremental indexer (blocking; run in a thread)."""

    def index_paths(self, paths: Sequence[Path]) -> Any: ...


@dataclass(frozen=True)
class FaqView:
    id: int
    ticket_id: int | None
    question: str
    answer: str
    author_role: str
    university_name: str | None
    created_at: datetime
    reviewed: bool
    path: Path
    university_id: int | None = None


# What makes a Markdown line a heading: up to three spaces, one to six #, a space or the end.
_HEADING_MARK = re.compile(r"^ {0,3}#{1,6}(?=\s|$)\s*")


def _markdown(entry: FaqEntry, university_name: str | None) -> str:
    who = "the HEC desk" if entry.author_role == Role.ADMIN.value else "a focal person"
    where = f" of {university_name}" if university_name and who != "the HEC desk" else ""
    # One line per paragraph: the question is the heading the retriever cites as the section.
    question = " ".join(entry.question.split())
    # A line of the answer written as a Markdown heading ("## Fees") would start a section of
    # its own, cut from the question; it is kept as a line of the answer.
    answer = "\n".join(
        _HEADING_MARK.sub("", line.rstrip()) for line in entry.answer.strip().splitlines()
    )
    answered = in_pakistan(entry.created_at)  # the date the programme's people call it
    return (
        f'---\ntitle: "{FAQ_TITLE}"\n---\n'
        f"# {FAQ_TITLE}\n\n"
        f"## {question}\n\n"
        f"{answer}\n\n"
        f"_Answered by {who}{where} on {answered:%Y-%m-%d} (FAQ entry {entry.id})._\n"
    )


class FaqService:
    def __init__(self, database: Database, faq_dir: Path, indexer: FaqIndexer | None) -> None:
        self._database = database
        self.faq_dir = faq_dir
        self._indexer = indexer

    async def add_from_ticket(self, actor: Actor, ticket_id: int) -> FaqView:
        """Make an answered ticket's answer an FAQ draft for HEC to review; twice is a no-op.

        The draft is scoped to the ticket's university until a reviewer decides otherwise; it
        answers nobody until approved, and its heading is the question the reviewer approves.
        """
        async with self._database.session() as session:
            ticket = await session.get(Ticket, ticket_id)
            if ticket is None:
                FaqPolicy.require_propose(actor, None, university_id=None)
                raise NotFoundError(f"ticket {ticket_id}")
            FaqPolicy.require_propose(actor, ticket_id, university_id=ticket.university_id)
            if ticket.status != TicketStatus.ANSWERED.value or not ticket.answer:
                raise InvalidInputError(f"ticket {ticket_id} has no answer yet")
            if ticket.faq_entry_id is not None:
                entry = await session.get(FaqEntry, ticket.faq_entry_id)
                if entry is not None:
                    return await self._view(entry)
            entry = FaqEntry(
                ticket_id=ticket_id,
                question=ticket.question,
                answer=ticket.answer,
                author_id=ticket.answered_by,
                author_role=ticket.answered_by_role or "",
                university_id=ticket.university_id,
                file_name="pending",
            )
            session.add(entry)
            await session.flush()
            entry.file_name = f"faq-entry-{entry.id}.md"
            ticket.faq_entry_id = entry.id
            session.add(entry)
            session.add(ticket)
        log.info(
            "ticket %s drafted as FAQ entry %s by user %s",
            ticket_id,
            entry.id,
            logged_user(actor.id),
        )
        return await self._view(entry)

    async def entries(self, actor: Actor) -> list[FaqView]:
        FaqPolicy.require_review(actor)
        async with self._database.session() as session:
            rows = (await session.exec(select(FaqEntry).order_by(col(FaqEntry.id)))).all()
        return [await self._view(row) for row in rows]

    async def remove(self, actor: Actor, entry_id: int) -> None:
        """Delete the entry and its file, then re-index: the bot stops giving that answer."""
        FaqPolicy.require_review(actor)
        async with self._database.session() as session:
            entry = await session.get(FaqEntry, entry_id)
            if entry is None:
                raise NotFoundError(f"FAQ entry {entry_id}")
            if entry.ticket_id is not None:
                ticket = await session.get(Ticket, entry.ticket_id)
                if ticket is not None:
                    ticket.faq_entry_id = None
                    session.add(ticket)
            await session.delete(entry)
            (self.faq_dir / entry.file_name).unlink(missing_ok=True)
        await self._reindex()
        log.info("FAQ entry %s removed by user %s", entry_id, logged_user(actor.id))

    async def restore_index(self) -> bool:
        """At start-up: put FAQ files back in the index if a rebuild dropped them.

        Unchanged files cost only a hash; with no FAQ file the model is not even loaded.
        """
        await self._unpublish_drafts()
        has_files = await asyncio.to_thread(lambda: any(self.faq_dir.glob("*.md")))
        if has_files:
            await self._reindex()
        return has_files

    async def _unpublish_drafts(self) -> None:
        """Entries published before review existed, and never reviewed, leave the index."""
        async with self._database.session() as session:
            drafts = (
                await session.exec(select(FaqEntry).where(col(FaqEntry.reviewed_at).is_(None)))
            ).all()
        for entry in drafts:
            (self.faq_dir / entry.file_name).unlink(missing_ok=True)

    async def publish(self, entry: FaqEntry) -> None:
        """Write a reviewed entry's file and re-index (within the caller's transaction)."""
        university_name = None
        if entry.university_id is not None:
            async with self._database.session() as session:
                university = await session.get(University, entry.university_id)
                university_name = university.name if university else None
        await asyncio.to_thread(self._write, entry, university_name)
        await self._reindex()

    async def unpublish(self, entry: FaqEntry) -> None:
        (self.faq_dir / entry.file_name).unlink(missing_ok=True)
        await self._reindex()

    async def view(self, entry: FaqEntry) -> FaqView:
        return await self._view(entry)

    def _write(self, entry: FaqEntry, university_name: str | None) -> None:
        self.faq_dir.mkdir(parents=True, exist_ok=True)
        path = self.faq_dir / entry.file_name
        temporary = path.with_suffix(".tmp")
        temporary.write_text(_markdown(entry, university_name), encoding="utf-8")
        temporary.replace(path)

    async def _reindex(self) -> None:
        if self._indexer is None:
            log.warning("no knowledge engine attached: FAQ entries are not indexed")
            return
        self.faq_dir.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(self._indexer.index_paths, [self.faq_dir])

    async def _view(self, entry: FaqEntry) -> FaqView:
        assert entry.id is not None
        university_name = None
        if entry.university_id is not None:
            async with self._database.session() as session:
                university = await session.get(University, entry.university_id)
                university_name = university.name if university else None
        return FaqView(
            id=entry.id,
            ticket_id=entry.ticket_id,
            question=entry.question,
            answer=entry.answer,
            author_role=entry.author_role,
            university_name=university_name,
            created_at=entry.created_at,
            reviewed=entry.reviewed_at is not None,
            university_id=entry.university_id,
            path=self.faq_dir / entry.file_name,
        )
