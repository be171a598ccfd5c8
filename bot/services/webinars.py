"""Webinars announced by broadcasts: RSVPs, the list with RSVPs per university, calendar
files, and the 24-hour and 1-hour reminders (`run_due`, registered with the delivery scheduler).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import col, select

from bot.delivery import PRIORITY_REMINDER, Outbox, OutgoingMessage
from bot.errors import NotAllowedError, NotFoundError
from bot.i18n import Catalogue, Html
from bot.services.access import WebinarPolicy
from bot.services.audience import Audience
from bot.services.broadcast_drafts import BroadcastInputError, require_can_broadcast
from bot.services.permissions import Actor
from bot.storage.broadcast_models import Broadcast, Webinar, WebinarRsvp
from bot.storage.consent import contactable
from bot.storage.db import Database
from bot.storage.models import Role, User
from bot.storage.types import utcnow

log = logging.getLogger(__name__)

REMINDERS = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))


@dataclass(frozen=True)
class RsvpOutcome:
    """Whether the RSVP is new, and the reminders still to come for it ("24h", "1h"): what
    the thanks may promise."""

    added: bool
    reminders: tuple[str, ...]


def _announced_at(webinar: Webinar, broadcast: Broadcast | None) -> datetime:
    """When the webinar's notice goes (or went) out: a reminder due before that is skipped."""
    if broadcast is not None and broadcast.scheduled_for is not None:
        return broadcast.scheduled_for
    return webinar.created_at


def _reminder_is_skipped(label: str, webinar: Webinar, announced_at: datetime) -> bool:
    """The day-before reminder of a notice that goes out less than a day ahead: due before
    the notice, it would remind nobody who could have RSVPed (the RSVPs made after it would
    be promised it in vain), and right after the notice it would only repeat it. The 1-hour
    reminder always goes, to whoever RSVPed by then."""
    return label == "24h" and announced_at > webinar.starts_at - dict(REMINDERS)[label]


@dataclass(frozen=True)
class WebinarSummary:
    id: int
    title: str
    starts_at: datetime
    duration_minutes: int
    join_link: str
    university_id: int | None
    rsvps_total: int
    rsvps_by_university: dict[int | None, int] = field(default_factory=dict)


