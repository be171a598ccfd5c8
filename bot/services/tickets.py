"""Questions that reach a human: tickets from learners to focal persons and the HEC desk.

A ticket goes to the learner's university's reachable focal persons, or to the HEC desk (every
admin) when there is none, when a focal person passes it on ("Not mine"), or when it has waited
`DESK_AFTER` unanswered (`run_due`, called by the scheduler). Every notification is enqueued on
the delivery Outbox through the injected `enqueue`; rendering is injected too, so this module
knows nothing of Telegram.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import EnqueueJob, OutgoingMessage
from bot.errors import (
    EmptyTextError,
    HecbotError,
    NotFoundError,
    TextTooLongError,
)
from bot.logging_setup import logged_user
from bot.services.access import OwnerPolicy, TicketPolicy
from bot.services.permissions import Actor, Permission, is_allowed, require
from bot.storage.db import Database
from bot.storage.models import QuestionLog, Role, User
from bot.storage.people_models import Ticket, TicketRoute, TicketStatus, University
from bot.storage.types import utcnow

log = logging.getLogger(__name__)

DESK_AFTER = timedelta(hours=48)
MAX_ANSWER_CHARS = 3000


class TicketClosedError(HecbotError):
    message_key = "ticket-already-answered"


class DeskReason(StrEnum):
    NO_FOCAL_PERSON = "no_focal_person"
    PASSED_ON = "passed_on"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class TicketView:
    id: int
    question: str
    bot_answer: str
    university_id: int | None
    university_name: str | None
    learner_kind: str | None
    status: TicketStatus
    route: TicketRoute
    created_at: datetime
    answer: str | None
    answered_at: datetime | None
    answered_by_role: str | None
    rating: int | None
    faq_entry_id: int | None
    # Set on the view `answer` returns: the learner has blocked the bot, so the answer is kept
    # but could not be sent (the person answering is told so, not "sent to the learner").
    learner_blocked: bool = False

    @property
    def is_open(self) -> bool:
        return self.status is TicketStatus.OPEN


@dataclass(frozen=True)
class OpenedTicket:
    ticket: TicketView
    created: bool
    # How many people were told of it: 0 means nobody can answer it yet (no focal person and
    # no HEC admin), and the learner must be told so rather than promised an answer.
    answerers: int = 0


@dataclass(frozen=True)
class Recipient:
    user_id: int
    language: str


class TicketRenderer(Protocol):
    """Turns a ticket into the message for one person; the Telegram layer supplies it."""

    def for_answerer(
        self, ticket: TicketView, recipient: Recipient, *, desk_reason: DeskReason | None
    ) -> OutgoingMessage: ...

    def for_learner(self, ticket: TicketView, recipient: Recipient) -> OutgoingMessage: ...


def _view(ticket: Ticket, university: University | None) -> TicketView:
    assert ticket.id is not None
    return TicketView(
        id=ticket.id,
        question=ticket.question,
        bot_answer=ticket.bot_answer,
        university_id=ticket.university_id,
        university_name=university.name if university else None,
        learner_kind=ticket.learner_kind,
        status=TicketStatus(ticket.status),
        route=TicketRoute(ticket.route),
        created_at=ticket.created_at,
        answer=ticket.answer,
        answered_at=ticket.answered_at,
        answered_by_role=ticket.answered_by_role,
        rating=ticket.rating,
        faq_entry_id=ticket.faq_entry_id,
    )


class TicketService:
    def __init__(
        self, database: Database, *, enqueue: EnqueueJob, renderer: TicketRenderer
    ) -> None:
        self._database = database
        self._enqueue = enqueue
        self._renderer = renderer

    # --- learners ---------------------------------------------------------------------------

    async def open_ticket(self, actor: Actor, question_id: int) -> OpenedTicket:
        """Pass one of the actor's own questions to a human; asking twice changes nothing."""
        async with self._database.session() as session:
            record = await session.get(QuestionLog, question_id)
            if record is None or not OwnerPolicy.owns(actor, record.user_id):
                raise NotFoundError(f"question {question_id} of user {logged_user(actor.id)}")
            existing = (
                await session.exec(select(Ticket).where(Ticket.question_id == question_id))
            ).first()
            if existing is not None:
                return OpenedTicket(await self._view(session, existing), created=False)
            learner = await session.get(User, actor.id)
            university_id = learner.university_id if learner else None
            focal = await self._reachable_focal_persons(session, university_id)
            ticket = Ticket(
                question_id=question_id,
                learner_id=actor.id,
                learner_kind=learner.learner_kind if learner else None,
                university_id=university_id,
                question=record.question,
                bot_answer="" if record.abstained else record.answer,
                route=(TicketRoute.FOCAL if focal else TicketRoute.DESK).value,
            )
            if not focal:
                ticket.sent_to_desk_at = ticket.created_at
            session.add(ticket)
            await session.flush()
            view = await self._view(session, ticket)
            recipients = focal or await self._desk(session)
        reason = None if focal else DeskReason.NO_FOCAL_PERSON
        await self._notify_answerers(view, recipients, reason, created_by=actor.id)
        log.info("ticket %s opened, routed to %s", view.id, view.route.value)
        return OpenedTicket(view, created=True, answerers=len(recipients))

    async def rate(self, actor: Actor, ticket_id: int, *, helpful: bool) -> None:
        async with self._database.session() as session:
            ticket = await session.get(Ticket, ticket_id)
            if (
                ticket is None
                or not TicketPolicy.may_rate(actor, learner_id=ticket.learner_id)
                or ticket.answer is None
            ):
                raise NotFoundError(f"answered ticket {ticket_id} of user {logged_user(actor.id)}")
            ticket.rating = 1 if helpful else -1
            session.add(ticket)

    # --- focal persons and the HEC desk -----------------------------------------------------

    async def get(self, actor: Actor, ticket_id: int) -> TicketView:
        async with self._database.session() as session:
            ticket = await self._ticket_for_answerer(session, actor, ticket_id)
            return await self._view(session, ticket)

    async def answer(self, actor: Actor, ticket_id: int, text: str) -> TicketView:
        """Record a person's answer and send it to the learner (first answer wins)."""
        text = text.strip()
        if not text:
            raise EmptyTextError("empty answer")
        if len(text) > MAX_ANSWER_CHARS:
            raise TextTooLongError("answer", len(text), MAX_ANSWER_CHARS)
        async with self._database.session() as session:
            ticket = await self._ticket_for_answerer(session, actor, ticket_id, lock=True)
            if ticket.status != TicketStatus.OPEN.value:
                raise TicketClosedError(f"ticket {ticket_id} is already answered")
            ticket.status = TicketStatus.ANSWERED.value
            ticket.answer = text
            ticket.answered_at = utcnow()
            ticket.answered_by = actor.id
            ticket.answered_by_role = Role(actor.role).value
            session.add(ticket)
            view = await self._view(session, ticket)
            learner = await session.get(User, ticket.learner_id) if ticket.learner_id else None
        if learner is not None and learner.is_blocked:
            view = replace(view, learner_blocked=True)
        elif learner is not None:
            message = self._renderer.for_learner(view, Recipient(learner.id, learner.language))
            await self._enqueue(
                kind="ticket_answer",
                reference=f"ticket:{view.id}",
                messages=[message],
                created_by=actor.id,
            )
        log.info("ticket %s answered by user %s", view.id, logged_user(actor.id))
        return view

    async def pass_to_desk(self, actor: Actor, ticket_id: int) -> TicketView:
        """ "Not mine": the focal person hands the ticket to the HEC desk."""
        async with self._database.session() as session:
            ticket = await self._ticket_for_answerer(session, actor, ticket_id, lock=True)
            if ticket.status != TicketStatus.OPEN.value:
                raise TicketClosedError(f"ticket {ticket_id} is already answered")
            if ticket.route == TicketRoute.DESK.value:
                # Passed twice (a double tap): the desk has it, and nobody is missing.
                return await self._view(session, ticket)
            ticket.route = TicketRoute.DESK.value
            ticket.sent_to_desk_at = ticket.sent_to_desk_at or utcnow()
            session.add(ticket)
            view = await self._view(session, ticket)
            desk = await self._desk(session)
        await self._notify_answerers(view, desk, DeskReason.PASSED_ON, created_by=actor.id)
        return view

    async def open_tickets(self, actor: Actor, *, limit: int = 20) -> list[TicketView]:
        """Open tickets the actor may answer, oldest first."""
        scope = None if Role(actor.role) is Role.ADMIN else actor.university_id
        require(actor, Permission.ANSWER_TICKETS, university_id=scope)
        async with self._database.session() as session:
            query = (
                select(Ticket)
                .where(Ticket.status == TicketStatus.OPEN.value)
                .order_by(col(Ticket.created_at), col(Ticket.id))
                .limit(limit)
            )
            if scope is not None:
                query = query.where(Ticket.university_id == scope)
            tickets = (await session.exec(query)).all()
            return [await self._view(session, ticket) for ticket in tickets]

    # --- the scheduler ----------------------------------------------------------------------

    async def run_due(self, now: datetime) -> int:
        """Send to the HEC desk open tickets that waited `DESK_AFTER`, or whose university has
        no reachable focal person any more (they blocked the bot). Returns how many moved."""
        moved: list[tuple[TicketView, DeskReason]] = []
        async with self._database.session() as session:
            waiting = (
                await session.exec(
                    select(Ticket)
                    .where(Ticket.status == TicketStatus.OPEN.value)
                    .where(Ticket.route == TicketRoute.FOCAL.value)
                    .order_by(col(Ticket.created_at))
                )
            ).all()
            for ticket in waiting:
                if ticket.created_at <= now - DESK_AFTER:
                    reason = DeskReason.OVERDUE
                elif not await self._reachable_focal_persons(session, ticket.university_id):
                    reason = DeskReason.NO_FOCAL_PERSON
                else:
                    continue
                ticket.route = TicketRoute.DESK.value
                ticket.sent_to_desk_at = now
                session.add(ticket)
                moved.append((await self._view(session, ticket), reason))
            desk = await self._desk(session) if moved else []
        for view, reason in moved:
            await self._notify_answerers(view, desk, reason, created_by=None)
            log.info("ticket %s sent to the HEC desk: %s", view.id, reason.value)
        return len(moved)

    # --- internals --------------------------------------------------------------------------

    async def _ticket_for_answerer(
        self, session: AsyncSession, actor: Actor, ticket_id: int, *, lock: bool = False
    ) -> Ticket:
        # `lock`: the row is locked until the answer (or the pass) commits. Two focal persons
        # answering at the same moment both read the ticket open, and the learner got both
        # answers ("first answer wins" held one at a time only); the second now reads it answered.
        ticket = await session.get(Ticket, ticket_id, with_for_update=lock)
        if ticket is None:
            # Same check as for an existing ticket, so ids cannot be probed by non-answerers.
            TicketPolicy.require_answer(actor, None, university_id=None)
            raise NotFoundError(f"ticket {ticket_id}")
        TicketPolicy.require_answer(actor, ticket_id, university_id=ticket.university_id)
        return ticket

    async def _view(self, session: AsyncSession, ticket: Ticket) -> TicketView:
        university = (
            await session.get(University, ticket.university_id) if ticket.university_id else None
        )
        return _view(ticket, university)

    @staticmethod
    async def _reachable_focal_persons(
        session: AsyncSession, university_id: int | None
    ) -> list[Recipient]:
        if university_id is None:
            return []
        users = await session.exec(
            select(User)
            .where(User.role == Role.FOCAL_PERSON.value)
            .where(User.university_id == university_id)
            .where(col(User.is_blocked).is_(False))
            .order_by(col(User.id))
        )
        return [Recipient(user.id, user.language) for user in users.all()]

    @staticmethod
    async def _desk(session: AsyncSession) -> list[Recipient]:
        users = await session.exec(
            select(User)
            .where(User.role == Role.ADMIN.value)
            .where(col(User.is_blocked).is_(False))
            .order_by(col(User.id))
        )
        return [Recipient(user.id, user.language) for user in users.all()]

    async def _notify_answerers(
        self,
        view: TicketView,
        recipients: list[Recipient],
        reason: DeskReason | None,
        *,
        created_by: int | None,
    ) -> None:
        if not recipients:
            log.warning("ticket %s has nobody to answer it: no reachable admin", view.id)
            return
        messages = [
            self._renderer.for_answerer(view, recipient, desk_reason=reason)
            for recipient in recipients
        ]
        await self._enqueue(
            kind="ticket", reference=f"ticket:{view.id}", messages=messages, created_by=created_by
        )


def may_answer(actor: Actor, ticket: TicketView) -> bool:
    return is_allowed(actor, Permission.ANSWER_TICKETS, university_id=ticket.university_id)
