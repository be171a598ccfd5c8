"""Text shown to users, in English and Urdu, from Fluent catalogues in `bot/locales/<lang>/`.

Each feature keeps its strings in its own `.ftl` file; every key exists in every language
(a test checks). All output is HTML: string arguments are escaped here, once, so a handler cannot
forget; a value that is already safe HTML is passed wrapped in `Html`.

Dates and times shown to people are Pakistan time, written the language's way: `moment()` and
`day()` here are the one place that renders them. The patterns are catalogue entries
(`format-moment`, `format-day` in core.ftl, in CLDR's pattern syntax); month and day names come
from babel's CLDR data (Urdu: "ہفتہ 5 دسمبر 2026ء").
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax.ast import Junk

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
SUPPORTED_LANGUAGES = ("en", "ur")
DEFAULT_LANGUAGE = "en"
# The programme's one clock: times typed by staff are read in it, times shown are written in it.
PAKISTAN_TIME = ZoneInfo("Asia/Karachi")
# Babel (CLDR) locale of each catalogue language: month and day names, separators.
BABEL_LOCALES = {"en": "en_PK", "ur": "ur_PK"}


def in_pakistan(moment: datetime) -> datetime:
    """`moment` on Pakistan's clock; a naive datetime is taken as UTC, as the database keeps."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PAKISTAN_TIME)


def pakistan_today(now: datetime | None = None) -> date:
    """Today's date in Pakistan (a day starts there five hours before it does in UTC)."""
    return in_pakistan(now or datetime.now(UTC)).date()


class Html(str):
    """A string that is already safe HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: object) -> str:
    """Escape one dynamic value for Telegram's HTML parse mode."""
    if isinstance(value, Html):
        return value
    return html.escape(str(value), quote=False)


@dataclass
class Catalogue:
    """All messages of all languages, loaded once at start-up."""

    bundles: dict[str, FluentBundle] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR) -> Catalogue:
        catalogue = cls()
        for language in SUPPORTED_LANGUAGES:
            bundle = FluentBundle([language], use_isolating=False)
            for path in sorted((directory / language).glob("*.ftl")):
                resource = FluentResource(path.read_text(encoding="utf-8"))
                junk = [entry for entry in resource.body if isinstance(entry, Junk)]
                if junk:
                    raise ValueError(f"{path}: cannot parse {str(junk[0].content)[:60]!r}")
                bundle.add_resource(resource)
            catalogue.bundles[language] = bundle
        return catalogue

    def keys(self, language: str) -> set[str]:
        return set(self.bundles[language]._messages)

    def text(self, language: str, key: str, **arguments: Any) -> str:
        bundle = self.bundles.get(language) or self.bundles[DEFAULT_LANGUAGE]
        if not bundle.has_message(key):
            bundle = self.bundles[DEFAULT_LANGUAGE]
            if not bundle.has_message(key):
                log.error("missing catalogue key %s", key)
                return key
        message = bundle.get_message(key)
        if message.value is None:
            return key
        safe = {
            name: escape(value) if isinstance(value, str) else value
            for name, value in arguments.items()
        }
        rendered, errors = bundle.format_pattern(message.value, safe)
        if errors:
            log.error("catalogue key %s: %s", key, errors[0])
        return str(rendered)

    def for_language(self, language: str) -> Texts:
        return Texts(self, language if language in self.bundles else DEFAULT_LANGUAGE)

    def moment(self, language: str, value: datetime) -> str:
        """A date and time for people: Pakistan time, the language's names ("Sat 5 Dec 2026,
        15:00 PKT"; Urdu "ہفتہ 5 دسمبر 2026ء، 15:00 پاکستانی وقت")."""
        language = language if language in self.bundles else DEFAULT_LANGUAGE
        return format_datetime(
            in_pakistan(value),
            self.text(language, "format-moment"),
            locale=BABEL_LOCALES[language],
        )

    def day(self, language: str, value: date | datetime) -> str:
        """A date for people (a datetime: its day in Pakistan): "5 Dec 2026", "5 دسمبر 2026ء"."""
        language = language if language in self.bundles else DEFAULT_LANGUAGE
        if isinstance(value, datetime):
            value = in_pakistan(value).date()
        return format_date(value, self.text(language, "format-day"), locale=BABEL_LOCALES[language])


@dataclass(frozen=True)
class Texts:
    """The catalogue bound to one user's language: `texts("help-body", name=...)`."""

    catalogue: Catalogue
    language: str

    def __call__(self, key: str, **arguments: Any) -> str:
        return self.catalogue.text(self.language, key, **arguments)

    def moment(self, value: datetime) -> str:
        return self.catalogue.moment(self.language, value)

    def day(self, value: date | datetime) -> str:
        return self.catalogue.day(self.language, value)


def split_message(text: str, limit: int = 4000) -> list[str]:
    """Split a long HTML text below Telegram's 4096 limit at paragraph, line, then word borders.

    Pieces are cut only between tags' outer text: hecbot's messages keep each tag inside one
    line, so a cut at a newline never leaves a tag open.
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n\n")
        if cut < limit // 3:
            cut = window.rfind("\n")
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut < limit // 3:
            cut = limit
            # never cut inside an entity such as &amp;
            amp = window.rfind("&", max(0, limit - 8))
            if amp != -1 and ";" not in window[amp:]:
                cut = amp
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return [piece for piece in pieces if piece]
