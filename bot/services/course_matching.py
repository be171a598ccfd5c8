"""Words -> skills: tokens, Roman Urdu and Urdu script read as English, misspellings mended,
career words and careers expanded to skills, and the test that tells a course-choice question
from a programme-rules question.

The vocabulary is data (`bot/data/course_vocabulary.yaml`); Urdu-script loanwords are read with
the knowledge base's reader (`knowledge.language`), so the chat and the recommender understand
the same words. Pure functions over text; the recommender builds on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from knowledge.language import (
    english_skeletons,
    english_zipf,
    urdu_skeleton,
)

VOCABULARY_PATH = Path(__file__).resolve().parent.parent / "data" / "course_vocabulary.yaml"
_URDU_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
FUZZY_MIN_SCORE = 84.0


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The recommender's words, read from the vocabulary data file."""

    stopwords: frozenset[str]
    roman_urdu_filler: frozenset[str]
    intent_words: frozenset[str]
    roman_urdu_phrases: dict[str, str]
    roman_urdu_words: dict[str, str]
    urdu_phrases: dict[str, str]
    urdu_words: dict[str, str]
    career_words: dict[str, tuple[str, ...]]
    goal_skills: dict[str, tuple[str, ...]]
    token_synonyms: dict[str, str]
    prerequisites: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls, path: Path = VOCABULARY_PATH) -> Vocabulary:
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        urdu = {str(k): str(v) for k, v in (raw.get("urdu_words") or {}).items()}
        return cls(
            stopwords=frozenset(str(raw["stopwords"]).split()),
            roman_urdu_filler=frozenset(str(raw["roman_urdu_filler"]).split()),
            intent_words=frozenset(str(raw["intent_words"]).split()),
            roman_urdu_phrases={str(k): str(v) for k, v in raw["roman_urdu_phrases"].items()},
            roman_urdu_words={str(k): str(v) for k, v in raw["roman_urdu_words"].items()},
            urdu_phrases={k: v for k, v in urdu.items() if " " in k},
            urdu_words={k: v for k, v in urdu.items() if " " not in k},
            career_words=_skill_lists(raw.get("career_words")),
            goal_skills=_skill_lists(raw["goal_skills"]),
            token_synonyms={str(k): str(v) for k, v in raw["token_synonyms"].items()},
            prerequisites=_skill_lists(raw.get("prerequisites")),
        )


