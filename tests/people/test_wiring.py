"""The container wires the people services onto the delivery Outbox: tickets are enqueued."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.config import Settings
from bot.storage.db import Database
from bot.storage.delivery_models import Delivery
from bot.storage.models import Role
from bot.telegram.container import build_services
from tests.factories import make_user
from tests.people.conftest import make_question


class NoAnswers:
    async def ask(self, question: str) -> Any:
        raise AssertionError("not asked here")


async def test_tickets_are_enqueued_on_the_outbox(settings: Settings, database: Database) -> None:
    services = await build_services(settings, answerer=NoAnswers())  # type: ignore[arg-type]
    try:
        assert services.faq._indexer is None  # a double without index_paths is not an indexer
        comsats = (await services.universities.search("comsats"))[0].university.id
        learner = await make_user(database, 1, university_id=comsats)
        await make_user(database, 2, role=Role.FOCAL_PERSON, university_id=comsats)

        await services.tickets.open_ticket(learner, await make_question(database, learner))

        [job] = await services.outbox.jobs(kind="ticket")
        async with database.session() as session:
            chats = (
                await session.exec(select(Delivery.chat_id).where(col(Delivery.job_id) == job.id))
            ).all()
        assert list(chats) == [2]
    finally:
        await services.close()


class RecordsPlaceNames(NoAnswers):
    def __init__(self) -> None:
        self.names: list[str] = []

    def set_known_names(self, names: Any) -> None:
        self.names = list(names)


async def test_the_engine_learns_the_universities_place_names(
    settings: Settings, database: Database
) -> None:
    answerer = RecordsPlaceNames()
    services = await build_services(settings, answerer=answerer)  # type: ignore[arg-type]
    await services.close()
    assert {"Allama Iqbal Open University", "Muzaffarabad", "Azad Jammu and Kashmir"} <= set(
        answerer.names
    )
