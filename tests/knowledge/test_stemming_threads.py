"""Stemming from many answer threads at once gives each thread its own word's stem.

The Snowball stemmer keeps the word it is working on in its own fields; shared by the engine's
answer threads, two stems at once corrupted each other (an IndexError reached a learner as
"the knowledge engine failed" under load).
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import snowballstemmer

from knowledge.language import stem

WORDS = [
    f"{root}{suffix}"
    for root in ("licens", "expir", "enrol", "certif", "activ", "apply", "univers", "nation")
    for suffix in ("e", "es", "ed", "ing", "ation", "ational", "ement", "ibility", "fulness")
]


def test_stems_computed_by_many_threads_at_once_are_each_words_own():
    reference = snowballstemmer.stemmer("english")
    expected = {word: reference.stemWord(word) for word in WORDS}
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show at once
    try:
        for round_number in range(20):
            stem.cache_clear()
            words = list(WORDS) * 4
            with ThreadPoolExecutor(8) as pool:
                results = list(pool.map(stem, words))
            assert dict(zip(words, results, strict=True)) == expected, round_number
    finally:
        sys.setswitchinterval(interval)