def _skill_lists(raw: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        return {}
    return {str(k).lower(): tuple(str(s).lower() for s in v) for k, v in raw.items()}


@cache
def vocabulary() -> Vocabulary:
    return Vocabulary.load()


# Course-choice cues vs programme-rules cues, for `is_course_question`.
_CHOICE_CUES = re.compile(
    r"\b(which|what|recommend\w*|suggest\w*|best|good|choose|pick|should i|path|track|"
    r"become|learn|study|start|konsa|konsi|kaunsa|kaunsi|kon sa|kaun sa|kon si|konse|"
    r"banna|seekh\w*|sikh\w*)\b"
)
_COURSE_CUES = re.compile(
    r"\b(courses?|kors|speciali[sz]ations?|certificates? (?:course|program)|tracks?|"
    r"learning path|what (?:to|should i) (?:learn|study)|learn|seekh\w*|sikh\w*|become|banna)\b"
)
_RULES_CUES = re.compile(
    r"\b(licen[cs]e\w*|eligib\w*|deadline\w*|apply|applied|application|register\w*|"
    r"enrol\w*|invite|invitation|login|log in|password|account|email|fee|fees|free|cost|"
    r"pay\w*|price|refund|focal|expire\w*|expiry|extend\w*|download|complete|completed|"
    r"grade|quiz|audit|how many|kab|kitne|kitni|status|problem|error|issue|not working)\b"
)


def base_words() -> frozenset[str]:
    """English words the vocabulary itself knows (goal phrases, skills, synonyms)."""
    return _base_words(vocabulary())


@cache
def _base_words(vocab: Vocabulary) -> frozenset[str]:
    words: set[str] = set()
    for table in (vocab.goal_skills, vocab.career_words):
        for key, skills in table.items():
            words.update(key.split())
            for skill in skills:
                words.update(skill.split())
    words.update(vocab.token_synonyms)
    words.update(vocab.token_synonyms.values())
    words.update(vocab.urdu_words.values())
    words.update(vocab.intent_words)
    return frozenset(w for w in words if re.fullmatch(r"[a-z][a-z+#&\-]*", w))


@cache
def _skeleton_index(known: frozenset[str]) -> dict[str, str]:
    """Consonant skeleton -> the known English word it most likely spells (longest first, as
    longer words are rarer and more specific)."""
    index: dict[str, str] = {}
    for word in sorted(known, key=lambda w: (-len(w), w)):
        if len(word) < 3:
            continue
        for skeleton in english_skeletons(word):
            if len(skeleton) >= 2:
                index.setdefault(skeleton, word)
    return index


def _read_urdu(text: str, known: frozenset[str]) -> str:
    """Urdu script -> English words: the vocabulary's phrases and words, then loanwords read by
    their consonant skeleton against the known words (a two-word spelling like فری لانسر is
    tried joined first)."""
    vocab = vocabulary()
    padded = f" {' '.join(text.split())} "
    for phrase, english in sorted(vocab.urdu_phrases.items(), key=lambda p: -len(p[0])):
        padded = padded.replace(f" {phrase} ", f" {english} ")
    words = padded.split()
    index = _skeleton_index(known)
    out: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        if not _URDU_LETTER.search(word):
            out.append(word)
            position += 1
            continue
        if word in vocab.urdu_words:
            out.append(vocab.urdu_words[word])
            position += 1
            continue
        if position + 1 < len(words) and _URDU_LETTER.search(words[position + 1]):
            joined = urdu_skeleton(word + words[position + 1])
            if joined and len(joined) >= 4 and joined in index:
                out.append(index[joined])
                position += 2
                continue
        skeleton = urdu_skeleton(word)
        if skeleton and len(skeleton) >= 3 and skeleton in index:
            out.append(index[skeleton])
        position += 1
    return " ".join(out)


def _mend(word: str, known: frozenset[str]) -> str:
    """A misspelt English word -> the closest known word ("machne" -> "machine")."""
    if len(word) < 4 or word in known or not word.isalpha():
        return word
    vocab = vocabulary()
    if (
        word in vocab.stopwords
        or word in vocab.intent_words
        or word in vocab.roman_urdu_filler
        or english_zipf(word) >= 3.0
    ):
        return word
    match = process.extractOne(word, known, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE)
    return str(match[0]) if match else word


def normalise_text(text: str, known: frozenset[str] | None = None) -> str:
    """Lowercase English: Urdu script and Roman Urdu translated, misspellings mended against
    `known` words (the vocabulary's and the catalogue's), punctuation turned into spaces."""
    vocab = vocabulary()
    known = base_words() | known if known else base_words()
    lowered = text.lower()
    if _URDU_LETTER.search(lowered):
        lowered = _read_urdu(re.sub(r"[^\w&+#\-]+", " ", lowered), known)
    lowered = " " + re.sub(r"[^\w&+#\-]+", " ", lowered) + " "
    for phrase, english in vocab.roman_urdu_phrases.items():
        lowered = lowered.replace(f" {phrase} ", f" {english} ")
    words = [
        vocab.roman_urdu_words.get(word, word)
        for word in lowered.split()
        if word not in vocab.roman_urdu_filler
    ]
    return " ".join(_mend(word, known) for word in words)


_TOKEN_WORD = re.compile(r"[a-z0-9][a-z0-9+#&]*")


def tokens(text: str) -> list[str]:
    """Topic tokens of an English text: stopwords dropped, synonyms folded, plurals cut."""
    text = text.lower().replace("e-commerce", "ecommerce")
    return [token for word in _TOKEN_WORD.findall(text) if (token := _token(word))]


@lru_cache(maxsize=200_000)
def _token(word: str) -> str:
    """One word's token ('' for a stopword); cached: a catalogue repeats its words."""
    vocab = vocabulary()
    if word in vocab.stopwords or (len(word) < 2 and word not in ("r", "c")):
        return ""
    return _singular(vocab.token_synonyms.get(word, word))


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics")):
        return word[:-1]
    return word


@lru_cache(maxsize=100_000)
def _skill_phrases(skill: str) -> tuple[str, ...]:
    lowered = skill.lower().strip()
    phrases = [re.sub(r"\s*\([^)]*\)", "", lowered).strip()]
    phrases.extend(alias.strip() for alias in re.findall(r"\(([^)]*)\)", lowered))
    return tuple(phrase for phrase in phrases if phrase)


def skill_phrases(skill: str) -> list[str]:
    """A catalogue skill and its parenthesised alias: 'Data Visualization (DataViz)' ->
    ['data visualization', 'dataviz']."""
    return list(_skill_phrases(skill))


@dataclass(frozen=True)
class GoalQuery:
    """A learner's goal as the recommender uses it."""

    original: str
    english: str
    goal_tokens: tuple[str, ...]
    expanded_skills: tuple[str, ...]
    query_tokens: tuple[str, ...]
    intent_only: bool
    has_language: bool
    matched_goals: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.goal_tokens

    def embedding_text(self) -> str:
        # Short on purpose: query latency grows with length, and the expansions already count
        # in the lexical half.
        return " ".join(self.english.split()[:24])


@cache
def _known_tokens(known: frozenset[str]) -> frozenset[str]:
    return frozenset(token for word in known | base_words() for token in tokens(word))


def interpret_goal(goal: str, known: frozenset[str] | None = None) -> GoalQuery:
    """Translate, mend, tokenise and expand a goal ('mujhe data analyst banna hai' -> data
    analysis, sql, excel...; 'مشین لرننگ' -> machine learning). `known` adds the catalogue's
    words to the vocabulary misspellings and Urdu loanwords are matched against.

    Career words ("freelancer", "Fiverr", "earn online", "job") say what the learner wants to
    do with a skill; they add skills only when the goal names no topic of its own."""
    vocab = vocabulary()
    english = normalise_text(goal, known)
    padded = f" {english} "
    folded = f" {' '.join(tokens(english))} "

    def said(key: str) -> bool:  # as written, or as tokens ("websites" says "website")
        return f" {key} " in padded or f" {' '.join(tokens(key))} " in folded

    matched = [key for key in vocab.goal_skills if said(key)]
    careers = [key for key in vocab.career_words if said(key)]
    career_tokens = {token for key in vocab.career_words for token in tokens(key)}
    goal_tokens = tokens(english)
    topic = [
        token
        for token in goal_tokens
        if token not in vocab.intent_words and token not in career_tokens
    ]
    expanded: list[str] = []
    for key in matched:
        for skill in vocab.goal_skills[key]:
            if skill not in expanded:
                expanded.append(skill)
    known_tokens = _known_tokens(known or frozenset())
    if not matched and not any(token in known_tokens for token in topic):
        for key in careers:
            for skill in vocab.career_words[key]:
                if skill not in expanded:
                    expanded.append(skill)
        matched = careers
    said_intent = any(token in vocab.intent_words for token in goal_tokens)
    query = list(topic)
    for skill in expanded:
        query.extend(token for token in tokens(skill) if token not in query)
    return GoalQuery(
        original=goal,
        english=english.strip(),
        goal_tokens=tuple(topic) if topic else tuple(t for t in goal_tokens if t in career_tokens),
        expanded_skills=tuple(expanded),
        query_tokens=tuple(query),
        intent_only=not topic and not expanded and said_intent,
        # Function words ("I want to...", "mujhe ... hai") mean a sentence, not keyboard noise.
        has_language=any(
            word in vocab.stopwords or word in vocab.intent_words or word in vocab.roman_urdu_filler
            for word in re.findall(r"[a-z]+", f"{goal.lower()} {english}")
        )
        or bool(_URDU_LETTER.search(goal) and english),
        matched_goals=tuple(matched),
    )


def skills_matching(course_skills: Iterable[str], query: GoalQuery) -> list[str]:
    """Which of a course's skills the goal asks for (shown as 'why it fits')."""
    wanted_phrases = {phrase for skill in query.expanded_skills for phrase in skill_phrases(skill)}
    wanted_tokens = set(query.query_tokens)
    matched: list[str] = []
    seen: set[str] = set()
    for skill in course_skills:
        phrases = skill_phrases(skill)
        if not phrases or phrases[0] in seen:  # "Data Visualization" and "... (DataViz)"
            continue
        seen.add(phrases[0])
        if any(phrase in wanted_phrases for phrase in phrases):
            matched.append(skill)
            continue
        skill_tokens = set(tokens(phrases[0]))
        if skill_tokens and skill_tokens <= wanted_tokens:
            matched.append(skill)
    return matched


def is_course_question(text: str) -> bool:
    """True for "which course for cloud?" / "cloud ke liye konsa course" / "ویب ڈویلپر بننے کے
    لیے کونسا کورس" / "what should I learn to become a data analyst"; False for questions about
    the programme's rules (licences, eligibility, deadlines, certificates, accounts), which the
    knowledge base answers (its glossary reads the rules' words in Urdu script too)."""
    lowered = " ".join(text.lower().split())
    if not lowered or lowered.startswith("/"):
        return False
    english = normalise_text(lowered)
    combined = f"{lowered} {english}"
    if _URDU_LETTER.search(lowered):
        from knowledge.language import normalise_query

        combined = f"{combined} {' '.join(normalise_query(text).glossed)}"
    if _RULES_CUES.search(combined):
        return False
    if not _CHOICE_CUES.search(combined):
        return False
    if _COURSE_CUES.search(combined) and re.search(r"\b(courses?|kors|track|path)\b", combined):
        return True
    # "I want to become a data analyst", "mujhe cloud seekhna hai": a goal with a known topic.
    goal = interpret_goal(lowered)
    return bool(goal.matched_goals) and bool(_COURSE_CUES.search(combined))