class WebinarService:
    def __init__(self, database: Database, outbox: Outbox, catalogue: Catalogue) -> None:
        self._database = database
        self._outbox = outbox
        self._catalogue = catalogue

    async def _webinar_for(self, actor: Actor, webinar_id: int) -> Webinar:
        """The webinar, if `actor` may see it (`WebinarPolicy`): addressed by its notice."""
        async with self._database.session() as session:
            webinar = await session.get(Webinar, webinar_id)
            broadcast = (
                await session.exec(select(Broadcast).where(col(Broadcast.webinar_id) == webinar_id))
            ).first()
            addressed = False
            if webinar is not None and broadcast is not None and actor.id is not None:
                audience = Audience.from_json(broadcast.audience)
                found = await session.exec(
                    select(col(User.id)).where(col(User.id) == actor.id, *audience.conditions())
                )
                addressed = found.first() is not None
        WebinarPolicy.require_see(
            actor,
            webinar_id,
            created_by=webinar.created_by if webinar is not None else None,
            addressed=addressed,
        )
        if webinar is None or webinar.cancelled_at is not None:
            raise NotFoundError(f"webinar {webinar_id}")
        return webinar

    async def rsvp(self, actor: Actor, webinar_id: int) -> RsvpOutcome:
        """Record "I'll attend" (addressees only) and say which reminders are still to come.

        A reminder wave reads the RSVPs when it goes out, so an RSVP made before then is in
        it; one made after it went out is promised only the reminders still ahead.
        """
        webinar = await self._webinar_for(actor, webinar_id)
        now = utcnow()
        if webinar.starts_at + timedelta(minutes=webinar.duration_minutes) <= now:
            raise BroadcastInputError("broadcast-error-webinar-over")
        if actor.id is None:
            raise NotAllowedError("an operator cannot attend a webinar")
        async with self._database.session() as session:
            existing = await session.exec(
                select(col(WebinarRsvp.id)).where(
                    col(WebinarRsvp.webinar_id) == webinar_id, col(WebinarRsvp.user_id) == actor.id
                )
            )
            added = existing.first() is None
            if added:
                session.add(
                    WebinarRsvp(
                        webinar_id=webinar_id, user_id=actor.id, university_id=actor.university_id
                    )
                )
            broadcast = (
                await session.exec(select(Broadcast).where(col(Broadcast.webinar_id) == webinar_id))
            ).first()
            # Read again after the RSVP is written: a wave queued meanwhile is not promised.
            await session.flush()
            fresh = await session.get(Webinar, webinar_id)
        return RsvpOutcome(added, self._reminders_ahead(fresh or webinar, broadcast, now))

    def _reminders_ahead(
        self, webinar: Webinar, broadcast: Broadcast | None, now: datetime
    ) -> tuple[str, ...]:
        """The waves not yet queued (nor skipped) that `run_due` will still queue."""
        announced_at = _announced_at(webinar, broadcast)
        ahead = []
        for label, _ in REMINDERS:
            if getattr(webinar, f"reminder_{label}_job_id") is not None:
                continue
            if _reminder_is_skipped(label, webinar, announced_at) or webinar.starts_at <= now:
                continue
            if label == "24h" and webinar.starts_at - now <= timedelta(hours=1):
                continue
            ahead.append(label)
        return tuple(ahead)

    async def webinars(self, actor: Actor, *, include_past: bool = False) -> list[WebinarSummary]:
        """Webinars with RSVP counts; a focal person sees their university's RSVPs only."""
        require_can_broadcast(actor)
        scope = None if actor.role is Role.ADMIN else actor.university_id
        query = (
            select(Webinar)
            .where(col(Webinar.cancelled_at).is_(None))
            .order_by(col(Webinar.starts_at))
        )
        if not include_past:
            query = query.where(col(Webinar.starts_at) > utcnow() - timedelta(hours=3))
        if scope is not None:
            query = query.where(
                (col(Webinar.university_id) == scope) | col(Webinar.university_id).is_(None)
            )
        async with self._database.session() as session:
            webinars = list((await session.exec(query)).all())
            ids = [w.id for w in webinars]
            counts: dict[int, dict[int | None, int]] = {}
            if ids:
                rsvp_query = (
                    select(
                        col(WebinarRsvp.webinar_id), col(WebinarRsvp.university_id), func.count()
                    )
                    .where(col(WebinarRsvp.webinar_id).in_(ids))
                    .group_by(col(WebinarRsvp.webinar_id), col(WebinarRsvp.university_id))
                )
                if scope is not None:
                    rsvp_query = rsvp_query.where(col(WebinarRsvp.university_id) == scope)
                for webinar_id, university_id, number in await session.exec(rsvp_query):
                    counts.setdefault(int(webinar_id), {})[university_id] = int(number)
        return [
            WebinarSummary(
                id=w.id or 0,
                title=w.title,
                starts_at=w.starts_at,
                duration_minutes=w.duration_minutes,
                join_link=w.join_link,
                university_id=w.university_id,
                rsvps_total=sum(counts.get(w.id or 0, {}).values()),
                rsvps_by_university=counts.get(w.id or 0, {}),
            )
            for w in webinars
        ]

    async def calendar_file(self, actor: Actor, webinar_id: int) -> tuple[str, bytes]:
        """An iCalendar event for the webinar: (file name, bytes). Addressees only."""
        webinar = await self._webinar_for(actor, webinar_id)
        return f"webinar-{webinar_id}.ics", webinar_ics(webinar).encode("utf-8")

    async def run_due(self, now: datetime) -> int:
        """Queue the 24-hour and 1-hour reminders that are due; returns how many waves queued.

        The wave's job id is written in the same transaction that queues it, under a
        conditional update, so with several workers each wave is queued exactly once.
        """
        queued = 0
        for label, before in REMINDERS:
            column = f"reminder_{label}_job_id"
            async with self._database.session() as session:
                due = list(
                    (
                        await session.exec(
                            select(Webinar).where(
                                col(Webinar.cancelled_at).is_(None),
                                getattr(Webinar, column).is_(None),
                                col(Webinar.starts_at) <= now + before,
                                col(Webinar.starts_at) > now,
                            )
                        )
                    ).all()
                )
            for webinar in due:
                if label == "24h" and webinar.starts_at - now <= timedelta(hours=1):
                    # Announced (or RSVPed) less than an hour ahead: the 1-hour reminder does it.
                    await self._skip_reminder(webinar.id or 0, column)
                    continue
                if _reminder_is_skipped(label, webinar, await self._announcement(webinar)):
                    # Its notice went out after this reminder's time: nobody to remind yet.
                    await self._skip_reminder(webinar.id or 0, column)
                    continue
                if await self._queue_reminder(webinar, label, column):
                    queued += 1
        return queued

    async def _announcement(self, webinar: Webinar) -> datetime:
        async with self._database.session() as session:
            broadcast = (
                await session.exec(select(Broadcast).where(col(Broadcast.webinar_id) == webinar.id))
            ).first()
        return _announced_at(webinar, broadcast)

    async def _skip_reminder(self, webinar_id: int, column: str) -> None:
        async with self._database.session() as session:
            await session.exec(
                update(Webinar)
                .where(col(Webinar.id) == webinar_id, getattr(Webinar, column).is_(None))
                .values({column: 0})
            )

    async def _queue_reminder(self, webinar: Webinar, label: str, column: str) -> bool:
        async with self._database.session() as session:
            claimed = await session.exec(
                update(Webinar)
                .where(col(Webinar.id) == webinar.id, getattr(Webinar, column).is_(None))
                .values({column: 0})
            )
            if claimed.rowcount != 1:
                return False
            rows = await session.exec(
                select(col(WebinarRsvp.user_id), col(User.language))
                .join(User, col(User.id) == col(WebinarRsvp.user_id))
                .where(col(WebinarRsvp.webinar_id) == webinar.id, *contactable())
                .order_by(col(WebinarRsvp.user_id))
            )
            messages = [
                OutgoingMessage(
                    chat_id=int(user_id),
                    text=self._reminder_text(webinar, label, str(language or "en")),
                )
                for user_id, language in rows
            ]
            job_id = await self._outbox.enqueue_job(
                kind="webinar-reminder",
                reference=f"webinar:{webinar.id}:{label}",
                messages=messages,
                priority=PRIORITY_REMINDER,
                session=session,
            )
            await session.exec(
                update(Webinar).where(col(Webinar.id) == webinar.id).values({column: job_id})
            )
        log.info("webinar %s: %s reminder queued for %s", webinar.id, label, len(messages))
        return True

    def _reminder_text(self, webinar: Webinar, label: str, language: str) -> str:
        return self._catalogue.text(
            language,
            f"broadcast-reminder-{label}",
            title=webinar.title,
            start=self._catalogue.moment(language, webinar.starts_at),
            link=Html(
                f'<a href="{html.escape(webinar.join_link)}">{html.escape(webinar.join_link)}</a>'
            ),
        )


def webinar_ics(webinar: Webinar) -> str:
    """RFC 5545 text for one event (UTC times, CRLF line ends)."""

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    def escape_ics(value: str) -> str:
        return (
            value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        )

    end = webinar.starts_at + timedelta(minutes=webinar.duration_minutes)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//HEC Pakistan//hecbot//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:webinar-{webinar.id}@hecbot",
        f"DTSTAMP:{stamp(webinar.created_at)}",
        f"DTSTART:{stamp(webinar.starts_at)}",
        f"DTEND:{stamp(end)}",
        f"SUMMARY:{escape_ics(webinar.title)}",
        f"DESCRIPTION:{escape_ics('Join: ' + webinar.join_link)}",
        f"URL:{webinar.join_link}",
        f"LOCATION:{escape_ics(webinar.join_link)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
