"""Broadcasts and webinars: compose, check, preview, send through the outbox, RSVP, remind.

Plain Python: the Telegram side (conversation, buttons) lives in handlers/broadcast.py, the
sending in bot/delivery. Every entry point checks permissions itself: a handler's check is a
convenience, this one is the rule.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, ScalarResult, and_, column, func, table, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from bot.delivery import PRIORITY_BROADCAST, PRIORITY_REMINDER, Outbox, OutgoingMessage
from bot.delivery.messages import JobProgress
from bot.errors import InvalidInputError, NotAllowedError, NotFoundError
from bot.i18n import Catalogue, Html
from bot.services import permissions
from bot.services.access import BroadcastPolicy, WebinarPolicy
from bot.services.permissions import Permission
from bot.storage.broadcast_models import Broadcast, Webinar, WebinarRsvp
from bot.storage.consent import contactable
from bot.storage.db import Database
from bot.storage.models import Role, User
from bot.storage.types import utcnow

log = logging.getLogger(__name__)

PAKISTAN_TIME = ZoneInfo("Asia/Karachi")
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TITLE_LIMIT = 200
MAX_DURATION_MINUTES = 12 * 60
REMINDERS = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))
START_FORMATS = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M")

# Builds a notice's "I'll attend" / "Add to calendar" keyboard (a plain dict) for a webinar id
# and a language; the handlers module supplies it, so callback formats stay with the handlers.
WebinarKeyboard = Callable[[int, str], dict[str, Any]]
CityResolver = Callable[[str], Awaitable[list[int]]]

U: Any = User
B: Any = Broadcast
W: Any = Webinar
R: Any = WebinarRsvp


class BroadcastInputError(InvalidInputError):
    """A notice cannot be sent as composed; `message_key` says why, in the sender's language."""

    def __init__(self, message_key: str, detail: str = "") -> None:
        reason = message_key.removeprefix("broadcast-error-").replace("-", " ")
        # The operator-facing text (CLI, logs); Telegram users get the catalogue's message.
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.message_key = message_key


@dataclass(frozen=True)
class Actor:
    """Who sends: a `UserProfile` converts with `Actor.of`; the CLI acts as `Actor.operator()`."""

    id: int | None
    role: Role
    university_id: int | None

    @classmethod
    def of(cls, profile: Any) -> Actor:
        return cls(id=profile.id, role=Role(profile.role), university_id=profile.university_id)

    @classmethod
    def operator(cls) -> Actor:
        """HEC's operator at the command line: an admin without a Telegram account."""
        return cls(id=None, role=Role.ADMIN, university_id=None)


