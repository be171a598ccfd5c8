"""The `hecbot` command line: one Typer app; each sub-command group is its own module.

Importing this module imports Typer and the sub-command modules only: every command imports the
database, the knowledge engine, the course recommender and aiogram inside its function, so
`hecbot --help` stays fast (tests/architecture/test_cli_imports.py keeps it so).
"""

from __future__ import annotations

import typer

from bot.cli.broadcast import broadcast_app, webinar_app
from bot.cli.common import settings_or_exit
from bot.cli.courses import courses_app
from bot.cli.db import db_app
from bot.cli.delivery import outbox_app, worker_app
from bot.cli.faq import faq_app
from bot.cli.licences import intake_app, licences_app, nudges_app
from bot.cli.people import admin_app, insights_app, universities_app
from bot.cli.runtime import runtime_app
from bot.cli.survey import survey_app
from knowledge.cli import ask_app, kb_app

app = typer.Typer(
    name="hecbot",
    help="HEC × Coursera learners' assistant on Telegram.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help text: rendering it with rich (typer.rich_utils, rich.markdown) cost more than
    # everything else `--help` does (issue 16: <= 0.4 s).
    rich_markup_mode=None,
)
# Groups without a name add their commands at the top level (`hecbot run`, `hecbot ask`).
app.add_typer(runtime_app)
app.add_typer(db_app, name="db")
app.add_typer(kb_app, name="kb")
app.add_typer(ask_app)
app.add_typer(courses_app, name="courses")
app.add_typer(survey_app, name="survey")
app.add_typer(faq_app, name="faq")
app.add_typer(universities_app, name="universities")
app.add_typer(admin_app, name="admin")
app.add_typer(insights_app)
app.add_typer(licences_app, name="licences")
app.add_typer(intake_app, name="intake")
app.add_typer(nudges_app, name="nudges")
app.add_typer(worker_app, name="worker")
app.add_typer(outbox_app, name="outbox")
app.add_typer(broadcast_app, name="broadcast")
app.add_typer(webinar_app, name="webinar")


@app.callback()
def main_options(ctx: typer.Context) -> None:
    """Load settings once; sub-commands (`kb`, `ask`) read the knowledge config from here."""
    from bot.services.knowledge_bridge import knowledge_config

    if ctx.resilient_parsing:
        return
    ctx.obj = {"knowledge": knowledge_config(settings_or_exit())}


def main() -> None:
    app()
