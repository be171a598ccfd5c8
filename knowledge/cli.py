"""Typer commands of the knowledge engine: ``hecbot kb ...`` and ``hecbot ask``.

The app mounts ``kb_app`` and ``ask_app`` (``ask_command``) in bot/cli/root.py. Commands take the
:class:`KnowledgeConfig` from ``ctx.obj`` (set by the app's callback), falling back to
:func:`default_config` (environment variables) when run alone.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shlex
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from knowledge.config import (
    BUNDLED_KB_DIR,
    EMBEDDING_SEEDS_DIR,
    KnowledgeConfig,
    LLMConfig,
    RetrievalThresholds,
    default_config,
)
from knowledge.errors import KnowledgeError

if TYPE_CHECKING:
    from rich.console import Console

    from knowledge.answers import Answer
    from knowledge.calibrate import SettingResult
    from knowledge.engine import KnowledgeEngine
    from knowledge.index import IndexProgress

# The engine (chromadb, langchain, the embedding model) and rich's progress bars and tables are
# imported inside the commands, so `hecbot --help` and commands that never touch the index start
# quickly.

kb_app = typer.Typer(help="Manage the knowledge base index.", no_args_is_help=True)

# Folders of the index that are no knowledge base of the operator's own: the bundled sample's
# and the bot's FAQ entries (hecbot indexes them from HECBOT_DATA_DIR/faq, beside any rules).
NOT_OWN_FOLDERS = frozenset({BUNDLED_KB_DIR.name, "faq"})


def _config(ctx: typer.Context) -> KnowledgeConfig:
    obj = ctx.obj
    if isinstance(obj, KnowledgeConfig):
        return obj
    if isinstance(obj, dict):
        nested = obj.get("knowledge")
        if isinstance(nested, KnowledgeConfig):
            return nested
    return default_config()


def _engine(ctx: typer.Context) -> KnowledgeEngine:
    """The engine of the configuration; shut down (its threads, its Chroma client) when the
    command ends, so a command run in-process (the tests', a caller's) leaves nothing running."""
    from knowledge.engine import build_engine

    engine = build_engine(_config(ctx))
    ctx.call_on_close(engine.shutdown)
    return engine


def _console(*, stderr: bool = False) -> Console:
    # rich.console is imported when a command prints, not when the CLI is loaded: `hecbot --help`
    # must not pay for it (issue 16).
    from rich.console import Console

    return Console(stderr=stderr)


def _fail(console: Console, exc: Exception) -> typer.Exit:
    console.print(f"[red]Error:[/red] {exc}")
    return typer.Exit(code=1)


@kb_app.command("index")
def index_command(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to index.")] = None,
    *,
    rebuild: Annotated[
        bool, typer.Option(help="Drop the index first (e.g. new embedder).")
    ] = False,
    bundled: Annotated[
        bool, typer.Option("--bundled", help="Also index the sample knowledge base shipped here.")
    ] = False,
    name: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Know the documents of the one path by this name instead of its folder's "
            "(two folders of one name: a data folder of your own beside the bundled one).",
        ),
    ] = None,
    unless_own: Annotated[
        bool,
        typer.Option(
            "--unless-own",
            help="With --bundled: leave the sample out when the index already holds a "
            "knowledge base of your own (`make run` and `make chat` pass it).",
        ),
    ] = False,
) -> None:
    """Index Markdown, text, HTML, PDF and DOCX files; unchanged files are skipped.

    A document is known by its folder's name (or --as NAME) and its path in the folder; a
    folder whose name is taken by the documents of another folder still on disk is refused
    (give it its own name with --as). Exits with status 1 when a path is missing or refused or
    any file could not be indexed (each is listed with its reason); a folder with nothing to
    index is a warning.
    """
    console = _console(stderr=True)
    paths = [*(paths or []), *([BUNDLED_KB_DIR] if bundled else [])]
    if not paths:
        raise _fail(console, ValueError("name files or folders to index, or pass --bundled"))
    if name is not None and len(paths) != 1:
        raise _fail(console, ValueError("--as names one path: index the others in another run"))
    named = {paths[0]: name} if name is not None else None
    engine = _engine(ctx)
    if bundled and unless_own:
        # The sample's rules (another programme's) must not answer the learners of a knowledge
        # base of one's own: `make run` once added them to every index it started on.
        try:
            roots = {info.root for info in engine.list_sources()}
        except KnowledgeError as exc:
            raise _fail(console, exc) from exc
        own = sorted(roots - NOT_OWN_FOLDERS)
        if own:
            console.print(
                f"The index holds your own knowledge base ({', '.join(own)}): "
                "the bundled sample is left out.",
                soft_wrap=True,
            )
            if BUNDLED_KB_DIR.name in roots:
                console.print(
                    "[yellow]Warning:[/yellow] the sample's documents are still indexed beside "
                    "yours (`hecbot kb list`); `hecbot kb index --rebuild PATH --as NAME` "
                    "rebuilds the index from yours alone.",
                    soft_wrap=True,
                )
            paths = [path for path in paths if path != BUNDLED_KB_DIR]
            if not paths:
                return
    try:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        with Progress(
            TextColumn("[bold]Indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("", total=None)

            def advance(event: IndexProgress) -> None:
                progress.update(
                    task, completed=event.done, total=event.total, description=event.source
                )

            report = engine.index_paths(paths, progress=advance, rebuild=rebuild, named=named)
    except KnowledgeError as exc:
        raise _fail(console, exc) from exc
    out = _console()
    out.print(
        f"added {len(report.added)}, replaced {len(report.replaced)}, "
        f"unchanged {len(report.unchanged)}, removed {len(report.removed)}, "
        f"failed {len(report.failed)}; {report.chunks_written} chunks in {report.seconds:.1f} s"
    )
    if report.reread:
        out.print(
            f"read again: {len(report.reread)} of the replaced files, unchanged since they were"
            " indexed, as this release of hecbot reads documents differently",
            soft_wrap=True,
        )
    for warning in report.warnings:
        console.print(f"[yellow]Warning:[/yellow] {warning}", soft_wrap=True)
    for source, reason in report.failed:
        out.print(f"[red]failed[/red] {source}: {reason}", soft_wrap=True)
    if report.failed:
        raise typer.Exit(code=1)


@kb_app.command("seed-cache")
def seed_cache_command(ctx: typer.Context) -> None:
    """Regenerate the shipped passage vectors of the bundled knowledge base (for maintainers)."""
    from knowledge.embeddings import CachedEmbedder, make_embedder
    from knowledge.engine import KnowledgeEngine

    config = _config(ctx)
    inner = make_embedder(config.embedder, config.embed_threads)
    with tempfile.TemporaryDirectory() as scratch:
        embedder = CachedEmbedder(inner, Path(scratch) / "cache.npz")
        scratch_config = dataclasses.replace(config, data_dir=Path(scratch), chroma_url=None)
        with KnowledgeEngine(scratch_config, embedder=embedder) as engine:
            engine.index_paths([BUNDLED_KB_DIR])
            # The sentences the answer composer scores, so that a fresh install embeds none.
            embedder.embed_passages(engine.sentence_texts())
        target = EMBEDDING_SEEDS_DIR / f"{inner.name}.npz"
        embedder.save(target)
    _console().print(f"wrote {embedder.size} passage vectors to {target}")


@kb_app.command("list")
def list_command(ctx: typer.Context) -> None:
    """List indexed documents, by the name of the folder they were indexed from and their
    path in it (a document's identity, wherever the folder is on disk)."""
    try:
        sources = _engine(ctx).list_sources()
    except KnowledgeError as exc:
        raise _fail(_console(stderr=True), exc) from exc
    from rich.table import Table

    table = Table("folder", "source", "title", "chunks", "effective")
    for info in sources:
        table.add_row(
            info.root, info.source, info.title, str(info.chunks), info.effective_date or ""
        )
    _console().print(table)


@kb_app.command("stats")
def stats_command(ctx: typer.Context) -> None:
    """Show documents, chunks, embedder and index size."""
    try:
        stats = _engine(ctx).stats()
    except KnowledgeError as exc:
        raise _fail(_console(stderr=True), exc) from exc
    size = f"{stats.size_bytes / 1e6:.1f} MB" if stats.size_bytes is not None else "n/a (server)"
    _console().print(
        f"documents: {stats.documents}\nchunks: {stats.chunks}\nembedder: {stats.embedder}\n"
        f"size: {size}\nlocation: {stats.location}"
    )


@kb_app.command("remove")
def remove_command(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            help="Source (faq.md), FOLDER/SOURCE as `kb list` shows, or the file's path."
        ),
    ],
) -> None:
    """Remove a document from the index (a bare source name: from every folder that has it)."""
    try:
        removed = _engine(ctx).remove_source(source)
    except KnowledgeError as exc:
        raise _fail(_console(stderr=True), exc) from exc
    if not removed:
        _console(stderr=True).print(f"[red]No indexed document matches {source!r}.[/red]")
        raise typer.Exit(code=1)
    _console().print(f"removed {', '.join(removed)}")


