"""/faq: HEC admins review FAQ drafts (approve, edit, reject, scope) and withdraw entries.

Thin: every button and typed edit goes to `FaqReviewService`, which checks the presser's right
on each call; the CLI's `hecbot faq` commands use the same service.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts, markdown_to_html, split_message
from bot.services.faq import FaqService, FaqView
from bot.services.faq_review import FaqReviewService
from bot.services.users import UserProfile
from handlers.commands import command
from handlers.people_callbacks import FaqAction
from handlers.steps import step_ends_when_accepted


class FaqEditing(StatesGroup):
    text = State()


def _entry_pieces(texts: Texts, entry: FaqView) -> list[str]:
    """The entry as the learner will see it (its Markdown formatted), split below Telegram's
    limit; the buttons go under the last piece."""
    return split_message(
        texts(
            "faq-entry",
            id=str(entry.id),
            question=entry.question,
            answer=markdown_to_html(entry.answer),
            university=entry.university_name or texts("faq-national"),
            date=texts.day(entry.created_at),
            reviewed=texts("faq-reviewed") if entry.reviewed else texts("faq-draft"),
        )
    )


async def _send_entry(
    message: Message, texts: Texts, entry: FaqView, markup: InlineKeyboardMarkup | None
) -> None:
    *first, last = _entry_pieces(texts, entry)
    for piece in first:
        await message.answer(piece)
    await message.answer(last, reply_markup=markup)


def _draft_keyboard(texts: Texts, entry: FaqView) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts("faq-button-approve"), callback_data=FaqAction(action="approve", id=entry.id)
    )
    builder.button(
        text=texts("faq-button-edit"), callback_data=FaqAction(action="edit", id=entry.id)
    )
    scope_key = "faq-button-scope-national" if entry.university_id else "faq-button-scope-local"
    builder.button(text=texts(scope_key), callback_data=FaqAction(action="scope", id=entry.id))
    builder.button(
        text=texts("faq-button-reject"), callback_data=FaqAction(action="reject", id=entry.id)
    )
    builder.adjust(2, 2)
    return builder.as_markup()


def _published_keyboard(texts: Texts, entry: FaqView) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts("faq-button-remove"), callback_data=FaqAction(action="reject", id=entry.id)
    )
    return builder.as_markup()


async def on_faq(
    message: Message,
    *,
    texts: Texts,
    user: UserProfile,
    faq: FaqService,
    faq_review: FaqReviewService,
) -> None:
    """The review queue first (each draft with its buttons), then the published entries."""
    drafts = await faq_review.list_drafts(user)
    await message.answer(texts("faq-drafts-header", count=len(drafts)))
    for entry in drafts[:20]:
        await _send_entry(message, texts, entry, _draft_keyboard(texts, entry))
    published = [entry for entry in await faq.entries(user) if entry.reviewed]
    if not published:
        await message.answer(texts("faq-none"))
    for entry in published[-20:]:
        await _send_entry(message, texts, entry, _published_keyboard(texts, entry))


async def on_approve(
    query: CallbackQuery,
    *,
    callback_data: FaqAction,
    texts: Texts,
    user: UserProfile,
    faq_review: FaqReviewService,
) -> None:
    entry = await faq_review.approve(user, callback_data.id)
    await query.answer(texts("faq-approved", id=str(entry.id)), show_alert=True)
    if isinstance(query.message, Message):
        # The pressed message is the entry's last piece (the one with the buttons).
        await query.message.edit_text(_entry_pieces(texts, entry)[-1], reply_markup=None)


async def on_reject(
    query: CallbackQuery,
    *,
    callback_data: FaqAction,
    texts: Texts,
    user: UserProfile,
    faq_review: FaqReviewService,
) -> None:
    await faq_review.reject(user, callback_data.id)
    await query.answer(texts("faq-rejected", id=str(callback_data.id)), show_alert=True)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


async def on_scope(
    query: CallbackQuery,
    *,
    callback_data: FaqAction,
    texts: Texts,
    user: UserProfile,
    faq_review: FaqReviewService,
) -> None:
    entry = await faq_review.toggle_scope(user, callback_data.id)
    where = entry.university_name or texts("faq-national")
    await query.answer(texts("faq-scope-set", id=str(entry.id), university=where))
    if isinstance(query.message, Message) and not entry.reviewed:
        await query.message.edit_text(
            _entry_pieces(texts, entry)[-1], reply_markup=_draft_keyboard(texts, entry)
        )


async def on_edit(
    query: CallbackQuery,
    *,
    callback_data: FaqAction,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    faq_review: FaqReviewService,
) -> None:
    entry = await faq_review.get(user, callback_data.id)  # refuses non-reviewers at once
    await state.set_state(FaqEditing.text)
    await state.update_data(faq_entry_id=entry.id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts("faq-edit-prompt"))


async def on_edit_typed(
    message: Message,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    faq_review: FaqReviewService,
) -> None:
    data = await state.get_data()
    question, _, answer = (message.text or "").partition("\n")
    async with step_ends_when_accepted(state):
        entry = await faq_review.edit(
            user, int(data.get("faq_entry_id", 0)), question=question, answer=answer or None
        )
    await message.answer(texts("faq-edited", id=str(entry.id)))
    markup = None if entry.reviewed else _draft_keyboard(texts, entry)
    await _send_entry(message, texts, entry, markup)


def create_router() -> Router:
    router = Router(name="faq-review")
    router.message.register(on_faq, command("faq"))
    # "review" is the approve button of messages sent before drafts existed.
    router.callback_query.register(
        on_approve, FaqAction.filter(F.action.in_({"approve", "review"}))
    )
    router.callback_query.register(on_reject, FaqAction.filter(F.action.in_({"reject", "remove"})))
    router.callback_query.register(on_scope, FaqAction.filter(F.action == "scope"))
    router.callback_query.register(on_edit, FaqAction.filter(F.action == "edit"))
    router.message.register(
        on_edit_typed, StateFilter(FaqEditing.text), F.text, ~F.text.startswith("/")
    )
    return router
