"""Safe YAML for HEC's licence files (intakes, nudge rules): no aliases or anchors, no tags
beyond plain data, duplicate keys refused, and every problem reported with its line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import AliasEvent

from bot.errors import InvalidInputError

LANGUAGES = ("en", "ur")
YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class LicenceFileError(InvalidInputError):
    """A licence file (intake, nudge rule) that cannot be used; every problem with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.line or 0)
        super().__init__("; ".join(str(problem) for problem in self.problems))


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases: a file HEC edits by hand stays plain data."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed", event.start_mark
            )
        node = super().compose_node(parent, index)
        if node is not None and getattr(node, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors (&name) are not allowed", node.start_mark
            )
        return node


class YamlReader:
    """The parsed document plus the line of every node, collecting problems as it goes."""

    def __init__(self, source: str) -> None:
        self.problems: list[Problem] = []
        self.lines: dict[YamlPath, int] = {}
        try:
            loader = _NoAliasLoader(source)
            try:
                node = loader.get_single_node()
                self.data: Any = loader.construct_document(node) if node is not None else None
            finally:
                loader.dispose()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            raise LicenceFileError(
                [
                    Problem(
                        mark.line + 1 if mark else None,
                        f"not valid YAML: {error.problem or error.context}",
                    )
                ]
            ) from None
        except yaml.YAMLError as error:
            raise LicenceFileError([Problem(None, f"not valid YAML: {error}")]) from None
        if node is not None:
            self._map(node, ())

    def _map(self, node: yaml.Node, path: YamlPath) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.problems.append(
                        Problem(key_node.start_mark.line + 1, f"duplicate key {key!r}")
                    )
                seen.add(key)
                self._map(value_node, (*path, key))
                self.lines[(*path, key)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._map(item, (*path, index))

    def line(self, path: YamlPath) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def fail(self, path: YamlPath, message: str) -> None:
        self.problems.append(Problem(self.line(path), message))

    def check(self) -> None:
        if self.problems:
            raise LicenceFileError(self.problems)

    def unknown_keys(self, data: dict[str, Any], known: set[str], path: YamlPath) -> None:
        for key in data:
            if str(key) not in known:
                self.fail((*path, str(key)), f"unknown key {key!r}")

    def local_text(self, value: Any, path: YamlPath, what: str) -> dict[str, str]:
        """{'en': ..., 'ur': ...}: both languages are required."""
        if not isinstance(value, dict):
            self.fail(path, f"{what} needs an 'en' and an 'ur' text")
            return {}
        texts = {}
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                name = "Urdu" if language == "ur" else "English"
                self.fail(path, f"{what}: missing {name} text ('{language}')")
            else:
                texts[language] = text.strip()
        return texts

    def integer(
        self, data: dict[str, Any], key: str, path: YamlPath, *, default: int, low: int, high: int
    ) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail((*path, key), f"{key} must be a whole number from {low} to {high}")
            return default
        return value
