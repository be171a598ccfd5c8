"""Language detection, normalisation and a Roman Urdu / Urdu → English glossary.

The knowledge base is written in (British) English. Learners write English (often American
spelling), Roman Urdu (Urdu in Latin letters, spelt many ways) or Urdu script. BM25 can only
match English words, so questions are normalised and the Urdu/Roman Urdu *vocabulary of the
programme* (licence, certificate, apply, how, when...) is mapped to the words the rules use.
The glossary is general programme vocabulary, not phrases from any evaluation question.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Protocol

import snowballstemmer
from spellchecker import SpellChecker


class Language(StrEnum):
    ENGLISH = "en"
    ROMAN_URDU = "roman_ur"
    URDU = "ur"


_URDU_CHAR = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_WORD = re.compile(r"[\w']+", re.UNICODE)

# Letters an Urdu writer may type for the ones the vocabularies use: Arabic-keyboard letters
# (ي ى ك ه); heh and yeh with the izafat hamza (ۂ in "ضابطۂ اخلاق", ۓ), read as the plain
# letters most writers type ("ضابطہ اخلاق"); the Arabic teh marbuta (ۃ ة), written ہ in Urdu;
# and Urdu and Arabic digits (۳۰, ٣٠), which phone keyboards give and the rules write as 30.
# The short-vowel marks are dropped (\w does not take them as part of a word, so "کیَا" would
# split, and a vocabulary row "فوراً" would never meet the question's "فوراً").
_URDU_LETTERS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ه": "ہ",
        "ۂ": "ہ",
        "ۓ": "ئے",
        "ۃ": "ہ",
        "ة": "ہ",
        **{chr(0x06F0 + d): str(d) for d in range(10)},
        **{chr(0x0660 + d): str(d) for d in range(10)},
    }
)
_URDU_MARKS = re.compile("[\u064b-\u0652\u0670]")
# ۂ typed as two characters: heh goal and the combining hamza above.
_HEH_HAMZA = "\u06c1\u0654"


def _urdu_letters(text: str) -> str:
    return _URDU_MARKS.sub("", text.replace(_HEH_HAMZA, "ہ").translate(_URDU_LETTERS))


# The vocabularies are data (knowledge/vocab/, shipped with the package) that HEC can extend:
# spelling.tsv (American spellings and misspellings → the rules' British spelling),
# roman_variants.tsv (Roman Urdu spelling variants → one form), glossary_roman_urdu.tsv and
# glossary_urdu.tsv (programme vocabulary → the English words of the rules),
# roman_urdu_lexicon.tsv (everyday Roman Urdu: verbs in their common forms, time words,
# numbers, programme words, each with its other spellings; an empty English column marks a
# grammar word), roman_urdu_phrases.tsv (a word and its verb read as one: "wapas lena",
# withdraw), roman_urdu_function_words.txt, english_stopwords.txt, question_words.txt.
VOCAB_DIR = Path(__file__).parent / "vocab"


def _data_lines(name: str) -> list[list[str]]:
    """The rows of a vocabulary file: tab-separated columns; # starts a comment line."""
    rows: list[list[str]] = []
    for line in (VOCAB_DIR / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        # Read as a question's words are (``_urdu_letters``): a row written with a vowel mark
        # or an Arabic-keyboard letter is still met. Latin text is unchanged.
        rows.append([_urdu_letters(column.strip()) for column in line.split("\t")])
    return rows


def _word_list(name: str) -> frozenset[str]:
    return frozenset(row[0] for row in _data_lines(name))


def _english_words(column: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in column.split(",") if w.strip())


SPELLING: dict[str, str] = {row[0]: row[1] for row in _data_lines("spelling.tsv")}
ROMAN_VARIANTS: dict[str, str] = {row[0]: row[1] for row in _data_lines("roman_variants.tsv")}
GLOSSARY: dict[str, tuple[str, ...]] = {
    row[0]: _english_words(row[1])
    for name in ("glossary_roman_urdu.tsv", "glossary_urdu.tsv")
    for row in _data_lines(name)
}
ROMAN_URDU_FUNCTION_WORDS: frozenset[str] = _word_list("roman_urdu_function_words.txt")
ENGLISH_STOPWORDS: frozenset[str] = _word_list("english_stopwords.txt")
# Question words carry intent but not topic: kept for dense search, ignored for coverage.
QUESTION_WORDS: frozenset[str] = _word_list("question_words.txt")


def _lexicon(name: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """A lexicon file's entries: word → (its other forms and spellings, English words)."""
    return {
        row[0]: (
            _english_words(row[1]) if len(row) > 1 else (),
            _english_words(row[2]) if len(row) > 2 else (),
        )
        for row in _data_lines(name)
    }


# Entries of the Roman Urdu lexicon and the Urdu-script one (word → other spellings, English).
ROMAN_URDU_LEXICON = _lexicon("roman_urdu_lexicon.tsv")
URDU_LEXICON = _lexicon("urdu_lexicon.tsv")
_phrases: list[tuple[str, tuple[str, ...]]] = []
for _lexicon_entries in (ROMAN_URDU_LEXICON, URDU_LEXICON):
    for _word, (_spellings, _english) in _lexicon_entries.items():
        for _spelling in _spellings:
            if " " in _spelling:
                # A form of two words ("ختم ہو") is looked up as a phrase.
                _phrases.append((_spelling, _english))
            # A spelling that is itself a word of the lexicon or the glossary keeps its own sense.
            elif _spelling not in _lexicon_entries and _spelling not in GLOSSARY:
                ROMAN_VARIANTS.setdefault(_spelling, _word)
        if _english:
            GLOSSARY.setdefault(_word, _english)
_phrases.extend((phrase, english) for phrase, english in GLOSSARY.items() if " " in phrase)
for _phrase, _english in _phrases:
    # Phrases are looked up after each word has taken its one spelling ("بھول گئی" is then
    # "بھولنا جانا"), so they are kept in that spelling too.
    if _english:
        _spelled = " ".join(ROMAN_VARIANTS.get(part, part) for part in _phrase.split())
        GLOSSARY.setdefault(_phrase, _english)
        GLOSSARY.setdefault(_spelled, _english)
# Urdu writers join the halves of a compound or not as they please ("ای میل" and "ایمیل",
# "دعوت نامہ" and "دعوتنامہ", "ملے گا" and "ملےگا"); a two-word Urdu-script row is also read
# joined (the other way round, ``_glossary_lookup`` reads two question words joined).
for _phrase, _english in list(GLOSSARY.items()):
    _parts = _phrase.split()
    if len(_parts) == 2 and all(_URDU_CHAR.search(part) for part in _parts):
        GLOSSARY.setdefault("".join(_parts), _english)
ROMAN_URDU_FUNCTION_WORDS = ROMAN_URDU_FUNCTION_WORDS | {
    word for word, (_, english) in ROMAN_URDU_LEXICON.items() if not english and " " not in word
}


# Roman Urdu inflects by endings: a verb's stem takes -na, -ta, -ti, -te, -ega, -ein, -o ...
# (dekhna, dekhta, dekh, dekhni), with -wa- for "have it done" (likhwana), and a noun takes
# -on, -iyan, -ein in the plural (paison, naukriyan). A form the lexicon does not list is read
# as its lexicon word when removing one ending (roman_urdu_endings.txt, or none: "dekh") and
# adding the word's own ending gives one. Longest ending first ("dekhenge": -enge before -e).
_ROMAN_ENDINGS = tuple(sorted({"", *_word_list("roman_urdu_endings.txt")}, key=len, reverse=True))
_ROMAN_WORD_ENDINGS = ("na", "a", "i", "")
# A stem shorter than this ("k", "ba") is too likely to meet the wrong word.
_ROMAN_MIN_STEM = 3


@cache
def roman_lexicon_word(word: str) -> str | None:
    """The lexicon or glossary word an unlisted Roman Urdu form is an inflection of ("seekhni"
    → "seekhna", "likhwa" → "likhna", "paison" → "paisa"), or None. Only for words English
    does not use: "person" is not "pers-" with "-on"."""
    if english_zipf(word) >= ENGLISH_WORD_MIN_ZIPF or not word.isalpha() or not word.isascii():
        return None
    for ending in _ROMAN_ENDINGS:
        if ending and not word.endswith(ending):
            continue
        stem_ = word[: len(word) - len(ending)]
        if len(stem_) < _ROMAN_MIN_STEM:
            continue
        for own in _ROMAN_WORD_ENDINGS:
            candidate = ROMAN_VARIANTS.get(stem_ + own, stem_ + own)
            if candidate != word and (
                candidate in ROMAN_URDU_LEXICON or candidate in ROMAN_GLOSSARY_WORDS
            ):
                return candidate
    return None


def _roman_spelling(word: str) -> str:
    """A Roman Urdu word in the one spelling the vocabularies use."""
    known = ROMAN_VARIANTS.get(word)
    if known is not None:
        return known
    if word in GLOSSARY or word in ROMAN_URDU_LEXICON or word in ROMAN_URDU_FUNCTION_WORDS:
        return word
    return roman_lexicon_word(word) or word


# "parna" is two verbs in Roman Urdu: parhna (to read, پڑھنا) written without its h, and padna
# (to have to, پڑنا), and learners write both "parega". After an infinitive it is always the
# second: "fee deni paregi" (will have to pay), "dobara apply karna parta hai" (one has to
# apply again). The forms are the padna row's of the lexicon.
_COMPULSION_VERB = "padna"
_COMPULSION_FORMS = frozenset({_COMPULSION_VERB, *ROMAN_URDU_LEXICON[_COMPULSION_VERB][0]})
_INFINITIVE_ENDINGS = ("na", "ni", "ne")


def _infinitive(word: str) -> bool:
    """A Roman Urdu infinitive as written ("deni", "karna", "bharne"), not an English word."""
    return (
        len(word) >= 4
        and word.endswith(_INFINITIVE_ENDINGS)
        and english_zipf(word) < ENGLISH_WORD_MIN_ZIPF
        and _roman_spelling(word).endswith(("na", "ne"))
    )


# "kya" asks "what" ("email kya hai?", "ab kya karun?") and also only marks a yes/no question,
# first or last in its clause ("kya main apply kar sakta hoon?", "fees hai kya?"), where it
# means nothing: read as "what" there, it pulls the dense and BM25 search towards headings that
# ask "What ...". Before a form of karna or hona it is "what" wherever it stands ("..., kya
# karun?", "kya hoga?").
_QUESTION_PARTICLE = "kya"
_PARTICLE_READING = "kya?"  # a grammar word no vocabulary glosses ("?" is never in a word)
_WHAT_BEFORE = ("kar", "kr", "ho")
# "do" is the number two before what it counts ("do course", "do din") and the light verb
# "give" after a verb, closing a request ("date bata do", "theek kar do please"): read as
# "2, two" there it made a number decide the match ("licence de do" was answered with "at
# least 2 courses"). The verb ends its clause or stands before a grammar word.
_TWO_OR_GIVE = "do"
_GIVE_READING = "dena"
ROMAN_URDU_FUNCTION_WORDS = ROMAN_URDU_FUNCTION_WORDS | {_PARTICLE_READING}


def _grammar_or_none(word: str) -> bool:
    """No word, or a grammar word of Roman Urdu or English ("na", "please")."""
    return not word or word in ROMAN_URDU_FUNCTION_WORDS or word in ENGLISH_STOPWORDS


def _read_in_context(
    written: list[str],
    read: list[str],
    clauses: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset()),
) -> list[str]:
    """Each word's reading (``read``) with a word of two senses decided by its neighbours
    (``written``, as the learner spelled it; ``clauses``, the indexes of each clause's first
    and of its last word): a form of parna after an infinitive is padna, "kya" at a clause's
    edge is the yes/no particle, and "do" closing a request is the verb "give"."""
    firsts, lasts = clauses
    readings = list(read)
    for i, word in enumerate(written):
        following = read[i + 1] if i + 1 < len(read) and i not in lasts else ""
        if i > 0 and word in _COMPULSION_FORMS and _infinitive(written[i - 1]):
            readings[i] = _COMPULSION_VERB
        elif read[i] == _QUESTION_PARTICLE and (i in firsts or i in lasts):
            if not following.startswith(_WHAT_BEFORE):
                readings[i] = _PARTICLE_READING
        elif word == _TWO_OR_GIVE and i not in firsts and _grammar_or_none(following):
            readings[i] = _GIVE_READING
    return readings


@dataclass(frozen=True)
class _Phrase:
    """A word and a verb read together (vocab/roman_urdu_phrases.tsv)."""

    firsts: frozenset[str]  # the first word's spellings, as written and in their one spelling
    forms: frozenset[str]  # the second word's forms as written
    stems: tuple[str, ...]  # stems any Roman Urdu ending follows ("lag" for lagta, lagenge)
    reading: str  # the glossary key the phrase is read as ("wapas le")


# A phrase's words other than its verb, which carries the phrase's reading, are read as this
# grammar word ("+" is never in a word).
_PHRASE_REST = "phrase+"
# Emphatic particles that may stand inside a phrase ("paise bhi lagenge", "wapas hi le lo").
_PHRASE_PARTICLES = frozenset({"hi", "bhi"})


def _load_phrases() -> list[_Phrase]:
    phrases: list[_Phrase] = []
    for row in _data_lines("roman_urdu_phrases.tsv"):
        spellings = _english_words(row[0])
        forms = _english_words(row[1])
        reading = f"{spellings[0]} {forms[0].rstrip('-')}"
        GLOSSARY[reading] = _english_words(row[2])
        phrases.append(
            _Phrase(
                firsts=frozenset({*spellings, *(ROMAN_VARIANTS.get(s, s) for s in spellings)}),
                forms=frozenset(f for f in forms if not f.endswith("-")),
                stems=tuple(f[:-1] for f in forms if f.endswith("-")),
                reading=reading,
            )
        )
    return phrases


_PHRASES = _load_phrases()
ROMAN_URDU_FUNCTION_WORDS = ROMAN_URDU_FUNCTION_WORDS | {_PHRASE_REST}


def _is_form(phrase: _Phrase, word: str) -> bool:
    """Whether a word as written is one of the phrase's second word's forms."""
    if word in phrase.forms:
        return True
    return any(
        word.startswith(stem_) and word[len(stem_) :] in _ROMAN_ENDINGS for stem_ in phrase.stems
    )


def _read_phrases(written: list[str], read: list[str]) -> list[str]:
    """Each word's reading with the phrases of a word and a verb (``_PHRASES``) read as one:
    the verb takes the phrase's reading and a particle before it becomes a grammar word, as
    does the first word unless English uses it, so "paise lagte hain" is "cost", not "fee"
    and "take", and "quiz de dega" is "quiz" and "take"."""
    readings = list(read)
    i = 0
    while i < len(written) - 1:
        end = _phrase_end(written, read, i)
        if end is None:
            i += 1
            continue
        reading, j = end
        # A first word English uses keeps its own reading too ("quiz de": a quiz, taken);
        # an Urdu one is read only as the phrase ("wapas le": withdraw, not back).
        if english_zipf(written[i]) < ENGLISH_WORD_MIN_ZIPF:
            readings[i] = _PHRASE_REST
        readings[i + 1 : j] = [_PHRASE_REST] * (j - i - 1)
        readings[j] = reading
        i = j + 1
    return readings


def _phrase_end(written: list[str], read: list[str], i: int) -> tuple[str, int] | None:
    """The reading of a phrase starting at word ``i`` and the index of its last word."""
    for phrase in _PHRASES:
        if written[i] not in phrase.firsts and read[i] not in phrase.firsts:
            continue
        j = i + 1
        if written[j] in _PHRASE_PARTICLES and j + 1 < len(written):
            j += 1
        if _is_form(phrase, written[j]):
            return phrase.reading, j
    return None


_CLAUSE_TOKEN = re.compile(r"[\w']+|[,.?!;:]")


def clause_bounds(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """The indexes (among the text's words, as ``_WORD`` finds them) of each clause's first
    word and of its last; clauses end at commas and sentence marks."""
    firsts: set[int] = set()
    lasts: set[int] = set()
    count = 0
    starts_clause = True
    for token in _CLAUSE_TOKEN.findall(text):
        if not token[0].isalnum() and token[0] not in "_'":
            if count and not starts_clause:
                lasts.add(count - 1)
            starts_clause = True
            continue
        if not token.strip("'"):
            continue
        if starts_clause:
            firsts.add(count)
            starts_clause = False
        count += 1
    if count:
        lasts.add(count - 1)
    return frozenset(firsts), frozenset(lasts)


@dataclass(frozen=True)
class NormalisedQuery:
    """A question prepared for retrieval."""

    original: str
    language: Language
    text: str  # normalised, for dense search
    terms: tuple[str, ...]  # English terms for BM25 (question words kept)
    glossed: tuple[str, ...]  # English words that came from the glossary
    # Content of the question for evidence checks: one group per word of the question, holding
    # its English alternatives (a glossary entry's synonyms count once, matched by any of them).
    groups: tuple[tuple[str, ...], ...] = ()
    # Groups whose absence from the (English) knowledge base is no evidence against them:
    # Roman Urdu words that are not English words, and names of the programme's own
    # universities and places (``with_known_names``).
    foreign: frozenset[tuple[str, ...]] = frozenset()
    # The question's own spelling of each stemmed content word ("scholarships" for "scholarship").
    surface: dict[str, str] = field(default_factory=dict)
    # Groups that came from the glossary (programme vocabulary, never "unsupported").
    glossary: frozenset[tuple[str, ...]] = frozenset()
    # Groups read from English loanwords in Urdu script (see urdu_skeleton): their stemmed
    # English readings → the readings as written, most common first ("scholarship").
    loanwords: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    # An Urdu-script question's content words that no vocabulary read into English (not the
    # glossary or lexicon, not as a loanword or a spelt-out acronym, no grammar word), as
    # written: retrieval drops them, and only a knowledge base's own Urdu versions can tell
    # whether a rule uses them (``HybridRetriever.coverage``).
    unread: tuple[str, ...] = ()
    # An Urdu-script question's groups read from its words (glossary, lexicon, loanwords) →
    # for each of those words, its spellings: as written, then the lexicon's head word when it
    # is another ("خرچ", "قیمت"). A rule's Urdu version may use the word where its English text
    # uses another reading than the glossary's; it confirms the reading if it writes either
    # (``HybridRetriever.coverage``, ``used_elsewhere``).
    urdu_spellings: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = field(default_factory=dict)


# Keys of the Roman Urdu glossary (its own words, as opposed to the Urdu-script glossary's).
ROMAN_GLOSSARY_WORDS: frozenset[str] = frozenset(
    row[0] for row in _data_lines("glossary_roman_urdu.tsv") if " " not in row[0]
)
# A Roman Urdu grammar word this common in English ("main", "to", "hi" are English words too)
# is no evidence either way; rarer ones ("ho", "ka", "se", "mere") are Urdu in a question.
ENGLISH_EVERYDAY_ZIPF = 4.5


@cache
def _roman_marker(word: str) -> bool:
    """Whether a word, as written, shows the question is Roman Urdu: a word of the Roman Urdu
    vocabularies that is not also an English word a question would use. A spelling variant
    that is an English word ("the" for "tha", "he" for "hai", "like" for "likhe") is English."""
    if word in ENGLISH_STOPWORDS or word in QUESTION_WORDS:
        return False
    canonical = ROMAN_VARIANTS.get(word, word)
    if canonical in ROMAN_URDU_FUNCTION_WORDS:
        if canonical != word and english_zipf(word) >= ENGLISH_WORD_MIN_ZIPF:
            return False
        return english_zipf(word) < ENGLISH_EVERYDAY_ZIPF
    if canonical in ROMAN_URDU_LEXICON or canonical in ROMAN_GLOSSARY_WORDS:
        # A content word English also uses ("mobile", "degree", "apply") is a loanword.
        return english_zipf(word) < ENGLISH_WORD_MIN_ZIPF
    return False


def _english_marker(word: str) -> bool:
    """An English grammar or question word ("the", "how", "can") that is not Roman Urdu too."""
    if word not in ENGLISH_STOPWORDS and word not in QUESTION_WORDS:
        return False
    return word not in ROMAN_URDU_FUNCTION_WORDS and word not in ROMAN_URDU_LEXICON


def detect_language(text: str) -> Language:
    """Urdu script if Arabic-script letters dominate. Otherwise the question's grammar words
    decide: words only Roman Urdu uses ("kya", "hai", "milega") against words only English
    uses ("the", "how", "can"); words both use ("main", "do", "to") count for neither. Roman
    Urdu needs at least one of its own words and no fewer than English's, so a plain English
    question is never read as Urdu because of a few shared words, and a mixed one ("mera
    licence expire ho gaya, what should I do?") keeps its Urdu reading."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(1 for ch in letters if _URDU_CHAR.match(ch)) / len(letters) >= 0.3:
        return Language.URDU
    words = [w.lower().strip("'") for w in _WORD.findall(text)]
    roman = sum(1 for w in words if _roman_marker(w))
    english = sum(1 for w in words if _english_marker(w))
    if roman >= 1 and roman >= english:
        return Language.ROMAN_URDU
    return Language.ENGLISH


# Urdu inflects nouns and postpositions at the end of the word: داخلہ (admission), داخلے
# (oblique), داخلوں (oblique plural); ڈگری, ڈگریاں; کا, کی, کے. Matching a phrase against a
# question by these forms would miss "داخلے کا ٹیسٹ" for "داخلہ ٹیسٹ".
_URDU_PLURAL_ENDINGS = ("یوں", "یاں", "وں", "یں")
_URDU_INFLECTED_ENDINGS = frozenset("ےہاىیۓ")


def urdu_base_form(word: str) -> str:
    """An Urdu-script word without its inflectional ending (plural, oblique, gender), so the
    forms of one word meet: داخلہ, داخلے and داخلوں all give داخل. Other words are unchanged."""
    if not _URDU_CHAR.search(word):
        return word
    for ending in _URDU_PLURAL_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            word = word[: -len(ending)]
            break
    if len(word) >= 2 and word[-1] in _URDU_INFLECTED_ENDINGS:
        word = word[:-1]
    return word


@cache
def _urdu_base_forms() -> dict[str, str]:
    """Base form (``urdu_base_form``) → the one Urdu-script vocabulary word having it; a base
    form two different words share is left out (it cannot tell them apart)."""
    found: dict[str, str | None] = {}
    words = [w for w in GLOSSARY if " " not in w and _URDU_CHAR.search(w)]
    words += [w for w, (_, english) in URDU_LEXICON.items() if english and " " not in w]
    for word in words:
        base = urdu_base_form(word)
        found[base] = word if found.get(base, word) == word else None
    return {base: word for base, word in found.items() if word is not None}


def urdu_lexicon_word(word: str) -> str | None:
    """The vocabulary word an unlisted Urdu-script form inflects (داخلے → داخلہ, اگلے → اگلا,
    کلاسیں → کلاس), or None."""
    found = _urdu_base_forms().get(urdu_base_form(word))
    return found if found != word else None


# A two-letter word ("دی", "سی") has too little left without its ending to be told apart.
_URDU_MIN_INFLECTED = 3


def _urdu_spelling(word: str) -> str:
    """An Urdu-script word in the one spelling the vocabularies use."""
    word = _urdu_letters(word)
    known = ROMAN_VARIANTS.get(word)
    if known is not None:
        return known
    if (
        word in GLOSSARY
        or word in URDU_FUNCTION_WORDS
        or word in URDU_LETTERS
        or len(word) < _URDU_MIN_INFLECTED
        or not _URDU_CHAR.search(word)
    ):
        return word
    return urdu_lexicon_word(word) or word


def phrase_words(text: str) -> list[str]:
    """Words of a phrase or question for matching phrases (redirect topics): English words as
    BM25 reads them (British spelling, stemmed), Roman Urdu words in their one spelling
    ("dakhlay" → "dakhla"), Urdu-script words in their base form (``urdu_base_form``)."""
    words: list[str] = []
    for raw in _WORD.findall(_urdu_letters(text.lower())):
        word = raw.strip("'")
        if not word:
            continue
        if _URDU_CHAR.search(word):
            words.append(urdu_base_form(word))
            continue
        if english_zipf(word) < ENGLISH_WORD_MIN_ZIPF:
            word = ROMAN_VARIANTS.get(word, word)
        words.extend(tokenize(word))
    return words


def is_urdu_script(word: str) -> bool:
    return bool(_URDU_CHAR.search(word))


# A hyphenated compound of Latin letters ("Wi-Fi", "e-mail", "re-apply", "on-line"), written
# between other words. Writers join the same compound or not as they please ("wifi", "email",
# "reapply", "online"), so its joined form is one more word of the text: the question's
# "wifi" then meets the rules' "Wi-Fi", and the question's "e-mail" the rules' "email". The
# parts stay words too ("self-paced" still meets "self paced"). Digits are left out: "2025-26"
# and "18-25" are ranges, not compounds.
_COMPOUND = re.compile(r"(?<![\w-])[a-z]+(?:[-\u2010][a-z]+)+(?![\w-])")


def hyphenated_compounds(text: str) -> list[tuple[tuple[str, ...], str]]:
    """Each hyphenated compound of the (lower-case) text: its parts and its joined form
    ("wi-fi" → (("wi", "fi"), "wifi"))."""
    found: list[tuple[tuple[str, ...], str]] = []
    if "-" not in text and "\u2010" not in text:
        return found  # most sentences: no scan
    for match in _COMPOUND.finditer(text):
        parts = tuple(re.split("[-\u2010]", match.group()))
        found.append((parts, "".join(parts)))
    return found


# Two words written apart with nothing but spaces between them ("help desk", "log in"):
# a compound written open, when its joined form is a word ("helpdesk", "login").
_OPEN_PAIR = re.compile(r"(?<![\w'-])([a-z]+)[ \t]+(?=([a-z]+)(?![\w'-]))")


def open_pairs(text: str) -> Iterator[tuple[str, str]]:
    """Each two adjacent words of Latin letters in the (lower-case) text with only spaces
    between them: ("help", "desk") for "the help desk." (and ("the", "help"))."""
    for match in _OPEN_PAIR.finditer(text):
        yield match.group(1), match.group(2)


class CompoundVocabulary(Protocol):
    """One knowledge base's words, for reading a compound the question writes otherwise than
    its rules do (``normalise_query``): "helpdesk" where the rules write "help desk", or
    "log in" where they write "login". Spelling of compounds is the writer's choice and no
    list of them is kept: the rules themselves show which form they use."""

    def knows(self, word: str) -> bool:
        """Whether the rules use the (lower-case) word, as BM25 reads it."""
        ...

    def split(self, word: str) -> tuple[str, str] | None:
        """The two words the rules write, next to each other, where the (lower-case) word
        joins them ("helpdesk" → ("help", "desk")), when the rules never write it joined."""
        ...


def joinable(first: str, second: str) -> bool:
    """Whether two words may be the parts of one compound: two letters each at least (a lone
    "a" or "e" joins too much: "a broad", "a part"), not both function words ("in to")."""
    return (
        len(first) >= 2
        and len(second) >= 2
        and not (first in ENGLISH_STOPWORDS and second in ENGLISH_STOPWORDS)
        and f"{first}{second}" not in ENGLISH_STOPWORDS
        and f"{first}{second}" not in QUESTION_WORDS
    )


def _compound_parts(word: str, vocabulary: CompoundVocabulary | None) -> tuple[str, ...]:
    """The words of a glossary's English reading that is a compound: the words of a reading
    of two or more ("help desk"), or a one-word reading the knowledge base writes open
    ("helpdesk" where the rules write "help desk"); () for any other reading."""
    if " " in word:
        return tuple(word.split())
    if vocabulary is None or not word.isascii() or not word.isalpha():
        return ()
    return vocabulary.split(word) or ()


def _read_compounds(
    alternatives: list[tuple[str, ...]], vocabulary: CompoundVocabulary | None
) -> list[tuple[str, ...]]:
    """Glossary hits with each compound reading ("help desk", or "helpdesk" where the rules
    write "help desk") read as its joined form and its words, in the one group: a rule
    using any of them has the question's word, which weighs once, as the one word it is.
    (Two groups, one for each half, weighed the word twice: an Urdu near miss naming the help
    desk in passing, ہیلپ ڈیسک, found half its weight in the help desk rule and was answered.)"""
    groups: list[tuple[str, ...]] = []
    for group in alternatives:
        read: list[str] = []
        for word in group:
            parts = _compound_parts(word, vocabulary)
            if parts:
                read.append("".join(parts))
                read.extend(p for p in parts if _is_content(p))
            else:
                read.append(word)
        groups.append(tuple(dict.fromkeys(read)))
    return groups


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens with British spelling, stemmed (for BM25 and coverage); a
    hyphenated compound gives its parts and its joined form (``hyphenated_compounds``)."""
    tokens: list[str] = []
    lowered = text.lower()
    for raw in _WORD.findall(lowered):
        word = raw.strip("'")
        if not word:
            continue
        tokens.append(bm25_term(word))
    for _, joined in hyphenated_compounds(lowered):
        tokens.append(bm25_term(joined))
    return tokens


_STEMMER = snowballstemmer.stemmer("english")
# The stemmer keeps the word it is working on in its own fields: the engine's answer threads
# stemming at once corrupted each other's words (an IndexError reached learners under load).
# Only cache misses take the lock, and a stem costs microseconds.
_STEMMER_LOCK = threading.Lock()


@cache
def stem(word: str) -> str:
    """Snowball (Porter 2) stem, so "expires", "expiry" and "expired" meet as one term.

    Snowball doubles the "z" of a word whose plural or past doubles it ("quizzes", "quizzed"
    → "quizz") but not of the word itself ("quiz"): a stem ending "zz" loses one, so a
    learner's "quiz" meets the rules' "quizzes" (BM25, coverage, the composer's overlap)."""
    with _STEMMER_LOCK:
        stemmed = str(_STEMMER.stemWord(word.removesuffix("'s")))
    return stemmed.removesuffix("z") if stemmed.endswith("zz") else stemmed


# People in a learner's life (vocab/people_words.txt), stemmed: whose situation a question
# describes, not what it asks about (``normalise_query``).
PEOPLE_WORDS: frozenset[str] = frozenset(stem(word) for word in _word_list("people_words.txt"))
# Countries and large cities (vocab/place_words.txt), stemmed: where, not what.
PLACE_WORDS: frozenset[str] = frozenset(stem(word) for word in _word_list("place_words.txt"))


def _synonym_sets() -> dict[str, tuple[str, ...]]:
    sets: dict[str, tuple[str, ...]] = {}
    for row in _data_lines("english_synonyms.txt"):
        stems = tuple(dict.fromkeys(stem(w.strip()) for w in row[0].split(",") if w.strip()))
        for term in stems:
            sets[term] = stems
    return sets


# Each stemmed English word of a set in vocab/english_synonyms.txt → its set ("fee", "cost").
ENGLISH_SYNONYMS: dict[str, tuple[str, ...]] = _synonym_sets()


def bm25_term(word: str) -> str:
    """A lower-case word as BM25 and coverage read it: in British spelling, stemmed."""
    return stem(SPELLING.get(word, word))


@cache
def _english_frequencies() -> tuple[dict[str, int], int]:
    # pyspellchecker's English list (word counts from film subtitles): a general-English
    # lexicon that knows nothing of the knowledge base. Loaded once, on first use.
    frequency = SpellChecker(language="en").word_frequency
    return dict(frequency.dictionary), int(frequency.total_words)


def english_zipf(word: str) -> float:
    """How common a word is in general English on the Zipf scale (log10 of uses per billion
    words; "the" ≈ 7.5, "scholarship" ≈ 3.7); 0.0 for a word English does not use."""
    counts, total = _english_frequencies()
    count = counts.get(word.lower(), 0)
    return math.log10(count / total * 1e9) if count else 0.0


# A Roman Urdu word rarer than this in English (about one use per million words) is taken to
# be Urdu, not an English loanword: "dost" or "badle" say nothing about the rules' vocabulary.
ENGLISH_WORD_MIN_ZIPF = 3.0


# --- English loanwords written in Urdu script -----------------------------------------------
#
# Urdu-script questions name things in English loanwords ("لیپ ٹاپ" laptop, "اسکالرشپ"
# scholarship, "پاسپورٹ" passport) that the glossary, being programme vocabulary, does not
# hold. To let the evidence checks see them, a word is read as English when its consonant
# skeleton equals that of an English word. Both sides are reduced to the consonants a loanword
# keeps: Urdu writes only long vowels (ا و ی), English spelling writes every vowel, so vowels,
# h, w and y are dropped except at the start of a word (initial و and ی are consonants).
# Rules of Urdu loanword spelling, not a list of words, make it precise enough:
# - English t and d are written with the retroflex ٹ and ڈ; the dental ت and د stand for the
#   English "th" only. So "t"/"d" and "ت"/"د" never meet (Persian-Arabic "درخواست" is not
#   "darkest").
# - Letters for Arabic sounds English lacks (ث ح خ ذ ص ض ط ظ ع غ ق), the retroflex flap ڑ and
#   the aspiration mark ھ (save تھ, دھ for "th") occur only in native words: no reading.
# - s and z, and k and hard c/q, are one sound class each (English "visa" is written ویزا).
# Skeletons are ambiguous when short: in the 20,000 most frequent words of pyspellchecker's
# Persian list (a stand-in for the Perso-Arabic part of Urdu), 64% of three-consonant skeletons
# and 26% of four-consonant ones equal an English word's, 7% of five-consonant ones (most of
# them real loanwords: "ambulance", "atmosphere"). So a word is read as English only with five
# consonants or more, or four with a retroflex ٹ/ڈ (English t/d, rare in native words of that
# length). Short loanwords ("ویزا" visa, "ڈالر" dollar) stay unread: a miss, not an error.
_LOAN_CONSONANTS: dict[str, str] = {
    "ب": "b",
    "پ": "p",
    "ت": "θ",  # dental: English "th"
    "ٹ": "t",  # retroflex: English t
    "ج": "j",
    "چ": "c",
    "د": "ð",  # dental: English "th" (voiced)
    "ڈ": "d",  # retroflex: English d
    "ر": "r",
    "ز": "s",
    "س": "s",
    "ش": "x",
    "ف": "f",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ں": "n",
}
_LOAN_SILENT = frozenset("اآأإءئؤہۂۃ")
_NATIVE_ONLY = frozenset("ثحخذصضطظعغقڑ")
_RETROFLEX = frozenset("ٹڈ")
# English spellings → the sound the Urdu spelling keeps (applied in this order).
_ENGLISH_DIGRAPHS = (
    ("sch", "sk"),
    ("tch", "C"),
    ("tion", "Xn"),
    ("sion", "Xn"),
    ("ture", "Cr"),
    ("ch", "C"),
    ("sh", "X"),
    ("ph", "f"),
    ("th", "T"),
    ("ck", "k"),
    ("gh", ""),
    ("kh", "k"),
    ("qu", "k"),
)
# An English word at least this common (Zipf, ~1 use per million words) can be a loanword.
LOANWORD_MIN_ZIPF = 3.0
_DOUBLED = re.compile(r"(.)\1+")


def urdu_skeleton(word: str) -> str | None:
    """The consonant skeleton of an Urdu-script word as an English loanword would have it
    ("لیپٹاپ" → "lptp"), or None when its letters show it is a native word."""
    if any(ch in _NATIVE_ONLY for ch in word):
        return None
    word = word.replace("تھ", "ت").replace("دھ", "د")
    if "ھ" in word:
        return None
    out: list[str] = []
    for i, ch in enumerate(word):
        if ch == "و":
            out.append("v" if i == 0 else "")
        elif ch in "یےيى":
            out.append("y" if i == 0 else "")
        elif ch in _LOAN_SILENT:
            continue
        elif ch in _LOAN_CONSONANTS:
            out.append(_LOAN_CONSONANTS[ch])
        else:
            return None
    return _DOUBLED.sub(r"\1", "".join(out))


def english_skeletons(word: str) -> frozenset[str]:
    """The consonant skeletons an English word can have in Urdu script ("scholarship" →
    "sklrxp"; "college" → "klg" or "klj", for a soft g)."""
    word = word.lower()
    if not word.isascii() or not word.isalpha():
        return frozenset()
    for spelling, sound in _ENGLISH_DIGRAPHS:
        word = word.replace(spelling, sound)
    word = re.sub(r"c(?=[eiy])", "s", word).replace("c", "k")
    word = word.replace("x", "ks").replace("q", "k").replace("z", "s")
    word = word.replace("C", "c").replace("X", "x")
    variants = {word}
    if re.search(r"g(?=[eiy])", word):
        variants.add(re.sub(r"g(?=[eiy])", "j", word))
    skeletons: set[str] = set()
    for variant in variants:
        spoken = variant
        if spoken[0] == "w":
            spoken = "v" + spoken[1:]
        elif spoken[0] == "u":
            spoken = "y" + spoken  # "university": یونیورسٹی
        head, rest = (spoken[0], spoken[1:]) if spoken[0] in "vy" else ("", spoken)
        skeleton = _DOUBLED.sub(r"\1", head + re.sub(r"[aeiouvwyh]", "", rest))
        skeletons.add(skeleton.replace("T", "θ"))
        if "T" in skeleton:
            skeletons.add(skeleton.replace("T", "ð"))
    return frozenset(skeletons)


@cache
def _loanword_index() -> dict[str, tuple[str, ...]]:
    """Skeleton → the English words (Zipf ≥ LOANWORD_MIN_ZIPF) having it, most common first."""
    counts, total = _english_frequencies()
    floor = total * 10**LOANWORD_MIN_ZIPF / 1e9
    index: dict[str, list[tuple[int, str]]] = {}
    for word, count in counts.items():
        if count < floor:
            continue
        for skeleton in english_skeletons(word):
            index.setdefault(skeleton, []).append((count, word))
    return {k: tuple(w for _, w in sorted(v, reverse=True)) for k, v in index.items()}


def _specific(skeleton: str, word: str) -> bool:
    return len(skeleton) >= 5 or (len(skeleton) == 4 and any(ch in _RETROFLEX for ch in word))


def english_loanword(word: str) -> tuple[str, ...]:
    """The English words an Urdu-script word (or two written apart, joined) can be a loanword
    of, most common first; () when it is native or its skeleton is too short to tell."""
    skeleton = urdu_skeleton(word)
    if skeleton is None or not _specific(skeleton, word):
        return ()
    return _loanword_index().get(skeleton, ())


def _urdu_loanwords(
    words: list[str], used: set[int]
) -> list[tuple[tuple[int, ...], tuple[str, ...]]]:
    """(indexes of the words, English readings) of the loanwords among the words not yet used;
    two short words are also read together, as compounds are often written apart ("لیپ ٹاپ")."""
    found: list[tuple[tuple[int, ...], tuple[str, ...]]] = []
    i = 0
    while i < len(words):
        if i in used or not _URDU_CHAR.search(words[i]):
            i += 1
            continue
        readings = english_loanword(words[i])
        if readings:
            found.append(((i,), readings))
            i += 1
            continue
        if i + 1 < len(words) and i + 1 not in used:
            skeletons = [urdu_skeleton(words[i]), urdu_skeleton(words[i + 1])]
            if all(s is not None and len(s) <= 2 for s in skeletons):
                joined = words[i] + words[i + 1]
                readings = english_loanword(joined)
                if readings:
                    found.append(((i, i + 1), readings))
                    i += 2
                    continue
        i += 1
    return found


def _split_urdu_word(first: str, second: str) -> bool:
    """Whether two Urdu-script question words are one vocabulary word written apart
    ("سرٹی فکیٹ", "یوزر نیم"): joined, they are a row's word; apart, not both words of their own
    (then the question reads as written) and neither a grammar word (no chance joinings)."""
    return (
        bool(_URDU_CHAR.search(first) and _URDU_CHAR.search(second))
        and first + second in GLOSSARY
        and not (first in GLOSSARY and second in GLOSSARY)
        and not (is_function_word(first) or is_function_word(second))
    )


def _glossary_lookup(
    words: list[str],
) -> tuple[list[tuple[str, ...]], set[int], list[tuple[int, ...]]]:
    """English alternatives for glossary hits, two-word phrases first; indexes consumed; and
    the indexes of the words each hit was read from."""
    found: list[tuple[str, ...]] = []
    used: set[int] = set()
    read_from: list[tuple[int, ...]] = []
    for i in range(len(words)):
        if i in used:
            continue
        if i + 1 < len(words) and f"{words[i]} {words[i + 1]}" in GLOSSARY:
            found.append(GLOSSARY[f"{words[i]} {words[i + 1]}"])
            used.update({i, i + 1})
            read_from.append((i, i + 1))
        elif i + 1 < len(words) and _split_urdu_word(words[i], words[i + 1]):
            found.append(GLOSSARY[words[i] + words[i + 1]])
            used.update({i, i + 1})
            read_from.append((i, i + 1))
        elif words[i] in GLOSSARY:
            found.append(GLOSSARY[words[i]])
            used.add(i)
            read_from.append((i,))
    return found, used, read_from


_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)\W*$")


def proper_names(question: str) -> set[str]:
    """Words (lower-cased) the question writes as names: an acronym or a word with inner
    capitals ("PSL", "FSc") anywhere, or a capitalised word inside a sentence ("... ki
    Fulbright ..."). A sentence's first word is left out, as phones capitalise it anyway.

    In Roman Urdu a word that is not English is normally taken to be Urdu, whose absence from
    English rules is no evidence (``NormalisedQuery.foreign``). A name is not Urdu: the
    rules either name it or are not about it, so its absence counts like an English word's.
    """
    found: set[str] = set()
    for match in _WORD.finditer(question):
        word = match.group().strip("'")
        if len(word) < 2 or not word[0].isupper():
            continue
        capitals = sum(ch.isupper() for ch in word)
        if capitals >= 2 or not _SENTENCE_START.search(question[: match.start()]):
            found.add(word.lower())
    return found


def known_name_stems(names: Iterable[str]) -> frozenset[str]:
    """The words of names ("Allama Iqbal Open University", "AJK", "Muzaffarabad") that English
    does not use, stemmed: "allama", "iqbal", "ajk", but not "open" or "university"."""
    return frozenset(
        stem(word)
        for name in names
        for word in re.findall(r"[a-z]+", name.lower())
        if len(word) > 1 and english_zipf(word) < ENGLISH_WORD_MIN_ZIPF
    )


def with_known_names(query: NormalisedQuery, known: frozenset[str]) -> NormalisedQuery:
    """The query with the programme's own names (``known_name_stems``) among the words whose
    absence from the rules is no evidence. The rules apply to every partner university alike
    and never list them, so "Can students in Azad Jammu Kashmir apply?" asks the eligibility
    rule, not about something the rules leave out, as "hostel" or "Udemy" do."""
    named = {group for group in query.groups if len(group) == 1 and group[0] in known}
    return replace(query, foreign=query.foreign | named) if named else query


def _is_content(word: str) -> bool:
    return word not in ENGLISH_STOPWORDS and word not in QUESTION_WORDS


def normalise_query(question: str, vocabulary: CompoundVocabulary | None = None) -> NormalisedQuery:
    """Detect the language, fix spellings, map Urdu/Roman Urdu vocabulary to English terms.

    With the knowledge base's ``vocabulary``, a compound the question writes otherwise than
    the rules is read as they write it, in both directions (``CompoundVocabulary``)."""
    language = detect_language(question)
    raw_words = [w.strip("'") for w in _WORD.findall(_urdu_letters(question.lower()))]
    words = [SPELLING.get(w, w) for w in raw_words if w]
    if language is Language.ROMAN_URDU:
        read = _read_in_context(
            words, [_roman_spelling(w) for w in words], clause_bounds(question.lower())
        )
        words = _read_phrases(words, read)
    # The words as the question writes them, beside ``words`` (Urdu: the lexicon's head words).
    written = list(words)
    if language is Language.URDU:
        words = [_urdu_spelling(w) for w in words]
    glossed: list[str] = []
    kept: list[str] = []
    alternatives: list[tuple[str, ...]] = []
    used: set[int] = set()
    read_from: list[tuple[int, ...]] = []
    if language is Language.ENGLISH:
        kept = words
    else:
        alternatives, used, read_from = _glossary_lookup(words)
        alternatives = _read_compounds(alternatives, vocabulary)
        glossed = [word for group in alternatives for word in group]
        for i, word in enumerate(words):
            if i in used or word in ROMAN_URDU_FUNCTION_WORDS or _URDU_CHAR.search(word):
                continue
            kept.append(word)  # English loanwords in Roman Urdu: "licence", "coursera"...
    acronyms: list[str] = []
    if language is Language.URDU:
        # Acronyms spelt out in Urdu ("پی ایم ڈی سی") are read as the English words they
        # are, as in a Roman Urdu question ("PMDC"): searched, and checked against the rules.
        for indexes, acronym in urdu_acronyms(words, used):
            used.update(indexes)
            acronyms.append(acronym)
        kept.extend(acronyms)
    # A hyphenated compound's joined form is one more term, as in the rules (``tokenize``),
    # and each of its parts is present where the rules write the compound joined: "e-mail"
    # meets "email". Urdu script has no such compounds.
    joined_forms: dict[str, tuple[str, ...]] = {}
    split_forms: dict[str, tuple[str, ...]] = {}
    split_terms: list[str] = []
    compounds = hyphenated_compounds(question.lower()) if language is not Language.URDU else []
    if vocabulary is not None and language is not Language.URDU:
        # Compounds written open ("help desk", "log in") that the rules write joined
        # ("helpdesk", "login") and not as words of their own: the same reading as a
        # hyphenated one. Two words the rules both use are left as they are, as the question
        # then reads as it is written, and a chance joining ("for MS" and "forms") stays out.
        # And a word the rules write open ("helpdesk" where they write "help desk") is also
        # read as its words, in its one group (``_read_compounds``): found in those rules.
        compounds.extend(
            ((first, second), first + second)
            for first, second in open_pairs(question.lower())
            if joinable(first, second)
            and vocabulary.knows(first + second)
            and not (vocabulary.knows(first) and vocabulary.knows(second))
        )
        for word in kept:
            halves = vocabulary.split(word) if _is_content(word) else None
            if halves:
                split_forms[word] = tuple(stem(h) for h in halves if _is_content(h))
                split_terms.extend(bm25_term(h) for h in halves if h not in ENGLISH_STOPWORDS)
    for parts, joined in compounds:
        joined_term = bm25_term(joined)
        for part in parts:
            # The part as ``kept`` holds it: in British spelling, Roman Urdu in its one spelling.
            spelled = SPELLING.get(part, part)
            if language is Language.ROMAN_URDU:
                spelled = _roman_spelling(spelled)
            joined_forms[spelled] = (*joined_forms.get(spelled, ()), joined_term)

    def group_of(word: str) -> tuple[str, ...]:
        term = stem(word)
        # Its synonyms count as found too (vocab/english_synonyms.txt), its own form first.
        same = ENGLISH_SYNONYMS.get(term, ())
        return tuple(
            dict.fromkeys((term, *joined_forms.get(word, ()), *split_forms.get(word, ()), *same))
        )

    terms = [
        stem(w) for w in [*kept, *glossed] if w not in ENGLISH_STOPWORDS or w in QUESTION_WORDS
    ]
    terms.extend(bm25_term(joined) for _, joined in compounds)
    terms.extend(split_terms)
    text = " ".join(words)
    if glossed or acronyms:
        # Dense search sees the question plus its English gloss (e5 is multilingual, but the
        # gloss pulls the vector towards the rules' vocabulary).
        text = f"{question.strip()} ({' '.join(dict.fromkeys([*glossed, *acronyms]))})"
    elif language is Language.ENGLISH:
        text = _WORD.sub(lambda m: SPELLING.get(m.group().lower(), m.group()), question)
    groups: list[tuple[str, ...]] = [group_of(w) for w in kept if _is_content(w)]
    names = proper_names(question) if language is Language.ROMAN_URDU else set()
    foreign = {
        group_of(w)
        for w in kept
        if language is Language.ROMAN_URDU
        and _is_content(w)
        and not w.isdigit()
        and english_zipf(w) < ENGLISH_WORD_MIN_ZIPF
        and w not in names
    }
    glossary_groups: set[tuple[str, ...]] = set()

    def spellings(indexes: tuple[int, ...]) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(dict.fromkeys((written[i], words[i]))) for i in indexes)

    urdu_spellings: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for group, source in zip(alternatives, read_from, strict=True):
        # A word glossed as a function word ("milega" → get) carries no topic, as in English.
        if all(_is_content(w) for w in group):
            stems = tuple(dict.fromkeys(stem(w) for w in group))
            groups.append(stems)
            glossary_groups.add(stems)
            if language is Language.URDU:
                urdu_spellings.setdefault(stems, spellings(source))
    # A brother, a cousin, a roommate: whose situation it is; Dubai, the UK: where. Their
    # absence from the rules is no evidence, as for a Roman Urdu word (vocab/people_words.txt,
    # vocab/place_words.txt).
    incidental = PEOPLE_WORDS | PLACE_WORDS
    foreign.update(group for group in groups if all(term in incidental for term in group))
    loanwords: dict[tuple[str, ...], tuple[str, ...]] = {}
    unread: list[str] = []
    if language is Language.URDU:
        # Only for evidence checks (coverage, unsupported words): retrieval is unchanged.
        loan_spellings: set[str] = set()
        for positions, readings in _urdu_loanwords(words, used):
            loan_spellings.update(words[i] for i in positions)
            stems = tuple(dict.fromkeys(bm25_term(w) for w in readings))
            if stems not in loanwords:
                groups.append(stems)
                loanwords[stems] = readings
                urdu_spellings.setdefault(stems, spellings(positions))
        unread = [
            word
            for i, word in enumerate(words)
            if i not in used
            and _URDU_CHAR.search(word)
            and word not in loan_spellings
            and word not in URDU_LETTERS
            and word not in URDU_LEXICON  # a light verb the lexicon reads as no topic ("دینا")
            and not is_function_word(word)
        ]
    return NormalisedQuery(
        original=question,
        language=language,
        text=text,
        terms=tuple(dict.fromkeys(terms)),
        glossed=tuple(dict.fromkeys(glossed)),
        groups=tuple(dict.fromkeys(groups)),
        foreign=frozenset(foreign),
        surface={stem(w): w for w in kept if _is_content(w)},
        glossary=frozenset(glossary_groups),
        loanwords=loanwords,
        unread=tuple(dict.fromkeys(unread)),
        urdu_spellings=urdu_spellings,
    )


