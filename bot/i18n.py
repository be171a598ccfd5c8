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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax.ast import Junk, Resource

if TYPE_CHECKING:
    from bot.config import Settings

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


_FLUENT_PLACEABLE_LIMIT = 900


class Html(str):
    """A string that is already safe HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: object) -> str:
    """Escape one dynamic value for Telegram's HTML parse mode."""
    if isinstance(value, Html):
        return value
    return html.escape(str(value), quote=False)


@lru_cache(maxsize=256)
def _parsed(source: str) -> Resource:
    """One .ftl file's text, parsed once per process (keyed by the text: an edited file is
    parsed again). Parsing is most of a catalogue load, ~0.15 s; a process that loads the
    catalogue more than once (the embedded delivery worker beside the bot, every test that
    builds services) parses each file once. Bundles only read the parsed entries."""
    return FluentResource(source)


def _literal_entries(entries: Mapping[str, str]) -> Resource:
    """Fluent entries (`-term` or message) whose values are the given text as written: HTML
    escaped, and a Fluent string literal, so no brace or quote in it is read as syntax."""
    lines = []
    for key, value in entries.items():
        literal = escape(value).replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'{key} = {{ "{literal}" }}')
    return FluentResource("\n".join(lines) + "\n")


@dataclass
class Catalogue:
    """All messages of all languages, loaded once at start-up."""

    bundles: dict[str, FluentBundle] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        directory: Path = LOCALES_DIR,
        replaced: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Catalogue:
        """The catalogues in `directory`; `replaced` gives, by language, plain-text values for
        some of their entries (an operator's programme name, help desk, example question:
        `ProgrammeSettings.texts()`; `from_settings` passes them), each escaped for HTML and used
        wherever the entry is."""
        catalogue = cls()
        for language in SUPPORTED_LANGUAGES:
            bundle = FluentBundle([language], use_isolating=False)
            for path in sorted((directory / language).glob("*.ftl")):
                resource = _parsed(path.read_text(encoding="utf-8"))
                junk = [entry for entry in resource.body if isinstance(entry, Junk)]
                if junk:
                    raise ValueError(f"{path}: cannot parse {str(junk[0].content)[:60]!r}")
                bundle.add_resource(resource)
            entries = (replaced or {}).get(language, {})
            if entries:
                bundle.add_resource(_literal_entries(entries), allow_overrides=True)
            catalogue.bundles[language] = bundle
        return catalogue

    @classmethod
    def from_settings(cls, settings: Settings) -> Catalogue:
        """The catalogues as this deployment writes to learners: its programme's name, help
        desk and example question (`ProgrammeSettings.texts()`) in place of the sample's. The
        bot, the delivery worker and every command that sends learners a message load these."""
        return cls.load(replaced=settings.programme.texts())

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
        # Fluent refuses a placeable longer than 1,000 characters (it prints "{???}"): a long
        # value (an FAQ answer, a learner's question) goes in as a marker, replaced afterwards.
        long_values: dict[str, str] = {}
        for name, value in safe.items():
            if isinstance(value, str) and len(value) > _FLUENT_PLACEABLE_LIMIT:
                marker = f"\ue000{len(long_values)}\ue000"
                long_values[marker] = value
                safe[name] = marker
        rendered, errors = bundle.format_pattern(message.value, safe)
        if errors:
            log.error("catalogue key %s: %s", key, errors[0])
        text = str(rendered)
        for marker, value in long_values.items():
            text = text.replace(marker, value)
        return text

    def plain(self, language: str, key: str, **arguments: Any) -> str:
        """A message as plain text, for where it is not read as Telegram's HTML (a command's
        description, a chart, a terminal line, the dashboard): `text` with its escapes undone."""
        return html.unescape(self.text(language, key, **arguments))

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


