from aiogram.fsm.storage.base import StorageKey

from bot.storage.db import Database
from bot.storage.fsm import DatabaseStorage


async def test_migrations_create_the_schema_and_are_idempotent(database: Database):
    await database.migrate()  # a second run is a no-op
    assert await database.ping()


async def test_fsm_state_survives_a_new_database_handle(database: Database):
    key = StorageKey(bot_id=1, chat_id=5_000_000_001, user_id=5_000_000_001)
    storage = DatabaseStorage(database)
    await storage.set_state(key, "Onboarding:university")
    await storage.update_data(key, {"language": "ur"})

    reopened = Database(database.url)
    try:
        again = DatabaseStorage(reopened)
        assert await again.get_state(key) == "Onboarding:university"
        assert await again.get_data(key) == {"language": "ur"}
        await again.set_state(key, None)
        await again.set_data(key, {})
        assert await again.get_state(key) is None
        assert await again.get_data(key) == {}
    finally:
        await reopened.close()


async def test_forget_user_drops_only_their_state(database: Database):
    storage = DatabaseStorage(database)
    mine = StorageKey(bot_id=1, chat_id=11, user_id=11)
    theirs = StorageKey(bot_id=1, chat_id=12, user_id=12)
    await storage.set_state(mine, "A:b")
    await storage.set_state(theirs, "A:b")
    await storage.forget_user(11)
    assert await storage.get_state(mine) is None
    assert await storage.get_state(theirs) == "A:b"
