"""The people services wire onto the delivery Outbox through `enqueue` and `message_factory`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from bot.i18n import Catalogue
from bot.services.users import UserService
from bot.storage.db import Database
from bot.storage.models import Role
from bot.telegram.people_wiring import build_people_services
from tests.factories import make_user
from tests.people.conftest import RecordingEnqueue, make_question


@dataclass(frozen=True)
class OutboxMessage:
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None = None


class NoAnswers:
    async def ask(self, question: str) -> Any:
        raise AssertionError("not asked here")


async def test_outbox_enqueue_and_message_type_are_used(
    settings: Settings, database: Database
) -> None:
    enqueue = RecordingEnqueue()
    extras = await build_people_services(
        settings,
        database,
        Catalogue.load(),
        NoAnswers(),  # type: ignore[arg-type]
        UserService(database),
        enqueue=enqueue,
        message_factory=OutboxMessage,
    )
    assert extras["direct_delivery"] is None
    assert extras["faq"]._indexer is None  # a double without index_paths is not an indexer
    comsats = (await extras["universities"].search("comsats"))[0].university.id
    learner = await make_user(database, 1, university_id=comsats)
    await make_user(database, 2, role=Role.FOCAL_PERSON, university_id=comsats)

    await extras["tickets"].open_ticket(learner, await make_question(database, learner))

    [job] = enqueue.jobs
    assert job.kind == "ticket" and isinstance(job.messages[0], OutboxMessage)
    assert job.messages[0].chat_id == 2


class RecordsPlaceNames(NoAnswers):
    def __init__(self) -> None:
        self.names: list[str] = []

    def set_known_names(self, names: Any) -> None:
        self.names = list(names)


async def test_the_engine_learns_the_universities_place_names(
    settings: Settings, database: Database
) -> None:
    answerer = RecordsPlaceNames()
    await build_people_services(
        settings,
        database,
        Catalogue.load(),
        answerer,  # type: ignore[arg-type]
        UserService(database),
        enqueue=RecordingEnqueue(),
        message_factory=OutboxMessage,
    )
    assert {"Allama Iqbal Open University", "Muzaffarabad", "Azad Jammu and Kashmir"} <= set(
        answerer.names
    )