# The options `kb eval` and `kb calibrate` share: which questions, about which documents.
QuestionSetOption = Annotated[Path, typer.Option(help="Question set (YAML).")]
QuestionDocumentsOption = Annotated[Path, typer.Option(help="Documents the questions are about.")]
DEFAULT_QUESTION_SET = Path("knowledge/eval/questions.yaml")
DEFAULT_QUESTION_DOCUMENTS = Path("knowledge/data")


@kb_app.command("eval")
def eval_command(
    ctx: typer.Context,
    questions: QuestionSetOption = DEFAULT_QUESTION_SET,
    kb: QuestionDocumentsOption = DEFAULT_QUESTION_DOCUMENTS,
    *,
    markdown: Annotated[Path | None, typer.Option(help="Also write the table here.")] = None,
    llm: Annotated[
        bool,
        typer.Option(
            "--llm",
            help="Answer through the configured LLM (LLM_PROVIDER...), as the bot does; "
            "hybrid retrieval only.",
        ),
    ] = False,
    hybrid_only: Annotated[
        bool, typer.Option("--hybrid-only", help="Skip the BM25-only and dense-only baselines.")
    ] = False,
) -> None:
    """Evaluate hybrid, BM25-only and dense-only retrieval on a question set."""
    from knowledge.engine import build_engine
    from knowledge.evaluate import (
        TABLE_HEADER,
        load_questions,
        run_questions,
        run_questions_as_the_bot,
        summarise,
        table_cells,
        to_markdown,
    )

    base = _config(ctx)
    if llm and not base.llm.provider:
        _console(stderr=True).print(
            "[red]--llm needs an LLM: set LLM_PROVIDER and LLM_MODEL (see .env.example).[/red]"
        )
        raise typer.Exit(code=2)
    items = load_questions(questions)
    with tempfile.TemporaryDirectory(prefix="hecbot-eval-") as tmp:
        # A private index, so evaluating never touches the live one. No query-vector cache:
        # each mode re-asks the same questions, and the latency columns are of encoding them.
        config = KnowledgeConfig(
            data_dir=Path(tmp),
            embedder=base.embedder,
            thresholds=base.thresholds,
            query_cache_size=0,
            llm=base.llm if llm else LLMConfig(),
        )
        with build_engine(config) as engine:
            engine.index_paths([kb])
            if llm:
                rows = summarise(asyncio.run(run_questions_as_the_bot(engine, items)))
            else:
                from knowledge.retrieval import RetrievalMode

                modes = [RetrievalMode.HYBRID] if hybrid_only else list(RetrievalMode)
                rows = summarise(run_questions(engine, items, modes))
    from rich.table import Table

    table = Table(*TABLE_HEADER)
    for row in rows:
        table.add_row(*table_cells(row))
    _console().print(table)
    if markdown is not None:
        title = f"Evaluation on {questions}" + (" (answered through the LLM)" if llm else "")
        markdown.write_text(to_markdown(rows, title), encoding="utf-8")


