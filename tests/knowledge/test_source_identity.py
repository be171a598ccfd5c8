"""A knowledge-base document is the same document wherever its folder is on disk.

A data dir indexed from one checkout (or release directory, or venv) and then from another held
every passage twice: the folder's absolute path was part of each document's identity.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge.chunking import split_document
from knowledge.config import KnowledgeConfig
from knowledge.engine import KnowledgeEngine
from knowledge.errors import SourceNameError
from knowledge.index import PENDING_HASH
from knowledge.loaders import iter_document_files, load_document

from .conftest import LICENCE_MD, build_fixture_kb, hash_engine_at


def _knowledge_base(folder: Path) -> Path:
    docs = build_fixture_kb(folder)
    shutil.rmtree(docs / "bad")
    return docs


def _no_passage_twice(engine: KnowledgeEngine) -> None:
    texts = Counter((c.source, c.section, c.text) for c in engine.store.all_chunks())
    assert [key for key, count in texts.items() if count > 1] == []


def test_the_same_folder_at_a_second_path_is_not_indexed_twice(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    first_copy = _knowledge_base(tmp_path / "x" / "knowledge" / "data")
    first = hash_engine.index_paths([first_copy])
    chunks = hash_engine.store.count()
    assert len(first.added) == 5

    moved = tmp_path / "release-2" / "knowledge" / "data"
    shutil.copytree(first_copy, moved)
    again = hash_engine.index_paths([moved])
    assert sorted(again.unchanged) == sorted(first.added)
    assert not again.added and not again.replaced and not again.removed
    assert hash_engine.store.count() == chunks
    _no_passage_twice(hash_engine)


def test_an_edited_file_at_the_new_path_replaces_the_old_text(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    old = _knowledge_base(tmp_path / "x" / "knowledge" / "data")
    hash_engine.index_paths([old])
    new = tmp_path / "wt-y" / "knowledge" / "data"
    shutil.copytree(old, new)
    (new / "licence.md").write_text(LICENCE_MD.replace("six months", "nine months"), "utf-8")
    (new / "notice.txt").unlink()

    report = hash_engine.index_paths([new])
    assert report.replaced == ["licence.md"]
    assert report.removed == ["notice.txt"]
    assert len(report.unchanged) == 3
    texts = " ".join(c.text for c in hash_engine.store.all_chunks())
    assert "nine months" in texts and "six months" not in texts
    assert "orientation webinar" not in texts
    _no_passage_twice(hash_engine)
    fresh = hash_engine_at(tmp_path / "fresh")
    fresh.index_paths([new])
    assert hash_engine.store.count() == fresh.store.count()
    ids = {c.id for c in fresh.store.all_chunks()}
    assert {c.id for c in hash_engine.store.all_chunks()} == ids


def _store_as_before(engine: KnowledgeEngine, folder: Path) -> None:
    """Write the folder's chunks as earlier releases did: the folder's absolute path as root."""
    from knowledge.chunking import content_hash

    root = str(folder.resolve())
    for path in iter_document_files(folder):
        source = path.relative_to(folder).as_posix()
        chunks = split_document(
            load_document(path), source=source, root=root, file_hash=PENDING_HASH
        )
        engine.store.add_chunks(chunks)
        engine.store.record_hash(chunks, content_hash(path.read_bytes()))


def test_records_of_an_older_release_are_kept_once_and_an_edit_replaces_them(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    old = _knowledge_base(tmp_path / "x" / "knowledge" / "data")
    _store_as_before(hash_engine, old)
    new = tmp_path / "y" / "knowledge" / "data"
    shutil.copytree(old, new)
    (new / "licence.md").write_text(LICENCE_MD.replace("six months", "nine months"), "utf-8")

    report = hash_engine.index_paths([new])
    assert report.replaced == ["licence.md"]
    assert len(report.unchanged) == 4 and not report.added and not report.removed
    assert {(c.root, c.origin) for c in hash_engine.store.all_chunks()} == {("data", str(new))}
    texts = " ".join(c.text for c in hash_engine.store.all_chunks())
    assert "nine months" in texts and "six months" not in texts
    _no_passage_twice(hash_engine)
    assert len(hash_engine.index_paths([new]).unchanged) == 5


def test_an_index_holding_two_copies_from_an_older_release_is_left_with_one(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    first = _knowledge_base(tmp_path / "x" / "knowledge" / "data")
    second = tmp_path / "wt-y" / "knowledge" / "data"
    shutil.copytree(first, second)
    _store_as_before(hash_engine, first)
    _store_as_before(hash_engine, second)  # the bug: every passage twice
    assert len(hash_engine.list_sources()) == 5  # `kb list` already shows each document once

    report = hash_engine.index_paths([second])
    assert len(report.replaced) == 5 and not report.added
    _no_passage_twice(hash_engine)
    fresh = hash_engine_at(tmp_path / "fresh")
    fresh.index_paths([second])
    assert hash_engine.store.count() == fresh.store.count()


def test_old_records_of_the_same_folder_in_place_are_migrated_without_embedding(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    docs = _knowledge_base(tmp_path / "docs")
    _store_as_before(hash_engine, docs)
    assert hash_engine.remove_source(str(docs / "notice.txt")) == ["notice.txt"]
    report = hash_engine.index_paths([docs])
    assert len(report.unchanged) == 4 and report.added == ["notice.txt"]
    _no_passage_twice(hash_engine)


def test_folders_of_different_names_keep_files_of_the_same_name_apart(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    policies, notices = tmp_path / "policies", tmp_path / "notices"
    for folder, text in (
        (policies, "Seats are kept by weekly learning."),
        (notices, "The helpdesk is closed on Fridays."),
    ):
        folder.mkdir()
        (folder / "README.md").write_text(f"# Readme\n\n{text}\n", encoding="utf-8")
    assert hash_engine.index_paths([policies]).added == ["README.md"]
    assert hash_engine.index_paths([notices]).added == ["README.md"]
    assert sorted((s.root, s.source) for s in hash_engine.list_sources()) == [
        ("notices", "README.md"),
        ("policies", "README.md"),
    ]
    # Re-indexing one folder leaves the other's file alone.
    (policies / "README.md").unlink()
    assert hash_engine.index_paths([policies]).removed == ["README.md"]
    assert [(s.root, s.source) for s in hash_engine.list_sources()] == [("notices", "README.md")]


def test_a_different_folder_of_the_same_name_is_refused_until_it_is_named(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    a, b = tmp_path / "a" / "docs", tmp_path / "b" / "docs"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    (a / "rules.md").write_text("# Rules\n\nSeats are kept by weekly learning.\n", "utf-8")
    (b / "other.md").write_text("# Other\n\nThe helpdesk is closed on Fridays.\n", "utf-8")
    hash_engine.index_paths([a])

    refused = hash_engine.index_paths([b])
    assert not refused.added and not refused.removed  # nothing of either folder changed
    [(path, reason)] = refused.failed
    assert path == str(b) and str(a) in reason and "--as NAME" in reason
    assert [(s.root, s.source) for s in hash_engine.list_sources()] == [("docs", "rules.md")]

    # Named, the two folders are kept apart.
    apart = hash_engine.index_paths([b], named={b: "helpdesk"})
    assert apart.added == ["other.md"] and not apart.removed and not apart.failed
    assert sorted((s.root, s.source) for s in hash_engine.list_sources()) == [
        ("docs", "rules.md"),
        ("helpdesk", "other.md"),
    ]
    assert hash_engine.index_paths([b], named={b: "helpdesk"}).unchanged == ["other.md"]

    # Named as the other's documents: a new copy of that folder, which takes their place.
    hash_engine.remove_source("helpdesk/other.md")
    taking = hash_engine.index_paths([b], named={b: "docs"})
    assert taking.added == ["other.md"] and taking.removed == ["rules.md"]
    assert any(str(a) in w and str(b) in w for w in taking.warnings), taking.warnings
    # Once the first folder is gone (a moved release), nothing to refuse or warn about.
    hash_engine.index_paths([a], named={a: "docs"})
    shutil.rmtree(a)
    moved = hash_engine.index_paths([b])
    assert not moved.failed and moved.warnings == []


def test_a_name_that_is_not_one_path_part_is_refused(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    docs = _knowledge_base(tmp_path / "docs")
    for wrong in ("", " ", "a/b", "..", "c\\d"):
        with pytest.raises(SourceNameError):
            hash_engine.index_paths([docs], named={docs: wrong})
    assert hash_engine.list_sources() == []


def test_a_file_named_alone_does_not_replace_another_folders_document(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    bundled = _knowledge_base(tmp_path / "app" / "knowledge" / "data")
    hash_engine.index_paths([bundled])
    mine = tmp_path / "mine" / "data" / "licence.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("# My licence notes\n\nAsk the registrar first.\n", encoding="utf-8")

    refused = hash_engine.index_paths([mine])
    assert refused.failed and not refused.replaced
    assert "registrar" not in " ".join(c.text for c in hash_engine.store.all_chunks())
    named = hash_engine.index_paths([mine], named={mine: "my-notes"})
    assert named.added == ["licence.md"]
    assert ("my-notes", "licence.md") in {(s.root, s.source) for s in hash_engine.list_sources()}
    assert len(hash_engine.list_sources()) == 6  # the five bundled ones kept


def test_a_missing_path_drops_only_what_was_indexed_from_it(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    docs = _knowledge_base(tmp_path / "x" / "data")
    hash_engine.index_paths([docs])
    # Another folder of the same name that was never indexed: a typo, not a deletion.
    typo = hash_engine.index_paths([tmp_path / "typo" / "data"])
    assert typo.failed and not typo.removed
    assert len(hash_engine.list_sources()) == 5
    single = tmp_path / "single.md"
    single.write_text("# Single\n\nA rule of its own.\n", encoding="utf-8")
    assert hash_engine.index_paths([single]).added == ["single.md"]
    single.unlink()
    assert hash_engine.index_paths([single]).removed == ["single.md"]
    assert len(hash_engine.list_sources()) == 5


def test_a_file_of_an_indexed_folder_named_alone_is_the_same_document(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    docs = _knowledge_base(tmp_path / "docs")
    (docs / "sub").mkdir()
    (docs / "sub" / "deep.md").write_text("# Deep\n\nA rule in a subfolder.\n", "utf-8")
    hash_engine.index_paths([docs])
    chunks = hash_engine.store.count()
    assert hash_engine.index_paths([docs / "sub" / "deep.md"]).unchanged == ["sub/deep.md"]
    assert hash_engine.store.count() == chunks


def test_kb_remove_by_path_and_kb_list_after_a_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_cli import _hash_engine_app

    app = _hash_engine_app(tmp_path, monkeypatch)
    runner = CliRunner()
    old = _knowledge_base(tmp_path / "x" / "knowledge" / "data")
    assert runner.invoke(app, ["kb", "index", str(old)]).exit_code == 0
    new = tmp_path / "y" / "knowledge" / "data"
    shutil.copytree(old, new)
    moved = runner.invoke(app, ["kb", "index", str(new)])
    assert moved.exit_code == 0, moved.output
    assert "added 0, replaced 0, unchanged 5, removed 0" in moved.stdout
    listed = runner.invoke(app, ["kb", "list"]).stdout
    assert listed.count("licence.md") == 1
    removed = runner.invoke(app, ["kb", "remove", str(new / "licence.md")])
    assert removed.exit_code == 0, removed.output
    assert "licence.md" not in runner.invoke(app, ["kb", "list"]).stdout
    # By folder name and source, too.
    assert runner.invoke(app, ["kb", "remove", "data/notice.txt"]).exit_code == 0
    assert "notice.txt" not in runner.invoke(app, ["kb", "list"]).stdout


def test_kb_index_keeps_a_data_folder_of_ones_own_apart_from_the_bundled_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled knowledge base is the folder `knowledge/data`: HEC's own folder `data` had
    its identity, and indexing it removed every bundled rule."""
    from .test_cli import _hash_engine_app

    app = _hash_engine_app(tmp_path, monkeypatch)
    runner = CliRunner()
    assert runner.invoke(app, ["kb", "index", "--bundled"]).exit_code == 0
    bundled = runner.invoke(app, ["kb", "list"]).stdout
    own = tmp_path / "hec" / "data"
    own.mkdir(parents=True)
    (own / "helpdesk.md").write_text("# Helpdesk\n\nThe helpdesk is closed on Fridays.\n")

    refused = runner.invoke(app, ["kb", "index", str(own)])
    assert refused.exit_code == 1
    assert "--as NAME" in refused.stdout and "added 0" in refused.stdout
    assert runner.invoke(app, ["kb", "list"]).stdout == bundled  # no bundled rule removed

    named = runner.invoke(app, ["kb", "index", str(own), "--as", "hec-helpdesk"])
    assert named.exit_code == 0, named.output
    assert "added 1" in named.stdout and "removed 0" in named.stdout
    listed = runner.invoke(app, ["kb", "list"]).stdout
    assert "hec-helpdesk" in listed and "helpdesk.md" in listed
    assert "licence-terms.md" in listed  # the bundled rules are still there

    two = runner.invoke(app, ["kb", "index", str(own), str(tmp_path), "--as", "x"])
    assert two.exit_code == 1 and "--as names one path" in two.output


