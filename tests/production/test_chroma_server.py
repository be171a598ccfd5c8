"""The knowledge index on a Chroma server (`CHROMA_URL`), shared by several engines.

A real `chroma run` server (it works offline); indexing through the `hecbot kb index` CLI; two
engine instances (as two bot instances would hold) answer from the same index and see a later
CLI re-index; the server going away gives learners a polite reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import ClientError, ClientSession

from bot.config import Settings
from bot.errors import KnowledgeUnavailableError
from bot.services.knowledge_bridge import SharedIndexEngine, build_knowledge_engine
from bot.services.questions import QuestionService
from bot.storage.db import Database
from tests.production.tcp_proxy import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

CHROMA = Path(sys.executable).with_name("chroma")
HECBOT = Path(sys.executable).with_name("hecbot")


def start_chroma(path: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_for_chroma(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with ClientSession() as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(ClientError, OSError):
                async with http.get(f"{url}/api/v2/heartbeat") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.3)
    raise AssertionError(f"chroma server at {url} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def chroma_port() -> int:
    if not CHROMA.exists():
        pytest.fail(f"{CHROMA} is missing: chromadb's server entry point is part of the lock")
    return free_port()


@pytest.fixture
async def chroma_url(tmp_path: Path, chroma_port: int) -> AsyncIterator[str]:
    process = start_chroma(tmp_path / "chroma-server", chroma_port)
    url = f"http://127.0.0.1:{chroma_port}"
    try:
        await wait_for_chroma(url)
        yield url
    finally:
        stop(process)


def run_hecbot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HECBOT), *args],
        check=False,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=400,
    )


@pytest.fixture
def cli_env(tmp_path: Path, chroma_url: str) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HECBOT_", "CHROMA_"))}
    env.update({"CHROMA_URL": chroma_url, "HECBOT_DATA_DIR": str(tmp_path / "cli-data")})
    yield env


def engine_settings(tmp_path: Path, name: str, chroma_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        HECBOT_DATA_DIR=tmp_path / name, CHROMA_URL=chroma_url, KNOWLEDGE_REFRESH_SECONDS=0.01
    )


async def test_two_engines_share_the_index_the_cli_built_and_see_a_reindex(
    tmp_path: Path, chroma_url: str, cli_env: dict[str, str]
):
    indexed = run_hecbot("kb", "index", "--bundled", env=cli_env, cwd=tmp_path)
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr
    assert not (tmp_path / "cli-data" / "chroma").exists(), "indexed locally, not on the server"

    first = build_knowledge_engine(engine_settings(tmp_path, "bot1", chroma_url))
    second = build_knowledge_engine(engine_settings(tmp_path, "bot2", chroma_url))
    assert isinstance(first, SharedIndexEngine) and isinstance(second, SharedIndexEngine)
    question = "How do I get a Coursera licence?"
    answers = [await first.ask(question), await second.ask(question)]
    assert not answers[0].abstained
    assert answers[0].text == answers[1].text
    assert first.health().ok and first.health().chunks == second.health().chunks

    new_rule = tmp_path / "kb-extra" / "sports-quota.md"
    new_rule.parent.mkdir()
    new_rule.write_text(
        "# Sports quota\n\n## Zebrafinch athletes\n\nZebrafinch athletes receive two extra "
        "Coursera licences each semester after the sports directorate confirms their roster.\n"
    )
    before = await second.ask("How many licences do zebrafinch athletes receive?")
    reindexed = run_hecbot("kb", "index", str(new_rule.parent), env=cli_env, cwd=tmp_path)
    assert reindexed.returncode == 0, reindexed.stdout + reindexed.stderr
    await asyncio.sleep(0.05)  # past the (test-short) refresh interval
    after = await second.ask("How many licences do zebrafinch athletes receive?")
    assert "zebrafinch" not in before.text.lower()
    assert "two extra" in after.text.lower(), after.text


async def test_a_rule_edited_in_place_reaches_a_running_engine_after_a_reindex(
    tmp_path: Path, chroma_url: str, cli_env: dict[str, str]
):
    """An operator's usual change: a number in a rule. The chunk count stays the same."""
    rule = tmp_path / "library" / "borrowing.md"
    rule.parent.mkdir()
    text = "# Borrowing\n\n## Late returns\n\nA late book costs Rs. 20 per day, up to Rs. 500.\n"
    rule.write_text(text)
    indexed = run_hecbot(
        "kb", "index", str(rule.parent), "--as", "library", env=cli_env, cwd=tmp_path
    )
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr
    engine = build_knowledge_engine(engine_settings(tmp_path, "bot1", chroma_url))
    assert isinstance(engine, SharedIndexEngine)
    await engine.warm_up()
    question = "What is the fine for a late book?"
    assert "Rs. 20 per day" in (await engine.ask(question)).text

    rule.write_text(text.replace("Rs. 20 per day", "Rs. 30 per day"))
    reindexed = run_hecbot(
        "kb", "index", str(rule.parent), "--as", "library", env=cli_env, cwd=tmp_path
    )
    assert "replaced 1" in reindexed.stdout, reindexed.stdout + reindexed.stderr
    await asyncio.sleep(0.05)  # past the (test-short) refresh interval
    after = await engine.ask(question)
    assert "Rs. 30 per day" in after.text, after.text
    await engine.close()


async def test_an_unreachable_chroma_server_is_a_polite_try_again(
    tmp_path: Path, database: Database
):
    port = free_port()  # nothing listens here: the server is down
    engine = build_knowledge_engine(engine_settings(tmp_path, "bot1", f"http://127.0.0.1:{port}"))
    questions = QuestionService(database, engine)
    with pytest.raises(KnowledgeUnavailableError):
        await questions.ask(5_000_000_401, "How do I get a Coursera licence?", channel="telegram")
    assert not engine.health().ok


async def test_a_chroma_server_that_never_answers_is_a_try_again_not_a_hang(
    tmp_path: Path, database: Database
):
    connections: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)  # accepts the connection, reads the request, never answers
        while await reader.read(4096):
            pass

    port = free_port()
    server = await asyncio.start_server(silent, "127.0.0.1", port)
    engine = build_knowledge_engine(engine_settings(tmp_path, "bot1", f"http://127.0.0.1:{port}"))
    # Imported ahead (seconds of CPU on a loaded machine), so the 2 s deadline is spent waiting
    # on the server, which the question has reached by then.
    await asyncio.to_thread(importlib.import_module, "chromadb")
    questions = QuestionService(database, engine, answer_timeout_seconds=2)
    try:
        # "no answer within 2 s" is said only when the 2 s deadline expired (QuestionService.
        # _call_answerer), and the server stays silent until the finally below, so nothing else
        # could end the question. Without the deadline the question waits on the server: the
        # guard (only there to keep a regression from hanging the suite, and to reach the
        # finally that frees the engine's waiting thread) raises TimeoutError instead.
        with pytest.raises(KnowledgeUnavailableError, match="no answer within 2 s"):
            await asyncio.wait_for(
                questions.ask(
                    5_000_000_402, "How do I get a Coursera licence?", channel="telegram"
                ),
                60,
            )
        assert connections, "the question never reached the server"
    finally:
        # Closing the server's side ends the engine's thread still waiting on it.
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()
