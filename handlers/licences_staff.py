"""/funnel for focal persons (their university) and HEC admins (all), /nudgereport RULE for HEC
admins: the figures as a caption under a chart."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import BufferedInputFile, Message

from bot.i18n import Texts, pakistan_today
from bot.services.licences_funnel import FunnelService, render_funnel_chart_png
from bot.services.licences_nudges import NudgeService, render_report_chart_png
from bot.services.permissions import Permission, require, scope_for
from bot.services.universities import UniversityService
from bot.services.users import UserProfile
from handlers.commands import command


async def on_funnel(
    message: Message,
    command: CommandObject,
    *,
    texts: Texts,
    user: UserProfile,
    funnel: FunnelService,
    universities: UniversityService,
) -> None:
    """`/funnel` (focal persons: their university; admins: all) or `/funnel <university>`
    (admins; a focal person naming another university is refused)."""
    # Checked first, so someone without the permission learns nothing from the search.
    university_id = scope_for(user, Permission.VIEW_RESULTS_OWN_UNIVERSITY)
    if wanted := (command.args or "").strip():
        matches = await universities.search(wanted, limit=1)
        if not matches:
            await message.answer(texts("onboarding-university-not-found"))
            return
        university_id = scope_for(
            user, Permission.VIEW_RESULTS_OWN_UNIVERSITY, matches[0].university.id
        )
    result = await funnel.funnel(as_of=pakistan_today(), university_id=university_id)
    figures = result.total
    caption = texts(
        "licence-funnel-caption",
        scope=result.university or texts("insights-all-universities"),
        as_of=texts.day(result.as_of),
        applied=figures.applied,
        approved=figures.approved,
        invited=figures.invited,
        joined=figures.joined,
        active=figures.active_30d,
        completed=figures.completed_any,
        courses=figures.courses_completed,
        hours=f"{figures.learning_hours:,.0f}",
    )
    chart = render_funnel_chart_png(result)
    await message.answer_photo(BufferedInputFile(chart, filename="funnel.png"), caption=caption)


async def on_nudge_report(
    message: Message,
    command: CommandObject,
    *,
    texts: Texts,
    user: UserProfile,
    nudges: NudgeService,
) -> None:
    require(user, Permission.VIEW_RESULTS_ANY)
    rule = (command.args or "").strip()
    if not rule:
        rules = await nudges.list_rules()
        if not rules:
            await message.answer(texts("licence-nudge-report-empty"))
            return
        rule = rules[0][0].slug
    report = await nudges.report(rule, as_of=pakistan_today())

    def points(value: float | None) -> str:
        return f"{value * 100:+.1f}" if value is not None else "-"

    caption = texts(
        "licence-nudge-report-caption",
        rule=report.rule,
        outcome=report.outcome.replace("_", " "),
        nudged_rate=f"{report.nudge.rate:.1%}",
        nudged=report.nudge.learners,
        holdout_rate=f"{report.holdout.rate:.1%}",
        holdout=report.holdout.learners,
        difference=points(report.difference),
        low=points(report.ci_low),
        high=points(report.ci_high),
    )
    chart = render_report_chart_png(report)
    await message.answer_photo(BufferedInputFile(chart, filename="nudge.png"), caption=caption)


def create_router() -> Router:
    router = Router(name="licences_staff")
    router.message.register(on_funnel, command("funnel"))
    router.message.register(on_nudge_report, command("nudgereport"))
    return router
