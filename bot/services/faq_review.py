"""HEC's review of FAQ drafts: list, edit, approve (publish), reject, scope to one university.

Telegram (`/faq`), the CLI (`hecbot faq review|approve|reject`) and a web dashboard use this one
service; every method checks `FaqPolicy` (HEC admins only) on each call.

A draft answers nobody. Approving writes the entry's file into the knowledge base and
re-indexes it; an entry scoped to a university answers only that university's learners (see
`scoped_out`), a national one (`university_id` None) everyone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from sqlmodel import col, select

from bot.errors import EmptyTextError, NotFoundError, TextTooLongError
from bot.logging_setup import logged_user
from bot.services.access import FaqPolicy
from bot.services.faq import FaqService, FaqView
from bot.services.permissions import Actor, Permission, scope_for
from bot.storage.db import Database
from bot.storage.models import Role
from bot.storage.people_models import FaqEntry, Ticket, University
from bot.storage.types import utcnow

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 300
MAX_ANSWER_CHARS = 3500
_ENTRY_FILE = re.compile(r"faq-entry-(\d+)\.md$")


def _clean(text: str | None, limit: int, what: str) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if not text:
        raise EmptyTextError(f"empty {what}")
    if len(text) > limit:
        raise TextTooLongError(what, len(text), limit)
    return text


class FaqReviewService:
    def __init__(self, database: Database, faq: FaqService) -> None:
        self._database = database
        self._faq = faq

    async def list_drafts(self, actor: Actor) -> list[FaqView]:
        """Drafts waiting for review, oldest first."""
        FaqPolicy.require_review(actor)
        async with self._database.session() as session:
            rows = (
                await session.exec(
                    select(FaqEntry)
                    .where(col(FaqEntry.reviewed_at).is_(None))
                    .order_by(col(FaqEntry.id))
                )
            ).all()
        return [await self._faq.view(row) for row in rows]

    async def propose(
        self, actor: Actor, *, question: str, answer: str, university_id: int | None
    ) -> FaqView:
        """A draft written from a knowledge gap (no ticket behind it), for HEC to review.

        Focal persons propose for their own university (the draft is scoped to it), HEC admins
        for one university or the whole country (None); like every draft it answers nobody
        until an admin approves it.
        """
        scope = scope_for(actor, Permission.ANSWER_TICKETS, university_id)
        cleaned_question = _clean(question, MAX_QUESTION_CHARS, "question")
        cleaned_answer = _clean(answer, MAX_ANSWER_CHARS, "answer")
        assert cleaned_question is not None and cleaned_answer is not None
        async with self._database.session() as session:
            entry = FaqEntry(
                question=" ".join(cleaned_question.split()),
                answer=cleaned_answer,
                author_id=actor.id,
                author_role=Role(actor.role).value,
                university_id=scope,
                file_name="pending",
            )
            session.add(entry)
            await session.flush()
            entry.file_name = f"faq-entry-{entry.id}.md"
            session.add(entry)
        log.info(
            "FAQ entry %s proposed from a knowledge gap by user %s", entry.id, logged_user(actor.id)
        )
        return await self._faq.view(entry)

    async def get(self, actor: Actor, entry_id: int) -> FaqView:
        FaqPolicy.require_review(actor, entry_id)
        async with self._database.session() as session:
            entry = await session.get(FaqEntry, entry_id)
        if entry is None:
            raise NotFoundError(f"FAQ entry {entry_id}")
        return await self._faq.view(entry)

    async def edit(
        self,
        actor: Actor,
        entry_id: int,
        *,
        question: str | None = None,
        answer: str | None = None,
    ) -> FaqView:
        """Change the heading (the question as it will be published) and/or the answer."""
        FaqPolicy.require_review(actor, entry_id)
        question = _clean(question, MAX_QUESTION_CHARS, "question")
        answer = _clean(answer, MAX_ANSWER_CHARS, "answer")
        async with self._database.session() as session:
            entry = await session.get(FaqEntry, entry_id)
            if entry is None:
                raise NotFoundError(f"FAQ entry {entry_id}")
            if question is not None:
                entry.question = " ".join(question.split())
            if answer is not None:
                entry.answer = answer
            session.add(entry)
            if entry.reviewed_at is not None:  # a published entry is republished as edited
                await self._faq.publish(entry)
        log.info("FAQ entry %s edited by user %s", entry_id, logged_user(actor.id))
        return await self._faq.view(entry)

    async def set_scope(self, actor: Actor, entry_id: int, university_id: int | None) -> FaqView:
        """Answer only one university's learners (`university_id`), or everyone (None)."""
        FaqPolicy.require_review(actor, entry_id)
        async with self._database.session() as session:
            entry = await session.get(FaqEntry, entry_id)
            if entry is None:
                raise NotFoundError(f"FAQ entry {entry_id}")
            if university_id is not None and await session.get(University, university_id) is None:
                raise NotFoundError(f"university {university_id}")
            entry.university_id = university_id
            session.add(entry)
            if entry.reviewed_at is not None:
                await self._faq.publish(entry)
        return await self._faq.view(entry)

    async def toggle_scope(self, actor: Actor, entry_id: int) -> FaqView:
        """National <-> the university of the ticket it came from (the chat's one button)."""
        FaqPolicy.require_review(actor, entry_id)
        async with self._database.session() as session:
            entry = await session.get(FaqEntry, entry_id)
            if entry is None:
                raise NotFoundError(f"FAQ entry {entry_id}")
            ticket = await session.get(Ticket, entry.ticket_id) if entry.ticket_id else None
        home = ticket.university_id if ticket is not None else None
        target = home if entry.university_id is None else None
        return await self.set_scope(actor, entry_id, target)

    async def approve(self, actor: Actor, entry_id: int) -> FaqView:
        """Publish a draft: its file is written and indexed; approving twice changes nothing."""
        FaqPolicy.require_review(actor, entry_id)
        async with self._database.session() as session:
            entry = await session.get(FaqEntry, entry_id)
            if entry is None:
                raise NotFoundError(f"FAQ entry {entry_id}")
            if entry.reviewed_at is None:
                entry.reviewed_by = actor.id
                entry.reviewed_at = utcnow()
                session.add(entry)
                # Inside the transaction: a failed write leaves the entry a draft.
                await self._faq.publish(entry)
                log.info("FAQ entry %s approved by user %s", entry_id, logged_user(actor.id))
        return await self._faq.view(entry)

    async def reject(self, actor: Actor, entry_id: int) -> None:
        """Drop a draft (or withdraw a published entry): the bot never gives that answer."""
        FaqPolicy.require_review(actor, entry_id)
        async with self._database.session() as session:
            entry = await session.get(FaqEntry, entry_id)
            if entry is None:
                raise NotFoundError(f"FAQ entry {entry_id}")
            if entry.ticket_id is not None:
                ticket = await session.get(Ticket, entry.ticket_id)
                if ticket is not None:
                    ticket.faq_entry_id = None
                    session.add(ticket)
            published = entry.reviewed_at is not None
            await session.delete(entry)
        if published:
            await self._faq.unpublish(entry)
        log.info("FAQ entry %s rejected by user %s", entry_id, logged_user(actor.id))

    async def scoped_out(self, university_id: int | None, documents: Iterable[str]) -> bool:
        """Whether any cited FAQ file is scoped to a university other than the asker's."""
        ids = [int(m.group(1)) for d in documents if (m := _ENTRY_FILE.search(d or ""))]
        if not ids:
            return False
        async with self._database.session() as session:
            scopes = (
                await session.exec(select(FaqEntry.university_id).where(col(FaqEntry.id).in_(ids)))
            ).all()
        return any(scope is not None and scope != university_id for scope in scopes)
