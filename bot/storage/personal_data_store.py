"""The SQL that carries out the personal-data registry: export one person's rows, forget them.

Driven only by `bot.storage.personal_data.REGISTRY`; the few steps that are not "a column holds
the id" (conversation state keyed by a string, pending messages, written survey answers) are the
registry's named `custom` steps, implemented here in `CUSTOM_STEPS`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Table, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.all_models import table_of
from bot.storage.delivery_models import DeliveryStatus
from bot.storage.people_models import TicketStatus
from bot.storage.personal_data import REGISTRY, Forget, PersonalTable


def pseudonym(user_id: int, salt: str) -> int:
    """A salted hash of a Telegram id as a negative 60-bit number.

    It fits the BigInteger id columns, cannot be turned back into the id without the salt, and
    is negative, so it is never a real person's id (Telegram user ids are positive).
    """
    digest = hashlib.sha256(f"hecbot-forget:{salt}:{user_id}".encode()).hexdigest()
    return -(int(digest[:15], 16) + 1)


def _blank(column: Column[Any]) -> Any:
    if column.nullable:
        return None
    if isinstance(column.type, JSON):
        return {}
    return ""


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _owned(table: Table, entry: PersonalTable, user_id: int) -> ColumnElement[bool]:
    return or_(*(table.c[name] == user_id for name in entry.owner))


async def export_rows(
    connection: AsyncConnection, entry: PersonalTable, user_id: int
) -> list[dict[str, Any]]:
    """The person's rows of one table, as JSON-ready dicts of the exported columns."""
    table = table_of(entry.table)
    columns = [table.c[name] for name in entry.export]
    order = table.primary_key.columns.values()
    rows = await connection.execute(
        select(*columns).where(_owned(table, entry, user_id)).order_by(*order)
    )
    return [{name: _plain(value) for name, value in row._mapping.items()} for row in rows]


async def survey_answers_of(
    connection: AsyncConnection, response_ids: Collection[int]
) -> dict[int, dict[str, Any]]:
    """Answers by response id, for /mydata."""
    if not response_ids:
        return {}
    answers = table_of("survey_answers")
    rows = await connection.execute(
        select(answers.c.response_id, answers.c.question_id, answers.c.value)
        .where(answers.c.response_id.in_(sorted(response_ids)))
        .order_by(answers.c.id)
    )
    found: dict[int, dict[str, Any]] = {}
    for response_id, question_id, value in rows:
        found.setdefault(int(response_id), {})[str(question_id)] = value
    return found


async def responses_with_versions(
    connection: AsyncConnection, user_id: int
) -> list[tuple[int, int]]:
    """(response id, survey version id) of every survey response the person gave."""
    responses = table_of("survey_responses")
    rows = await connection.execute(
        select(responses.c.id, responses.c.survey_version_id).where(responses.c.user_id == user_id)
    )
    return [(int(response_id), int(version_id)) for response_id, version_id in rows]


async def survey_sources(
    connection: AsyncConnection, version_ids: Collection[int]
) -> dict[int, str]:
    versions = table_of("survey_versions")
    rows = await connection.execute(
        select(versions.c.id, versions.c.source).where(versions.c.id.in_(sorted(version_ids)))
    )
    return {int(version_id): str(source) for version_id, source in rows}


class ForgetContext:
    """What the custom steps need: whom to forget, the pseudonym, the written answers to drop."""

    def __init__(
        self,
        user_id: int,
        alias: int,
        text_answers: Collection[tuple[int, str]] = (),
    ) -> None:
        self.user_id = user_id
        self.alias = alias
        # (response id, question id) of the answers that are the person's own words.
        self.text_answers = text_answers


async def _fsm_records_by_key(connection: AsyncConnection, context: ForgetContext) -> int:
    records = table_of("fsm_records")
    uid = context.user_id
    result = await connection.execute(
        delete(records).where(or_(records.c.key.like(f"%:{uid}:%"), records.c.key.like(f"%:{uid}")))
    )
    return int(result.rowcount)


async def _cancel_pending_deliveries(connection: AsyncConnection, context: ForgetContext) -> int:
    deliveries = table_of("deliveries")
    result = await connection.execute(
        update(deliveries)
        .where(
            deliveries.c.chat_id == context.user_id,
            deliveries.c.status == DeliveryStatus.PENDING.value,
        )
        .values(status=DeliveryStatus.CANCELLED.value)
    )
    return int(result.rowcount)


async def _survey_text_answers(connection: AsyncConnection, context: ForgetContext) -> int:
    answers = table_of("survey_answers")
    removed = 0
    for response_id, question_id in context.text_answers:
        result = await connection.execute(
            delete(answers).where(
                answers.c.response_id == response_id, answers.c.question_id == question_id
            )
        )
        removed += int(result.rowcount)
    return removed


async def _drop_open_tickets(connection: AsyncConnection, context: ForgetContext) -> int:
    tickets = table_of("tickets")
    result = await connection.execute(
        delete(tickets).where(
            tickets.c.learner_id == context.user_id, tickets.c.status == TicketStatus.OPEN.value
        )
    )
    return int(result.rowcount)


async def _licence_decisions(connection: AsyncConnection, context: ForgetContext) -> int:
    decisions = table_of("licence_decisions")
    applications = table_of("licence_applications")
    owned = select(applications.c.id).where(applications.c.user_id == context.user_id)
    result = await connection.execute(
        update(decisions).where(decisions.c.application_id.in_(owned)).values(reason="")
    )
    uid = context.user_id
    by = await connection.execute(
        update(decisions)
        .where(or_(decisions.c.decided_by == str(uid), decisions.c.decided_by.like(f"%:{uid}")))
        .values(decided_by="forgotten")
    )
    return int(result.rowcount) + int(by.rowcount)


CustomStep = Callable[[AsyncConnection, ForgetContext], Awaitable[int]]
CUSTOM_STEPS: dict[str, CustomStep] = {
    "fsm_records_by_key": _fsm_records_by_key,
    "cancel_pending_deliveries": _cancel_pending_deliveries,
    "survey_text_answers": _survey_text_answers,
    "drop_open_tickets": _drop_open_tickets,
    "licence_decisions": _licence_decisions,
}


async def forget_rows(connection: AsyncConnection, context: ForgetContext) -> dict[str, int]:
    """Apply every registry entry to one person; returns rows touched per table."""
    touched: dict[str, int] = {}
    # Custom steps first: they find the person's rows by the links the entries then remove.
    for entry in REGISTRY.values():
        for step in entry.custom:
            touched[entry.table] = touched.get(entry.table, 0) + await CUSTOM_STEPS[step](
                connection, context
            )
    for entry in REGISTRY.values():
        table = table_of(entry.table)
        count = 0
        if entry.owner:
            owned = _owned(table, entry, context.user_id)
            if entry.forget is Forget.DELETE:
                result = await connection.execute(delete(table).where(owned))
            else:
                values: dict[str, Any] = {
                    name: context.alias if name in entry.pseudonymise else None
                    for name in entry.owner
                }
                values.update({name: _blank(table.c[name]) for name in entry.text})
                result = await connection.execute(update(table).where(owned).values(**values))
            count += int(result.rowcount)
        for name in entry.actors:
            result = await connection.execute(
                update(table).where(table.c[name] == context.user_id).values({name: None})
            )
            count += int(result.rowcount)
        touched[entry.table] = touched.get(entry.table, 0) + count
    return touched
