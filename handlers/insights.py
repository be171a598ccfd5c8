"""/insights: what learners ask, for HEC admins (all) and focal persons (their university)."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from pathlib import Path

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import FSInputFile, Message

from bot.config import Settings
from bot.i18n import Texts, split_message
from bot.services.digits import ascii_digits
from bot.services.insights import InsightsReport, InsightsService
from bot.services.insights_chart import render_chart
from bot.services.permissions import Permission, scope_for
from bot.services.universities import UniversityService
from bot.services.users import UserProfile
from handlers.commands import command

# Something written as a date (2026-13-45, 13/11/2026, Urdu digits too): read as one, never
# searched for as a university's name.
DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


def since_argument(args: str) -> tuple[date | None, str, bool]:
    """`/insights [YYYY-MM-DD] [university]`: (since, the rest, whether a date-like first word
    was not a valid YYYY-MM-DD date)."""
    first, _, rest = args.strip().partition(" ")
    if not DATE_LIKE.fullmatch(ascii_digits(first)):
        return None, args.strip(), False
    try:
        return date.fromisoformat(ascii_digits(first)), rest.strip(), False
    except ValueError:
        return None, rest.strip(), True


def render_insights(texts: Texts, report: InsightsReport) -> str:
    scope = report.university_name or texts("insights-all-universities")
    rated = report.rated
    helpful = f"{100 * report.thumbs_up / rated:.0f}%" if rated else "-"
    median = f"{report.median_answer_hours:.1f}" if report.median_answer_hours is not None else "-"
    lines = [
        texts("insights-title", scope=scope),
        *([texts("insights-since", date=report.since.isoformat())] if report.since else []),
        texts(
            "insights-summary",
            total=report.total_questions,
            answered=report.answered,
            unanswered=report.abstained,
        ),
        *(
            [texts("insights-content-free", count=report.content_free)]
            if report.content_free
            else []
        ),
        texts("insights-feedback", up=report.thumbs_up, down=report.thumbs_down, rate=helpful),
        texts(
            "insights-tickets",
            tickets=report.tickets,
            answered=report.tickets_answered,
            desk=report.tickets_to_desk,
            median=median,
        ),
    ]
    sections = [
        ("insights-per-university", report.per_university[:10]),
        ("insights-topics", report.topics),
        ("insights-gaps", [(gap.text, gap.count) for gap in report.gaps]),
    ]
    for key, rows in sections:
        lines.append("")
        lines.append(texts(key))
        if not rows:
            lines.append(texts("insights-none"))
        for label, count in rows:
            lines.append(texts("insights-row", count=count, label=label[:120]))
    return "\n".join(lines)


async def on_insights(
    message: Message,
    *,
    command: CommandObject,
    texts: Texts,
    user: UserProfile,
    insights: InsightsService,
    universities: UniversityService,
    settings: Settings,
) -> None:
    """`/insights` (admins: all, focal persons: theirs) or `/insights <university>` (admins),
    either from a date on: `/insights 2026-11-01 [university]`."""
    # Checked first, so someone without the permission learns nothing from the search.
    scope = scope_for(user, Permission.VIEW_INSIGHTS)
    since, university, bad_date = since_argument(command.args or "")
    if bad_date:
        await message.answer(texts("insights-date-format"))
        return
    if university:
        matches = await universities.search(university, limit=1)
        if not matches:
            await message.answer(texts("onboarding-university-not-found"))
            return
        scope = scope_for(user, Permission.VIEW_INSIGHTS, matches[0].university.id)
    report = await insights.report(user, since=since, university_id=scope)
    for piece in split_message(render_insights(texts, report)):
        await message.answer(piece)
    chart = settings.data_dir / "charts" / f"insights-{user.id}-{message.message_id}.png"
    # The chart's words are English; so is the programme's name on it.
    title = report.university_name or texts.catalogue.plain("en", "programme-name")
    await asyncio.to_thread(render_chart, report, chart, title=title)
    try:
        await message.answer_photo(FSInputFile(chart), caption=texts("insights-chart-caption"))
    finally:
        await asyncio.to_thread(Path.unlink, chart, True)


def create_router() -> Router:
    router = Router(name="insights")
    router.message.register(on_insights, command("insights"))
    return router
