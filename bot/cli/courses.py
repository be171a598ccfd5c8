"""`hecbot courses ...`: import a catalogue, try recommendations, list HEC's tracks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    open_database,
    run_async,
    settings_or_exit,
)

if TYPE_CHECKING:
    from bot.services.course_recommender import Recommendation, RecommendedCourse

courses_app = typer.Typer(
    help="Course catalogue, HEC tracks and recommendations.", no_args_is_help=True
)


@courses_app.command("import")
def import_catalogue(
    file: Annotated[Path, typer.Argument(help="Catalogue file (.csv or .json).")],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="Column-mapping YAML (default: Coursera's export)."),
    ] = None,
) -> None:
    """Import courses; rows that cannot be read are listed by line and skipped."""
    from bot.services.course_tracks import TrackValidationError
    from bot.services.course_wiring import build_course_service

    settings = settings_or_exit()

    async def run() -> None:
        async with open_database(settings) as database:
            service = build_course_service(settings, database)
            with embedding_progress() as progress:
                report = await service.import_file(file, mapping, progress=progress)
            typer.echo(
                f"{file.name} ({report.encoding}): {report.rows_read} rows read, "
                f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
                f"{len(report.problems)} skipped; vectors: {report.embedded} computed, "
                f"{report.reused_vectors} reused"
            )
            for problem in report.problems:
                typer.echo(f"  skipped {problem}", err=True)
            try:
                await service.load_tracks(strict=True)
            except TrackValidationError as error:
                typer.echo(
                    f"warning: tracks.yaml does not fit this catalogue ({len(error.problems)} "
                    "problem(s)); the bot will skip those courses. See `hecbot courses tracks`.",
                    err=True,
                )

    run_async(run())


@contextmanager
def embedding_progress() -> Iterator[Callable[[int, int], None]]:
    """A progress bar with an ETA for the vectors an import computes (on stderr)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("embedding courses"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task("embed", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@courses_app.command("recommend")
def recommend(
    goal: Annotated[str, typer.Argument(help='What to learn, e.g. "become a data analyst".')],
    level: Annotated[
        str, typer.Option("--level", help="beginner, intermediate or advanced.")
    ] = "beginner",
    hours: Annotated[int, typer.Option("--hours", min=1, max=60, help="Hours per week.")] = 5,
    months: Annotated[
        float | None,
        typer.Option("--months", min=0, help="Months left on the licence (default: a whole one)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Recommend 3-5 courses for a goal, as /courses does on Telegram."""
    from bot.services.course_wiring import build_course_service

    if level not in ("beginner", "intermediate", "advanced"):
        typer.echo("hecbot: --level must be beginner, intermediate or advanced", err=True)
        raise typer.Exit(2)
    settings = settings_or_exit()

    async def run() -> Recommendation:
        async with open_database(settings) as database:
            service = build_course_service(settings, database)
            await service.ensure_catalogue()
            return await service.recommend(
                goal, level=level, hours_per_week=hours, months_available=months
            )

    result = run_async(run())
    if as_json:
        typer.echo(json.dumps(recommendation_json(result), ensure_ascii=False, indent=2))
        return
    typer.echo(render_recommendation_text(result))


tracks_app = typer.Typer(
    help="HEC's tracks: list them, or import/export the tracks YAML without touching the package.",
    invoke_without_command=True,
)
courses_app.add_typer(tracks_app, name="tracks")


@tracks_app.callback()
def tracks(ctx: typer.Context) -> None:
    """List HEC's tracks with their courses (and check them against the catalogue)."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.services.course_wiring import build_course_service

    settings = settings_or_exit()

    async def run() -> None:
        async with open_database(settings) as database:
            service = build_course_service(settings, database)
            await service.ensure_catalogue()
            by_url = {c.url: c for c in await service.courses()}
            for track in await service.load_tracks(strict=True):
                typer.echo(f"{track.title} [{track.id}]")
                for position, url in enumerate(track.course_urls, start=1):
                    course = by_url.get(url)
                    label = f"{course.title} ({course.level})" if course else url
                    typer.echo(f"  {position}. {label}")

    run_async(run())


@tracks_app.command("import")
def import_tracks(
    file: Annotated[Path, typer.Argument(help="A tracks YAML (see `tracks export`).")],
) -> None:
    """Replace HEC's tracks: checked against the catalogue (every problem with its line);
    running bots use them from their next request."""
    from bot.services.course_tracks import TrackValidationError
    from bot.services.course_wiring import build_course_service
    from bot.storage.db import Database

    settings = settings_or_exit()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"hecbot: cannot read {file}: {error}", err=True)
        raise typer.Exit(2) from None

    async def run() -> int:
        database = Database(settings.effective_database_url)
        try:
            await database.migrate()
            service = build_course_service(settings, database)
            await service.ensure_catalogue()
            return len(await service.import_tracks(text, by="cli"))
        finally:
            await database.close()

    try:
        count = run_async(run())
    except TrackValidationError as error:
        typer.echo(f"{file.name}: not imported, {len(error.problems)} problem(s):", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{file.name}: {count} tracks imported; running bots use them from now on")


@tracks_app.command("export")
def export_tracks() -> None:
    """Print the tracks YAML in force (HEC's last import, else the bundled one)."""
    from bot.services.course_wiring import build_course_service
    from bot.storage.db import Database

    settings = settings_or_exit()

    async def run() -> str:
        database = Database(settings.effective_database_url)
        try:
            await database.migrate()
            return await build_course_service(settings, database).tracks_text()
        finally:
            await database.close()

    typer.echo(run_async(run()), nl=False)


def recommendation_json(result: Recommendation) -> dict[str, object]:
    from bot.services.course_recommender import shown_fields

    return {
        "status": result.status.value,
        "goal": result.goal,
        "level": result.level,
        "hours_per_week": result.hours_per_week,
        "track": result.track.id if result.track else None,
        "total_weeks": result.total_weeks,
        "weeks_available": result.weeks_available,
        "fits": result.fits,
        "trimmed_for_time": result.trimmed_for_time,
        "courses": [shown_fields(item) for item in result.courses],
        "nearest_tracks": [track.id for track in result.nearest_tracks],
        "latency_ms": result.latency_ms,
    }


def render_recommendation_text(result: Recommendation) -> str:
    from bot.services.course_recommender import RecommendationStatus

    if result.status is RecommendationStatus.UNCLEAR_GOAL:
        return 'I could not tell what you want to learn. Try e.g. "become a data analyst".'
    if result.status is RecommendationStatus.NO_FIT:
        nearest = ", ".join(track.title for track in result.nearest_tracks)
        return f"No course in the catalogue fits that goal. Nearest tracks: {nearest}"
    lines = []
    if result.track:
        lines.append(f"HEC track: {result.track.title}")
    for number, item in enumerate(result.courses, start=1):
        course = item.course
        rating = f"{course.rating:.1f}★" if course.rating is not None else "no rating"
        part_of = f"\n   part of: {item.part_of}" if item.part_of else ""
        lines.append(
            f"{number}. {course.title} — {course.partner}; {course.level}; {course.duration}; "
            f"{rating}; ~{item.weeks_at_pace or '?'} weeks\n   why: {reason_text(item)}"
            f"{part_of}\n   {course.url}"
        )
    lines.append(
        f"In all ~{result.total_weeks} weeks at {result.hours_per_week} h/week; the licence "
        f"leaves ~{result.weeks_available:.0f} weeks."
    )
    if not result.fits:
        lines.append("This goal does not fit that time: above is the shortest useful start.")
    elif result.trimmed_for_time:
        lines.append("A fuller path would not fit that time; this one keeps to what does.")
    return "\n".join(lines)


def reason_text(item: RecommendedCourse) -> str:
    from bot.services.course_recommender import ReasonKind

    reason = item.reason
    if reason.kind is ReasonKind.TRACK:
        return f"course {reason.position} of HEC's {reason.track_title} track"
    if reason.kind is ReasonKind.FOUNDATION:
        return f"the foundation later courses build on ({', '.join(reason.skills)})"
    return ", ".join(reason.skills) or "matches the words of your goal"


@courses_app.command("seed-vectors")
def seed_vectors() -> None:
    """Recompute the shipped vectors of the bundled sample catalogue (after editing it)."""
    import tempfile

    from bot.services.course_embeddings import COURSE_VECTOR_SEEDS, Vectors, save_seed_vectors
    from bot.services.course_wiring import build_course_service
    from bot.storage.db import Database

    settings = settings_or_exit()
    with tempfile.TemporaryDirectory() as scratch:
        scratch_settings = settings.model_copy(
            update={
                "data_dir": Path(scratch),
                "database": settings.database.model_copy(update={"url": None}),
            }
        )

        async def run() -> dict[str, Vectors]:
            database = Database(scratch_settings.effective_database_url)
            try:
                await database.migrate()
                # Computed afresh: the shipped file being replaced must not be read.
                service = build_course_service(scratch_settings, database, seed_dir=None)
                await service.ensure_catalogue()
                await service.embed_catalogue()
                return await service.stored_vectors()
            finally:
                await database.close()

        vectors = run_async(run())
        path = save_seed_vectors(COURSE_VECTOR_SEEDS, vectors)
        typer.echo(f"wrote {path} ({len(vectors)} vectors)")
