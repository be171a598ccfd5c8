"""The BM25 inverted index, built in one vectorised pass, holds exactly the postings and
weights of weighting every token on its own (the way it was first written)."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from bot.services.course_matching import tokens
from bot.services.course_recommender import CatalogueCourse, CourseRecommender, LexicalIndex
from tests.courses.factories import sample_courses


def reference_postings(
    courses: list[CatalogueCourse],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    postings: dict[str, tuple[list[int], list[float]]] = {}
    lengths = np.zeros(len(courses), dtype=np.float32)
    for index, course in enumerate(courses):
        counts: Counter[str] = Counter()
        for token in tokens(course.title):
            counts[token] += 3
        for skill in course.skills:
            for token in set(tokens(skill)):
                counts[token] += 2
        for token in tokens(course.description[:400]):
            counts[token] += 1
        lengths[index] = sum(counts.values())
        for token, frequency in counts.items():
            docs, freqs = postings.setdefault(token, ([], []))
            docs.append(index)
            freqs.append(frequency)
    total, average = len(courses), float(lengths.mean())
    k1, b = LexicalIndex.K1, LexicalIndex.B
    result = {}
    for token, (docs, freqs) in postings.items():
        doc_array = np.asarray(docs, dtype=np.int32)
        tf = np.asarray(freqs, dtype=np.float32)
        idf = math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
        norm = k1 * (1 - b + b * lengths[doc_array] / max(average, 1e-6))
        result[token] = (doc_array, (idf * tf * (k1 + 1) / (tf + norm)).astype(np.float32))
    return result


def test_the_index_holds_every_token_with_the_same_courses_and_weights():
    courses = sample_courses()
    index = LexicalIndex(courses)
    expected = reference_postings(courses)
    assert index.vocabulary == frozenset(expected)
    for token, (docs, weights) in expected.items():
        got_docs, got_weights = index._postings[token]
        assert got_docs.tolist() == docs.tolist(), token
        assert got_weights.dtype == np.float32
        assert got_weights.tobytes() == weights.tobytes(), token  # bit for bit
    query = ["data", "analysis", "python", "nosuchword"]
    reference = np.zeros(len(courses))
    for token in query:
        if token in expected:
            reference[expected[token][0]] += expected[token][1]
    assert index.scores(query).tolist() == reference.tolist()


def test_an_empty_catalogue_has_an_empty_index():
    index = LexicalIndex([])
    assert index.vocabulary == frozenset()
    assert index.scores(["data"]).tolist() == []


def test_known_words_are_the_words_of_every_skill():
    courses = sample_courses()
    recommender = CourseRecommender(courses)
    expected = {
        word
        for course in courses
        for skill in course.skills
        for word in re.findall(r"[a-z][a-z+#]{2,}", skill.lower())
    }
    assert recommender.known_words == expected
    assert expected  # the sample has skills
