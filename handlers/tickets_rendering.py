"""Ticket notifications as Telegram messages, rendered for the delivery Outbox.

The ticket service calls this renderer without knowing Telegram; the result is an
`OutgoingMessage` whose `reply_markup` is the keyboard's JSON, as the Outbox stores it.
"""

from __future__ import annotations

import re

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.delivery import OutgoingMessage
from bot.i18n import Catalogue, Texts
from bot.services.tickets import DeskReason, Recipient, TicketView
from bot.storage.models import Role
from bot.storage.people_models import TicketRoute
from handlers.people_callbacks import TicketAction, TicketRating

MAX_ATTEMPT_CHARS = 800
# Every ticket message starts with this marker, in any language: a reply to it names the ticket.
TICKET_MARKER = re.compile(r"🎫 #(\d+)")


def ticket_id_of(text: str | None) -> int | None:
    """The ticket a message is about, from the marker on its first line."""
    if not text:
        return None
    match = TICKET_MARKER.search(text.split("\n", 1)[0])
    return int(match.group(1)) if match else None


def _markup(keyboard: InlineKeyboardMarkup) -> dict[str, object]:
    return keyboard.model_dump(exclude_none=True)


def answerer_keyboard(texts: Texts, ticket: TicketView) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts("ticket-button-answer"),
        callback_data=TicketAction(action="answer", ticket_id=ticket.id),
    )
    if ticket.route is TicketRoute.FOCAL:
        builder.button(
            text=texts("ticket-button-not-mine"),
            callback_data=TicketAction(action="pass", ticket_id=ticket.id),
        )
    return builder.as_markup()


def render_ticket(texts: Texts, ticket: TicketView, desk_reason: DeskReason | None) -> str:
    attempt = ticket.bot_answer.strip()
    if len(attempt) > MAX_ATTEMPT_CHARS:
        attempt = attempt[: MAX_ATTEMPT_CHARS - 1] + "…"
    parts = [
        texts(
            "ticket-new",
            id=str(ticket.id),
            university=ticket.university_name or texts("ticket-no-university"),
            kind=texts(f"kind-{ticket.learner_kind}") if ticket.learner_kind else "-",
            question=ticket.question,
        )
    ]
    parts.append(
        texts("ticket-attempt", attempt=attempt) if attempt else texts("ticket-no-attempt")
    )
    if desk_reason is not None:
        parts.append(texts(f"ticket-desk-{desk_reason.value.replace('_', '-')}"))
    parts.append(texts("ticket-how-to-answer"))
    return "\n\n".join(parts)


class TelegramTicketRenderer:
    """The ticket service's `TicketRenderer`: texts from the catalogue, buttons from the
    callback factories, as the Outbox's `OutgoingMessage`."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue

    def for_answerer(
        self, ticket: TicketView, recipient: Recipient, *, desk_reason: DeskReason | None
    ) -> OutgoingMessage:
        texts = self._catalogue.for_language(recipient.language)
        return OutgoingMessage(
            chat_id=recipient.user_id,
            text=render_ticket(texts, ticket, desk_reason),
            reply_markup=_markup(answerer_keyboard(texts, ticket)),
        )

    def for_learner(self, ticket: TicketView, recipient: Recipient) -> OutgoingMessage:
        texts = self._catalogue.for_language(recipient.language)
        who = (
            texts("ticket-from-desk")
            if ticket.answered_by_role == Role.ADMIN.value
            else texts("ticket-from-focal")
        )
        builder = InlineKeyboardBuilder()
        builder.button(
            text=texts("answer-feedback-yes"),
            callback_data=TicketRating(ticket_id=ticket.id, helpful=True),
        )
        builder.button(
            text=texts("answer-feedback-no"),
            callback_data=TicketRating(ticket_id=ticket.id, helpful=False),
        )
        return OutgoingMessage(
            chat_id=recipient.user_id,
            text=texts(
                "ticket-answer-for-learner",
                who=who,
                question=ticket.question,
                answer=ticket.answer or "",
            ),
            reply_markup=_markup(builder.as_markup()),
        )