@kb_app.command("calibrate")
def calibrate_command(
    ctx: typer.Context,
    questions: QuestionSetOption = DEFAULT_QUESTION_SET,
    kb: QuestionDocumentsOption = DEFAULT_QUESTION_DOCUMENTS,
    split: Annotated[str, typer.Option(help="Only questions of this split.")] = "dev",
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Only questions in this language (en, roman_ur, ur)."),
    ] = None,
) -> None:
    """Choose the abstention thresholds on one split (knowledge/calibrate.py), for all
    questions or, with --lang, for one language's floors."""
    from knowledge.calibrate import (
        choose,
        grid_settings,
        judge_setting,
        knob_margins,
        retrieve_questions,
    )
    from knowledge.engine import build_engine
    from knowledge.evaluate import load_questions

    base = _config(ctx)
    items = [
        q
        for q in load_questions(questions)
        if q.split == split and (lang is None or q.lang == lang)
    ]
    # Both kept until the command ends (the margins below judge more settings), then the engine
    # is shut down and the folder removed, in that order.
    tmp = ctx.with_resource(tempfile.TemporaryDirectory(prefix="hecbot-calibrate-"))
    config = KnowledgeConfig(data_dir=Path(tmp), embedder=base.embedder, thresholds=base.thresholds)
    engine = ctx.with_resource(build_engine(config))
    engine.index_paths([kb])
    current = base.thresholds_for(lang) if lang else base.thresholds
    retrieved = retrieve_questions(engine.retriever, items)

    def judge(thresholds: RetrievalThresholds) -> SettingResult:
        return judge_setting(engine.retriever, retrieved, thresholds)

    results = [judge(setting) for setting in grid_settings(current)]
    from rich.table import Table

    table = Table(
        "min_dense",
        "strong_dense",
        "unsupported_min_z",
        "min_coverage",
        "topic_margin",
        "OOS",
        "false",
    )
    ranked = sorted(results, key=lambda r: (-r.oos_rate, r.false_rate))
    within = [r for r in ranked if r.false_rate <= 0.05] or [
        r for r in ranked if r.floor_false_rate <= 0.05
    ]
    for r in within[:10]:
        t = r.thresholds
        table.add_row(
            f"{t.min_dense:.2f}",
            f"{t.strong_dense:.2f}",
            f"{t.unsupported_min_z:g}",
            f"{t.min_coverage:.2f}",
            "off" if t.topic_margin is None else f"{t.topic_margin:g}",
            f"{r.oos_abstained}/{r.out_of_scope}",
            f"{r.false_abstained}/{r.in_scope}",
        )
    console = _console()
    which = f"split {split!r}" + (f", language {lang!r}" if lang else "")
    console.print(f"{len(items)} questions of {which}; settings within the target:")
    console.print(table)
    chosen = choose(results, current)
    if chosen is None:
        console.print("no setting keeps false abstention within 0.05")
        raise typer.Exit(code=1)
    t = chosen.thresholds
    console.print(
        f"chosen: min_dense={t.min_dense:.2f} strong_dense={t.strong_dense:.2f} "
        f"unsupported_min_z={t.unsupported_min_z:g} min_coverage={t.min_coverage:.2f} "
        f"topic_margin={'off' if t.topic_margin is None else f'{t.topic_margin:g}'} "
        f"(OOS {chosen.oos_abstained}/{chosen.out_of_scope}, "
        f"false {chosen.false_abstained}/{chosen.in_scope})"
    )
    # How fragile each value is: a floor a hair from the next dev question flipping will not
    # carry to new questions. The current floors too, when the choice differs.
    shown = [("chosen", t)] + ([("current", current)] if t != current else [])
    for name, thresholds in shown:
        console.print(f"margins of the {name} setting (one knob moved at a time):")
        for margin in knob_margins(thresholds, judge):
            console.print(f"  {margin.describe()}", highlight=False, soft_wrap=True)


