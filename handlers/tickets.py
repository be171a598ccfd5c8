"""Questions that reach a human: escalation, answering tickets, /tickets, "Add to knowledge base".

Every button re-checks the presser's permission in the service (a replayed button is refused).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts, split_message
from bot.services.faq import FaqService
from bot.services.tickets import TicketService, TicketView
from bot.services.users import UserProfile
from bot.storage.people_models import TicketRoute
from handlers.commands import command
from handlers.people_callbacks import (
    EscalateQuestion,
    FaqAction,
    TicketAction,
    TicketRating,
)
from handlers.steps import step_ends_when_accepted
from handlers.tickets_rendering import ticket_id_of


class TicketAnswering(StatesGroup):
    text = State()


def add_to_kb_keyboard(texts: Texts, ticket_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts("ticket-button-add-faq"), callback_data=FaqAction(action="add", id=ticket_id)
    )
    return builder.as_markup()


async def on_escalate(
    query: CallbackQuery,
    *,
    callback_data: EscalateQuestion,
    texts: Texts,
    user: UserProfile,
    tickets: TicketService,
) -> None:
    opened = await tickets.open_ticket(user, callback_data.question_id)
    if not opened.created:
        await query.answer(texts("ticket-already-sent"), show_alert=True)
        return
    await query.answer()
    key = "ticket-sent-focal" if opened.ticket.route is TicketRoute.FOCAL else "ticket-sent-desk"
    if not opened.answerers:
        key = "ticket-sent-nobody"
    if isinstance(query.message, Message):
        await query.message.answer(texts(key, id=str(opened.ticket.id)))


async def on_answer_pressed(
    query: CallbackQuery,
    *,
    callback_data: TicketAction,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    tickets: TicketService,
) -> None:
    ticket = await tickets.get(user, callback_data.ticket_id)
    if not ticket.is_open:
        await query.answer(texts("ticket-already-answered"), show_alert=True)
        return
    await state.set_state(TicketAnswering.text)
    await state.update_data(ticket_id=ticket.id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts("ticket-type-answer", id=str(ticket.id)))


async def on_pass_pressed(
    query: CallbackQuery,
    *,
    callback_data: TicketAction,
    texts: Texts,
    user: UserProfile,
    tickets: TicketService,
) -> None:
    ticket = await tickets.pass_to_desk(user, callback_data.ticket_id)
    await query.answer(texts("ticket-passed", id=str(ticket.id)), show_alert=True)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


async def _answer(
    message: Message, texts: Texts, user: UserProfile, tickets: TicketService, ticket_id: int
) -> None:
    ticket = await tickets.answer(user, ticket_id, message.text or "")
    key = "ticket-answer-kept-blocked" if ticket.learner_blocked else "ticket-answer-sent"
    await message.answer(
        texts(key, id=str(ticket.id)),
        reply_markup=add_to_kb_keyboard(texts, ticket.id),
    )


async def on_answer_typed(
    message: Message,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    tickets: TicketService,
) -> None:
    data = await state.get_data()
    async with step_ends_when_accepted(state):
        await _answer(message, texts, user, tickets, int(data.get("ticket_id", 0)))


async def on_reply_to_ticket(
    message: Message, *, texts: Texts, user: UserProfile, tickets: TicketService
) -> None:
    reply = message.reply_to_message
    ticket_id = ticket_id_of(reply.text if reply else None)
    assert ticket_id is not None  # guaranteed by the filter
    await _answer(message, texts, user, tickets, ticket_id)


async def _is_reply_to_ticket(message: Message, bot: Bot) -> bool:
    reply = message.reply_to_message
    return (
        reply is not None
        and reply.from_user is not None
        and reply.from_user.id == bot.id
        and ticket_id_of(reply.text) is not None
    )


async def on_rating(
    query: CallbackQuery,
    *,
    callback_data: TicketRating,
    texts: Texts,
    user: UserProfile,
    tickets: TicketService,
) -> None:
    await tickets.rate(user, callback_data.ticket_id, helpful=callback_data.helpful)
    await query.answer(texts("answer-feedback-thanks"))


def _ticket_line(texts: Texts, ticket: TicketView) -> str:
    return texts(
        "tickets-line",
        id=str(ticket.id),
        date=texts.moment(ticket.created_at),
        university=ticket.university_name or texts("ticket-no-university"),
        question=ticket.question[:200],
        route=texts(f"tickets-route-{ticket.route.value}"),
    )


async def on_tickets(
    message: Message, *, texts: Texts, user: UserProfile, tickets: TicketService
) -> None:
    open_tickets = await tickets.open_tickets(user)
    if not open_tickets:
        await message.answer(texts("tickets-none"))
        return
    builder = InlineKeyboardBuilder()
    for ticket in open_tickets:
        builder.button(
            text=texts("tickets-answer-button", id=str(ticket.id)),
            callback_data=TicketAction(action="answer", ticket_id=ticket.id),
        )
    builder.adjust(3)
    body = "\n\n".join(_ticket_line(texts, ticket) for ticket in open_tickets)
    pieces = split_message(texts("tickets-header", count=len(open_tickets)) + "\n\n" + body)
    for piece in pieces[:-1]:
        await message.answer(piece)
    await message.answer(pieces[-1], reply_markup=builder.as_markup())


async def on_add_faq(
    query: CallbackQuery,
    *,
    callback_data: FaqAction,
    texts: Texts,
    user: UserProfile,
    faq: FaqService,
) -> None:
    entry = await faq.add_from_ticket(user, callback_data.id)
    await query.answer(texts("faq-added", id=str(entry.id)), show_alert=True)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


async def on_startup(faq: FaqService | None = None) -> None:
    if faq is not None:
        await faq.restore_index()


def create_router() -> Router:
    router = Router(name="tickets")
    router.startup.register(on_startup)
    router.callback_query.register(on_escalate, EscalateQuestion.filter())
    router.callback_query.register(on_answer_pressed, TicketAction.filter(F.action == "answer"))
    router.callback_query.register(on_pass_pressed, TicketAction.filter(F.action == "pass"))
    router.callback_query.register(on_rating, TicketRating.filter())
    router.callback_query.register(on_add_faq, FaqAction.filter(F.action == "add"))
    router.message.register(on_tickets, command("tickets"))
    router.message.register(
        on_answer_typed, StateFilter(TicketAnswering.text), F.text, ~F.text.startswith("/")
    )
    router.message.register(
        on_reply_to_ticket, F.text, ~F.text.startswith("/"), _is_reply_to_ticket
    )
    return router
