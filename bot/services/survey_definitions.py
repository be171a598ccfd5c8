"""Survey definitions: versioned YAML files, parsed and validated with errors that name the line.

A definition is plain data (frozen dataclasses); nothing here knows about storage or Telegram.
See docs/surveys.md for the file format.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Any

import yaml

from bot.errors import InvalidInputError
from bot.i18n import PAKISTAN_TIME

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,23}$")
QUESTION_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]{0,31}$")
LANGUAGES = ("en", "ur")
DEFAULT_TEXT_LIMIT = 300
MAX_TEXT_LIMIT = 1000
MAX_OPTIONS = 12  # more buttons than this do not fit a phone screen


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    RATING = "rating"
    NPS = "nps"
    NUMBER = "number"
    TEXT = "text"

    @property
    def is_typed(self) -> bool:
        """Answered by typing a message rather than pressing a button."""
        return self in (QuestionType.NUMBER, QuestionType.TEXT)


@dataclass(frozen=True)
class LocalText:
    en: str
    ur: str

    def get(self, language: str) -> str:
        return self.ur if language == "ur" else self.en


@dataclass(frozen=True)
class Option:
    id: str
    text: LocalText


@dataclass(frozen=True)
class Condition:
    """True when the answer to `question` is one of `values` (any of them, for multiple choice)."""

    question: str
    values: frozenset[str]

    def holds(self, answers: dict[str, Any]) -> bool:
        if self.question not in answers or answers[self.question] is None:
            return False
        given = answers[self.question]
        keys = (
            {answer_key(item) for item in given} if isinstance(given, list) else {answer_key(given)}
        )
        return bool(keys & self.values)


YES_NO_OPTIONS = (
    Option("yes", LocalText("Yes", "ہاں")),
    Option("no", LocalText("No", "نہیں")),
)


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    text: LocalText
    required: bool = True
    options: tuple[Option, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unit: LocalText | None = None
    max_length: int = DEFAULT_TEXT_LIMIT
    show_if: Condition | None = None

    def choices(self) -> tuple[Option, ...]:
        """The buttons of this question; scales are choices of their numbers."""
        if self.type is QuestionType.YES_NO:
            return YES_NO_OPTIONS
        if self.type is QuestionType.RATING:
            return tuple(Option(str(n), LocalText(str(n), str(n))) for n in range(1, 6))
        if self.type is QuestionType.NPS:
            return tuple(Option(str(n), LocalText(str(n), str(n))) for n in range(11))
        return self.options

    def choice_value(self, index: int) -> str | int:
        """The stored answer for the button at `index` (scales store integers)."""
        option = self.choices()[index]
        if self.type in (QuestionType.RATING, QuestionType.NPS):
            return int(option.id)
        return option.id


@dataclass(frozen=True)
class Headline:
    """A headline percentage: the share answering one of `values` (among those matching `among`)."""

    id: str
    text: LocalText
    question: str
    values: frozenset[str]
    among: Condition | None = None


@dataclass(frozen=True)
class SurveyDefinition:
    slug: str
    version: int
    title: LocalText
    questions: tuple[Question, ...]
    intro: LocalText | None = None
    anonymous: bool = False
    closes_at: datetime | None = None
    headlines: tuple[Headline, ...] = ()
    source: str = field(default="", compare=False, repr=False)

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def index_of(self, question_id: str) -> int:
        return [question.id for question in self.questions].index(question_id)

    def is_shown(self, question: Question, answers: dict[str, Any]) -> bool:
        return question.show_if is None or question.show_if.holds(answers)


def answer_key(value: Any) -> str:
    """One spelling for comparing answers with skip rules (YAML reads `yes` as a boolean)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class DefinitionProblem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class SurveyDefinitionError(InvalidInputError):
    """A survey file that cannot be used; `problems` lists every mistake with its line."""

    message_key = "survey-invalid"

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


Path = tuple[str | int, ...]


