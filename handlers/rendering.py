"""How answers look in Telegram: HTML with every dynamic value escaped (via the catalogue)."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.chat_action import ChatActionSender
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import MESSAGE_LIMIT, Html, Texts, escape, markdown_to_html, split_message
from bot.services.questions import AnsweredQuestion, FullRuleText, QuestionService
from bot.services.universities import UniversityInfo
from handlers.callbacks import AnswerFeedback, ChooseRule, LanguageChoice, ShowFullRule
from handlers.people_callbacks import EscalateQuestion
from knowledge.answers import Answer, Choice, Citation
from knowledge.chunking import SECTION_SEPARATOR, section_under_title

LANGUAGE_NAMES = {"en": "English", "ur": "اردو"}

# "typing..." only for a reply that keeps the learner waiting: most answers take a few tens of
# milliseconds, and the indicator would then cost one Bot API request each at the busiest times.
TYPING_AFTER_SECONDS = 0.4


def typing_while_slow(bot: Bot, chat_id: int) -> ChatActionSender:
    """Shows "typing..." in the chat once a reply has taken TYPING_AFTER_SECONDS."""
    return ChatActionSender.typing(bot=bot, chat_id=chat_id, initial_sleep=TYPING_AFTER_SECONDS)


async def example_question(texts: Texts, questions: QuestionService) -> str:
    """The catalogue's example question for the texts that suggest one, or "none" (they then
    suggest none) when the knowledge base does not answer it."""
    example = texts("example-question")
    answered = await questions.answers_example(html.unescape(example), texts.language)
    return Html(example) if answered else "none"


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=LanguageChoice(code=code))
    return builder.as_markup()


# A button shows this much of a university's name (with its city): a whole row on a phone.
UNIVERSITY_BUTTON_CHARACTERS = 60


def university_keyboard(
    universities: Iterable[UniversityInfo],
    language: str,
    pick: Callable[[int], CallbackData],
    *,
    last: tuple[str, CallbackData] | None = None,
) -> InlineKeyboardMarkup:
    """The universities as buttons to pick from, one a row, each named in `language`; a press
    sends `pick(its id)`. `last` (a text and its data) is one more button under them."""
    builder = InlineKeyboardBuilder()
    for university in universities:
        builder.button(
            text=university.display_name(language)[:UNIVERSITY_BUTTON_CHARACTERS],
            callback_data=pick(university.id),
        )
    if last is not None:
        text, data = last
        builder.button(text=text, callback_data=data)
    builder.adjust(1)
    return builder.as_markup()


def render_answer(texts: Texts, answer: Answer) -> str:
    """The answer, then a numbered list of the rules it cites (and their Urdu versions).
    A redirect shows where to go; two rules the question could mean, a question back."""
    if answer.abstained and not answer.redirect:
        return texts("answer-abstained")
    if answer.asked_back:
        first, second = answer.choices[:2]
        return texts("answer-choose", first=_rule_name(first), second=_rule_name(second))
    # Answers are Markdown (FAQ entries are written so): shown formatted, the rest escaped.
    lines = [markdown_to_html(answer.text), "", f"<b>{texts('answer-sources')}</b>"]
    seen: set[tuple[str, str]] = set()
    for citation in answer.citations:
        key = (citation.title, citation.section)
        if key in seen:
            continue
        seen.add(key)
        shown = _path(section_under_title(citation.title, citation.section))
        section = f" › {escape(shown)}" if shown else ""
        lines.append(f"{len(seen)}. <i>{escape(citation.title)}</i>{section}")
        if citation.translation_title:
            lines.append("   " + _translation_line(texts, citation))
    return "\n".join(lines)


def _translation_line(texts: Texts, citation: Citation) -> str:
    """The Urdu version's title and heading path; the path alone when the title is the
    section's own heading (a translation of one section, or a document's only heading)."""
    title = _heading(citation.translation_title)
    section = _heading(
        section_under_title(citation.translation_title, citation.translation_section)
    )
    if section.split(" › ")[-1] == title:
        return texts("answer-translation-of-section", section=section)
    return texts("answer-translation-of", title=title, section=section)


def _path(section: str) -> str:
    """A heading path as the learner reads it, one separator throughout ("Recordings ›
    How long they are kept"): the index writes it with " > ", which the title's " › " before
    it would make read as two notations."""
    return section.replace(SECTION_SEPARATOR, " › ")


def _heading(text: str) -> str:
    """A translated heading as written ("اردو | English" shows its Urdu half)."""
    return " › ".join(part.split(" | ")[0] for part in text.split(SECTION_SEPARATOR))


def _rule_name(choice: Choice) -> str:
    section = _path(section_under_title(choice.title, choice.section))
    return f"{choice.title} › {section}" if section else choice.title


def render_full_rule(texts: Texts, rule: FullRuleText) -> list[str]:
    """The rule under its name, in messages below Telegram's limit: each after the first opens
    with the rule's name and "(continued)", so the learner knows which rule it goes on with."""
    shown = section_under_title(rule.title, rule.section)
    section = f" › {escape(_heading(shown))}" if shown else ""
    name = f"<b>{escape(_heading(rule.title))}</b>{section}"
    body = markdown_to_html(rule.text)
    if len(name) + 2 + len(body) <= MESSAGE_LIMIT:
        return [f"{name}\n\n{body}"]
    continued = texts("answer-rule-continued", rule=Html(name))
    room = max(MESSAGE_LIMIT // 2, MESSAGE_LIMIT - max(len(name), len(continued)) - 2)
    first, *rest = split_message(body, limit=room)
    return [f"{name}\n\n{first}"] + [f"{continued}\n\n{piece}" for piece in rest]


def choice_keyboard(texts: Texts, answered: AnsweredQuestion) -> InlineKeyboardMarkup:
    """(a) / (b): which of two rules the learner means (the passages' ids, never text)."""
    builder = InlineKeyboardBuilder()
    for key, choice in zip(
        ("answer-choice-a", "answer-choice-b"), answered.answer.choices, strict=False
    ):
        label = texts(key, section=_path(choice.section) or choice.title)
        builder.button(
            text=label[:60],
            callback_data=ChooseRule(question_id=answered.id, passage=choice.chunk_id),
        )
    builder.adjust(1)
    return builder.as_markup()


def feedback_keyboard(
    texts: Texts,
    question_id: int,
    *,
    offer_escalation: bool = False,
    full_rule: str | None = None,
) -> InlineKeyboardMarkup:
    """👍/👎, plus "Ask my focal person" when the bot abstained or the learner pressed 👎,
    plus "Show the full rule" when the answer quotes part of a rule."""
    # Rows written out rather than through InlineKeyboardBuilder: the builder deep-copies every
    # button when it exports them, ~4% of the bot's CPU for each answer sent (profiled).
    rows = [
        [
            _button(
                texts("answer-feedback-yes"), AnswerFeedback(question_id=question_id, helpful=True)
            ),
            _button(
                texts("answer-feedback-no"), AnswerFeedback(question_id=question_id, helpful=False)
            ),
        ]
    ]
    if full_rule:
        rows.append(
            [
                _button(
                    texts("answer-show-rule"),
                    ShowFullRule(question_id=question_id, passage=full_rule),
                )
            ]
        )
    if offer_escalation:
        rows.append(
            [_button(texts("ticket-button-escalate"), EscalateQuestion(question_id=question_id))]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def offers_escalation(markup: InlineKeyboardMarkup | None) -> bool:
    """Whether an answer's keyboard already has the "Ask my focal person" button."""
    prefix = EscalateQuestion.__prefix__ + ":"
    return markup is not None and any(
        (button.callback_data or "").startswith(prefix)
        for row in markup.inline_keyboard
        for button in row
    )
