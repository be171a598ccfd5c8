"""`hecbot licences ...`, `hecbot intake ...` and `hecbot nudges ...`: the licence programme from a
terminal or a script (reports in, funnel out, selection, nudges)."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import programme_catalogue, run_with_database, shown_day, shown_time

if TYPE_CHECKING:
    from bot.services.licences_funnel import Funnel
    from bot.services.licences_nudges import NudgeService
    from bot.services.licences_reports import ImportSummary
    from bot.services.licences_selection import DecisionSummary, SelectionService
    from bot.storage.db import Database


licences_app = typer.Typer(
    help="Licences: applications, decisions, Coursera reports, the funnel.", no_args_is_help=True
)
applications_app = typer.Typer(help="Applications to an intake.", no_args_is_help=True)
decisions_app = typer.Typer(help="Selection decisions.", no_args_is_help=True)
licences_app.add_typer(applications_app, name="applications")
licences_app.add_typer(decisions_app, name="decisions")
intake_app = typer.Typer(help="Application rounds (intakes) defined in YAML.", no_args_is_help=True)
nudges_app = typer.Typer(help="Nudge rules, their waves and their proof.", no_args_is_help=True)


def _day(text: str | None) -> date:
    """The day typed, or today in Pakistan: the day /funnel and the dashboard count as of (UTC's
    was a day behind from 19:00 UTC, and the figures differed from the bot's)."""
    if text is None:
        from bot.i18n import pakistan_today

        return pakistan_today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        typer.echo(f"hecbot: not a date (YYYY-MM-DD): {text}", err=True)
        raise typer.Exit(2) from None


def _university_id(database: Database, code: str) -> Awaitable[int]:
    from bot.errors import NotFoundError
    from bot.storage import licence_repository as repo

    async def find() -> int:
        if code.isdigit():
            return int(code)
        async with database.session() as session:
            university = await repo.university_by_code(session, code=code)
        if university is None or university.id is None:
            raise NotFoundError(f"no university with code {code}")
        return university.id

    return find()


@licences_app.command("import-report")
def import_report(
    file: Path,
    *,
    kind: Annotated[str, typer.Option("--kind", help="membership or usage")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The report's date, YYYY-MM-DD (default today).")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="YAML naming other column headers.")
    ] = None,
) -> None:
    """Import a Coursera membership or usage report as a dated snapshot (all rows or none)."""
    from bot.services.licences_reports import (
        ReportImportError,
        ReportImportService,
        ReportMapping,
    )
    from bot.storage.licence_models import ReportKind

    try:
        report_kind = ReportKind(kind)
    except ValueError:
        typer.echo("hecbot: --kind must be membership or usage", err=True)
        raise typer.Exit(2) from None
    day = _day(as_of)
    chosen = None
    if mapping is not None:
        try:
            chosen = ReportMapping.from_yaml(report_kind, mapping.read_text(encoding="utf-8"))
        except OSError as error:
            typer.echo(f"hecbot: cannot read {mapping}: {error.strerror}", err=True)
            raise typer.Exit(1) from None

    async def work(database: Database) -> ImportSummary:
        service = ReportImportService(database)
        try:
            return await service.import_file(file, kind=report_kind, as_of=day, mapping=chosen)
        except ReportImportError as error:
            for problem in error.problems:
                typer.echo(f"{file}:{problem.line}: {problem.message}", err=True)
            if error.total > len(error.problems):
                typer.echo(f"... {error.total - len(error.problems)} more bad rows", err=True)
            typer.echo(f"hecbot: {error.total} bad row(s); nothing imported", err=True)
            raise typer.Exit(1) from None

    summary = run_with_database(work)
    typer.echo(
        f"imported {summary.rows} {kind} rows as of {day.isoformat()} "
        f"({summary.linked} linked to learners); snapshot {summary.snapshot_id}"
    )


@licences_app.command("funnel")
def funnel(
    *,
    university: Annotated[
        str | None, typer.Option("--university", help="A university id or code.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    chart: Annotated[Path | None, typer.Option("--chart", help="Write a PNG chart here.")] = None,
) -> None:
    """applied -> approved -> invited -> joined -> active 30 days -> completed, and the headline
    figures, from the latest snapshots on or before the day."""
    from bot.services.licences_funnel import FunnelService, render_funnel_chart

    day = _day(as_of)

    async def work(database: Database) -> Funnel:
        university_id = await _university_id(database, university) if university else None
        return await FunnelService(database).funnel(as_of=day, university_id=university_id)

    result = run_with_database(work)
    if chart is not None:
        render_funnel_chart(result, chart)
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    typer.echo(_funnel_text(result))
    if chart is not None:
        typer.echo(f"chart: {chart}")


def _funnel_text(result: Funnel) -> str:
    from bot.services.licences_funnel import STAGES

    figures = result.total
    lines = [
        f"licence funnel as of {result.as_of} ({result.university or 'all universities'}); "
        f"membership report {result.membership_as_of or 'none'}, "
        f"usage report {result.usage_as_of or 'none'}"
    ]
    lines += [f"  {stage:<14} {getattr(figures, stage):>9,}" for stage in STAGES]
    lines.append(f"  courses completed {figures.courses_completed:,}")
    lines.append(f"  learning hours    {figures.learning_hours:,.1f}")
    for title, group in (("university", result.by_university), ("city", result.by_city)):
        if not group:
            continue
        lines.append(f"by {title}:")
        for name, row in sorted(group.items()):
            values = " ".join(f"{getattr(row, stage):>6}" for stage in STAGES)
            lines.append(f"  {name[:24]:<24} {values} {row.learning_hours:>9.1f} h")
    return "\n".join(lines)


def _read_intake(file: Path) -> str:
    from bot.services.licences_intakes import parse_intake
    from bot.services.licences_yaml import LicenceFileError

    try:
        source = file.read_text(encoding="utf-8-sig")
    except OSError as error:
        typer.echo(f"hecbot: cannot read {file}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    try:
        parse_intake(source)
    except LicenceFileError as error:
        for problem in error.problems:
            where = f"{file}:{problem.line}" if problem.line else str(file)
            typer.echo(f"{where}: {problem.message}", err=True)
        raise typer.Exit(1) from None
    return source


@intake_app.command("add")
def intake_add(file: Path) -> None:
    """Validate and save an intake file (a new intake, or a new file for an open one)."""
    from bot.services.licences_intakes import IntakeService

    source = _read_intake(file)
    summary = run_with_database(lambda database: IntakeService(database).add(source))
    typer.echo(
        f"saved intake {summary.slug}: applications {shown_time(summary.opens_at)} to "
        f"{shown_time(summary.deadline)}, licences until {shown_day(summary.licence_ends_on)}"
    )


@intake_app.command("list")
def intake_list() -> None:
    """Every intake with its dates and number of applications."""
    from bot.services.licences_intakes import IntakeService

    summaries = run_with_database(lambda database: IntakeService(database).list_all())
    if not summaries:
        typer.echo("no intakes yet: add one with `hecbot intake add FILE.yaml`")
    for s in summaries:
        # "open" was any intake not closed early: one opening next month, or past its deadline.
        state = s.state().value
        typer.echo(
            f"{s.slug}: {s.title} ({state}; {shown_day(s.opens_at)} to {shown_day(s.deadline)}, "
            f"licences until {shown_day(s.licence_ends_on)}); {s.applications} applications"
        )


@intake_app.command("close")
def intake_close(slug: str) -> None:
    """Stop taking applications to an intake now."""
    from bot.services.licences_intakes import IntakeService

    summary = run_with_database(lambda database: IntakeService(database).close(slug))
    typer.echo(f"intake {summary.slug} is closed ({summary.applications} applications)")


def _selection(database: Database) -> SelectionService:
    from bot.delivery import Outbox
    from bot.services.licences_selection import SelectionService

    return SelectionService(database, Outbox(database), programme_catalogue())


@applications_app.command("list")
def applications_list(
    intake: Annotated[str, typer.Option("--intake", help="The intake's id.")],
    university: Annotated[
        str | None, typer.Option("--university", help="Only this university code.")
    ] = None,
) -> None:
    """Applications ranked within each university by the intake's published criteria."""
    ranked = run_with_database(lambda database: _selection(database).ranked(intake))
    shown = [r for r in ranked if university is None or r.university == university]
    if not shown:
        typer.echo(f"no applications to {intake}")
    for r in shown:
        typer.echo(
            f"#{r.id:<6} {r.university or '-':<24} rank {r.rank:>3}/{r.seats:<4} "
            f"score {r.score:>5g}  {r.learner_kind:<8} {r.status:<10} "
            f"domains {','.join(r.domains)}; tracks {','.join(r.tracks)}"
        )


@applications_app.command("export")
def applications_export(
    intake: Annotated[str, typer.Option("--intake", help="The intake's id.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write here (default: stdout).")] = None,
) -> None:
    """The ranked list as CSV, with empty `decision` and `reason` columns to fill in."""
    text = run_with_database(lambda database: _selection(database).export_csv(intake))
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


@decisions_app.command("import")
def decisions_import(
    file: Path,
    by: Annotated[
        str | None, typer.Option("--by", help="Who decided (default: the login name).")
    ] = None,
) -> None:
    """Apply decisions from a CSV (`application_id`, `decision` approve|waitlist|reject,
    `reason`); all rows or none; learners are told in their language."""
    import getpass

    from bot.services.licences_reports import ReportImportError

    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as error:
        typer.echo(f"hecbot: cannot read {file}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    decided_by = by or getpass.getuser()

    async def work(database: Database) -> DecisionSummary:
        try:
            return await _selection(database).import_decisions(
                text, decided_by=decided_by, source=file.name
            )
        except ReportImportError as error:
            for problem in error.problems:
                typer.echo(f"{file}:{problem.line}: {problem.message}", err=True)
            typer.echo("hecbot: nothing was decided", err=True)
            raise typer.Exit(1) from None

    summary = run_with_database(work)
    typer.echo(
        f"{summary.approved} approved, {summary.waitlisted} waitlisted, {summary.rejected} "
        f"rejected by {decided_by}; {summary.promoted} moved up from the waiting list; "
        f"{summary.notified} learners will be told"
    )


@licences_app.command("reclaim")
def reclaim(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today).")
    ] = None,
    grace_days: Annotated[
        int, typer.Option("--grace-days", help="Days between the warning and the reclaim.")
    ] = 7,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list, warn nobody.")] = False,
) -> None:
    """Inactive licences (no sign of use in 30 days): warn the learner first; reclaim those
    still inactive after the grace days and move the waiting list up."""
    from datetime import timedelta

    day = _day(as_of)
    summary = run_with_database(
        lambda database: _selection(database).reclaim(
            day, grace=timedelta(days=grace_days), dry_run=dry_run
        )
    )
    for candidate in summary.candidates or []:
        warned = f"warned {candidate.warned_at:%Y-%m-%d}" if candidate.warned_at else "not warned"
        typer.echo(
            f"application {candidate.application_id} ({candidate.university or '-'}): last seen "
            f"{candidate.last_seen or 'never'}, {warned}"
        )
    typer.echo(
        f"{len(summary.candidates or [])} inactive; {summary.warned} warned, "
        f"{summary.reclaimed} reclaimed, {summary.promoted} moved up from the waiting list"
    )


def _nudges(database: Database) -> NudgeService:
    from bot.delivery import Outbox
    from bot.services.licences_nudges import NudgeService
    from handlers.buttons import TelegramButtons

    catalogue = programme_catalogue()
    return NudgeService(database, Outbox(database), catalogue, buttons=TelegramButtons(catalogue))


@nudges_app.command("add")
def nudges_add(file: Path) -> None:
    """Validate and save a nudge rule (YAML; the same id replaces the rule's file)."""
    from bot.services.licences_nudges import parse_rule
    from bot.services.licences_yaml import LicenceFileError

    try:
        source = file.read_text(encoding="utf-8-sig")
        parse_rule(source)
    except OSError as error:
        typer.echo(f"hecbot: cannot read {file}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    except LicenceFileError as error:
        for problem in error.problems:
            where = f"{file}:{problem.line}" if problem.line else str(file)
            typer.echo(f"{where}: {problem.message}", err=True)
        raise typer.Exit(1) from None
    rule = run_with_database(lambda database: _nudges(database).add(source))
    typer.echo(
        f"saved nudge {rule.slug}: {rule.trigger.value} ({rule.days} days), holdout "
        f"{rule.holdout:.0%}, outcome {rule.outcome.value}"
    )


@nudges_app.command("list")
def nudges_list() -> None:
    """Every nudge rule with its learners in the nudge and the holdout."""
    rules = run_with_database(lambda database: _nudges(database).list_rules())
    if not rules:
        typer.echo("no nudge rules yet: add one with `hecbot nudges add FILE.yaml`")
    for rule, nudged, held in rules:
        typer.echo(
            f"{rule.slug}: {rule.trigger.value} ({rule.days} days) -> {rule.outcome.value}; "
            f"{nudged} nudged, {held} in the holdout ({rule.holdout:.0%})"
        )


@nudges_app.command("plan")
def nudges_plan(
    rule: str,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count only; record nothing.")] = False,
) -> None:
    """Assign the learners the rule finds (nudge or holdout) and queue the nudges."""
    day = _day(as_of)
    plan = run_with_database(
        lambda database: _nudges(database).plan(rule, as_of=day, dry_run=dry_run)
    )
    when = shown_time(plan.send_at) if plan.send_at else "-"
    typer.echo(
        f"{plan.rule}: {plan.eligible} eligible; {plan.nudged} nudged (from {when}), "
        f"{plan.held_out} in the holdout; skipped {plan.skipped_recent} nudged in the last week, "
        f"{plan.skipped_consent} without consent"
        + (f"; {plan.surveys_invited} invited to the survey" if plan.surveys_invited else "")
        + (" (dry run)" if dry_run else "")
    )


@nudges_app.command("report")
def nudges_report(
    rule: str,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    chart: Annotated[Path | None, typer.Option("--chart", help="Write a PNG chart here.")] = None,
) -> None:
    """The outcome the rule targets, nudge against holdout, from later report snapshots:
    difference and its 95% confidence interval."""
    from bot.services.licences_nudges import render_report_chart

    day = _day(as_of)
    report = run_with_database(lambda database: _nudges(database).report(rule, as_of=day))
    if chart is not None:
        render_report_chart(report, chart)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
        return
    typer.echo(
        f"{report.rule}: outcome {report.outcome}, report of {report.snapshot_as_of or 'none'}"
    )
    for group in (report.nudge, report.holdout):
        typer.echo(
            f"  {group.group:<8} {group.successes:>6} of {group.learners:<6} {group.rate:6.1%}"
        )
    if report.difference is not None:
        typer.echo(
            f"  difference {report.difference * 100:+.1f} points, 95% CI "
            f"{(report.ci_low or 0) * 100:+.1f} to {(report.ci_high or 0) * 100:+.1f}"
        )
    for note in report.notes:
        typer.echo(f"  ({note})")
    if report.pending:
        typer.echo(f"  {report.pending} assigned learners wait for a later report")


@nudges_app.command("stop")
def nudges_stop(rule: str) -> None:
    """Plan no more waves of a rule (its report still works)."""
    run_with_database(lambda database: _nudges(database).stop(rule))
    typer.echo(f"nudge {rule} stopped")