class _Reader:
    """Walks the parsed YAML, collecting problems with the line of each offending node."""

    def __init__(self, lines: dict[Path, int]) -> None:
        self.lines = lines
        self.problems: list[DefinitionProblem] = []
        # Questions already reported as broken: rules pointing at them add no new problem.
        self.broken: set[str] = set()

    def line(self, path: Path) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def fail(self, path: Path, message: str) -> None:
        self.problems.append(DefinitionProblem(self.line(path), message))

    def local_text(self, value: Any, path: Path, what: str) -> LocalText | None:
        if isinstance(value, str) and value.strip():
            self.fail(path, f"{what} needs both an 'en' and an 'ur' text")
            return None
        if not isinstance(value, dict):
            self.fail(path, f"{what} is missing (give 'en' and 'ur' texts)")
            return None
        texts: dict[str, str] = {}
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                name = "Urdu" if language == "ur" else "English"
                self.fail(path, f"{what}: missing {name} text ('{language}')")
            else:
                texts[language] = text.strip()
        if len(texts) < len(LANGUAGES):
            return None
        return LocalText(texts["en"], texts["ur"])

    def condition(
        self, value: Any, path: Path, earlier: dict[str, Question], what: str
    ) -> Condition | None:
        if not isinstance(value, dict) or "question" not in value:
            self.fail(path, f"{what} needs 'question' and 'equals' or 'in'")
            return None
        target = value.get("question")
        if target in self.broken:
            return None
        if target not in earlier:
            self.fail(
                (*path, "question"),
                f"{what} points to question {target!r}, which is not an earlier question",
            )
            return None
        if "equals" in value:
            raw = [value["equals"]]
        elif isinstance(value.get("in"), list) and value["in"]:
            raw = list(value["in"])
        else:
            self.fail(path, f"{what} needs 'equals: <answer>' or 'in: [<answers>]'")
            return None
        values = frozenset(answer_key(item) for item in raw)
        question = earlier[str(target)]
        allowed = {option.id for option in question.choices()}
        if allowed:
            unknown = sorted(values - allowed)
            if unknown:
                self.fail(
                    path,
                    f"{what}: question {target!r} has no answer {', '.join(unknown)} "
                    f"(its answers: {', '.join(sorted(allowed))})",
                )
                return None
        return Condition(str(target), values)


def _line_map(node: yaml.Node, path: Path, lines: dict[Path, int], reader: _Reader) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                reader.problems.append(
                    DefinitionProblem(key_node.start_mark.line + 1, f"duplicate key {key!r}")
                )
            seen.add(key)
            _line_map(value_node, (*path, key), lines, reader)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines, reader)


def _closing_time(value: Any) -> datetime | None:
    """A close date means "open through that day" in Pakistan, as learners read it (shown to
    them in Pakistan time); a datetime without a zone is Pakistan time too."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=PAKISTAN_TIME)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), tzinfo=PAKISTAN_TIME)
    raise ValueError(value)


KNOWN_SURVEY_KEYS = {
    "id",
    "version",
    "title",
    "intro",
    "anonymous",
    "closes_at",
    "questions",
    "headlines",
}
KNOWN_QUESTION_KEYS = {
    "id",
    "type",
    "text",
    "required",
    "options",
    "min",
    "max",
    "unit",
    "max_length",
    "show_if",
}


MAX_SURVEY_SOURCE_CHARS = 200_000  # a long survey is ~10 KB
PARSE_TIMEOUT_SECONDS = 5.0


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader refusing anchors and aliases: a survey never needs them, and an alias bomb
    (a few hundred bytes that expand to billions of nodes) is refused before it grows."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (& and *) are not allowed in a survey file",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)


async def parse_survey_off_loop(source: str) -> SurveyDefinition:
    """`parse_survey` in a worker thread with a time limit: the event loop keeps serving."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(parse_survey, source), timeout=PARSE_TIMEOUT_SECONDS
        )
    except TimeoutError:
        raise SurveyDefinitionError(
            [DefinitionProblem(None, f"took longer than {PARSE_TIMEOUT_SECONDS:.0f} s to read")]
        ) from None


def parse_survey(source: str) -> SurveyDefinition:
    """Parse and validate a survey file; raises `SurveyDefinitionError` listing every problem."""
    if len(source) > MAX_SURVEY_SOURCE_CHARS:
        raise SurveyDefinitionError(
            [
                DefinitionProblem(
                    None, f"the file is too large (at most {MAX_SURVEY_SOURCE_CHARS:,} characters)"
                )
            ]
        )
    try:
        loader = _NoAliasLoader(source)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise SurveyDefinitionError(
            [DefinitionProblem(line, f"not valid YAML: {error.problem or error.context}")]
        ) from None
    except yaml.YAMLError as error:
        raise SurveyDefinitionError([DefinitionProblem(None, f"not valid YAML: {error}")]) from None
    if node is None or not isinstance(data, dict):
        raise SurveyDefinitionError(
            [DefinitionProblem(1, "a survey file is a mapping with id, version, title, questions")]
        )
    lines: dict[Path, int] = {}
    reader = _Reader(lines)
    _line_map(node, (), lines, reader)
    definition = _read_survey(data, reader, source)
    if reader.problems or definition is None:
        reader.problems.sort(key=lambda problem: problem.line or 0)
        raise SurveyDefinitionError(reader.problems)
    return definition


