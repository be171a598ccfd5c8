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


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Argument(..., help="The revision to go back to, e.g. 0005 or -1."),
) -> None:
    """Roll the schema back to REVISION (before starting an older hecbot); DATABASE_URL as usual."""
    settings = settings_or_exit()
    from bot.storage.db import Database

    async def downgrade() -> None:
        database = Database(settings.effective_database_url)
        try:
            await database.downgrade(revision)
        finally:
            await database.close()

    run_async(downgrade())
    typer.echo(f"database downgraded to {revision}")
