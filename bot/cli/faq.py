"""`hecbot faq review|approve|reject|edit`: HEC's review of FAQ drafts from the command line.

The same `FaqReviewService` as the chat's /faq queue, acting as HEC's operator (an admin).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services.faq import FaqIndexer, FaqView
    from bot.services.faq_review import FaqReviewService
    from bot.services.permissions import Actor
    from bot.storage.db import Database

T = TypeVar("T")

faq_app = typer.Typer(help="Review FAQ drafts made from answered tickets.", no_args_is_help=True)


def _review(work: Callable[[FaqReviewService], Awaitable[T]]) -> T:
    """Run `work(FaqReviewService)` over the configured database, as HEC's operator."""
    from bot.cli.common import run_with_database, settings_or_exit
    from bot.services.faq import FaqService
    from bot.services.faq_review import FaqReviewService

    settings = settings_or_exit()

    async def run(database: Database) -> T:
        indexer = _indexer(settings)
        try:
            faq = FaqService(database, settings.data_dir / "faq", indexer)
            return await work(FaqReviewService(database, faq))
        finally:
            # The engine's threads and Chroma client end with the command (run in-process too).
            close = getattr(indexer, "close", None)
            if close is not None:
                await close()

    return run_with_database(run)


def _indexer(settings: Settings) -> FaqIndexer | None:
    """The knowledge engine: an approval or a rejection re-indexes the FAQ folder."""
    from bot.services.faq import FaqIndexer
    from bot.services.knowledge_bridge import build_knowledge_engine

    engine = build_knowledge_engine(settings)
    return engine if isinstance(engine, FaqIndexer) else None


def _operator() -> Actor:
    from bot.services.permissions import Actor

    return Actor.operator()


@faq_app.command("review")
def faq_review() -> None:
    """List the drafts waiting for review, oldest first."""

    async def work(service: FaqReviewService) -> list[FaqView]:
        return await service.list_drafts(_operator())

    drafts = _review(work)
    if not drafts:
        typer.echo("no FAQ drafts are waiting for review")
        return
    for entry in drafts:
        scope = entry.university_name or "all universities"
        typer.echo(f"#{entry.id} [{scope}] {entry.created_at:%Y-%m-%d}")
        typer.echo(f"  Q: {entry.question}")
        typer.echo(f"  A: {entry.answer}")


@faq_app.command("approve")
def faq_approve(
    entry_id: Annotated[int, typer.Argument(help="The draft's number (see `hecbot faq review`).")],
    question: Annotated[
        str | None, typer.Option("--question", help="The question as it should be published.")
    ] = None,
    answer: Annotated[str | None, typer.Option("--answer", help="A corrected answer.")] = None,
    university: Annotated[
        int | None,
        typer.Option("--university", help="Answer only this university's learners (its id)."),
    ] = None,
    national: Annotated[
        bool, typer.Option("--national", help="Answer learners of every university.")
    ] = False,
) -> None:
    """Publish a draft (after the optional edits): the bot answers with it from now on."""
    if national and university is not None:
        typer.echo("hecbot: use --university or --national, not both", err=True)
        raise typer.Exit(2)

    async def work(service: FaqReviewService) -> FaqView:
        actor = _operator()
        if question is not None or answer is not None:
            await service.edit(actor, entry_id, question=question, answer=answer)
        if national or university is not None:
            await service.set_scope(actor, entry_id, None if national else university)
        return await service.approve(actor, entry_id)

    entry = _review(work)
    scope = entry.university_name or "all universities"
    typer.echo(f"approved FAQ entry #{entry.id} for {scope}: {entry.question}")


@faq_app.command("reject")
def faq_reject(
    entry_id: Annotated[int, typer.Argument(help="The draft's (or entry's) number.")],
) -> None:
    """Drop a draft, or withdraw a published entry: the bot never gives that answer."""

    async def work(service: FaqReviewService) -> None:
        await service.reject(_operator(), entry_id)

    _review(work)
    typer.echo(f"rejected FAQ entry #{entry_id}")