# Urdu-script grammar words and greetings in all three languages: read only by the check for
# messages that ask nothing (``is_function_word``). Retrieval drops every Urdu-script word the
# glossary does not know anyway, so these lists do not change what it finds.
URDU_FUNCTION_WORDS: frozenset[str] = frozenset(
    _urdu_letters(word) for word in _word_list("urdu_function_words.txt")
)
CHIT_CHAT_WORDS: frozenset[str] = frozenset(
    _urdu_letters(word) for word in _word_list("chit_chat_words.txt")
)
# The Latin letters' names in Urdu script ("ایم ایس" MS) → the letters: parts of acronyms, no
# topic alone.
URDU_LETTERS: dict[str, str] = {
    _urdu_letters(row[0]): row[1] for row in _data_lines("urdu_letter_names.txt")
}
URDU_LETTER_NAMES: frozenset[str] = frozenset(URDU_LETTERS)
# "کے" is the letter K and, far more often, the postposition after a noun ("ایچ ای سی کے").
_URDU_POSTPOSITION_LETTER = "کے"


def urdu_acronyms(words: list[str], used: set[int]) -> list[tuple[list[int], str]]:
    """Runs of two or more Latin letters' names among the words not yet used, each with the
    acronym it spells ("ایچ ای سی" → "hec"); a run's final "کے" is read as the postposition."""
    found: list[tuple[list[int], str]] = []
    run: list[int] = []
    for i in [*range(len(words)), len(words)]:
        if i < len(words) and i not in used and words[i] in URDU_LETTERS:
            run.append(i)
            continue
        if run and words[run[-1]] == _URDU_POSTPOSITION_LETTER:
            run.pop()
        if len(run) >= 2:
            found.append((run, "".join(URDU_LETTERS[words[j]] for j in run)))
        run = []
    return found


