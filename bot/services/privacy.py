"""Learners' rights: see what is stored about them, and have it forgotten.

Both are driven by the registry in `bot.storage.personal_data`: /mydata exports every declared
section, /forget applies every declared rule, and files the bot wrote for the person are removed.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.logging_setup import hash_user_id
from bot.services.survey_definitions import QuestionType, parse_stored_survey
from bot.storage.db import Database
from bot.storage.people_models import University
from bot.storage.personal_data import REGISTRY, USER_FILES
from bot.storage.personal_data_store import (
    ForgetContext,
    export_rows,
    forget_rows,
    pseudonym,
    responses_with_versions,
    survey_answers_of,
    survey_sources,
)
from bot.storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForgetReport:
    questions_anonymised: int
    tickets_anonymised: int
    user_deleted: bool
    files_removed: int = 0


class PrivacyService:
    def __init__(self, database: Database, *, salt: str = "", data_dir: Path | None = None) -> None:
        self._database = database
        self._salt = salt
        self._data_dir = data_dir

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user that can be tied to them, as JSON-ready data."""
        exported: dict[str, Any] = {"exported_at": utcnow().isoformat()}
        async with self._database.session() as session:
            connection = await session.connection()
            for entry in REGISTRY.values():
                if entry.export:
                    exported[entry.export_as] = await export_rows(connection, entry, user_id)
            responses = exported.get("survey_responses", [])
            answers = await survey_answers_of(connection, [r["id"] for r in responses])
            for response in responses:
                response["answers"] = answers.get(response["id"], {})
            profiles = exported.get("profile", [])
            profile = profiles[0] if profiles else None
            if profile is not None:
                profile = {"telegram_id": profile.pop("id"), **profile}
            if profile is not None and profile.get("university_id"):
                university = await session.get(University, profile["university_id"])
                profile["university"] = university.name if university else None
        exported["profile"] = profile
        return exported

    async def _text_answers(self, user_id: int) -> list[tuple[int, str]]:
        """(response, question) of every written answer the person gave in a survey."""
        async with self._database.session() as session:
            connection = await session.connection()
            responses = await responses_with_versions(connection, user_id)
            sources = await survey_sources(connection, {version for _, version in responses})
        text_questions: dict[int, set[str]] = {}
        for version_id, source in sources.items():
            try:
                definition = parse_stored_survey(source)
            except Exception:  # an unreadable old version: drop every answer
                text_questions[version_id] = {"*"}
                continue
            text_questions[version_id] = {
                question.id
                for question in definition.questions
                if question.type is QuestionType.TEXT
            }
        found: list[tuple[int, str]] = []
        async with self._database.session() as session:
            connection = await session.connection()
            answers = await survey_answers_of(connection, [r for r, _ in responses])
        for response_id, version_id in responses:
            wanted = text_questions.get(version_id, {"*"})
            for question_id in answers.get(response_id, {}):
                if "*" in wanted or question_id in wanted:
                    found.append((response_id, question_id))
        return found

    def _user_files(self, user_id: int) -> list[Path]:
        if self._data_dir is None:
            return []
        return [self._data_dir / pattern.format(chat=user_id) for pattern in USER_FILES]

    async def forget(self, user_id: int) -> ForgetReport:
        """Apply the registry: delete or anonymise every row about the user, remove their files.

        FSM state stored in Redis is cleared by the caller (the database copy is cleared here).
        """
        context = ForgetContext(
            user_id, pseudonym(user_id, self._salt), await self._text_answers(user_id)
        )
        async with self._database.session() as session:
            connection = await session.connection()
            touched = await forget_rows(connection, context)
        await self._database.flush_erased()
        removed = 0
        for path in self._user_files(user_id):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
            elif path.exists():
                path.unlink(missing_ok=True)
                removed += 1
        report = ForgetReport(
            questions_anonymised=touched.get("questions", 0),
            tickets_anonymised=touched.get("tickets", 0),
            user_deleted=touched.get("users", 0) > 0,
            files_removed=removed,
        )
        log.info(
            "forgot user %s: %s",
            hash_user_id(user_id, self._salt),
            ", ".join(f"{table} {count}" for table, count in sorted(touched.items()) if count),
        )
        return report
