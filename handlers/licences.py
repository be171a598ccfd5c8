"""/apply (the licence application conversation) and /mylicence.

The conversation's state (which step, the answers so far) lives in the FSM storage; /cancel
(handlers/start.py) leaves it at any step. The rules live in `ApplicationService`.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts
from bot.services.licences_applications import (
    Applicant,
    ApplicationService,
    ApplicationView,
    CodeExpiredError,
    IntakeClosedError,
)
from bot.services.licences_intakes import IntakeDefinition
from bot.services.licences_status import LicenceStatusService, LicenceStatusView
from bot.services.users import UserProfile
from handlers.commands import command


class Applying(StatesGroup):
    eligibility = State()
    domains = State()
    email = State()
    code = State()
    tracks = State()
    confirm = State()


class ApplyButton(CallbackData, prefix="ap"):
    a: str  # y/n eligibility answer, d toggle domain, dd done, t toggle track, td done,
    #         s submit, e edit, w withdraw
    o: int = 0


def applicant_of(user: UserProfile) -> Applicant:
    return Applicant(user.id, user.language, user.university_id, user.learner_kind)


def _toggle_keyboard(
    texts: Texts,
    choices: list[tuple[str, str]],
    chosen: list[str],
    toggle: str,
    done: str,
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, (choice_id, label) in enumerate(choices):
        mark = "✅ " if choice_id in chosen else ""
        builder.button(text=f"{mark}{label}"[:60], callback_data=ApplyButton(a=toggle, o=index))
    builder.button(text=texts("licence-done-button"), callback_data=ApplyButton(a=done))
    builder.adjust(1)
    return builder.as_markup()


async def _definition(
    state: FSMContext, applications: ApplicationService, user: UserProfile
) -> tuple[dict[str, Any], IntakeDefinition]:
    """The form's answers so far and the intake it started in (not whichever is open now);
    once that intake has closed the form ends and the error says so."""
    data = await state.get_data()
    try:
        definition = await applications.form_intake(applicant_of(user), int(data["intake"]))
    except IntakeClosedError:
        await state.clear()
        raise
    return data, definition


async def on_apply(
    message: Message,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    applications: ApplicationService,
) -> None:
    intake_id, definition, existing = await applications.begin(applicant_of(user))
    if existing is not None and existing.status == "submitted":
        builder = InlineKeyboardBuilder()
        builder.button(text=texts("licence-edit-button"), callback_data=ApplyButton(a="e"))
        builder.button(text=texts("licence-withdraw-button"), callback_data=ApplyButton(a="w"))
        await message.answer(
            texts("licence-already-applied", intake=definition.title_in(user.language)),
            reply_markup=builder.as_markup(),
        )
        return
    await _start(message, texts, user, state, intake_id, definition, existing)


async def _start(  # noqa: PLR0917
    message: Message,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    intake_id: int,
    definition: IntakeDefinition,
    existing: ApplicationView | None,
) -> None:
    await state.set_state(Applying.eligibility)
    await state.set_data(
        {
            "intake": intake_id,
            "q": 0,
            "answers": {},
            "domains": list(existing.domains) if existing else [],
            "tracks": list(existing.tracks) if existing else [],
            "verified": bool(existing and existing.email_verified),
        }
    )
    await message.answer(
        texts(
            "licence-apply-intro",
            intake=definition.title_in(user.language),
            deadline=texts.moment(definition.deadline),
        )
    )
    await _ask_eligibility(message, texts, user, state, definition)


async def _ask_eligibility(
    message: Message,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    definition: IntakeDefinition,
) -> None:
    data = await state.get_data()
    index = int(data["q"])
    if index >= len(definition.eligibility):
        await _ask_domains(message, texts, user, state, definition)
        return
    question = definition.eligibility[index]
    builder = InlineKeyboardBuilder()
    builder.button(text=texts("licence-yes"), callback_data=ApplyButton(a="y"))
    builder.button(text=texts("licence-no"), callback_data=ApplyButton(a="n"))
    await message.answer(question.label(user.language), reply_markup=builder.as_markup())


async def _ask_domains(
    message: Message,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    definition: IntakeDefinition,
) -> None:
    await state.set_state(Applying.domains)
    data = await state.get_data()
    choices = [(choice.id, choice.label(user.language)) for choice in definition.domains]
    await message.answer(
        texts("licence-choose-domains"),
        reply_markup=_toggle_keyboard(texts, choices, data["domains"], "d", "dd"),
    )


async def _ask_tracks(
    message: Message,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    definition: IntakeDefinition,
) -> None:
    await state.set_state(Applying.tracks)
    data = await state.get_data()
    choices = [(choice.id, choice.label(user.language)) for choice in definition.tracks]
    await message.answer(
        texts("licence-choose-tracks", count=definition.max_tracks),
        reply_markup=_toggle_keyboard(texts, choices, data["tracks"], "t", "td"),
    )


async def on_eligibility(
    query: CallbackQuery,
    callback_data: ApplyButton,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    applications: ApplicationService,
) -> None:
    await query.answer()
    data, definition = await _definition(state, applications, user)
    index = int(data["q"])
    if index >= len(definition.eligibility) or not isinstance(query.message, Message):
        return
    question = definition.eligibility[index]
    answer = callback_data.a == "y"
    if answer != question.eligible_answer:
        await state.clear()
        await query.message.answer(texts("licence-not-eligible"))
        return
    answers = dict(data["answers"]) | {question.id: answer}
    await state.update_data(answers=answers, q=index + 1)
    await _ask_eligibility(query.message, texts, user, state, definition)


async def on_toggle(
    query: CallbackQuery,
    callback_data: ApplyButton,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    applications: ApplicationService,
) -> None:
    data, definition = await _definition(state, applications, user)
    is_domain = callback_data.a == "d"
    options = definition.domains if is_domain else definition.tracks
    key = "domains" if is_domain else "tracks"
    if not 0 <= callback_data.o < len(options) or not isinstance(query.message, Message):
        await query.answer()
        return
    chosen = list(data[key])
    choice = options[callback_data.o].id
    if choice in chosen:
        chosen.remove(choice)
    elif not is_domain and len(chosen) >= definition.max_tracks:
        await query.answer(texts("licence-too-many-tracks", count=definition.max_tracks))
        return
    else:
        chosen.append(choice)
    await state.update_data({key: chosen})
    await query.answer()
    labels = [(option.id, option.label(user.language)) for option in options]
    await query.message.edit_reply_markup(
        reply_markup=_toggle_keyboard(
            texts, labels, chosen, callback_data.a, "dd" if is_domain else "td"
        )
    )


async def on_domains_done(
    query: CallbackQuery,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    applications: ApplicationService,
) -> None:
    data, definition = await _definition(state, applications, user)
    if not data["domains"]:
        await query.answer(texts("licence-choose-one"))
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if data.get("verified"):
        await _ask_tracks(query.message, texts, user, state, definition)
        return
    await state.set_state(Applying.email)
    domains = ", ".join(definition.email_domains) or "-"
    await query.message.answer(texts("licence-ask-email", domains=domains))


async def on_email(
    message: Message,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    applications: ApplicationService,
) -> None:
    data, definition = await _definition(state, applications, user)
    email = await applications.send_code(
        applicant_of(user), int(data["intake"]), definition, message.text or ""
    )
    await state.set_state(Applying.code)
    await message.answer(texts("licence-code-sent", email=email))


async def on_code(
    message: Message,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    applications: ApplicationService,
) -> None:
    text = message.text or ""
    if "@" in text:
        # An address where the code was awaited: the first one was mistyped. A new code goes to
        # this one (the eligibility answers and domains stay; /apply would ask them again).
        await on_email(message, texts=texts, user=user, state=state, applications=applications)
        return
    data, definition = await _definition(state, applications, user)
    try:
        email = await applications.verify_code(applicant_of(user), int(data["intake"]), text)
    except CodeExpiredError:
        await state.set_state(Applying.email)  # a new address, or the same, gets a new code
        raise
    await state.update_data(verified=True)
    await message.answer(texts("licence-email-verified", email=email))
    await _ask_tracks(message, texts, user, state, definition)


async def on_tracks_done(
    query: CallbackQuery,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    applications: ApplicationService,
) -> None:
    data, definition = await _definition(state, applications, user)
    if not data["tracks"]:
        await query.answer(texts("licence-choose-one"))
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await state.set_state(Applying.confirm)
    names = {choice.id: choice.label(user.language) for choice in definition.domains}
    tracks = {choice.id: choice.label(user.language) for choice in definition.tracks}
    builder = InlineKeyboardBuilder()
    builder.button(text=texts("licence-submit-button"), callback_data=ApplyButton(a="s"))
    await query.message.answer(
        texts(
            "licence-confirm",
            domains=", ".join(names[d] for d in data["domains"] if d in names),
            tracks=", ".join(tracks[t] for t in data["tracks"] if t in tracks),
        ),
        reply_markup=builder.as_markup(),
    )


async def on_submit(
    query: CallbackQuery,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    applications: ApplicationService,
) -> None:
    data = await state.get_data()
    await query.answer()
    try:
        view = await applications.submit(
            applicant_of(user),
            int(data["intake"]),
            answers={str(k): bool(v) for k, v in data["answers"].items()},
            domains=list(data["domains"]),
            tracks=list(data["tracks"]),
        )
    except IntakeClosedError:
        await state.clear()
        raise
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.answer(texts("licence-submitted", number=view.id))


async def on_edit(
    query: CallbackQuery,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    applications: ApplicationService,
) -> None:
    await query.answer()
    intake_id, definition, existing = await applications.begin(applicant_of(user))
    if isinstance(query.message, Message):
        await _start(query.message, texts, user, state, intake_id, definition, existing)


async def on_withdraw(
    query: CallbackQuery,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    applications: ApplicationService,
) -> None:
    await query.answer()
    await applications.withdraw(user.id)
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.answer(texts("licence-withdrawn"))


def render_status(texts: Texts, view: LicenceStatusView) -> str:
    lines = [texts("licence-status-" + view.status, intake=view.intake)]
    if view.days_left is not None:
        lines.append(texts("licence-days-left", days=view.days_left, ends=texts.day(view.ends_on)))
    if view.reason:
        lines.append(texts("licence-reason", reason=view.reason))
    if view.report_as_of is not None:
        lines.append(
            texts(
                "licence-progress",
                completed=view.courses_completed,
                enrolled=view.courses_enrolled,
                hours=f"{view.hours:.1f}",
                as_of=texts.day(view.report_as_of),
            )
        )
    if view.plan_total:
        lines.append(texts("licence-plan-progress", done=view.plan_done, total=view.plan_total))
    if view.plan_at_risk:
        lines.append(texts("licence-plan-at-risk"))
    return "\n".join(lines)


async def on_mylicence(
    message: Message, *, texts: Texts, user: UserProfile, licence_status: LicenceStatusService
) -> None:
    view = await licence_status.status(user.id)
    if view is None:
        await message.answer(texts("licence-none"))
        return
    await message.answer(render_status(texts, view))


def create_router() -> Router:
    router = Router(name="licences")
    router.message.register(on_apply, command("apply"))
    router.message.register(on_mylicence, command("mylicence"))
    router.callback_query.register(
        on_eligibility,
        ApplyButton.filter(F.a.in_({"y", "n"})),
        StateFilter(Applying.eligibility),
    )
    router.callback_query.register(
        on_toggle, ApplyButton.filter(F.a == "d"), StateFilter(Applying.domains)
    )
    router.callback_query.register(
        on_toggle, ApplyButton.filter(F.a == "t"), StateFilter(Applying.tracks)
    )
    router.callback_query.register(
        on_domains_done, ApplyButton.filter(F.a == "dd"), StateFilter(Applying.domains)
    )
    router.callback_query.register(
        on_tracks_done, ApplyButton.filter(F.a == "td"), StateFilter(Applying.tracks)
    )
    router.callback_query.register(
        on_submit, ApplyButton.filter(F.a == "s"), StateFilter(Applying.confirm)
    )
    router.callback_query.register(on_edit, ApplyButton.filter(F.a == "e"))
    router.callback_query.register(on_withdraw, ApplyButton.filter(F.a == "w"))
    typed = F.text & ~F.text.startswith("/")
    router.message.register(on_email, StateFilter(Applying.email), typed)
    router.message.register(on_code, StateFilter(Applying.code), typed)
    return router