def message_words(text: str) -> list[str]:
    """The words of a message, lower-cased, Urdu letters as the vocabularies write them."""
    return [w for raw in _WORD.findall(_urdu_letters(text.lower())) if (w := raw.strip("'"))]


def _glossed_as_function(word: str) -> bool:
    gloss = GLOSSARY.get(word)
    return gloss is not None and not any(_is_content(w) for w in gloss)


def is_function_word(word: str) -> bool:
    """Whether a word (from ``message_words``) names no topic in English, Roman Urdu or Urdu:
    a stopword, question word, grammar word, greeting or thanks, or a word the glossaries read
    as one of those ("milega", "ملے" → get). Any other word is content: an Urdu-script word
    is content even when no vocabulary knows it ("ای کیٹ", "لائبریری"), as retrieval's
    vocabulary is no list of what learners may ask about."""
    if word in CHIT_CHAT_WORDS or word in URDU_FUNCTION_WORDS:
        return True
    if _URDU_CHAR.search(word):
        return _glossed_as_function(word)
    spelled = SPELLING.get(word, word)
    roman = ROMAN_VARIANTS.get(spelled, spelled)
    return (
        not _is_content(spelled)
        or spelled in ROMAN_URDU_FUNCTION_WORDS
        or roman in ROMAN_URDU_FUNCTION_WORDS
        or roman in CHIT_CHAT_WORDS
        or _glossed_as_function(roman)
    )


# A lone word, even a topic ("licence?", "deadline"), is no question yet: the learner is asked
# for a full one rather than given whichever rule the word happens to match first.
MIN_QUESTION_WORDS = 2


def is_content_free(question: str) -> bool:
    """True for a message that asks nothing: "👍", "?", "....", a single word ("licence?",
    "the"), or words that are all function words of English, Roman Urdu or Urdu script,
    greetings and thanks included ("ok thanks", "ٹھیک ہے", "acha"; ``is_function_word``).
    The bot meets such a message by asking for a full question, and the evaluation counts it
    as declined (knowledge/evaluate.py).

    Any other word makes it a question, known to the knowledge engine's vocabularies or not:
    the engine then answers it, declines it or redirects it. (Counting only the words the
    engine can read took real Urdu questions such as "ای کیٹ میں کتنے سوال ہوتے ہیں؟" for
    content-free, as the engine reads no Urdu-script word outside its glossary.)
    """
    words = message_words(question)
    return len(words) < MIN_QUESTION_WORDS or all(is_function_word(word) for word in words)
