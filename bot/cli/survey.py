"""`hecbot survey ...`: add, list, send, results and export surveys from a terminal or a script."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    run_with_database,
)

if TYPE_CHECKING:
    pass


survey_app = typer.Typer(help="Micro-surveys: define, send, read results.", no_args_is_help=True)


def _read_checked(file: Path) -> str:
    from bot.services.survey_definitions import SurveyDefinitionError, parse_survey

    try:
        source = file.read_text(encoding="utf-8-sig")
    except OSError as error:
        typer.echo(f"hecbot: cannot read {file}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    try:
        parse_survey(source)
    except SurveyDefinitionError as error:
        for problem in error.problems:
            where = f"{file}:{problem.line}" if problem.line else str(file)
            typer.echo(f"{where}: {problem.message}", err=True)
        raise typer.Exit(1) from None
    return source


@survey_app.command("check")
def check(
    file: Path,
    *,
    language: Annotated[str, typer.Option("--language", help="Preview language: en or ur.")] = "en",
) -> None:
    """Validate a survey file and print its preview, without saving."""
    from bot.services.survey_definitions import parse_survey, render_preview

    source = _read_checked(file)
    typer.echo(render_preview(parse_survey(source), language))


@survey_app.command("add")
def add(file: Path) -> None:
    """Validate and save a survey file (a new survey, or a higher version of one)."""
    from bot.services.surveys import SurveyService

    source = _read_checked(file)
    summary = run_with_database(lambda database: SurveyService(database).add_survey(source))
    typer.echo(f"saved {summary.slug} v{summary.version}: {summary.questions} questions")


@survey_app.command("list")
def list_surveys() -> None:
    """Every survey's newest version, with its waves and completed responses."""
    from bot.services.surveys import SurveyService

    summaries = run_with_database(lambda database: SurveyService(database).list_surveys())
    if not summaries:
        typer.echo("no surveys yet: add one with `hecbot survey add FILE`")
    for s in summaries:
        closes = f", closes {s.closes_at:%Y-%m-%d}" if s.closes_at else ""
        flags = ", anonymous" if s.anonymous else ""
        typer.echo(
            f"{s.slug} v{s.version}: {s.title} ({s.questions} questions{flags}{closes}); "
            f"{s.waves} waves, {s.responses} responses"
        )


def _date(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        typer.echo(f"hecbot: {option} must be a date such as 2026-01-31", err=True)
        raise typer.Exit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ints(values: str | None, option: str) -> list[int]:
    try:
        return [int(part) for part in (values or "").split(",") if part.strip()]
    except ValueError:
        typer.echo(f"hecbot: {option} takes numbers separated by commas", err=True)
        raise typer.Exit(2) from None


@survey_app.command("send")
def send(
    slug: str,
    *,
    university: Annotated[str | None, typer.Option(help="University ids, comma-separated.")] = None,
    role: Annotated[
        str | None,
        typer.Option(help="Roles: learner, focal_person, admin (default: learners only)."),
    ] = None,
    city: Annotated[str | None, typer.Option(help="Cities of the learners' universities.")] = None,
    onboarded_after: Annotated[
        str | None, typer.Option(help="Only learners onboarded from DATE.")
    ] = None,
    onboarded_before: Annotated[
        str | None, typer.Option(help="Only learners onboarded before DATE.")
    ] = None,
    after_onboarding: Annotated[
        str | None,
        typer.Option(help="Follow-up waves N days after each learner onboards, e.g. 30,90,180."),
    ] = None,
) -> None:
    """Start a survey: now for the audience, or as follow-ups after onboarding.

    The bot's delivery worker sends the invitations (at most one survey a week per learner).
    """
    from bot.services.audience import Audience
    from bot.services.surveys import SurveyService

    audience = Audience(
        universities=frozenset(_ints(university, "--university")),
        roles=frozenset(part.strip() for part in (role or "learner").split(",") if part.strip()),
        cities=frozenset(part.strip() for part in (city or "").split(",") if part.strip()),
        onboarded_after=_date(onboarded_after, "--onboarded-after"),
        onboarded_before=_date(onboarded_before, "--onboarded-before"),
    )
    days = _ints(after_onboarding, "--after-onboarding")
    waves = run_with_database(
        lambda database: SurveyService(database).start_waves(
            slug, audience=audience, after_onboarding_days=days
        )
    )
    for wave in waves:
        when = (
            f"{wave.offset_days} days after onboarding" if wave.offset_days is not None else "now"
        )
        started = "" if wave.new else f" (already started {wave.created_at:%Y-%m-%d %H:%M} UTC)"
        typer.echo(
            f"wave {wave.id}: {wave.slug} v{wave.version} to {audience.summary()}, {when}{started}"
        )


@survey_app.command("results")
def results(
    slug: str,
    *,
    university: Annotated[
        int | None, typer.Option(help="Only this university's responses.")
    ] = None,
    charts: Annotated[
        Path | None, typer.Option(help="Also write one PNG chart per question here.")
    ] = None,
) -> None:
    """Response count and rate, each question's answers, headline percentages, cross-tabs."""
    from bot.services.survey_results import SurveyResultsService, format_results

    found = run_with_database(
        lambda database: SurveyResultsService(database).results(slug, university_id=university)
    )
    typer.echo(format_results(found))
    if charts is not None:
        from bot.services.survey_charts import render_charts

        for path in render_charts(found, charts):
            typer.echo(f"chart: {path}")


@survey_app.command("export")
def export(
    slug: str,
    *,
    export_format: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    university: Annotated[
        int | None, typer.Option(help="Only this university's responses.")
    ] = None,
) -> None:
    """One row per response; anonymous surveys are exported without user ids."""
    from bot.services.survey_results import SurveyResultsService

    if export_format not in ("csv", "xlsx"):
        typer.echo("hecbot: --format must be csv or xlsx", err=True)
        raise typer.Exit(2)
    path = output or Path(f"{slug}-responses.{export_format}")
    count = run_with_database(
        lambda database: SurveyResultsService(database).export(
            slug, path, "csv" if export_format == "csv" else "xlsx", university_id=university
        )
    )
    typer.echo(f"wrote {count} responses to {path}")