@dataclass(frozen=True)
class Audience:
    """Who receives a notice. Filters combine with AND; `everyone` ignores the rest."""

    everyone: bool = False
    university_ids: tuple[int, ...] = ()
    city: str | None = None
    roles: tuple[str, ...] = ()
    learner_kinds: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "everyone": self.everyone,
            "university_ids": list(self.university_ids),
            "city": self.city,
            "roles": list(self.roles),
            "learner_kinds": list(self.learner_kinds),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Audience:
        return cls(
            everyone=bool(data.get("everyone")),
            university_ids=tuple(int(x) for x in data.get("university_ids") or ()),
            city=data.get("city") or None,
            roles=tuple(str(x) for x in data.get("roles") or ()),
            learner_kinds=tuple(str(x) for x in data.get("learner_kinds") or ()),
        )

    @classmethod
    def parse(cls, spec: str) -> Audience:
        """`all`, or filters joined by commas: `university:3,role:learner`, `city:Lahore`."""
        spec = spec.strip()
        if spec.lower() in {"all", "everyone"}:
            return cls(everyone=True)
        universities: list[int] = []
        roles: list[str] = []
        kinds: list[str] = []
        city: str | None = None
        for part in (piece.strip() for piece in spec.split(",") if piece.strip()):
            name, _, value = part.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "university" and value.isdigit():
                universities.append(int(value))
            elif name == "city" and value:
                city = value
            elif name == "role" and value in {role.value for role in Role}:
                roles.append(value)
            elif name == "kind" and value in {"student", "faculty", "alumni"}:
                kinds.append(value)
            else:
                raise BroadcastInputError("broadcast-error-audience", f"bad audience part {part!r}")
        if not (universities or roles or kinds or city):
            raise BroadcastInputError("broadcast-error-audience", "empty audience")
        return cls(
            university_ids=tuple(universities),
            city=city,
            roles=tuple(roles),
            learner_kinds=tuple(kinds),
        )

    def includes(
        self,
        *,
        role: str,
        learner_kind: str | None,
        university_id: int | None,
        universities_in_city: frozenset[int] = frozenset(),
    ) -> bool:
        """Whether a person with these attributes is addressed (the rules of `_recipients`)."""
        if self.everyone:
            return True
        universities = set(self.university_ids)
        if self.city:
            universities = (
                universities & universities_in_city if universities else set(universities_in_city)
            )
            if not universities:
                return False
        if universities and university_id not in universities:
            return False
        if self.roles and role not in self.roles:
            return False
        return not self.learner_kinds or learner_kind in self.learner_kinds

    def describe(self) -> str:
        if self.everyone:
            return "everyone"
        parts = [f"university:{u}" for u in self.university_ids]
        parts += [f"city:{self.city}"] if self.city else []
        parts += [f"role:{r}" for r in self.roles] + [f"kind:{k}" for k in self.learner_kinds]
        return ",".join(parts)


@dataclass(frozen=True)
class WebinarDraft:
    title: str
    starts_at: datetime  # UTC
    duration_minutes: int
    join_link: str


