"""An aiogram FSM storage on hecbot's own database.

Without Redis the embedded bot still keeps each conversation's state across restarts, which
aiogram's MemoryStorage would lose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import delete

from bot.storage.db import Database
from bot.storage.models import FsmRecord
from bot.storage.types import utcnow

StateType = str | State | None


class DatabaseStorage(BaseStorage):
    """FSM state and data as one row per key in `fsm_records`."""

    def __init__(self, database: Database, key_builder: KeyBuilder | None = None) -> None:
        self._database = database
        self._key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self._key_builder.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._database.session() as session:
            record = await session.get(FsmRecord, self._key(key))
            if record is None:
                if value is None:
                    return
                record = FsmRecord(key=self._key(key), state=value, data={})
            record.state = value
            record.updated_at = utcnow()
            if record.state is None and not record.data:
                await session.delete(record)
            else:
                session.add(record)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._database.session() as session:
            record = await session.get(FsmRecord, self._key(key))
            return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._database.session() as session:
            record = await session.get(FsmRecord, self._key(key))
            if record is None:
                if not data:
                    return
                record = FsmRecord(key=self._key(key), state=None, data={})
            record.data = dict(data)
            record.updated_at = utcnow()
            if record.state is None and not record.data:
                await session.delete(record)
            else:
                session.add(record)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._database.session() as session:
            record = await session.get(FsmRecord, self._key(key))
            return dict(record.data) if record else {}

    async def forget_user(self, user_id: int) -> None:
        """Drop every conversation state of one user (their right to be forgotten)."""
        async with self._database.session() as session:
            await session.exec(
                delete(FsmRecord).where(FsmRecord.key.like(f"%:{user_id}:%"))  # type: ignore[attr-defined]
            )

    async def close(self) -> None:
        """The database handle is closed by its owner."""
