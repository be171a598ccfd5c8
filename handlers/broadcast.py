"""/broadcast (compose and send a notice), /broadcasts, /webinars, and the notice buttons.

The steps of the `BroadcastForm` conversation live on their own router, whose inner middleware
asks the service whether the sender may still broadcast before any step runs: a forged callback
or a role revoked mid-way is refused at the next step. Learners' webinar buttons, /broadcasts
and /webinars are not on that router.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.delivery.telegram import send_outgoing
from bot.i18n import PAKISTAN_TIME, Texts
from bot.services.audience import Audience
from bot.services.broadcast_cost import duration_text, estimate
from bot.services.broadcast_drafts import (
    BroadcastDraft,
    BroadcastInputError,
    NoticeTooLongError,
    WebinarDraft,
    parse_start_time,
    validate_duration,
    validate_join_link,
    validate_notice_text,
    validate_title,
)
from bot.services.broadcasts import BroadcastService
from bot.services.universities import UniversityService
from bot.services.users import UserProfile
from bot.services.webinars import RsvpOutcome, WebinarService
from bot.storage.types import utcnow
from handlers.broadcast_callbacks import (
    BroadcastAudienceChoice,
    BroadcastManage,
    BroadcastStep,
    WebinarAction,
)
from handlers.commands import command
from handlers.rendering import university_keyboard

log = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # what a bot may download


class BroadcastForm(StatesGroup):
    audience = State()
    university = State()
    city = State()
    text = State()
    # The shorter text of a notice the preview refused as too long; it goes back to the preview.
    shorter_text = State()
    attachment = State()
    webinar = State()
    webinar_title = State()
    webinar_start = State()
    webinar_duration = State()
    webinar_link = State()
    urdu = State()
    preview = State()
    schedule = State()


def _buttons(*rows: list[tuple[str, Any]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for row in rows:
        for text, data in row:
            builder.button(text=text, callback_data=data)
    builder.adjust(*(len(row) for row in rows))
    return builder.as_markup()


def _skip(texts: Texts) -> InlineKeyboardMarkup:
    return _buttons([(texts("broadcast-skip"), BroadcastStep(action="skip"))])


async def _draft(state: FSMContext) -> dict[str, Any]:
    data = await state.get_data()
    draft: dict[str, Any] = data.get("draft") or {}
    return draft


async def _update(state: FSMContext, **changes: Any) -> dict[str, Any]:
    draft = {**await _draft(state), **changes}
    await state.update_data(draft=draft)
    return draft


# --- the guard ----------------------------------------------------------------------------


async def require_can_broadcast(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """Inner middleware of the conversation's router: runs once a step handler matched."""
    broadcasts: BroadcastService = data["broadcasts"]
    broadcasts.require_can_broadcast(data["user"])
    return await handler(event, data)


# --- starting -----------------------------------------------------------------------------


async def on_broadcast(
    message: Message,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
) -> None:
    actor = user
    broadcasts.require_can_broadcast(actor)
    await state.clear()
    if actor.university_id is not None and not user.is_admin:
        await _update(
            state, audience=Audience(universities=frozenset({actor.university_id})).to_json()
        )
        await state.set_state(BroadcastForm.text)
        await message.answer(texts("broadcast-text-ask"))
        return
    await state.set_state(BroadcastForm.audience)
    await message.answer(
        texts("broadcast-audience-choose"),
        reply_markup=_buttons(
            [(texts("broadcast-audience-everyone"), BroadcastAudienceChoice(kind="everyone"))],
            [
                (
                    texts("broadcast-audience-university"),
                    BroadcastAudienceChoice(kind="university"),
                ),
                (texts("broadcast-audience-city"), BroadcastAudienceChoice(kind="city")),
            ],
            [
                (
                    texts("broadcast-role-learner"),
                    BroadcastAudienceChoice(kind="role", value="learner"),
                ),
                (
                    texts("broadcast-role-focal_person"),
                    BroadcastAudienceChoice(kind="role", value="focal_person"),
                ),
            ],
        ),
    )