@dataclass(frozen=True)
class BroadcastDraft:
    audience: Audience
    text_en: str  # Telegram HTML, as the sender formatted it
    text_ur: str | None = None
    attachment_path: str | None = None
    attachment_kind: str | None = None  # "photo" | "document"
    webinar: WebinarDraft | None = None
    # An urgent notice an HEC admin sends as a paid broadcast (allow_paid_broadcast, 0.1 Star
    # a message, up to 1,000 a second instead of what the ~30/s budget leaves).
    paid: bool = False

    def to_dict(self) -> dict[str, Any]:
        webinar = self.webinar
        return {
            "audience": self.audience.to_dict(),
            "text_en": self.text_en,
            "text_ur": self.text_ur,
            "attachment_path": self.attachment_path,
            "attachment_kind": self.attachment_kind,
            "paid": self.paid,
            "webinar": None
            if webinar is None
            else {
                "title": webinar.title,
                "starts_at": webinar.starts_at.isoformat(),
                "duration_minutes": webinar.duration_minutes,
                "join_link": webinar.join_link,
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BroadcastDraft:
        raw = data.get("webinar")
        webinar = None
        if raw:
            webinar = WebinarDraft(
                title=str(raw["title"]),
                starts_at=datetime.fromisoformat(raw["starts_at"]),
                duration_minutes=int(raw["duration_minutes"]),
                join_link=str(raw["join_link"]),
            )
        return cls(
            audience=Audience.from_dict(data.get("audience") or {}),
            text_en=str(data.get("text_en") or ""),
            text_ur=data.get("text_ur") or None,
            attachment_path=data.get("attachment_path") or None,
            attachment_kind=data.get("attachment_kind") or None,
            webinar=webinar,
            paid=bool(data.get("paid", False)),
        )


@dataclass(frozen=True)
class BroadcastSummary:
    id: int
    created_by: int | None
    created_at: datetime
    audience: Audience
    recipients: int
    scheduled_for: datetime | None
    cancelled: bool
    webinar_id: int | None
    job_id: int | None
    progress: JobProgress | None
    preview: str

    @property
    def state(self) -> str:
        if self.cancelled:
            return "cancelled"
        if self.progress is None:
            return "empty"
        if self.progress.status == "done":
            return "finished"
        if self.progress.done == 0 and self.progress.sending == 0:
            return "scheduled" if self.scheduled_for is not None else "queued"
        return "sending"


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


def plain_text(html_text: str) -> str:
    """What remains of Telegram HTML once parsed: the text a learner reads."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def plain_length(html_text: str) -> int:
    """Characters Telegram counts after parsing the HTML (UTF-16 units, as it does)."""
    return len(plain_text(html_text).encode("utf-16-le")) // 2


def pakistan_time(moment: datetime) -> str:
    return moment.astimezone(PAKISTAN_TIME).strftime("%a %d %b %Y, %H:%M PKT")


def parse_start_time(value: str, now: datetime) -> datetime:
    """A start time typed in Pakistan time ("2026-12-05 15:00"), as UTC; must be in the future."""
    cleaned = " ".join(value.strip().split())
    for pattern in START_FORMATS:
        try:
            local = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        moment = local.replace(tzinfo=PAKISTAN_TIME).astimezone(UTC)
        if moment <= now:
            raise BroadcastInputError("broadcast-error-start-past", cleaned)
        return moment
    raise BroadcastInputError("broadcast-error-start-format", cleaned)


def validate_join_link(value: str) -> str:
    link = value.strip()
    parsed = urlparse(link)
    host = parsed.hostname or ""
    if (
        parsed.scheme != "https"
        or "." not in host
        or " " in link
        or len(link) > 500
        or host.startswith(".")
        or host.endswith(".")
    ):
        raise BroadcastInputError("broadcast-error-link", link[:100])
    return link


def validate_duration(value: str) -> int:
    cleaned = value.strip().lower().removesuffix("min").removesuffix("minutes").strip()
    if not cleaned.isdigit() or not 5 <= int(cleaned) <= MAX_DURATION_MINUTES:
        raise BroadcastInputError("broadcast-error-duration", value[:50])
    return int(cleaned)


def validate_title(value: str) -> str:
    title = " ".join(value.split())
    if not title or len(title) > TITLE_LIMIT:
        raise BroadcastInputError("broadcast-error-title", title[:50])
    return title


def validate_notice_text(value: str | None) -> str:
    text_value = (value or "").strip()
    if not plain_text(text_value).strip():
        raise BroadcastInputError("broadcast-error-empty")
    return text_value


async def universities_in_city_from_table(database: Database, city: str) -> list[int]:
    """University ids in a city, from the `universities` table of the people feature."""
    try:
        async with database.session() as session:
            ids: ScalarResult[int] = await session.exec(
                select(column("id", Integer))
                .select_from(table("universities"))
                .where(func.lower(column("city")) == city.strip().lower())
            )
            return [int(university_id) for university_id in ids]
    except SQLAlchemyError as error:
        raise BroadcastInputError("broadcast-error-city-unknown", city) from error


class BroadcastService:
    def __init__(
        self,
        database: Database,
        outbox: Outbox,
        catalogue: Catalogue,
        *,
        webinar_keyboard: WebinarKeyboard | None = None,
        universities_in_city: CityResolver | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self._database = database
        self._outbox = outbox
        self._catalogue = catalogue
        self._webinar_keyboard = webinar_keyboard
        self._city_resolver = universities_in_city or (
            lambda city: universities_in_city_from_table(database, city)
        )
        self.files_dir = files_dir

    # --- permissions ------------------------------------------------------------------

    @staticmethod
    def require_can_broadcast(actor: Actor) -> None:
        """Focal persons (for their own university) and HEC admins may broadcast."""
        if permissions.is_allowed(actor, Permission.BROADCAST_ANY):
            return
        permissions.require(
            actor, Permission.BROADCAST_OWN_UNIVERSITY, university_id=actor.university_id
        )
        if actor.university_id is None:
            raise NotAllowedError("a focal person without a university cannot broadcast")

    def allowed_audience(self, actor: Actor, audience: Audience) -> Audience:
        """The audience as the actor may address it; a focal person only their university."""
        self.require_can_broadcast(actor)
        if permissions.is_allowed(actor, Permission.BROADCAST_ANY):
            return audience
        own = actor.university_id
        if audience.everyone or audience.city or set(audience.university_ids) - {own}:
            log.warning("focal person %s tried to address %s", actor.id, audience.describe())
            raise NotAllowedError("a focal person may only address their own university")
        return replace(audience, university_ids=(own,) if own is not None else ())

    # --- composing --------------------------------------------------------------------

    def check_draft(self, actor: Actor, draft: BroadcastDraft) -> BroadcastDraft:
        """Every rule a notice must satisfy before it is previewed or sent."""
        audience = self.allowed_audience(actor, draft.audience)
        text_en = validate_notice_text(draft.text_en)
        text_ur = validate_notice_text(draft.text_ur) if draft.text_ur else None
        if draft.attachment_kind not in {None, "photo", "document"}:
            raise BroadcastInputError("broadcast-error-attachment")
        if draft.attachment_path and not Path(draft.attachment_path).is_file():
            raise BroadcastInputError("broadcast-error-attachment", draft.attachment_path)
        if draft.webinar is not None:
            validate_title(draft.webinar.title)
            validate_join_link(draft.webinar.join_link)
            if draft.webinar.starts_at <= utcnow():
                raise BroadcastInputError("broadcast-error-start-past")
        checked = replace(draft, audience=audience, text_en=text_en, text_ur=text_ur)
        limit = CAPTION_LIMIT if draft.attachment_path else TEXT_LIMIT
        for language in ("en", "ur") if text_ur else ("en",):
            length = plain_length(self.render_text(checked, language))
            if length > limit:
                key = (
                    "broadcast-error-caption-too-long"
                    if draft.attachment_path
                    else ("broadcast-error-too-long")
                )
                raise BroadcastInputError(key, f"{length} > {limit}")
        return checked

    def render_text(self, draft: BroadcastDraft, language: str) -> str:
        """The notice in one language, with the webinar's details when there is one."""
        body = draft.text_ur if language == "ur" and draft.text_ur else draft.text_en
        if draft.webinar is None:
            return body
        webinar = draft.webinar
        block = self._catalogue.text(
            language,
            "broadcast-webinar-block",
            title=webinar.title,
            start=pakistan_time(webinar.starts_at),
            duration=webinar.duration_minutes,
            link=Html(
                f'<a href="{html.escape(webinar.join_link)}">{html.escape(webinar.join_link)}</a>'
            ),
        )
        return f"{body}\n\n{block}"

    def render(
        self, draft: BroadcastDraft, language: str, chat_id: int, webinar_id: int | None
    ) -> OutgoingMessage:
        markup = None
        if webinar_id is not None and self._webinar_keyboard is not None:
            markup = self._webinar_keyboard(webinar_id, language)
        return OutgoingMessage(
            chat_id=chat_id,
            text=self.render_text(draft, language),
            reply_markup=markup,
            photo_path=draft.attachment_path if draft.attachment_kind == "photo" else None,
            document_path=draft.attachment_path if draft.attachment_kind == "document" else None,
            paid=draft.paid,
        )

    def preview(self, actor: Actor, draft: BroadcastDraft, chat_id: int) -> list[OutgoingMessage]:
        """The notice exactly as learners will get it, once per language it has."""
        checked = self.check_draft(actor, draft)
        languages = ("en", "ur") if checked.text_ur else ("en",)
        # The preview shows the webinar buttons too; id 0 is never a real webinar.
        return [
            self.render(checked, language, chat_id, 0 if checked.webinar else None)
            for language in languages
        ]

    async def audience_size(self, actor: Actor, audience: Audience) -> int:
        allowed = self.allowed_audience(actor, audience)
        return len(await self._recipients(allowed, exclude=actor.id))

    async def _recipients(
        self, audience: Audience, *, exclude: int | None
    ) -> list[tuple[int, str]]:
        conditions = contactable()  # consent before contact: also in the preview's count
        if exclude is not None:
            conditions.append(U.id != exclude)
        if not audience.everyone:
            universities = set(audience.university_ids)
            if audience.city:
                in_city = set(await self._city_resolver(audience.city))
                universities = universities & in_city if universities else in_city
                if not universities:
                    return []
            if universities:
                conditions.append(U.university_id.in_(sorted(universities)))
            if audience.roles:
                conditions.append(U.role.in_(list(audience.roles)))
            if audience.learner_kinds:
                conditions.append(U.learner_kind.in_(list(audience.learner_kinds)))
        async with self._database.session() as session:
            rows = await session.exec(
                select(U.id, U.language).where(and_(*conditions)).order_by(U.id)
            )
            return [(int(user_id), str(language)) for user_id, language in rows]

    # --- sending ----------------------------------------------------------------------

    async def create(
        self,
        actor: Actor,
        draft: BroadcastDraft,
        *,
        send_at: datetime | None = None,
    ) -> BroadcastSummary:
        """Store the broadcast (and its webinar) and queue one row per recipient."""
        checked = self.check_draft(actor, draft)
        if checked.paid and actor.role is not Role.ADMIN:
            raise NotAllowedError("only an HEC admin may send a paid (urgent) broadcast")
        now = utcnow()
        if send_at is not None and send_at <= now:
            send_at = None
        if send_at is not None and checked.webinar and send_at >= checked.webinar.starts_at:
            raise BroadcastInputError("broadcast-error-schedule-after-start")
        recipients = await self._recipients(checked.audience, exclude=actor.id)
        async with self._database.session() as session:
            webinar_id: int | None = None
            if checked.webinar is not None:
                scope = None if actor.role is Role.ADMIN else actor.university_id
                if actor.role is Role.ADMIN and len(checked.audience.university_ids) == 1:
                    scope = checked.audience.university_ids[0]
                webinar = Webinar(
                    title=checked.webinar.title,
                    starts_at=checked.webinar.starts_at,
                    duration_minutes=checked.webinar.duration_minutes,
                    join_link=checked.webinar.join_link,
                    university_id=scope,
                    created_by=actor.id,
                )
                session.add(webinar)
                await session.flush()
                webinar_id = webinar.id
            broadcast = Broadcast(
                created_by=actor.id,
                audience=checked.audience.to_dict(),
                text_en=checked.text_en,
                text_ur=checked.text_ur,
                attachment_path=checked.attachment_path,
                attachment_kind=checked.attachment_kind,
                webinar_id=webinar_id,
                recipients=len(recipients),
                scheduled_for=send_at,
            )
            session.add(broadcast)
            await session.flush()
            assert broadcast.id is not None
            messages = [
                self.render(checked, "ur" if language == "ur" else "en", chat_id, webinar_id)
                for chat_id, language in recipients
            ]
            broadcast.job_id = await self._outbox.enqueue_job(
                kind="broadcast",
                reference=f"broadcast:{broadcast.id}",
                messages=messages,
                created_by=actor.id,
                priority=PRIORITY_BROADCAST,
                not_before=send_at,
                session=session,
            )
            session.add(broadcast)
            broadcast_id = broadcast.id
        log.info(
            "broadcast %s by %s to %s: %s recipients%s",
            broadcast_id,
            actor.id,
            checked.audience.describe(),
            len(recipients),
            f", at {send_at.isoformat()}" if send_at else "",
        )
        return await self.show(actor, broadcast_id)

    async def watch(
        self, broadcast_id: int, *, chat_id: int, message_id: int, language: str
    ) -> None:
        """The sender's status message, edited with progress while the broadcast runs."""
        async with self._database.session() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
            job_id = broadcast.job_id if broadcast else None
        if job_id is not None:
            await self._outbox.watch_job(
                job_id, chat_id=chat_id, message_id=message_id, language=language
            )

    async def cancel(self, actor: Actor, broadcast_id: int) -> BroadcastSummary:
        """Cancel a scheduled broadcast that has not started."""
        summary = await self.show(actor, broadcast_id)
        if summary.state not in {"scheduled", "queued"} or summary.job_id is None:
            raise BroadcastInputError("broadcast-error-not-cancellable", summary.state)
        if not await self._outbox.cancel_job(summary.job_id):
            raise BroadcastInputError("broadcast-error-not-cancellable", "job over")
        async with self._database.session() as session:
            await session.exec(
                update(Broadcast).where(B.id == broadcast_id).values(cancelled_at=utcnow())
            )
            if summary.webinar_id is not None:
                await session.exec(
                    update(Webinar).where(W.id == summary.webinar_id).values(cancelled_at=utcnow())
                )
        return await self.show(actor, broadcast_id)

    async def show(self, actor: Actor, broadcast_id: int) -> BroadcastSummary:
        async with self._database.session() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None or not self._may_see(actor, broadcast):
            raise NotFoundError(f"broadcast {broadcast_id}")
        return await self._summary(broadcast)

    async def recent(self, actor: Actor, *, limit: int = 20) -> list[BroadcastSummary]:
        self.require_can_broadcast(actor)
        query = select(Broadcast).order_by(B.id.desc()).limit(limit)
        if actor.role is not Role.ADMIN:
            query = query.where(B.created_by == actor.id)
        async with self._database.session() as session:
            found = list((await session.exec(query)).all())
        return [await self._summary(broadcast) for broadcast in found]

    def _may_see(self, actor: Actor, broadcast: Broadcast) -> bool:
        self.require_can_broadcast(actor)
        return BroadcastPolicy.may_manage(actor, created_by=broadcast.created_by)

    async def _summary(self, broadcast: Broadcast) -> BroadcastSummary:
        progress = None
        if broadcast.job_id is not None:
            progress = await self._outbox.job_progress(broadcast.job_id)
        return BroadcastSummary(
            id=broadcast.id or 0,
            created_by=broadcast.created_by,
            created_at=broadcast.created_at,
            audience=Audience.from_dict(broadcast.audience),
            recipients=broadcast.recipients,
            scheduled_for=broadcast.scheduled_for,
            cancelled=broadcast.cancelled_at is not None,
            webinar_id=broadcast.webinar_id,
            job_id=broadcast.job_id,
            progress=progress,
            preview=plain_text(broadcast.text_en)[:80],
        )

    # --- webinars ---------------------------------------------------------------------

    async def _webinar_for(self, actor: Actor, webinar_id: int) -> Webinar:
        """The webinar, if `actor` may see it (`WebinarPolicy`): addressed by its notice."""
        async with self._database.session() as session:
            webinar = await session.get(Webinar, webinar_id)
            broadcast = (
                await session.exec(select(Broadcast).where(B.webinar_id == webinar_id))
            ).first()
            person = await session.get(User, actor.id) if actor.id is not None else None
        addressed = False
        if webinar is not None and broadcast is not None and person is not None:
            audience = Audience.from_dict(broadcast.audience)
            in_city = frozenset(await self._city_resolver(audience.city)) if audience.city else None
            addressed = audience.includes(
                role=person.role,
                learner_kind=person.learner_kind,
                university_id=person.university_id,
                universities_in_city=in_city or frozenset(),
            )
        WebinarPolicy.require_see(
            actor,
            webinar_id,
            created_by=webinar.created_by if webinar is not None else None,
            addressed=addressed,
        )
        if webinar is None or webinar.cancelled_at is not None:
            raise NotFoundError(f"webinar {webinar_id}")
        return webinar

    async def rsvp(self, actor: Actor, webinar_id: int) -> bool:
        """Record "I'll attend"; False when they had already said so. Addressees only."""
        webinar = await self._webinar_for(actor, webinar_id)
        if webinar.starts_at + timedelta(minutes=webinar.duration_minutes) <= utcnow():
            raise BroadcastInputError("broadcast-error-webinar-over")
        if actor.id is None:
            raise NotAllowedError("an operator cannot attend a webinar")
        async with self._database.session() as session:
            existing = await session.exec(
                select(R.id).where(R.webinar_id == webinar_id, R.user_id == actor.id)
            )
            if existing.first() is not None:
                return False
            session.add(
                WebinarRsvp(
                    webinar_id=webinar_id, user_id=actor.id, university_id=actor.university_id
                )
            )
        return True

    async def webinars(self, actor: Actor, *, include_past: bool = False) -> list[WebinarSummary]:
        """Webinars with RSVP counts; a focal person sees their university's RSVPs only."""
        self.require_can_broadcast(actor)
        scope = None if actor.role is Role.ADMIN else actor.university_id
        query = select(Webinar).where(W.cancelled_at.is_(None)).order_by(W.starts_at)
        if not include_past:
            query = query.where(W.starts_at > utcnow() - timedelta(hours=3))
        if scope is not None:
            query = query.where((W.university_id == scope) | W.university_id.is_(None))
        async with self._database.session() as session:
            webinars = list((await session.exec(query)).all())
            ids = [w.id for w in webinars]
            counts: dict[int, dict[int | None, int]] = {}
            if ids:
                rsvp_query = (
                    select(R.webinar_id, R.university_id, func.count())
                    .where(R.webinar_id.in_(ids))
                    .group_by(R.webinar_id, R.university_id)
                )
                if scope is not None:
                    rsvp_query = rsvp_query.where(R.university_id == scope)
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
                                W.cancelled_at.is_(None),
                                getattr(W, column).is_(None),
                                W.starts_at <= now + before,
                                W.starts_at > now,
                            )
                        )
                    ).all()
                )
            for webinar in due:
                if label == "24h" and webinar.starts_at - now <= timedelta(hours=1):
                    # Announced (or RSVPed) less than an hour ahead: the 1-hour reminder does it.
                    await self._skip_reminder(webinar.id or 0, column)
                    continue
                if await self._queue_reminder(webinar, label, column):
                    queued += 1
        return queued

    async def _skip_reminder(self, webinar_id: int, column: str) -> None:
        async with self._database.session() as session:
            await session.exec(
                update(Webinar)
                .where(W.id == webinar_id, getattr(W, column).is_(None))
                .values({column: 0})
            )

    async def _queue_reminder(self, webinar: Webinar, label: str, column: str) -> bool:
        async with self._database.session() as session:
            claimed = await session.exec(
                update(Webinar)
                .where(W.id == webinar.id, getattr(W, column).is_(None))
                .values({column: 0})
            )
            if claimed.rowcount != 1:
                return False
            rows = await session.exec(
                select(R.user_id, U.language)
                .join(User, U.id == R.user_id)
                .where(R.webinar_id == webinar.id, *contactable())
                .order_by(R.user_id)
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
            await session.exec(update(Webinar).where(W.id == webinar.id).values({column: job_id}))
        log.info("webinar %s: %s reminder queued for %s", webinar.id, label, len(messages))
        return True

    def _reminder_text(self, webinar: Webinar, label: str, language: str) -> str:
        return self._catalogue.text(
            language,
            f"broadcast-reminder-{label}",
            title=webinar.title,
            start=pakistan_time(webinar.starts_at),
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


__all__ = [
    "Actor",
    "Audience",
    "BroadcastDraft",
    "BroadcastInputError",
    "BroadcastService",
    "BroadcastSummary",
    "WebinarDraft",
    "WebinarSummary",
]