def test_make_runs_kb_index_leaves_the_sample_out_of_an_index_holding_ones_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run` and `make chat` ran `hecbot kb index --bundled` on every start: over an
    operator's own knowledge base the sample programme's rules (DLSEI, Coursera licences) then
    answered their learners. With --unless-own the sample goes only into an index without one."""
    from .conftest import make_app
    from .test_cli import _hash_engine_app

    own = tmp_path / "bootcamp-rules"
    own.mkdir()
    (own / "joining.md").write_text("# Joining\n\n## Who can join\n\nAnyone aged 18 to 30.\n")
    make_run = ["kb", "index", "--bundled", "--unless-own"]
    runner = CliRunner()

    fresh = _hash_engine_app(tmp_path / "fresh", monkeypatch)
    first = runner.invoke(fresh, make_run)
    assert first.exit_code == 0, first.output
    assert "licence-terms.md" in runner.invoke(fresh, ["kb", "list"]).stdout

    operator = make_app(KnowledgeConfig(data_dir=tmp_path / "operator" / "data"))  # patched
    indexed = runner.invoke(operator, ["kb", "index", str(own), "--as", "bootcamp"])
    assert indexed.exit_code == 0, indexed.output
    started = runner.invoke(operator, make_run)
    assert started.exit_code == 0, started.output
    assert "your own knowledge base (bootcamp)" in started.output
    listed = runner.invoke(operator, ["kb", "list"]).stdout
    assert "joining.md" in listed and "licence-terms.md" not in listed

    # Indexed beside the sample an earlier `make run` added: the sample stays, said loudly.
    runner.invoke(fresh, ["kb", "index", str(own), "--as", "bootcamp"])
    beside = runner.invoke(fresh, make_run)
    assert beside.exit_code == 0 and "still indexed beside yours" in beside.output
    # --bundled alone still indexes the sample, as asked.
    assert runner.invoke(operator, ["kb", "index", "--bundled"]).exit_code == 0
    assert "licence-terms.md" in runner.invoke(operator, ["kb", "list"]).stdout


def test_a_folder_indexed_under_a_name_of_its_own_keeps_it_when_indexed_again_without(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    """`kb index PATH --as idlp`, then (after an edit) `kb index PATH` as the habit goes: the
    same documents, not a second copy of each under the folder's own name (`outside8`: every
    passage was then in the index twice)."""
    docs = _knowledge_base(tmp_path / "handbook-2027")
    first = hash_engine.index_paths([docs], named={docs: "idlp"})
    (docs / "licence.md").write_text(LICENCE_MD.replace("six months", "nine months"), "utf-8")
    again = hash_engine.index_paths([docs])
    assert again.replaced == ["licence.md"] and not again.added and not again.failed
    assert sorted(again.unchanged) == sorted(set(first.added) - {"licence.md"})
    assert {s.root for s in hash_engine.list_sources()} == {"idlp"}
    _no_passage_twice(hash_engine)
