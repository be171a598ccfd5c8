from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from aiohttp import web
from typer.testing import CliRunner

from knowledge.answering import ABSTAIN_TEXT
from knowledge.config import KnowledgeConfig, LLMConfig
from knowledge.engine import KnowledgeEngine, build_engine
from knowledge.evaluate import EvalQuestion, run_questions, run_questions_as_the_bot, summarise
from knowledge.retrieval import RetrievalMode
from tests.knowledge.conftest import make_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The client's bound where the fake server is meant to answer: generous, because a timeout falls
# back to the extractive answer and a test that expects the model's verdict would then fail on
# a loaded machine (seen once at load 8 with 1 s). Only the timeout test uses a short bound.
ANSWER_TIMEOUT_S = 30.0


class FakeOpenAI:
    """An OpenAI-compatible /v1/chat/completions server on loopback with a chosen behaviour."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.prompts: list[str] = []
        # A "slow" answer waits for this (far past the client's timeout); set at teardown, so
        # the server's shutdown does not wait out the sleep.
        self.release = asyncio.Event()

    async def completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.prompts.append("\n".join(m["content"] for m in body["messages"]))
        if self.behaviour == "error":
            return web.json_response({"error": {"message": "boom"}}, status=500)
        if self.behaviour == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), 5)
        content = "A licence lasts one cohort of six months [1]."
        question = body["messages"][-1]["content"].rpartition("Question:")[2]
        if self.behaviour == "judge" and "Coursera Plus" in question:
            # What a model does when the passages talk of licences but not of Coursera Plus.
            content = "NOT_IN_SOURCES"
        return web.json_response(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )


@pytest.fixture
async def fake_llm(request: pytest.FixtureRequest) -> AsyncIterator[tuple[FakeOpenAI, str]]:
    server = FakeOpenAI(request.param)
    app = web.Application()
    app.router.add_post("/v1/chat/completions", server.completions)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield server, f"http://127.0.0.1:{port}/v1"
    server.release.set()
    await runner.cleanup()


def llm_engine(
    engine: KnowledgeEngine, base_url: str, timeout_s: float = ANSWER_TIMEOUT_S
) -> KnowledgeEngine:
    config = replace(
        engine.config,
        llm=LLMConfig(provider="openai", model="fake", base_url=base_url, timeout_s=timeout_s),
    )
    # The session engine's embedder, handed in: not the new engine's to close at its shutdown.
    llm = KnowledgeEngine(config, embedder=engine.store.embedder)
    # Reuse the session's loaded store and retriever (same index, no reload).
    llm._store, llm._retriever = engine.store, engine.retriever
    return llm


@pytest.mark.parametrize("fake_llm", ["ok"], indirect=True)
async def test_llm_answer_uses_only_retrieved_passages(engine: KnowledgeEngine, fake_llm) -> None:
    server, url = fake_llm
    answer = await llm_engine(engine, url).ask("How long does a licence last?")
    assert answer.text == "A licence lasts one cohort of six months [1]."
    assert not answer.abstained
    assert answer.citations[0].source == "licence.md"
    prompt = server.prompts[0]
    assert "Use ONLY the numbered passages" in prompt
    assert "[1] Licence rules > How long a licence lasts" in prompt


@pytest.mark.parametrize("fake_llm", ["error", "slow"], indirect=True)
async def test_llm_failure_or_timeout_falls_back_to_extractive(
    engine: KnowledgeEngine, fake_llm
) -> None:
    server, url = fake_llm
    # A short bound, so the slow server's answer (5 s away) is given up.
    answer = await llm_engine(engine, url, timeout_s=1.0).ask("How long does a licence last?")
    assert server.prompts, "the LLM was not called"
    assert not answer.abstained
    assert "six months" in answer.text
    assert answer.text == engine.answer_sync("How long does a licence last?").text


PLUS_QUESTION = "How long does a Coursera Plus licence last?"


@pytest.mark.parametrize("fake_llm", ["judge"], indirect=True)
async def test_the_llm_finding_no_answer_in_the_passages_is_an_abstention(
    engine: KnowledgeEngine, fake_llm
) -> None:
    server, url = fake_llm
    # Retrieval alone would answer: the passages are about how long a licence lasts.
    assert not engine.answer_sync(PLUS_QUESTION).abstained
    answer = await llm_engine(engine, url).ask(PLUS_QUESTION)
    assert server.prompts, "the LLM was not asked"
    assert answer.abstained
    assert answer.text == ABSTAIN_TEXT
    assert answer.citations == []
    # The same server still answers what the passages do answer.
    answered = await llm_engine(engine, url).ask("How long does a licence last?")
    assert not answered.abstained
    assert answered.text == "A licence lasts one cohort of six months [1]."


@pytest.mark.parametrize("fake_llm", ["judge"], indirect=True)
async def test_evaluation_as_the_bot_counts_the_llms_abstentions(
    engine: KnowledgeEngine, fake_llm
) -> None:
    _, url = fake_llm
    questions = [
        EvalQuestion("in", "How long does a licence last?", "en", True, ("licence.md",), None, "x"),
        EvalQuestion("out", PLUS_QUESTION, "en", False, (), None, "x"),
    ]
    extractive = summarise(run_questions(engine, questions, [RetrievalMode.HYBRID]))
    as_the_bot = summarise(await run_questions_as_the_bot(llm_engine(engine, url), questions))
    overall = next(row for row in extractive if row.group == "all")
    with_llm = next(row for row in as_the_bot if row.group == "all")
    assert overall.oos_abstained == 0.0
    assert with_llm.oos_abstained == 1.0
    assert with_llm.false_abstention == 0.0
    assert with_llm.hit3 == 1.0


@pytest.mark.parametrize("fake_llm", ["ok"], indirect=True)
async def test_llm_is_not_asked_when_the_kb_has_no_answer(
    engine: KnowledgeEngine, fake_llm
) -> None:
    server, url = fake_llm
    answer = await llm_engine(engine, url).ask("Give me a recipe for chicken biryani")
    assert answer.abstained
    assert server.prompts == []


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    executable = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    if not Path(executable).exists():
        pytest.skip("LOUD SKIP: the `chroma` CLI is not installed; HttpClient path untested")
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--path",
            str(tmp_path_factory.mktemp("chroma-server")),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.skip("LOUD SKIP: `chroma run` exited at start-up; HttpClient untested")
                time.sleep(0.2)
        else:
            pytest.skip("LOUD SKIP: `chroma run` did not listen within 60 s; HttpClient untested")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_index_and_answer_through_a_chroma_server(
    chroma_server: str, fixture_kb: Path, tmp_path: Path
) -> None:
    config = KnowledgeConfig(data_dir=tmp_path / "data", chroma_url=chroma_server)
    server_engine = build_engine(config)
    report = server_engine.index_paths([fixture_kb / "licence.md", fixture_kb / "helpdesk.html"])
    assert sorted(report.added) == ["helpdesk.html", "licence.md"]
    assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded on local disk
    answer = server_engine.answer_sync("How do I contact the helpdesk?")
    assert not answer.abstained
    assert "helpdesk@dlsei.example.pk" in answer.text
    # A second engine (another bot process) sees the same index through the server.
    again = build_engine(config)
    assert {s.source for s in again.list_sources()} == {"helpdesk.html", "licence.md"}
    assert again.stats().size_bytes is None
    assert again.index_paths([fixture_kb / "licence.md"]).unchanged == ["licence.md"]


@pytest.mark.parametrize("fake_llm", ["judge"], indirect=True)
async def test_kb_eval_with_llm_answers_through_the_configured_model(
    fake_llm, fixture_kb: Path, tmp_path: Path
) -> None:
    server, url = fake_llm
    questions = tmp_path / "questions.yaml"
    questions.write_text(
        yaml.safe_dump(
            {
                "questions": [
                    {
                        "id": "a",
                        "question": "How long does a licence last?",
                        "lang": "en",
                        "in_scope": True,
                        "expected_source": "licence.md",
                        "fact": "six months",
                    },
                    {
                        "id": "b",
                        "question": PLUS_QUESTION,
                        "lang": "en",
                        "in_scope": False,
                        "expected_source": None,
                        "fact": None,
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    config = KnowledgeConfig(
        data_dir=tmp_path / "data",
        llm=LLMConfig(provider="openai", model="fake", base_url=url, timeout_s=ANSWER_TIMEOUT_S),
    )
    table = tmp_path / "table.md"
    args = ["kb", "eval", "--llm", "--questions", str(questions), "--kb", str(fixture_kb)]
    # The CLI runs its own event loop; the fake server needs this one free meanwhile.
    result = await asyncio.to_thread(
        CliRunner().invoke, make_app(config), [*args, "--markdown", str(table)]
    )
    assert result.exit_code == 0, result.output
    assert len(server.prompts) == 2
    markdown = table.read_text(encoding="utf-8")
    assert "answered through the LLM" in markdown
    overall = next(line for line in markdown.splitlines() if "| hybrid | all |" in line)
    cells = [cell.strip() for cell in overall.strip("|").split("|")]
    assert cells[6:8] == ["1.00", "0.00"]  # OOS abstained, false abstention
    assert "| bm25 |" not in markdown  # the bot's path only


def test_kb_eval_with_llm_needs_one_configured(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        make_app(KnowledgeConfig(data_dir=tmp_path / "data")), ["kb", "eval", "--llm"]
    )
    assert result.exit_code == 2
    assert "LLM_PROVIDER" in result.output
