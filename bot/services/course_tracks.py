"""HEC's curated learning tracks (`bot/data/tracks.yaml`), checked against the catalogue."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from bot.errors import ConfigurationError
from bot.services.course_catalogue import DATA_DIR, normalise_url

log = logging.getLogger(__name__)

DEFAULT_TRACKS_PATH = DATA_DIR / "tracks.yaml"
LEVEL_RANK = {"beginner": 0, "intermediate": 1, "advanced": 2}


class TrackValidationError(ConfigurationError):
    """tracks.yaml is malformed or names courses the catalogue does not have. Each problem
    starts with the line of the file it is on ("line 14: ...")."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.problems = problems
        listed = "; ".join(problems)
        super().__init__(f"{path}: {len(problems)} problem(s): {listed}")


@dataclass(frozen=True)
class Track:
    id: str
    title: str
    title_ur: str
    keywords: tuple[str, ...]
    course_urls: tuple[str, ...]


def load_tracks(
    path: Path = DEFAULT_TRACKS_PATH,
    course_levels: Mapping[str, str] | None = None,
    *,
    strict: bool = True,
) -> list[Track]:
    """Read and validate a tracks file (see `parse_tracks`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TrackValidationError(path, [f"cannot read: {error}"]) from None
    return parse_tracks(text, course_levels, strict=strict, source=path)


def _lines(text: str) -> tuple[list[int], list[list[int]]]:
    """The file line of each track entry and of each of its course URLs (1-based)."""
    node = yaml.compose(text)
    entries: list[int] = []
    courses: list[list[int]] = []
    if not isinstance(node, yaml.MappingNode):
        return entries, courses
    for key, value in node.value:
        if key.value != "tracks" or not isinstance(value, yaml.SequenceNode):
            continue
        for item in value.value:
            entries.append(item.start_mark.line + 1)
            urls: list[int] = []
            if isinstance(item, yaml.MappingNode):
                for item_key, item_value in item.value:
                    if item_key.value == "courses" and isinstance(item_value, yaml.SequenceNode):
                        urls = [url.start_mark.line + 1 for url in item_value.value]
            courses.append(urls)
    return entries, courses


def parse_tracks(
    text: str,
    course_levels: Mapping[str, str] | None = None,
    *,
    strict: bool = True,
    source: Path | str = "tracks",
) -> list[Track]:
    """Read and validate tracks; with `course_levels` (normalised URL -> level) also check that
    every course exists and that levels never go down along a track. Reports every problem,
    each with its line in the file.

    With `strict=False` (the running bot) problems with the catalogue are logged instead: an
    unknown course is left out of its track and a track left empty is dropped, so importing a
    new catalogue never stops the bot. A malformed file always raises."""
    path = source
    try:
        raw = yaml.safe_load(text)
        entry_lines, course_lines = _lines(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise TrackValidationError(path, [f"{where}not valid YAML ({problem})"]) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("tracks"), list):
        raise TrackValidationError(path, ["line 1: expected a top-level 'tracks:' list"])
    problems: list[str] = []
    catalogue_problems: list[str] = []
    tracks: list[Track] = []
    seen_ids: set[str] = set()
    for number, entry in enumerate(raw["tracks"], start=1):
        line = entry_lines[number - 1] if number <= len(entry_lines) else 0
        url_lines = course_lines[number - 1] if number <= len(course_lines) else []
        if not isinstance(entry, dict):
            problems.append(f"line {line}: track #{number} is not a mapping")
            continue
        track_id = str(entry.get("id") or "").strip()
        label = f"line {line}: track {track_id!r}" if track_id else f"line {line}: track #{number}"
        if not track_id:
            problems.append(f"{label} has no id")
        elif track_id in seen_ids:
            problems.append(f"{label} is defined twice")
        seen_ids.add(track_id)
        title = str(entry.get("title") or "").strip()
        if not title:
            problems.append(f"{label} has no title")
        urls = entry.get("courses") or []
        if not isinstance(urls, list) or not urls:
            problems.append(f"{label} is empty: list at least one course URL under 'courses:'")
            urls = []
        catalogue_problems.extend(
            _check_courses(label, [str(url) for url in urls], course_levels, url_lines)
        )
        keywords = entry.get("keywords") or []
        tracks.append(
            Track(
                id=track_id,
                title=title,
                title_ur=str(entry.get("title_ur") or "").strip(),
                keywords=tuple(str(word).lower() for word in keywords),
                course_urls=tuple(str(url).strip() for url in urls),
            )
        )
    if not tracks and not problems:
        problems.append("no tracks defined")
    if strict:
        problems.extend(catalogue_problems)
    if problems:
        raise TrackValidationError(path, problems)
    if catalogue_problems:
        log.error("%s: %s", path, "; ".join(catalogue_problems))
    if course_levels is None or strict:
        return tracks
    kept: list[Track] = []
    for track in tracks:
        known = tuple(u for u in track.course_urls if normalise_url(u) in course_levels)
        if known:
            kept.append(replace(track, course_urls=known))
        else:
            log.error("%s: track %r has no course in the catalogue; skipped", path, track.id)
    return kept


def _check_courses(
    label: str,
    urls: list[str],
    course_levels: Mapping[str, str] | None,
    lines: Sequence[int] = (),
) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    highest: tuple[int, str] | None = None
    track = label.split(": ", 1)[-1]
    for position, url in enumerate(urls, start=1):
        if position <= len(lines):
            label = f"line {lines[position - 1]}: {track}"
        key = normalise_url(url)
        if key in seen:
            problems.append(f"{label}: course {position} ({url}) is listed twice")
        seen.add(key)
        if course_levels is None:
            continue
        level = course_levels.get(key)
        if level is None:
            problems.append(f"{label}: course {position} ({url}) is not in the catalogue")
            continue
        rank = LEVEL_RANK.get(level)
        if rank is None:  # "mixed" suits any place in a track
            continue
        if highest is not None and rank < highest[0]:
            problems.append(
                f"{label}: course {position} ({url}) is {level} after an {highest[1]} course; "
                "order a track from beginner to advanced"
            )
        if highest is None or rank > highest[0]:
            highest = (rank, level)
    return problems
