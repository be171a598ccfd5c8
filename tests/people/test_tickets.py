"""Tickets: routing to focal persons or the HEC desk, answering, passing on, the 48-hour rule."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest

from bot.errors import NotAllowedError, NotFoundError
from bot.services.tickets import DESK_AFTER, TicketClosedError, TicketService
from bot.storage.db import Database
from bot.storage.models import Role, User
from bot.storage.people_models import TicketRoute
from bot.storage.types import utcnow
from tests.factories import make_user
from tests.people.conftest import RecordingEnqueue, make_question

LEARNER, FOCAL, OTHER_FOCAL, ADMIN = 1001, 2001, 2002, 9001


async def test_ticket_goes_to_the_universitys_focal_persons_without_phone_or_name(
    database: Database,
    tickets: TicketService,
    enqueue: RecordingEnqueue,
    comsats_id: int,
    ucp_id: int,
) -> None:
    learner = await make_user(database, LEARNER, university_id=comsats_id)
    await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats_id)
    await make_user(database, OTHER_FOCAL, role=Role.FOCAL_PERSON, university_id=ucp_id)
    await make_user(database, ADMIN, role=Role.ADMIN)
    question_id = await make_question(database, learner, "Can my licence move to a new email?")

    opened = await tickets.open_ticket(learner, question_id)

    assert opened.created and opened.ticket.route is TicketRoute.FOCAL
    assert enqueue.recipients("ticket") == [FOCAL]
    notice = enqueue.jobs[0].messages[0]
    assert notice.text.startswith(f"🎫 #{opened.ticket.id}")
    assert "Can my licence move to a new email?" in notice.text
    assert "COMSATS" in notice.text
    assert str(LEARNER) not in notice.text
    assert notice.reply_markup is not None
    buttons = [b["callback_data"] for row in notice.reply_markup["inline_keyboard"] for b in row]
    assert buttons == [f"tk:answer:{opened.ticket.id}", f"tk:pass:{opened.ticket.id}"]


async def test_asking_twice_opens_one_ticket(
    database: Database, tickets: TicketService, enqueue: RecordingEnqueue, comsats_id: int
) -> None:
    learner = await make_user(database, LEARNER, university_id=comsats_id)
    await make_user(database, ADMIN, role=Role.ADMIN)
    question_id = await make_question(database, learner)
    first = await tickets.open_ticket(learner, question_id)
    second = await tickets.open_ticket(learner, question_id)
    assert not second.created and second.ticket.id == first.ticket.id
    assert len(enqueue.jobs) == 1


async def test_someone_elses_question_cannot_be_escalated(
    database: Database, tickets: TicketService, comsats_id: int
) -> None:
    learner = await make_user(database, LEARNER, university_id=comsats_id)
    intruder = await make_user(database, LEARNER + 1, university_id=comsats_id)
    question_id = await make_question(database, learner)
    with pytest.raises(NotFoundError):
        await tickets.open_ticket(intruder, question_id)


async def test_no_focal_person_or_a_blocked_one_sends_to_the_desk(
    database: Database, tickets: TicketService, enqueue: RecordingEnqueue, comsats_id: int
) -> None:
    learner = await make_user(database, LEARNER, university_id=comsats_id)
    await make_user(database, ADMIN, role=Role.ADMIN)
    await make_user(database, ADMIN + 1, role=Role.ADMIN)
    await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats_id, blocked=True)

    opened = await tickets.open_ticket(learner, await make_question(database, learner))

    assert opened.ticket.route is TicketRoute.DESK
    assert enqueue.recipients("ticket") == [ADMIN, ADMIN + 1]
    assert "no reachable focal person" in enqueue.jobs[0].messages[0].text
    markup = enqueue.jobs[0].messages[0].reply_markup
    assert markup is not None
    buttons = markup["inline_keyboard"]
    assert len(buttons[0]) == 1  # the desk has no "Not mine"


async def test_answer_reaches_the_learner_attributed_to_their_focal_person(
    database: Database, tickets: TicketService, enqueue: RecordingEnqueue, comsats_id: int
) -> None:
    learner = await make_user(database, LEARNER, university_id=comsats_id, language="ur")
    focal = await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats_id)
    opened = await tickets.open_ticket(learner, await make_question(database, learner))

    answered = await tickets.answer(focal, opened.ticket.id, "Write to the HEC desk <form 7>.")

    assert answered.answer == "Write to the HEC desk <form 7>."
    job = enqueue.jobs[-1]
    assert job.kind == "ticket_answer" and [m.chat_id for m in job.messages] == [LEARNER]
    text = job.messages[0].text
    assert "آپ کے فوکل پرسن" in text  # "your focal person", in the learner's language
    assert "&lt;form 7&gt;" in text  # the person's text is escaped
    assert str(FOCAL) not in text
    with pytest.raises(TicketClosedError):
        await tickets.answer(focal, opened.ticket.id, "A second answer")
    await tickets.rate(learner, opened.ticket.id, helpful=True)
    with pytest.raises(NotFoundError):
        await tickets.rate(focal, opened.ticket.id, helpful=False)


async def test_only_the_universitys_focal_person_or_an_admin_may_answer(
    database: Database, tickets: TicketService, comsats_id: int, ucp_id: int
) -> None:
    learner = await make_user(database, LEARNER, university_id=comsats_id)
    await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats_id)
    other = await make_user(database, OTHER_FOCAL, role=Role.FOCAL_PERSON, university_id=ucp_id)
    other_learner = await make_user(database, LEARNER + 5, university_id=comsats_id)
    admin = await make_user(database, ADMIN, role=Role.ADMIN)
    opened = await tickets.open_ticket(learner, await make_question(database, learner))

    for outsider in (other, other_learner, learner):
        with pytest.raises(NotAllowedError):
            await tickets.answer(outsider, opened.ticket.id, "I should not")
        with pytest.raises(NotAllowedError):
            await tickets.pass_to_desk(outsider, opened.ticket.id)
        with pytest.raises(NotAllowedError):
            await tickets.get(outsider, opened.ticket.id)
    # Unknown ids are refused the same way, so outsiders cannot probe which tickets exist.
    with pytest.raises(NotAllowedError):
        await tickets.get(other_learner, 999)
    await tickets.answer(admin, opened.ticket.id, "Answered by HEC")


async def test_not_mine_passes_to_the_desk_once(
    database: Database,
    tickets: TicketService,
    enqueue: RecordingEnqueue,
    comsats_id: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    learner = await make_user(database, LEARNER, university_id=comsats_id)
    focal = await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats_id)
    await make_user(database, ADMIN, role=Role.ADMIN)
    opened = await tickets.open_ticket(learner, await make_question(database, learner))

    passed = await tickets.pass_to_desk(focal, opened.ticket.id)
    caplog.set_level(logging.WARNING, logger="bot.services.tickets")
    await tickets.pass_to_desk(focal, opened.ticket.id)
    # The second press (a double tap) warned the operator the desk had nobody to answer it.
    assert "nobody to answer" not in caplog.text

    assert passed.route is TicketRoute.DESK
    assert enqueue.recipients("ticket") == [FOCAL, ADMIN]
    assert "passed this question" in enqueue.jobs[-1].messages[0].text


async def test_open_tickets_oldest_first_and_scoped_to_the_focal_persons_university(
    database: Database, tickets: TicketService, comsats_id: int, ucp_id: int
) -> None:
    await make_user(database, ADMIN, role=Role.ADMIN)
    focal = await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats_id)
    admin = await make_user(database, ADMIN + 1, role=Role.ADMIN)
    ids = []
    for offset, university in enumerate((comsats_id, ucp_id, comsats_id)):
        learner = await make_user(database, LEARNER + offset, university_id=university)
        opened = await tickets.open_ticket(learner, await make_question(database, learner))
        ids.append(opened.ticket.id)

    assert [t.id for t in await tickets.open_tickets(admin)] == ids
    assert [t.id for t in await tickets.open_tickets(focal)] == [ids[0], ids[2]]
    with pytest.raises(NotAllowedError):
        await tickets.open_tickets(await make_user(database, 5, university_id=comsats_id))


async def test_run_due_sends_overdue_and_orphaned_tickets_to_the_desk(
    database: Database,
    tickets: TicketService,
    enqueue: RecordingEnqueue,
    comsats_id: int,
    ucp_id: int,
) -> None:
    await make_user(database, ADMIN, role=Role.ADMIN)
    await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats_id)
    await make_user(database, OTHER_FOCAL, role=Role.FOCAL_PERSON, university_id=ucp_id)
    comsats_learner = await make_user(database, LEARNER, university_id=comsats_id)
    ucp_learner = await make_user(database, LEARNER + 1, university_id=ucp_id)
    overdue = await tickets.open_ticket(
        comsats_learner, await make_question(database, comsats_learner)
    )
    orphaned = await tickets.open_ticket(ucp_learner, await make_question(database, ucp_learner))
    now = utcnow()

    assert await tickets.run_due(now) == 0
    # The UCP focal person blocks the bot: their ticket goes to the desk at the next run.
    async with database.session() as session:
        user = await session.get(User, OTHER_FOCAL)
        assert user is not None
        user.is_blocked = True
        session.add(user)
    assert await tickets.run_due(now) == 1
    assert enqueue.jobs[-1].reference == f"ticket:{orphaned.ticket.id}"

    assert await tickets.run_due(now + DESK_AFTER - timedelta(minutes=1)) == 0
    assert await tickets.run_due(now + DESK_AFTER + timedelta(seconds=1)) == 1
    assert enqueue.jobs[-1].reference == f"ticket:{overdue.ticket.id}"
    assert "48 hours" in enqueue.jobs[-1].messages[0].text
    assert enqueue.recipients()[-1] == ADMIN
    assert await tickets.run_due(now + 2 * DESK_AFTER) == 0


async def test_two_focal_persons_answering_at_once_send_the_learner_one_answer(
    database: Database,
    *,
    database_backend: str,
    tickets: TicketService,
    enqueue: RecordingEnqueue,
    comsats_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both of a university's focal persons answer the same ticket at the same moment: on
    PostgreSQL both read it open and the learner got both answers. The first answer now holds
    the ticket until it commits; the second finds it answered."""
    if database_backend != "postgres":
        pytest.skip("SQLite runs one writer at a time; the race is PostgreSQL's")
    learner = await make_user(database, LEARNER, university_id=comsats_id)
    first_focal = await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats_id)
    second_focal = await make_user(
        database, OTHER_FOCAL, role=Role.FOCAL_PERSON, university_id=comsats_id
    )
    opened = await tickets.open_ticket(learner, await make_question(database, learner))

    # The first answer stops after its UPDATE, before its commit, until the second waits.
    written, release = asyncio.Event(), asyncio.Event()
    view = TicketService._view

    async def first_waits(self: TicketService, session: Any, ticket: Any) -> Any:
        if not written.is_set():
            await session.flush()
            written.set()
            await release.wait()
        return await view(self, session, ticket)

    monkeypatch.setattr(TicketService, "_view", first_waits)
    first = asyncio.create_task(tickets.answer(first_focal, opened.ticket.id, "Yes, from me."))
    await written.wait()
    second = asyncio.create_task(tickets.answer(second_focal, opened.ticket.id, "Yes, me too."))
    await _until_a_statement_waits_for_a_lock(database)
    release.set()
    results = await asyncio.gather(first, second, return_exceptions=True)

    assert not isinstance(results[0], BaseException)
    assert isinstance(results[1], TicketClosedError)
    assert enqueue.recipients("ticket_answer") == [LEARNER]


async def _until_a_statement_waits_for_a_lock(database: Database) -> None:
    """Until a session of this database waits for a row lock (the second answer, blocked)."""
    from sqlalchemy import text

    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while True:
        async with database.session() as session:
            if (await session.exec(waiting)).one()[0]:  # type: ignore[call-overload]
                return
        assert loop.time() < deadline, "the second answer never waited for the first"
        await asyncio.sleep(0.02)
