"""`hecbot broadcast send|list|show|cancel` and `hecbot webinar list`, for HEC's operators."""

from __future__ import annotations

import html
import re
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.common import run_with_services, shown_time

if TYPE_CHECKING:
    from bot.services.broadcasts import BroadcastSummary
    from bot.telegram.container import AppServices


broadcast_app = typer.Typer(help="Send and manage broadcasts.", no_args_is_help=True)
webinar_app = typer.Typer(help="Webinars announced by broadcasts.", no_args_is_help=True)


def _line(summary: BroadcastSummary) -> str:
    progress = summary.progress
    counts = (
        f"sent {progress.sent}/{summary.recipients} failed {progress.failed} "
        f"blocked {progress.blocked} uncertain {progress.uncertain}"
        if progress
        else f"0/{summary.recipients}"
    )
    when = f" at {shown_time(summary.scheduled_for)}" if summary.scheduled_for else ""
    return (
        f"#{summary.id}\t{summary.state}{when}\t{summary.audience.describe()}\t{counts}\t"
        f"{summary.preview}"
    )


@broadcast_app.command("send")
def send(  # noqa: PLR0917  (one option per parameter, as Typer wants)
    audience: str = typer.Option(
        ..., help="all, or filters: university:ID, city:NAME, role:learner, kind:student"
    ),
    text: str = typer.Option(..., help="The notice, in Telegram HTML."),
    text_ur: str | None = typer.Option(None, "--text-ur", help="The Urdu version."),
    file: Path | None = typer.Option(None, exists=True, dir_okay=False, help="Image or PDF."),  # noqa: B008
    webinar_title: str | None = typer.Option(None, help="Title (default: first line of text)."),
    webinar_start: str | None = typer.Option(None, help="Pakistan time, 2026-12-05 15:00."),
    duration: int = typer.Option(60, help="Webinar length in minutes."),
    link: str | None = typer.Option(None, help="The webinar's https join link."),
    at: str | None = typer.Option(None, help="Send later: Pakistan time, 2026-12-04 09:00."),
) -> None:
    """Queue a broadcast; the delivery worker (in the bot or `hecbot worker`) sends it."""
    from bot.services.audience import Audience
    from bot.services.broadcast_drafts import (
        BroadcastDraft,
        BroadcastInputError,
        WebinarDraft,
        parse_start_time,
        validate_duration,
        validate_join_link,
        validate_title,
    )
    from bot.services.permissions import Actor
    from bot.storage.types import utcnow

    async def work(services: AppServices) -> BroadcastSummary:
        now = utcnow()
        webinar = None
        if webinar_start or link:
            if not (webinar_start and link):
                raise BroadcastInputError(
                    "broadcast-error-link", "a webinar needs both --webinar-start and --link"
                )
            first_line = html.unescape(re.sub(r"<[^>]+>", "", text)).strip().splitlines()
            title = webinar_title or (first_line[0][:200] if first_line else "Webinar")
            webinar = WebinarDraft(
                title=validate_title(title),
                starts_at=parse_start_time(webinar_start, now),
                duration_minutes=validate_duration(str(duration)),
                join_link=validate_join_link(link),
            )
        attachment_path = attachment_kind = None
        if file is not None:
            suffix = file.suffix.lower()
            attachment_kind = "photo" if suffix in {".jpg", ".jpeg", ".png"} else "document"
            target_dir = services.settings.data_dir / "broadcast-files"
            target_dir.mkdir(parents=True, exist_ok=True)
            target = target_dir / f"{uuid.uuid4().hex[:12]}-{file.name}"
            # A copy: the operator may delete their file before the worker sends it.
            shutil.copyfile(file, target)
            attachment_path = str(target)
        draft = BroadcastDraft(
            audience=Audience.parse(audience),
            text_en=text,
            text_ur=text_ur,
            attachment_path=attachment_path,
            attachment_kind=attachment_kind,
            webinar=webinar,
        )
        send_at: datetime | None = parse_start_time(at, now) if at else None
        return await services.broadcasts.create(Actor.operator(), draft, send_at=send_at)

    summary = run_with_services(work)
    typer.echo(_line(summary))


@broadcast_app.command("list")
def list_broadcasts(limit: int = typer.Option(20, min=1, max=500)) -> None:
    """The newest broadcasts with their delivery counts."""
    from bot.services.permissions import Actor

    async def work(services: AppServices) -> list[BroadcastSummary]:
        return await services.broadcasts.recent(Actor.operator(), limit=limit)

    for summary in run_with_services(work):
        typer.echo(_line(summary))


@broadcast_app.command("show")
def show(broadcast_id: int) -> None:
    """One broadcast: counts per status and the time left."""
    from bot.services.permissions import Actor

    async def work(services: AppServices) -> BroadcastSummary:
        return await services.broadcasts.show(Actor.operator(), broadcast_id)

    summary = run_with_services(work)
    typer.echo(_line(summary))
    if summary.progress is not None and summary.progress.eta_seconds:
        typer.echo(f"time remaining: about {summary.progress.eta_seconds:.0f} s")


@broadcast_app.command("cancel")
def cancel(broadcast_id: int) -> None:
    """Cancel a scheduled broadcast that has not started."""
    from bot.services.permissions import Actor

    async def work(services: AppServices) -> BroadcastSummary:
        return await services.broadcasts.cancel(Actor.operator(), broadcast_id)

    typer.echo(_line(run_with_services(work)))


@webinar_app.command("list")
def list_webinars(
    past: bool = typer.Option(False, "--past", help="Include past webinars."),
) -> None:
    """Webinars with their RSVPs per university."""
    from bot.services.permissions import Actor
    from bot.services.webinars import WebinarSummary

    async def work(services: AppServices) -> list[tuple[WebinarSummary, str]]:
        found = await services.webinars.webinars(Actor.operator(), include_past=past)
        return [(webinar, services.catalogue.moment("en", webinar.starts_at)) for webinar in found]

    for webinar, starts in run_with_services(work):
        per_university = ", ".join(
            f"{'unknown' if uni is None else uni}: {count}"
            for uni, count in sorted(webinar.rsvps_by_university.items(), key=lambda i: -i[1])
        )
        typer.echo(
            f"#{webinar.id}\t{starts}\t{webinar.title}\t"
            f"RSVPs {webinar.rsvps_total}\t{per_university}\t{webinar.join_link}"
        )
