"""`hecbot universities|admin|insights`: operators' commands of the people feature."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    programme_catalogue,
    run_with_database,
    settings_or_exit,
)

if TYPE_CHECKING:
    from bot.storage.db import Database


universities_app = typer.Typer(
    help="The list of HEC-recognised universities.", no_args_is_help=True
)
admin_app = typer.Typer(help="HEC admins (the HEC desk).", no_args_is_help=True)
# `hecbot insights` (a command of the top level, so a group without a name).
insights_app = typer.Typer()


@universities_app.command("import")
def universities_import(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="CSV with the columns of bot/data/universities.csv."
        ),
    ],
    replace: bool = typer.Option(
        False, "--replace", help="Deactivate universities missing from the file."
    ),
) -> None:
    """Add or update universities by code; nothing is written if any row is wrong."""
    from bot.services.universities import ImportReport, UniversityService

    async def work(database: Database) -> ImportReport:
        service = UniversityService(database)
        # Updates apply on top of the bundled list, as they would on a running bot.
        await service.ensure_loaded()
        return await service.import_file(file, replace=replace)

    report = run_with_database(work)
    for line, problem in report.errors:
        typer.echo(f"{file}:{line}: {problem}", err=True)
    if report.errors:
        typer.echo(f"hecbot: {len(report.errors)} bad row(s); nothing was imported", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"deactivated {report.deactivated}"
    )


@universities_app.command("list")
def universities_list() -> None:
    """Every active university: id, code, name, city, sector."""
    from bot.services.universities import UniversityService

    async def work(database: Database) -> None:
        service = UniversityService(database)
        await service.ensure_loaded()
        for university in await service.list_all():
            typer.echo(
                f"{university.id}\t{university.code}\t{university.name}\t"
                f"{university.city}\t{university.sector}"
            )

    run_with_database(work)


@admin_app.command("add")
def admin_add(user_id: int = typer.Argument(..., help="Telegram user id.")) -> None:
    """Make a Telegram user an HEC admin (their command menu changes at once)."""
    from bot.services.roles import RoleService

    async def work(database: Database) -> None:
        await RoleService(database).add_admin(user_id)
        await _refresh_staff_menu(database, user_id)

    run_with_database(work)
    typer.echo(f"user {user_id} is an HEC admin")


@admin_app.command("remove")
def admin_remove(user_id: int = typer.Argument(..., help="Telegram user id.")) -> None:
    """Make an HEC admin a learner again (ADMIN_IDS are admins again at their next message)."""
    from bot.services.roles import RoleService

    async def work(database: Database) -> None:
        await RoleService(database).remove_admin(user_id)
        await _refresh_staff_menu(database, user_id)

    run_with_database(work)
    typer.echo(f"user {user_id} is no longer an HEC admin")


async def _refresh_staff_menu(database: Database, user_id: int) -> None:
    """Give the person the menu of the role they have now, as the bot does when a focal invite
    is accepted; a running bot would otherwise show the old menu until its next start. Without
    a token (the terminal chat) there is no Telegram menu to change."""
    from bot.services.users import UserService
    from bot.storage.models import Role
    from bot.telegram.app import create_bot
    from handlers.menus import show_staff_menu, withdraw_staff_menu

    settings = settings_or_exit()
    if settings.telegram.bot_token is None:
        return
    profile = await UserService(database).get(user_id)
    if profile is None:
        return
    bot = create_bot(settings)
    try:
        if profile.role in (Role.ADMIN, Role.FOCAL_PERSON):
            await show_staff_menu(
                bot,
                programme_catalogue(),
                user_id,
                profile.language,
                profile.role,
                dashboard_url=settings.dashboard.url,
            )
        else:
            await withdraw_staff_menu(bot, user_id)
    finally:
        await bot.session.close()


@admin_app.command("list")
def admin_list() -> None:
    """HEC admins by Telegram user id."""
    from bot.services.roles import RoleService

    for user_id in run_with_database(lambda database: RoleService(database).admins()):
        typer.echo(str(user_id))


@insights_app.command("insights")
def insights(
    since: Annotated[
        datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="First day (YYYY-MM-DD)."),
    ] = None,
    university: int | None = typer.Option(
        None, "--university", help="University id (see `hecbot universities list`)."
    ),
    output_format: str = typer.Option("text", "--format", help="text or csv."),
) -> None:
    """What learners ask: per day, university and topic; gaps; feedback; escalations."""
    from bot.services.insights import InsightsService, format_csv, format_text

    if output_format not in ("text", "csv"):
        typer.echo("hecbot: --format must be text or csv", err=True)
        raise typer.Exit(2)
    first_day: date | None = since.date() if since else None
    report = run_with_database(
        lambda database: InsightsService(database).report(
            None, since=first_day, university_id=university
        )
    )
    if output_format == "csv":
        typer.echo(format_csv(report), nl=False)
    else:
        help_desk = programme_catalogue().plain("en", "programme-help-desk")
        typer.echo(format_text(report, help_desk=help_desk), nl=False)
    if output_format == "text":
        typer.echo("")