# The longest piece `split_message` makes: below Telegram's 4096 characters a message.
MESSAGE_LIMIT = 4000


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a long HTML text below Telegram's 4096 limit at paragraph, line, then word borders.

    A cut never falls inside a tag or an entity such as &amp;; a tag still open at a cut (a
    multi-line <pre> or <blockquote>) is closed at the end of its piece and opened again at
    the start of the next, so every piece is valid HTML on its own.
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    reopen = ""
    while len(reopen) + len(rest) > limit:
        room = max(limit // 2, limit - len(reopen) - _CLOSING_ROOM)
        window = rest[:room]
        cut = window.rfind("\n\n")
        if cut < room // 3:
            cut = window.rfind("\n")
        if cut < room // 3:
            cut = window.rfind(" ")
        if cut < room // 3:
            cut = room
            # never cut inside an entity such as &amp;
            amp = window.rfind("&", max(0, room - 8))
            if amp != -1 and ";" not in window[amp:]:
                cut = amp
        # never inside a tag: back to its "<"
        opening = window.rfind("<", 0, cut)
        if opening > window.rfind(">", 0, cut) and opening > 0:
            cut = opening
        piece = reopen + rest[:cut].rstrip()
        still_open = _open_tags(piece)
        pieces.append(piece + "".join(f"</{name}>" for name, _ in reversed(still_open)))
        reopen = "".join(tag for _, tag in still_open)
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(reopen + rest)
    return [piece for piece in pieces if _TAG.sub("", piece).strip()]


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>")
# Room kept at the end of a piece for the closing tags of what is still open there.
_CLOSING_ROOM = 64


def _open_tags(html_text: str) -> list[tuple[str, str]]:
    """Tags opened and not yet closed, outermost first: (name, the opening tag as written)."""
    stack: list[tuple[str, str]] = []
    for match in _TAG.finditer(html_text):
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            stack.append((name, match.group(0)))
        else:
            for index in range(len(stack) - 1, -1, -1):
                if stack[index][0] == name:
                    del stack[index:]
                    break
    return stack


# ---- Markdown (FAQ entries, knowledge-base answers) to Telegram HTML ----------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_PLACEHOLDER = "\x00{}\x00"
_INLINE = [
    # (pattern over escaped text, replacement); code spans and links are taken out first.
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])"), r"<b>\1</b>"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"<s>\1</s>"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"), r"<i>\1</i>"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"), r"<i>\1</i>"),
]
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!~>|])")


def markdown_to_html(text: str) -> Html:
    """Markdown as Telegram's HTML parse mode shows it; everything else is escaped.

    Headings become bold lines, lists bullets, `> ` lines a block quote, fenced blocks <pre>;
    **bold**, *italic*, _italic_, ~~struck~~, `code` and [links](https://...) inline. Only
    http(s) links become links. Tags never span lines except <pre> and <blockquote>, which
    `split_message` closes and reopens when it cuts through them.
    """
    out: list[str] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FENCE.match(line):
            fence = _FENCE.match(line).group(1)  # type: ignore[union-attr]
            body: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith(fence):
                body.append(lines[index])
                index += 1
            index += 1  # the closing fence (or the end)
            out.append("<pre>" + html.escape("\n".join(body), quote=False) + "</pre>")
            continue
        if _QUOTE.match(line):
            quoted: list[str] = []
            while index < len(lines) and (match := _QUOTE.match(lines[index])):
                quoted.append(_inline(match.group(1)))
                index += 1
            out.append("<blockquote>" + "\n".join(quoted) + "</blockquote>")
            continue
        index += 1
        if _RULE.match(line):
            out.append("——————")
        elif heading := _HEADING.match(line):
            out.append(f"<b>{_inline(heading.group(1))}</b>")
        elif bullet := _BULLET.match(line):
            depth = len(bullet.group(1).expandtabs(4)) // 2
            out.append("  " * depth + "• " + _inline(bullet.group(2)))
        else:
            out.append(_inline(line))
    return Html("\n".join(out).strip("\n"))


def _inline(line: str) -> str:
    """One line's inline Markdown; code spans and links are kept out of the other rules."""
    kept: list[str] = []

    def keep(html_text: str) -> str:
        kept.append(html_text)
        return _PLACEHOLDER.format(len(kept) - 1)

    line = _ESCAPED.sub(lambda m: keep(html.escape(m.group(1), quote=False)), line)
    line = _CODE_SPAN.sub(
        lambda m: keep(f"<code>{html.escape(m.group(1), quote=False)}</code>"), line
    )
    line = _LINK.sub(
        lambda m: keep(
            f'<a href="{html.escape(m.group(2), quote=True)}">'
            f"{_emphasis(html.escape(m.group(1), quote=False))}</a>"
        ),
        line,
    )
    line = _emphasis(html.escape(line, quote=False))
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], line)


def _emphasis(escaped: str) -> str:
    for pattern, replacement in _INLINE:
        escaped = pattern.sub(replacement, escaped)
    return escaped
