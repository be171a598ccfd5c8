"""The broadcast service: check, preview, send through the outbox, list, cancel.

Plain Python: the Telegram side (conversation, buttons) lives in handlers/broadcast.py, the
sending in bot/delivery; drafts and their validation in broadcast_drafts.py, webinars and their
reminders in webinars.py. Every entry point checks permissions itself: a handler's check is a
convenience, this one is the rule.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, update
from sqlmodel import col, select

from bot.delivery import PRIORITY_BROADCAST, Outbox, OutgoingMessage
from bot.delivery.messages import JobProgress
from bot.errors import NotAllowedError, NotFoundError
from bot.i18n import Catalogue, Html
from bot.logging_setup import logged_user
from bot.services import permissions
from bot.services.access import BroadcastPolicy
from bot.services.audience import Audience
from bot.services.broadcast_drafts import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    BroadcastDraft,
    BroadcastInputError,
    NoticeTooLongError,
    plain_length,
    plain_text,
    require_can_broadcast,
    validate_join_link,
    validate_notice_text,
    validate_title,
)
from bot.services.buttons import Buttons
from bot.services.permissions import Actor, Permission
from bot.storage.broadcast_models import Broadcast, Webinar
from bot.storage.consent import contactable
from bot.storage.db import Database
from bot.storage.models import Role, User
from bot.storage.types import utcnow

log = logging.getLogger(__name__)


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


class BroadcastService:
    def __init__(
        self,
        database: Database,
        outbox: Outbox,
        catalogue: Catalogue,
        *,
        buttons: Buttons | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self._database = database
        self._outbox = outbox
        self._catalogue = catalogue
        self._buttons = buttons
        self.files_dir = files_dir

    # --- permissions ------------------------------------------------------------------

    @staticmethod
    def require_can_broadcast(actor: Actor) -> None:
        """Focal persons (for their own university) and HEC admins may broadcast."""
        require_can_broadcast(actor)

    def allowed_audience(self, actor: Actor, audience: Audience) -> Audience:
        """The audience as the actor may address it; a focal person only their university."""
        self.require_can_broadcast(actor)
        if permissions.is_allowed(actor, Permission.BROADCAST_ANY):
            return audience
        own = actor.university_id
        if audience.is_everyone or audience.cities or audience.universities - {own}:
            log.warning(
                "focal person %s tried to address %s", logged_user(actor.id), audience.describe()
            )
            raise NotAllowedError("a focal person may only address their own university")
        return replace(audience, universities=frozenset({own}) if own is not None else frozenset())

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
                raise NoticeTooLongError(key, language=language, length=length, limit=limit)
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
            start=self._catalogue.moment(language, webinar.starts_at),
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
        if webinar_id is not None and self._buttons is not None:
            markup = self._buttons.webinar(webinar_id, language)
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
        # Consent before contact (also in the preview's count), then the audience's filters.
        conditions = [*contactable(), *audience.conditions()]
        if exclude is not None:
            conditions.append(col(User.id) != exclude)
        async with self._database.session() as session:
            rows = await session.exec(
                select(col(User.id), col(User.language))
                .where(and_(*conditions))
                .order_by(col(User.id))
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
        if not recipients:
            # Recipients are counted now, also for a later sending: an empty one would say
            # "queued for 0 recipients" and never report (no delivery ever finishes).
            raise BroadcastInputError("broadcast-error-no-recipients", checked.audience.describe())
        async with self._database.session() as session:
            webinar_id: int | None = None
            if checked.webinar is not None:
                scope = None if actor.role is Role.ADMIN else actor.university_id
                if actor.role is Role.ADMIN and len(checked.audience.universities) == 1:
                    [scope] = checked.audience.universities
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
                audience=checked.audience.to_json(),
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
            logged_user(actor.id),
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
                update(Broadcast)
                .where(col(Broadcast.id) == broadcast_id)
                .values(cancelled_at=utcnow())
            )
            if summary.webinar_id is not None:
                await session.exec(
                    update(Webinar)
                    .where(col(Webinar.id) == summary.webinar_id)
                    .values(cancelled_at=utcnow())
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
        query = select(Broadcast).order_by(col(Broadcast.id).desc()).limit(limit)
        if actor.role is not Role.ADMIN:
            query = query.where(col(Broadcast.created_by) == actor.id)
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
            audience=Audience.from_json(broadcast.audience),
            recipients=broadcast.recipients,
            scheduled_for=broadcast.scheduled_for,
            cancelled=broadcast.cancelled_at is not None,
            webinar_id=broadcast.webinar_id,
            job_id=broadcast.job_id,
            progress=progress,
            preview=plain_text(broadcast.text_en)[:80],
        )
