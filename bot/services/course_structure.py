"""What catalogue entries contain and repeat: specializations and professional certificates with
their courses, near-duplicate titles, overlapping certificates, and prerequisite skills.

Built once per catalogue from the catalogue itself (its own grouping column where it has one;
otherwise what a course's description says, "the first course in the Google Data Analytics
Certificate", and title structure: a course of the same partner whose title holds the
certificate's topic). Pure: no database, no Telegram.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz, process

from bot.services.course_matching import skill_phrases, tokens, vocabulary

CONTAINER_KINDS = frozenset({"specialization", "professional_certificate"})
# Near-duplicate titles: token-sort similarity of the titles without language tags.
DUPLICATE_TITLE_SCORE = 92.0
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_MEMBER_SENTENCE = re.compile(
    r"(?:(?P<ordinal>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+)"
    r"(?:st|nd|rd|th)?\s+course\s+(?:in|of)\s+(?:the\s+)?|part\s+of\s+the\s+)"
    r"(?P<name>[^.,;()]{3,90}?)\s*"
    r"(?:specialization|specialisation|professional certificate|certificate|program\b)",
    re.IGNORECASE,
)
_SERIES = re.compile(
    r"\b(?P<ordinal>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)"
    r"\s+(?:course\s+)?in\s+a\s+series\b",
    re.IGNORECASE,
)
_LANGUAGE_TAG = re.compile(
    r"\((?:de|pt|es|fr|ar|ja|jp|ru|id|deutsch|español|espanol|français|portugu[eê]s)\)",
    re.IGNORECASE,
)
# Words of a certificate's title that name its kind or its partner, not its topic.
_GENERIC_TITLE_WORDS = frozenset(
    {
        "professional",
        "certificate",
        "specialization",
        "specialisation",
        "program",
        "programme",
        "training",
        "introduction",
        "fundamental",
        "foundation",
        "complete",
        "career",
        "ibm",
        "google",
        "meta",
        "microsoft",
        "aws",
        "amazon",
        "university",
    }
)


class CourseLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def partner(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def skills(self) -> tuple[str, ...]: ...
    @property
    def description(self) -> str: ...
    @property
    def part_of(self) -> str: ...


def title_key(title: str) -> str:
    """A title without language tags and punctuation: 'Google Data Analytics (DE)' and
    'Google Data Analytics:' meet on 'google data analytics'."""
    cleaned = _LANGUAGE_TAG.sub(" ", title.lower())
    return " ".join(re.findall(r"\w+", cleaned))


def _skill_set(skills: Iterable[str]) -> frozenset[str]:
    return frozenset(phrase for skill in skills for phrase in skill_phrases(skill)[:1])


def _topic(course: CourseLike) -> frozenset[str]:
    partner = set(tokens(course.partner))
    return frozenset(
        token
        for token in tokens(title_key(course.title))
        if token not in partner and token not in _GENERIC_TITLE_WORDS
    )


@dataclass(frozen=True)
class Membership:
    container_id: int
    position: int  # 1-based when the catalogue says which course it is; 99 when unknown


class CatalogueStructure:
    """Containers and their members, topics and skill sets, prerequisite links."""

    def __init__(self, courses: Sequence[CourseLike]) -> None:
        self._courses = {course.id: course for course in courses}
        self.containers = [c for c in courses if c.kind in CONTAINER_KINDS]
        self._topics = {c.id: _topic(c) for c in self.containers}
        self._skills = {c.id: _skill_set(c.skills) for c in courses}
        self.title_keys = {c.id: title_key(c.title) for c in courses}
        self.membership: dict[int, Membership] = {}
        # (partner, topic word) -> certificates: a course is checked only against the
        # certificates of its partner that share a word with its title.
        self._by_partner_word: dict[tuple[str, str], list[CourseLike]] = {}
        for container in self.containers:
            if len(self._topics[container.id]) >= 2:
                for word in self._topics[container.id]:
                    key = (container.partner.lower(), word)
                    self._by_partner_word.setdefault(key, []).append(container)
        self._find_members(courses)
        self.members: dict[int, list[int]] = {}
        for course_id, member in sorted(self.membership.items(), key=lambda p: p[1].position):
            self.members.setdefault(member.container_id, []).append(course_id)
        self._provides: dict[int, frozenset[str]] = {}
        self._requires: dict[int, frozenset[str]] = {}

    # ---- containers -----------------------------------------------------------------------

    def _find_members(self, courses: Sequence[CourseLike]) -> None:
        by_title = {title_key(c.title): c.id for c in self.containers}
        names = list(by_title)
        for course in courses:
            if course.kind in CONTAINER_KINDS:
                continue
            declared = course.part_of.strip()
            if declared:  # the catalogue's own grouping (a title or URL of the container)
                found = self._container_named(declared, names, by_title)
                if found is not None:
                    self.membership[course.id] = Membership(found, 99)
                    continue
            # Where a description says so, it says so early ("This is the first course...").
            opening = course.description[:600]
            match = _MEMBER_SENTENCE.search(opening) if "course" in opening.lower() else None
            if match:
                found = self._container_named(match.group("name"), names, by_title)
                if found is not None:
                    self.membership[course.id] = Membership(found, _position(match))
                    continue
            series = _SERIES.search(opening) if "series" in opening.lower() else None
            found = self._container_by_topic(course)
            if found is not None:
                self.membership[course.id] = Membership(found, _position(series) if series else 99)

    def _container_named(
        self, name: str, names: list[str], by_title: Mapping[str, int]
    ) -> int | None:
        key = title_key(name)
        for candidate in self.containers:
            if candidate.title.strip().lower() == name.strip().lower():
                return candidate.id
        if not names or len(key) < 3:
            return None
        best = process.extractOne(key, names, scorer=fuzz.token_sort_ratio, score_cutoff=88)
        return by_title[best[0]] if best else None

    def _container_by_topic(self, course: CourseLike) -> int | None:
        """A course of the same partner whose title holds all of a certificate's topic words and
        whose skills it shares ("Foundations of Project Management" in Google Project
        Management). Only for partners that name themselves in the certificate's title."""
        if not course.partner:
            return None
        title_tokens = set(tokens(title_key(course.title)))
        skills = self._skills.get(course.id, frozenset())
        best: tuple[int, int] | None = None
        partner = course.partner.lower()
        candidates = {
            container.id: container
            for word in title_tokens
            for container in self._by_partner_word.get((partner, word), ())
        }
        for container in candidates.values():
            topic = self._topics[container.id]
            if not topic <= title_tokens:
                continue
            shared = len(skills & self._skills[container.id])
            if skills and not shared:
                continue
            if best is None or len(topic) > best[0]:
                best = (len(topic), container.id)
        return best[1] if best else None

    def container_of(self, course_id: int) -> int | None:
        member = self.membership.get(course_id)
        return member.container_id if member else None

    def overlapping(self, first: int, second: int) -> bool:
        """Two certificates teach the same thing: the same topic (Google Data Analytics, IBM
        Data Analyst) or mostly the same skills."""
        topic_a, topic_b = self._topics.get(first), self._topics.get(second)
        if topic_a is None or topic_b is None:
            return False
        if topic_a and topic_b and len(topic_a & topic_b) / len(topic_a | topic_b) >= 0.5:
            return True
        skills_a, skills_b = self._skills[first], self._skills[second]
        shared = len(skills_a & skills_b)
        return shared >= 3 and shared / max(min(len(skills_a), len(skills_b)), 1) >= 0.4

    def near_duplicate(self, first: int, second: int) -> bool:
        a, b = self.title_keys.get(first, ""), self.title_keys.get(second, "")
        return bool(a and b) and fuzz.token_sort_ratio(a, b) >= DUPLICATE_TITLE_SCORE

    def covered_by(self, course_id: int, container_id: int) -> bool:
        """A course is inside a certificate: listed as its member."""
        return self.container_of(course_id) == container_id

    # ---- prerequisites --------------------------------------------------------------------

    def provides(self, course_id: int) -> frozenset[str]:
        if course_id not in self._provides:
            self._link(course_id)
        return self._provides[course_id]

    def requires(self, course_id: int) -> frozenset[str]:
        if course_id not in self._requires:
            self._link(course_id)
        return self._requires[course_id]

    def _link(self, course_id: int) -> None:
        course = self._courses[course_id]
        text = " " + " ".join(
            re.findall(r"[\w.+#-]+", f"{course.title} {' '.join(course.skills)}".lower())
        )
        text += " "
        table = vocabulary().prerequisites
        named = {skill for skill in table if f" {skill} " in text}
        for needs in table.values():
            named.update(skill for skill in needs if f" {skill} " in text)
        provides = frozenset(named)
        requires = frozenset(need for skill in provides for need in table.get(skill, ())) - provides
        self._provides[course_id] = provides
        self._requires[course_id] = requires

    def founds(self, later: int, earlier: int) -> bool:
        """`earlier` is *about* what `later` needs: its title names the prerequisite (a
        "Machine Learning" course, not a certificate that lists the skill among thirty)."""
        words = re.findall(r"[\w.+#-]+", self._courses[earlier].title.lower())
        title = f" {' '.join(words)} "
        return any(f" {skill} " in title for skill in self.requires(later))

    def needs_first(self, later: int, earlier: int) -> bool:
        """`earlier` teaches a skill `later` requires (and not the other way round)."""
        if not self.provides(earlier) & self.requires(later):
            return False
        return not self.provides(later) & self.requires(earlier)


def _position(match: re.Match[str]) -> int:
    ordinal = match.groupdict().get("ordinal")
    if not ordinal:
        return 99
    ordinal = ordinal.lower()
    if ordinal.isdigit():
        return int(ordinal)
    return _ORDINALS.get(ordinal, 99)
