"""/results <survey>: figures and one chart per question for HEC admins and focal persons."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import FSInputFile, Message

from bot.config import Settings
from bot.i18n import Texts, escape, split_message
from bot.services.survey_charts import render_charts
from bot.services.survey_results import SurveyResultsService, format_results, university_scope
from bot.services.surveys import SurveyService
from bot.services.users import UserProfile
from handlers.commands import command


async def on_results(
    message: Message,
    *,
    command: CommandObject,
    user: UserProfile,
    survey_results: SurveyResultsService,
    surveys: SurveyService,
    settings: Settings,
    texts: Texts,
) -> None:
    scope = university_scope(user, None)  # refuses learners; focal persons: own university
    slug = (command.args or "").strip().split(" ")[0]
    known = await surveys.list_surveys(scope)
    if slug not in {survey.slug for survey in known}:
        # No id, or one that is no survey: the surveys there are, with their ids (the usage
        # line's "for example /results impact" named a survey the bot may not have).
        lines = [
            texts(
                "survey-results-line", slug=survey.slug, title=survey.title, count=survey.responses
            )
            for survey in known
        ]
        key = "survey-results-unknown" if slug else "survey-results-usage"
        heading = texts(key, slug=slug) if known else texts("survey-results-none")
        await message.answer("\n".join([heading, *lines]))
        return
    # Figures are for HEC's operators and always in English, like the CLI's.
    results = await survey_results.results(slug, university_id=scope, language="en")
    for piece in split_message(escape(format_results(results)), limit=3800):
        await message.answer(f"<pre>{piece}</pre>")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="charts-", dir=settings.data_dir))
    try:
        for path in render_charts(results, directory):
            await message.answer_photo(FSInputFile(path))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def create_router() -> Router:
    router = Router(name="survey_results")
    router.message.register(on_results, command("results"))
    return router