@lru_cache(maxsize=64)
def parse_stored_survey(source: str) -> SurveyDefinition:
    """A definition from the database (validated when saved), parsed once per process."""
    return parse_survey(source)


def _read_survey(data: dict[str, Any], reader: _Reader, source: str) -> SurveyDefinition | None:
    for key in data:
        if str(key) not in KNOWN_SURVEY_KEYS:
            reader.fail((str(key),), f"unknown key {key!r}")
    slug = data.get("id")
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
        reader.fail(
            ("id",), "id must be 1-24 lowercase letters, digits, '-' or '_' (e.g. impact-2026)"
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        reader.fail(("version",), "version must be a whole number from 1 up")
    title = reader.local_text(data.get("title"), ("title",), "title")
    intro = None
    if "intro" in data:
        intro = reader.local_text(data["intro"], ("intro",), "intro")
    anonymous = data.get("anonymous", False)
    if not isinstance(anonymous, bool):
        reader.fail(("anonymous",), "anonymous must be true or false")
    closes_at = None
    if data.get("closes_at") is not None:
        try:
            closes_at = _closing_time(data["closes_at"])
        except ValueError:
            reader.fail(("closes_at",), "closes_at must be a date such as 2027-06-30")
    raw_questions = data.get("questions")
    questions: list[Question] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        reader.fail(("questions",), "questions must be a non-empty list")
        raw_questions = []
    earlier: dict[str, Question] = {}
    for index, raw in enumerate(raw_questions):
        question = _read_question(raw, ("questions", index), reader, earlier)
        if question is None and isinstance(raw, dict) and isinstance(raw.get("id"), str):
            reader.broken.add(raw["id"])
        if question is not None:
            if question.id in earlier:
                reader.fail(("questions", index, "id"), f"duplicate question id {question.id!r}")
                continue
            earlier[question.id] = question
            questions.append(question)
    headlines = _read_headlines(data.get("headlines", []), reader, earlier)
    if reader.problems or title is None:
        return None
    assert isinstance(slug, str) and isinstance(version, int)
    return SurveyDefinition(
        slug=slug,
        version=version,
        title=title,
        intro=intro,
        anonymous=bool(anonymous),
        closes_at=closes_at,
        questions=tuple(questions),
        headlines=tuple(headlines),
        source=source,
    )


def _read_question(
    raw: Any, path: Path, reader: _Reader, earlier: dict[str, Question]
) -> Question | None:
    if not isinstance(raw, dict):
        reader.fail(path, "each question is a mapping with id, type and text")
        return None
    problems_before = len(reader.problems)
    for key in raw:
        if str(key) not in KNOWN_QUESTION_KEYS:
            reader.fail((*path, str(key)), f"unknown key {key!r} in a question")
    question_id = raw.get("id")
    if not isinstance(question_id, str) or not QUESTION_ID_PATTERN.match(question_id):
        reader.fail((*path, "id"), "question id must be lowercase letters, digits or '_'")
        question_id = f"#{path[-1]}"
    kind_name = raw.get("type")
    try:
        kind = QuestionType(str(kind_name))
    except ValueError:
        kinds = ", ".join(item.value for item in QuestionType)
        reader.fail((*path, "type"), f"unknown question type {kind_name!r} (use one of: {kinds})")
        return None
    text = reader.local_text(raw.get("text"), (*path, "text"), f"question {question_id!r} text")
    required = raw.get("required", True)
    if not isinstance(required, bool):
        reader.fail((*path, "required"), "required must be true or false")
    options: list[Option] = []
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        options = _read_options(raw.get("options"), (*path, "options"), reader, question_id)
    elif "options" in raw:
        reader.fail((*path, "options"), f"a {kind.value} question has fixed answers, no options")
    minimum = maximum = None
    unit = None
    if kind is QuestionType.NUMBER:
        minimum, maximum = raw.get("min"), raw.get("max")
        for name, value in (("min", minimum), ("max", maximum)):
            if not isinstance(value, int | float) or isinstance(value, bool):
                reader.fail(
                    (*path, name) if name in raw else path,
                    f"a number question needs '{name}' (a number)",
                )
        if (
            isinstance(minimum, int | float)
            and isinstance(maximum, int | float)
            and minimum >= maximum
        ):
            reader.fail((*path, "max"), "max must be greater than min")
        if "unit" in raw:
            unit = reader.local_text(raw["unit"], (*path, "unit"), "unit")
    max_length = DEFAULT_TEXT_LIMIT
    if kind is QuestionType.TEXT and "max_length" in raw:
        limit = raw["max_length"]
        if (
            not isinstance(limit, int)
            or isinstance(limit, bool)
            or not 1 <= limit <= MAX_TEXT_LIMIT
        ):
            reader.fail((*path, "max_length"), f"max_length must be 1 to {MAX_TEXT_LIMIT}")
        else:
            max_length = limit
    show_if = None
    if "show_if" in raw:
        show_if = reader.condition(raw["show_if"], (*path, "show_if"), earlier, "show_if")
    if len(reader.problems) > problems_before or text is None:
        return None
    return Question(
        id=question_id,
        type=kind,
        text=text,
        required=bool(required),
        options=tuple(options),
        minimum=float(minimum) if minimum is not None else None,
        maximum=float(maximum) if maximum is not None else None,
        unit=unit,
        max_length=max_length,
        show_if=show_if,
    )


def _read_options(raw: Any, path: Path, reader: _Reader, question_id: str) -> list[Option]:
    if not isinstance(raw, list) or len(raw) < 2:
        reader.fail(path, f"question {question_id!r} needs 'options' (at least two)")
        return []
    if len(raw) > MAX_OPTIONS:
        reader.fail(path, f"question {question_id!r} has more than {MAX_OPTIONS} options")
    options: list[Option] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        item_path = (*path, index)
        if not isinstance(item, dict):
            reader.fail(item_path, "each option is a mapping with id and text")
            continue
        option_id = item.get("id")
        if not isinstance(option_id, str) or not QUESTION_ID_PATTERN.match(option_id):
            reader.fail((*item_path, "id"), "option id must be lowercase letters, digits or '_'")
            continue
        if option_id in seen:
            reader.fail((*item_path, "id"), f"duplicate option id {option_id!r}")
            continue
        seen.add(option_id)
        text = reader.local_text(item.get("text"), (*item_path, "text"), f"option {option_id!r}")
        if text is not None:
            options.append(Option(option_id, text))
    return options


def _read_headlines(raw: Any, reader: _Reader, questions: dict[str, Question]) -> list[Headline]:
    if not isinstance(raw, list):
        reader.fail(("headlines",), "headlines must be a list")
        return []
    headlines: list[Headline] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        path: Path = ("headlines", index)
        if not isinstance(item, dict):
            reader.fail(path, "each headline is a mapping with id, text, question, values")
            continue
        headline_id = str(item.get("id", ""))
        if not QUESTION_ID_PATTERN.match(headline_id) or headline_id in seen:
            reader.fail((*path, "id"), "headline id must be unique lowercase letters, digits, '_'")
            continue
        seen.add(headline_id)
        text = reader.local_text(item.get("text"), (*path, "text"), f"headline {headline_id!r}")
        rule = {"question": item.get("question"), "in": item.get("values")}
        condition = reader.condition(rule, path, questions, f"headline {headline_id!r}")
        among = None
        if "among" in item:
            among = reader.condition(item["among"], (*path, "among"), questions, "among")
        if text is not None and condition is not None:
            headlines.append(
                Headline(headline_id, text, condition.question, condition.values, among)
            )
    return headlines


def render_preview(definition: SurveyDefinition, language: str) -> str:
    """A plain-text preview of the whole survey, as HEC staff check it before saving."""
    lines = [f"{definition.title.get(language)} ({definition.slug} v{definition.version})"]
    flags = [f"{len(definition.questions)} questions"]
    if definition.anonymous:
        flags.append("anonymous")
    if definition.closes_at:
        flags.append(f"closes {definition.closes_at:%Y-%m-%d}")
    lines.append(", ".join(flags))
    if definition.intro:
        lines += ["", definition.intro.get(language)]
    for number, question in enumerate(definition.questions, start=1):
        marker = "" if question.required else " (optional)"
        lines += ["", f"{number}. [{question.type.value}]{marker} {question.text.get(language)}"]
        if question.show_if:
            values = ", ".join(sorted(question.show_if.values))
            lines.append(f"   only if {question.show_if.question} = {values}")
        if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            lines += [f"   - {option.text.get(language)}" for option in question.options]
        elif question.type is QuestionType.NUMBER:
            unit = f" {question.unit.get(language)}" if question.unit else ""
            lines.append(f"   {question.minimum:g} to {question.maximum:g}{unit}")
        elif question.type is QuestionType.TEXT:
            lines.append(f"   up to {question.max_length} characters")
    return "\n".join(lines)
