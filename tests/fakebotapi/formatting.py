"""Entity parsing as the Bot API does it: HTML and MarkdownV2 text -> plain text + entities.

Only what a bot can send is modelled. Errors carry the wording Telegram uses after
"Bad Request: can't parse entities: ", so tests see the same message aiogram would surface.
Offsets and lengths of entities are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class EntityParseError(ValueError):
    """The text cannot be parsed in the requested parse mode."""


@dataclass
class ParsedText:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


_HTML_TAG_ENTITY_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_START_TAG_NAME_RE = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_END_TAG_RE = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_ATTRIBUTE_RE = re.compile(
    r"\s+([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?"
)
_TAG_CLOSE_RE = re.compile(r"\s*/?>")
_ALLOWED_URL_RE = re.compile(r"^(https?|tg)://", re.IGNORECASE)


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    start: int  # UTF-16 offset into the produced text


def _decode_html_entities(source: str, value: str, at: int) -> str:
    decoded: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char != "&":
            decoded.append(char)
            index += 1
            continue
        match = _HTML_ENTITY_RE.match(value, index)
        if match is None:
            raise EntityParseError(
                f"Unsupported HTML entity at byte offset {_byte_offset(source, at + index)}"
            )
        decoded.append(_entity_char(match))
        index = match.end()
    return "".join(decoded)


def _entity_char(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_HTML_ENTITIES[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if not 0 < code <= 0x10FFFF:
        raise EntityParseError("Invalid HTML entity code")
    return chr(code)


def parse_html(source: str) -> ParsedText:
    """Parse Telegram-flavoured HTML; raise EntityParseError where Telegram answers 400."""
    pieces: list[str] = []
    offset = 0  # UTF-16 length of the text produced so far
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "&":
            match = _HTML_ENTITY_RE.match(source, index)
            if match is None:
                raise EntityParseError(
                    f"Unsupported HTML entity at byte offset {_byte_offset(source, index)}"
                )
            decoded = _entity_char(match)
            pieces.append(decoded)
            offset += utf16_len(decoded)
            index = match.end()
        elif char == "<" and source.startswith("</", index):
            match = _END_TAG_RE.match(source, index)
            if match is None or not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, index)}"
                )
            name = match.group(1).lower()
            opened = stack.pop()
            if name != opened.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, index)}, "
                    f'expected "</{opened.name}>", found "</{name}>"'
                )
            entity = _html_entity(opened, offset, stack)
            if entity is not None:
                entities.append(entity)
            index = match.end()
        elif char == "<":
            name_match = _START_TAG_NAME_RE.match(source, index)
            if name_match is None:
                raise EntityParseError(
                    f'Unsupported start tag "" at byte offset {_byte_offset(source, index)}'
                )
            name = name_match.group(1).lower()
            if name not in _HTML_TAG_ENTITY_TYPES:
                raise EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, index)}'
                )
            attributes: dict[str, str] = {}
            cursor = name_match.end()
            while (attribute := _ATTRIBUTE_RE.match(source, cursor)) is not None:
                raw_value = attribute.group(2) or ""
                if raw_value[:1] in {'"', "'"}:
                    raw_value = raw_value[1:-1]
                attributes[attribute.group(1).lower()] = _decode_html_entities(
                    source, raw_value, attribute.start(2) if attribute.group(2) else cursor
                )
                cursor = attribute.end()
            closing = _TAG_CLOSE_RE.match(source, cursor)
            if closing is None:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(source, index)}"
                )
            if name == "span" and attributes.get("class") != "tg-spoiler":
                raise EntityParseError('Tag "span" must have class "tg-spoiler"')
            if name == "tg-emoji" and not attributes.get("emoji-id"):
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            stack.append(_OpenTag(name, attributes, offset))
            index = closing.end()
        else:
            pieces.append(char)
            offset += utf16_len(char)
            index += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return _strip(ParsedText("".join(pieces), entities))


def _html_entity(tag: _OpenTag, end: int, outer: list[_OpenTag]) -> dict[str, Any] | None:
    length = end - tag.start
    if length <= 0:
        return None
    entity: dict[str, Any] = {
        "type": _HTML_TAG_ENTITY_TYPES[tag.name],
        "offset": tag.start,
        "length": length,
    }
    if tag.name == "a":
        href = tag.attributes.get("href", "")
        # Telegram silently drops links it cannot use rather than failing the message.
        if not _ALLOWED_URL_RE.match(href):
            return None
        entity["url"] = href
    elif tag.name == "blockquote" and "expandable" in tag.attributes:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attributes["emoji-id"]
    elif tag.name == "code" and outer and outer[-1].name == "pre":
        language = tag.attributes.get("class", "")
        if language.startswith("language-"):
            # The language belongs to the enclosing <pre>; recorded on the code entity
            # and moved when the pre closes.
            outer[-1].attributes["_language"] = language.removeprefix("language-")
        return None
    elif tag.name == "pre" and tag.attributes.get("_language"):
        entity["language"] = tag.attributes["_language"]
    elif tag.name == "tg-time":
        if "unix" in tag.attributes:
            entity["unix_time"] = int(tag.attributes["unix"])
        if "format" in tag.attributes:
            entity["date_time_format"] = tag.attributes["format"]
    return entity


def _strip(parsed: ParsedText) -> ParsedText:
    """Telegram trims leading and trailing whitespace after parsing; keep entities in range."""
    text = parsed.text
    stripped_left = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped_left)
    stripped = stripped_left.rstrip()
    total = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in sorted(parsed.entities, key=lambda e: (e["offset"], -e["length"])):
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, entities)


# MarkdownV2 ------------------------------------------------------------------

_MARKDOWN_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MARKDOWN_V2_TOGGLES: dict[str, str] = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}
_ENTITY_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}


def parse_markdown_v2(source: str, *, legacy: bool = False) -> ParsedText:
    """Parse MarkdownV2, failing on unescaped reserved characters and unclosed entities.

    Block quotations are recognised at line start; custom emoji `![x](tg://emoji?id=...)`
    are treated like links. Nesting rules beyond "close what you opened" are not checked.
    `legacy=True` gives the old "Markdown" mode: only *bold*, _italic_, `code` and links,
    and no reserved characters outside entities.
    """
    toggles = {"*": "bold", "_": "italic"} if legacy else _MARKDOWN_V2_TOGGLES
    reserved = set() if legacy else _MARKDOWN_V2_RESERVED
    pieces: list[str] = []
    offset = 0
    stack: list[tuple[str, int, int]] = []  # (entity type, UTF-16 start, source index)
    entities: list[dict[str, Any]] = []
    index = 0
    length = len(source)

    def emit(text: str) -> None:
        nonlocal offset
        pieces.append(text)
        offset += utf16_len(text)

    while index < length:
        char = source[index]
        if char == "\\":
            escapable = index + 1 < length and (
                source[index + 1] in "_*`[" if legacy else 1 <= ord(source[index + 1]) <= 126
            )
            if escapable:
                emit(source[index + 1])
                index += 2
                continue
            if legacy:
                emit(char)
                index += 1
                continue
            raise EntityParseError(
                "Character '\\' is reserved and must be escaped with the preceding '\\'"
            )
        if char == "`":
            fence = "```" if source.startswith("```", index) else "`"
            close = _find_unescaped(source, fence, index + len(fence))
            if close < 0:
                kind = "pre" if fence == "```" else "code"
                raise EntityParseError(
                    f"Can't find end of {_ENTITY_NAMES[kind]} entity at byte offset "
                    f"{_byte_offset(source, index)}"
                )
            body = source[index + len(fence) : close]
            entity: dict[str, Any] = {"type": "code", "offset": offset}
            if fence == "```":
                entity["type"] = "pre"
                first_line, newline, rest = body.partition("\n")
                if newline and first_line and " " not in first_line:
                    entity["language"] = first_line
                    body = rest
            content = re.sub(r"\\([`\\])", r"\1", body)
            emit(content)
            entity["length"] = utf16_len(content)
            if entity["length"]:
                entities.append(entity)
            index = close + len(fence)
            continue
        token = source[index : index + 2]
        if token in toggles or char in toggles:
            marker = token if token in toggles else char
            kind = toggles[marker]
            if stack and stack[-1][0] == kind:
                _, start, _ = stack.pop()
                if offset > start:
                    entities.append({"type": kind, "offset": start, "length": offset - start})
            else:
                stack.append((kind, offset, index))
            index += len(marker)
            continue
        if char == "[" or (char == "!" and source.startswith("![", index)):
            stack.append(("text_link", offset, index))
            index += 2 if char == "!" else 1
            continue
        if char == "]" and stack and stack[-1][0] == "text_link":
            if not source.startswith("(", index + 1):
                raise EntityParseError(
                    f"Can't find end of TextUrl entity at byte offset {_byte_offset(source, index)}"
                )
            close = _find_unescaped(source, ")", index + 2)
            if close < 0:
                raise EntityParseError(
                    f"Can't find end of TextUrl entity at byte offset {_byte_offset(source, index)}"
                )
            url = re.sub(r"\\([)\\])", r"\1", source[index + 2 : close])
            _, start, _ = stack.pop()
            if offset > start and _ALLOWED_URL_RE.match(url):
                link: dict[str, Any] = {"type": "text_link", "offset": start}
                link["length"] = offset - start
                if url.startswith("tg://emoji?id="):
                    link = {**link, "type": "custom_emoji"}
                    link["custom_emoji_id"] = url.removeprefix("tg://emoji?id=")
                else:
                    link["url"] = url
                entities.append(link)
            index = close + 1
            continue
        if not legacy and char == ">" and (index == 0 or source[index - 1] == "\n"):
            line_end = source.find("\n", index)
            line_end = length if line_end < 0 else line_end
            quote_start = offset
            line = parse_markdown_v2_inline(source[index + 1 : line_end])
            emit(line)
            _merge_blockquote(entities, quote_start, offset)
            index = line_end
            continue
        if char in reserved:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        emit(char)
        index += 1
    if stack:
        kind, _, at = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_ENTITY_NAMES[kind]} entity at byte offset "
            f"{_byte_offset(source, at)}"
        )
    return _strip(ParsedText("".join(pieces), entities))


def parse_markdown_v2_inline(line: str) -> str:
    """Text of one block-quotation line (its own entities are not tracked)."""
    if line.endswith("||"):
        line = line[:-2]
    return parse_markdown_v2(line).text if line.strip() else line


def _merge_blockquote(entities: list[dict[str, Any]], start: int, end: int) -> None:
    previous = entities[-1] if entities else None
    # Consecutive quoted lines form one block quotation, joined by their newline.
    if (
        previous
        and previous["type"] == "blockquote"
        and previous["offset"] + previous["length"] + 1 == start
    ):
        previous["length"] = end - previous["offset"]
        return
    if end > start:
        entities.append({"type": "blockquote", "offset": start, "length": end - start})


def _find_unescaped(source: str, needle: str, start: int) -> int:
    index = start
    while index < len(source):
        if source[index] == "\\":
            index += 2
            continue
        if source.startswith(needle, index):
            return index
        index += 1
    return -1


def parse_text(text: str, parse_mode: str | None) -> ParsedText:
    """Dispatch on parse_mode the way Telegram does (case-insensitive; unknown -> 400)."""
    if not parse_mode:
        return _strip(ParsedText(text))
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown_v2(text, legacy=True)
    raise EntityParseError(f"Unsupported parse_mode {parse_mode!r}")
