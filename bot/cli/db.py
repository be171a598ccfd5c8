"""`hecbot db ...`: database maintenance."""

from __future__ import annotations

import typer

from bot.cli.common import open_database, run_async, settings_or_exit

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema."""
    settings = settings_or_exit()

    async def upgrade() -> None:
        async with open_database(settings):
            pass

    run_async(upgrade())
    typer.echo("database is up to date")