def ask_command(
    ctx: typer.Context,
    question: Annotated[str | None, typer.Argument(help="Question; omit to read stdin.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="The learner's language, en or ur (default: the question's)."),
    ] = None,
    choice: Annotated[
        str | None,
        typer.Option(
            "--choice",
            help="Answer from this rule (an id the question back offered, as a button does).",
        ),
    ] = None,
) -> None:
    """Answer a question, or each line of standard input, from the knowledge base.

    When two rules could be meant, the bot asks "Do you mean (a) ... or (b) ...?" and answers
    only once one is tapped: so does this command (the choices and their ids; the JSON has
    ``asked_back`` and ``choices``), and ``--choice ID`` answers from the one picked."""
    if lang not in {None, "en", "ur"}:
        _console(stderr=True).print("[red]--lang must be en or ur.[/red]")
        raise typer.Exit(code=2)
    engine = _engine(ctx)
    health = engine.health()
    if not health.ok:
        # Every question would be "I don't know" with nothing to say why (an empty index), or
        # fail on a missing index server: say what is wrong before answering.
        _console(stderr=True).print(f"[yellow]warning: {health.detail}[/yellow]", highlight=False)
    lines = [question] if question is not None else (line.rstrip("\n") for line in sys.stdin)
    console = _console()
    try:
        for line in lines:
            if not line.strip():
                continue
            if choice is None:
                answer = asyncio.run(engine.ask(line, lang))
            else:
                # "en": the question's script still decides (Urdu script is answered in Urdu).
                chosen = asyncio.run(engine.answer_choice(line, choice, lang or "en"))
                if chosen is None:
                    _console(stderr=True).print(
                        f"[red]No rule {choice!r} in the index (re-indexed since?).[/red]",
                        highlight=False,
                    )
                    raise typer.Exit(code=2)
                answer = chosen
            if as_json:
                sys.stdout.write(json.dumps(answer.to_json_dict(), ensure_ascii=False) + "\n")
                sys.stdout.flush()
                continue
            console.print(f"[bold]Q:[/bold] {answer.question}")
            if answer.asked_back:
                _print_question_back(console, answer)
                continue
            console.print(answer.text, markup=False)
            for number, citation in enumerate(answer.citations, start=1):
                where = f" › {citation.section}" if citation.section else ""
                console.print(
                    f"  [{number}] {citation.title}{where} ({citation.source})", markup=False
                )
                if citation.translation_source:
                    console.print(
                        f"      {citation.translation_title} › {citation.translation_section}"
                        f" ({citation.translation_source})",
                        markup=False,
                    )
            console.print(f"[dim]{answer.latency_ms:.0f} ms[/dim]\n")
    except KnowledgeError as exc:
        raise _fail(_console(stderr=True), exc) from exc


def _print_question_back(console: Console, answer: Answer) -> None:
    """What the bot shows for two rules the question could mean: the question back, not the
    composed answer (it answers once one is chosen), and how to choose here."""
    console.print("Do you mean:", markup=False)
    for letter, offered in zip("ab", answer.choices, strict=False):
        where = f" › {offered.section}" if offered.section else ""
        console.print(f"  ({letter}) {offered.title}{where}", markup=False)
        console.print(f"      --choice {offered.chunk_id}", markup=False, highlight=False)
    console.print(
        f"Answer from one: hecbot ask --choice ID {shlex.quote(answer.question)}\n",
        style="dim",
        markup=False,
        highlight=False,
    )


# `hecbot ask` (a command of the top level, so a group without a name).
ask_app = typer.Typer()
ask_app.command("ask")(ask_command)