async def _set_audience(
    target: Message,
    *,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
    audience: Audience,
) -> None:
    # The service refuses a focal person any university but their own (NotAllowedError).
    allowed = broadcasts.allowed_audience(user, audience)
    await _update(state, audience=allowed.to_json())
    await state.set_state(BroadcastForm.text)
    await target.answer(texts("broadcast-text-ask"))


async def on_audience_chosen(
    query: CallbackQuery,
    *,
    callback_data: BroadcastAudienceChoice,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer(texts("button-expired"))
        return
    kind, value = callback_data.kind, callback_data.value
    if kind == "university" and not value:
        broadcasts.allowed_audience(user, Audience(everyone=True))
        await state.set_state(BroadcastForm.university)
        await query.answer()
        await message.answer(texts("broadcast-audience-university-ask"))
        return
    if kind == "city":
        broadcasts.allowed_audience(user, Audience(cities=frozenset({"?"})))
        await state.set_state(BroadcastForm.city)
        await query.answer()
        await message.answer(texts("broadcast-audience-city-ask"))
        return
    if kind == "everyone":
        audience = Audience(everyone=True)
    elif kind == "university" and value.isdigit():
        audience = Audience(universities=frozenset({int(value)}))
    elif kind == "role":
        audience = Audience.parse(f"role:{value}")
    else:
        await query.answer(texts("button-expired"))
        return
    await _set_audience(
        message, texts=texts, user=user, broadcasts=broadcasts, state=state, audience=audience
    )
    await query.answer()


async def on_university_typed(
    message: Message,
    *,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
    universities: UniversityService,
) -> None:
    """A university's number, or part of its name: the matches as buttons to pick from (the
    prompt once pointed at a /universities command the bot does not have, and a name typed was
    "could not understand that audience")."""
    value = (message.text or "").strip()
    if value.isdigit():
        matches = list((await universities.names({int(value)})).values())
    else:
        matches = [match.university for match in await universities.search(value)]
    if not matches:
        await message.answer(texts("broadcast-error-university"))
        return
    keyboard = university_keyboard(
        matches,
        user.language,
        lambda university_id: BroadcastAudienceChoice(kind="university", value=str(university_id)),
    )
    await message.answer(texts("broadcast-audience-university-pick"), reply_markup=keyboard)


async def on_city_typed(
    message: Message,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
) -> None:
    city = " ".join((message.text or "").split())
    if not city:
        await message.answer(texts("broadcast-error-audience"))
        return
    await _set_audience(
        message,
        texts=texts,
        user=user,
        broadcasts=broadcasts,
        state=state,
        audience=Audience(cities=frozenset({city})),
    )


# --- composing ----------------------------------------------------------------------------


async def on_text(
    message: Message,
    *,
    bot: Bot,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
    settings: Settings,
    universities: UniversityService | None = None,
) -> None:
    if message.text is None:
        await message.answer(texts("broadcast-send-text"))
        return
    try:
        notice = validate_notice_text(message.html_text)
    except BroadcastInputError as error:
        await message.answer(texts(error.message_key))
        return
    await _update(state, text_en=notice)
    if await state.get_state() == BroadcastForm.shorter_text.state:
        # Everything else is as it was when the preview refused the longer text.
        await _preview(
            message,
            bot=bot,
            texts=texts,
            user=user,
            broadcasts=broadcasts,
            state=state,
            settings=settings,
            universities=universities,
        )
        return
    await state.set_state(BroadcastForm.attachment)
    await message.answer(texts("broadcast-attachment-ask"), reply_markup=_skip(texts))


async def on_attachment(
    message: Message,
    *,
    bot: Bot,
    texts: Texts,
    broadcasts: BroadcastService,
    state: FSMContext,
) -> None:
    file_id, kind, suffix, size = None, None, "", 0
    if message.photo:
        photo = message.photo[-1]
        file_id, kind, suffix, size = photo.file_id, "photo", ".jpg", photo.file_size or 0
    elif message.document is not None:
        document = message.document
        name = (document.file_name or "").lower()
        if document.mime_type == "application/pdf" or name.endswith(".pdf"):
            file_id, kind, suffix, size = (
                document.file_id,
                "document",
                ".pdf",
                document.file_size or 0,
            )
    if file_id is None or kind is None or size > MAX_ATTACHMENT_BYTES:
        await message.answer(texts("broadcast-attachment-wrong"), reply_markup=_skip(texts))
        return
    files_dir = broadcasts.files_dir or Path("data") / "broadcast-files"
    files_dir.mkdir(parents=True, exist_ok=True)
    original = (
        message.document.file_name if message.document and message.document.file_name else None
    )
    stem = Path(original).stem[:40] if original else "notice"
    path = files_dir / f"{uuid.uuid4().hex[:12]}-{stem}{suffix}"
    await bot.download(file_id, destination=path)
    await _update(state, attachment_path=str(path), attachment_kind=kind)
    await _ask_webinar(message, texts, state)


async def _ask_webinar(message: Message, texts: Texts, state: FSMContext) -> None:
    await state.set_state(BroadcastForm.webinar)
    await message.answer(
        texts("broadcast-webinar-ask"),
        reply_markup=_buttons(
            [
                (texts("broadcast-yes"), BroadcastStep(action="yes")),
                (texts("broadcast-no"), BroadcastStep(action="no")),
            ]
        ),
    )


async def on_attachment_skipped(
    query: CallbackQuery,
    texts: Texts,
    state: FSMContext,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        # No file: one kept from an earlier pass through the steps goes too.
        await _update(state, attachment_path=None, attachment_kind=None)
        await _ask_webinar(query.message, texts, state)


async def on_webinar_answer(
    query: CallbackQuery,
    *,
    callback_data: BroadcastStep,
    texts: Texts,
    state: FSMContext,
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if callback_data.action == "yes":
        await state.set_state(BroadcastForm.webinar_title)
        await query.message.answer(texts("broadcast-webinar-title-ask"))
    else:
        await _update(state, webinar=None)  # not a webinar, whatever an earlier pass said
        await _ask_urdu(query.message, texts, state)


async def on_webinar_title(
    message: Message,
    texts: Texts,
    state: FSMContext,
) -> None:
    title = validate_title(message.text or "")
    await state.update_data(webinar_title=title)
    await state.set_state(BroadcastForm.webinar_start)
    await message.answer(texts("broadcast-webinar-start-ask", example=example_time(hour=15)))


async def on_webinar_start(
    message: Message,
    texts: Texts,
    state: FSMContext,
) -> None:
    starts_at = parse_start_time(message.text or "", utcnow())
    await state.update_data(webinar_start=starts_at.isoformat())
    await state.set_state(BroadcastForm.webinar_duration)
    await message.answer(texts("broadcast-webinar-duration-ask"))


async def on_webinar_duration(
    message: Message,
    texts: Texts,
    state: FSMContext,
) -> None:
    minutes = validate_duration(message.text or "")
    await state.update_data(webinar_duration=minutes)
    await state.set_state(BroadcastForm.webinar_link)
    await message.answer(texts("broadcast-webinar-link-ask"))


async def on_webinar_link(
    message: Message,
    texts: Texts,
    state: FSMContext,
) -> None:
    link = validate_join_link(message.text or "")
    data = await state.get_data()
    webinar = WebinarDraft(
        title=data["webinar_title"],
        starts_at=datetime.fromisoformat(data["webinar_start"]),
        duration_minutes=int(data["webinar_duration"]),
        join_link=link,
    )
    draft = replace(BroadcastDraft.from_dict(await _draft(state)), webinar=webinar)
    await state.update_data(draft=draft.to_dict())
    await _ask_urdu(message, texts, state)


async def _ask_urdu(message: Message, texts: Texts, state: FSMContext) -> None:
    await state.set_state(BroadcastForm.urdu)
    await message.answer(texts("broadcast-urdu-ask"), reply_markup=_skip(texts))


async def on_urdu(
    message: Message,
    *,
    bot: Bot,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
    settings: Settings,
    universities: UniversityService | None = None,
) -> None:
    if message.text is None:
        await message.answer(texts("broadcast-send-text"))
        return
    notice = validate_notice_text(message.html_text)
    await _update(state, text_ur=notice)
    await _preview(
        message,
        bot=bot,
        texts=texts,
        user=user,
        broadcasts=broadcasts,
        state=state,
        settings=settings,
        universities=universities,
    )


async def on_urdu_skipped(
    query: CallbackQuery,
    *,
    bot: Bot,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
    settings: Settings,
    universities: UniversityService | None = None,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _update(state, text_ur=None)
        await _preview(
            query.message,
            bot=bot,
            texts=texts,
            user=user,
            broadcasts=broadcasts,
            state=state,
            settings=settings,
            universities=universities,
        )


def example_time(*, hour: int) -> str:
    """Tomorrow at `hour`, Pakistan time, as the prompts' example (computed, never stale)."""
    tomorrow = utcnow().astimezone(PAKISTAN_TIME) + timedelta(days=1)
    return tomorrow.replace(hour=hour, minute=0).strftime("%Y-%m-%d %H:%M")


async def audience_label(
    texts: Texts, audience: Audience, universities: UniversityService | None
) -> str:
    """The audience in words: university names, the city, roles and kinds; never bare ids."""
    if audience.everyone:
        return str(texts("broadcast-audience-everyone"))
    found = await universities.names(set(audience.universities)) if universities else {}
    parts = [
        found[u].display_name(texts.language) if u in found else f"#{u}"
        for u in sorted(audience.universities)
    ]
    parts += sorted(audience.cities)
    parts += [texts(f"broadcast-role-{role}") for role in sorted(audience.roles)]
    parts += [texts(f"kind-{kind}") for kind in sorted(audience.learner_kinds)]
    return ", ".join(parts)


async def _preview(
    message: Message,
    *,
    bot: Bot,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
    settings: Settings,
    universities: UniversityService | None = None,
) -> None:
    actor = user
    draft = BroadcastDraft.from_dict(await _draft(state))
    try:
        previews = broadcasts.preview(actor, draft, message.chat.id)
    except NoticeTooLongError as error:
        # Only that version's text is asked for again; the file, the webinar and the other
        # version stay, and the shorter text goes straight back to the preview.
        await message.answer(texts(error.message_key, **error.message_args))
        if error.language == "ur":
            await _ask_urdu(message, texts, state)
        else:
            await state.set_state(BroadcastForm.shorter_text)
            await message.answer(texts("broadcast-text-shorter-ask"))
        return
    except BroadcastInputError as error:
        # The notice cannot go as composed (e.g. too long for a caption): start the text again.
        await message.answer(texts(error.message_key))
        await state.set_state(BroadcastForm.text)
        await message.answer(texts("broadcast-text-ask"))
        return
    count = await broadcasts.audience_size(actor, draft.audience)
    label = await audience_label(texts, draft.audience, universities)
    await state.set_state(BroadcastForm.preview)
    if count == 0:
        # Nobody to send it to (a university with no learner on the bot yet): no Send button
        # that would queue it for 0 recipients and never report.
        await message.answer(
            texts("broadcast-no-recipients", audience=label),
            reply_markup=_buttons([(texts("broadcast-cancel"), BroadcastStep(action="discard"))]),
        )
        return
    for outgoing in previews:
        await send_outgoing(bot, outgoing)
    # What the shared budget leaves a broadcast at most (replies take the rest), and the paid rate.
    cost = estimate(
        count,
        free_rate=settings.delivery.send_rate_per_second,
        paid_rate=settings.delivery.paid_send_rate_per_second,
    )
    rows: list[list[tuple[str, Any]]] = [
        [(texts("broadcast-send-now"), BroadcastStep(action="send"))]
    ]
    if user.is_admin:  # an urgent notice may go as a paid broadcast: HEC admins only
        rows.append(
            [
                (
                    texts("broadcast-send-paid", stars=str(cost.paid_stars)),
                    BroadcastStep(action="paid"),
                )
            ]
        )
    rows.append(
        [
            (texts("broadcast-schedule"), BroadcastStep(action="schedule")),
            (texts("broadcast-cancel"), BroadcastStep(action="discard")),
        ]
    )
    await message.answer(
        texts("broadcast-preview-intro")
        + "\n\n"
        + texts("broadcast-preview-summary", audience=label, count=count)
        + "\n"
        + texts(
            "broadcast-preview-cost",
            free_time=duration_text(cost.free_seconds),
            paid_time=duration_text(cost.paid_seconds),
            stars=str(cost.paid_stars),
        ),
        reply_markup=_buttons(*rows),
    )


async def on_preview_answer(
    query: CallbackQuery,
    *,
    callback_data: BroadcastStep,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
) -> None:
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    if callback_data.action == "discard":
        await state.clear()
        await message.answer(texts("broadcast-discarded"))
    elif callback_data.action == "schedule":
        await state.set_state(BroadcastForm.schedule)
        await message.answer(texts("broadcast-schedule-ask", example=example_time(hour=9)))
    elif callback_data.action == "send":
        await _create(message, texts, user, broadcasts, state, send_at=None)
    elif callback_data.action == "paid" and user.is_admin:
        await _update(state, paid=True)
        await _create(message, texts, user, broadcasts, state, send_at=None)


async def on_schedule_time(
    message: Message,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
) -> None:
    send_at = parse_start_time(message.text or "", utcnow())
    await _create(message, texts, user, broadcasts, state, send_at=send_at)


async def _create(
    message: Message,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
    state: FSMContext,
    *,
    send_at: Any,
) -> None:
    draft = BroadcastDraft.from_dict(await _draft(state))
    summary = await broadcasts.create(user, draft, send_at=send_at)
    await state.clear()
    if send_at is None:
        status = await message.answer(texts("broadcast-queued", count=summary.recipients))
    else:
        status = await message.answer(
            texts("broadcast-scheduled", time=texts.moment(send_at), count=summary.recipients),
            reply_markup=_buttons(
                [
                    (
                        texts("broadcast-cancel"),
                        BroadcastManage(action="cancel", broadcast_id=summary.id),
                    )
                ]
            ),
        )
    await broadcasts.watch(
        summary.id, chat_id=status.chat.id, message_id=status.message_id, language=texts.language
    )


# --- managing -----------------------------------------------------------------------------


async def on_manage(
    query: CallbackQuery,
    callback_data: BroadcastManage,
    texts: Texts,
    user: UserProfile,
    broadcasts: BroadcastService,
) -> None:
    if callback_data.action != "cancel":
        await query.answer(texts("button-expired"))
        return
    await broadcasts.cancel(user, callback_data.broadcast_id)
    await query.answer(texts("broadcast-cancelled"))
    if isinstance(query.message, Message):
        await query.message.edit_text(texts("broadcast-cancelled"))


async def on_list(
    message: Message, texts: Texts, user: UserProfile, broadcasts: BroadcastService
) -> None:
    found = await broadcasts.recent(user)
    if not found:
        await message.answer(texts("broadcast-list-empty"))
        return
    lines = []
    rows = []
    for summary in found:
        progress = summary.progress
        lines.append(
            texts(
                "broadcast-list-item",
                id=summary.id,
                state=summary.state,
                sent=progress.sent if progress else 0,
                total=summary.recipients,
                preview=summary.preview,
            )
        )
        if summary.scheduled_for is not None and summary.state == "scheduled":
            lines.append(
                texts("broadcast-list-scheduled", time=texts.moment(summary.scheduled_for))
            )
        if summary.state in {"scheduled", "queued"}:
            rows.append(
                [(f"✖️ #{summary.id}", BroadcastManage(action="cancel", broadcast_id=summary.id))]
            )
    await message.answer("\n".join(lines), reply_markup=_buttons(*rows) if rows else None)


def _university_label(names: dict[int, Any], university: int | None, language: str) -> str:
    if university is None:
        return "?"
    info = names.get(university)
    return info.display_name(language) if info is not None else f"#{university}"


async def on_webinars(
    message: Message,
    texts: Texts,
    user: UserProfile,
    webinars: WebinarService,
    universities: UniversityService | None = None,
) -> None:
    found = await webinars.webinars(user)
    ids = {u for webinar in found for u in webinar.rsvps_by_university if u is not None}
    names = await universities.names(ids) if universities and ids else {}
    if not found:
        await message.answer(texts("webinars-empty"))
        return
    items = []
    for webinar in found:
        item = texts(
            "webinars-item",
            title=webinar.title,
            start=texts.moment(webinar.starts_at),
            rsvps=webinar.rsvps_total,
        )
        if user.is_admin and webinar.rsvps_by_university:
            counts = ", ".join(
                f"{_university_label(names, university, texts.language)}: {count}"
                for university, count in sorted(
                    webinar.rsvps_by_university.items(), key=lambda pair: -pair[1]
                )
            )
            item += "\n" + texts("webinars-by-university", counts=counts)
        items.append(item)
    await message.answer("\n\n".join(items))


# --- learners' buttons --------------------------------------------------------------------


def rsvp_reply_key(outcome: RsvpOutcome) -> str:
    """Thanks that promise only the reminders still to come."""
    if not outcome.added:
        return "broadcast-rsvp-already"
    if "24h" in outcome.reminders:
        return "broadcast-rsvp-thanks"
    return "broadcast-rsvp-thanks-1h" if "1h" in outcome.reminders else "broadcast-rsvp-thanks-soon"


async def on_webinar_button(
    query: CallbackQuery,
    callback_data: WebinarAction,
    texts: Texts,
    user: UserProfile,
    webinars: WebinarService,
) -> None:
    if callback_data.action == "rsvp":
        outcome = await webinars.rsvp(user, callback_data.webinar_id)
        await query.answer(texts(rsvp_reply_key(outcome)))
        return
    if callback_data.action == "ics":
        name, data = await webinars.calendar_file(user, callback_data.webinar_id)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer_document(BufferedInputFile(data, filename=name))
        return
    await query.answer(texts("button-expired"))


def create_router() -> Router:
    router = Router(name="broadcast")
    router.message.register(on_broadcast, command("broadcast"))
    router.message.register(on_list, command("broadcasts"))
    router.message.register(on_webinars, command("webinars"))
    router.callback_query.register(on_webinar_button, WebinarAction.filter())
    router.callback_query.register(on_manage, BroadcastManage.filter())
    router.include_router(_create_form_router())
    return router


def _create_form_router() -> Router:
    """The conversation's steps; tried after the handlers above, as when they were one router."""
    form = Router(name="broadcast-form")
    form.message.middleware(require_can_broadcast)
    form.callback_query.middleware(require_can_broadcast)
    # Another feature's command typed mid-way is not the notice's text.
    not_command = ~F.text.startswith("/")
    # Not bound to a state: a forged audience callback still reaches the permission check.
    form.callback_query.register(on_audience_chosen, BroadcastAudienceChoice.filter())
    form.message.register(
        on_university_typed, StateFilter(BroadcastForm.university), not_command, F.text
    )
    form.message.register(on_city_typed, StateFilter(BroadcastForm.city), not_command, F.text)
    form.message.register(
        on_text, StateFilter(BroadcastForm.text, BroadcastForm.shorter_text), not_command
    )
    form.message.register(on_attachment, StateFilter(BroadcastForm.attachment), not_command)
    form.callback_query.register(
        on_attachment_skipped,
        StateFilter(BroadcastForm.attachment),
        BroadcastStep.filter(F.action == "skip"),
    )
    form.callback_query.register(
        on_webinar_answer, StateFilter(BroadcastForm.webinar), BroadcastStep.filter()
    )
    form.message.register(on_webinar_title, StateFilter(BroadcastForm.webinar_title), not_command)
    form.message.register(on_webinar_start, StateFilter(BroadcastForm.webinar_start), not_command)
    form.message.register(
        on_webinar_duration, StateFilter(BroadcastForm.webinar_duration), not_command
    )
    form.message.register(on_webinar_link, StateFilter(BroadcastForm.webinar_link), not_command)
    form.message.register(on_urdu, StateFilter(BroadcastForm.urdu), not_command)
    form.callback_query.register(
        on_urdu_skipped, StateFilter(BroadcastForm.urdu), BroadcastStep.filter(F.action == "skip")
    )
    form.callback_query.register(
        on_preview_answer, StateFilter(BroadcastForm.preview), BroadcastStep.filter()
    )
    form.message.register(on_schedule_time, StateFilter(BroadcastForm.schedule), not_command)
    return form
