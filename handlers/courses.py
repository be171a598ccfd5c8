"""/courses (goal -> level -> hours -> a path of courses), /myplan, and course questions in chat.

This router goes BEFORE the questions router: it takes its own conversation's messages and the
general-chat messages `is_course_question` recognises; everything else falls through.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.errors import InvalidInputError
from bot.i18n import Html, Texts, escape
from bot.services.course_recommender import (
    LEVELS,
    ReasonKind,
    Recommendation,
    RecommendationStatus,
    RecommendedCourse,
)
from bot.services.courses import CourseService, PlanItem, is_course_question
from bot.services.questions import AnsweredQuestion, QuestionService
from bot.services.users import UserProfile
from handlers.commands import command
from handlers.edits import an_edited_question
from handlers.questions import send_answer
from handlers.rendering import typing_while_slow

HOURS_CHOICES = (2, 5, 10, 15)
DEFAULT_HOURS = 5
MAX_IDS_IN_BUTTON = 5


class CourseChoice(StatesGroup):
    goal = State()
    level = State()
    hours = State()


class CourseLevelPick(CallbackData, prefix="crl"):
    level: str


class CourseHoursPick(CallbackData, prefix="crh"):
    hours: int


class CourseAction(CallbackData, prefix="cra"):
    """more | basics | save, for the courses shown (ids joined by '.': five ids fit 64 bytes)."""

    action: str
    level: str
    hours: int
    ids: str


class PlanEntryDone(CallbackData, prefix="cpe"):
    """ "Done" under a plan course: names the plan entry, checked against the presser."""

    entry_id: int


class PlanCourseDone(CallbackData, prefix="crd"):
    """The same button on /myplan messages sent before it named the entry: the presser's own
    entry for that course."""

    course_id: int


def _ids_text(ids: list[int]) -> str:
    return ".".join(str(course_id) for course_id in ids[:MAX_IDS_IN_BUTTON])


def _parse_ids(text: str) -> list[int]:
    return [int(part) for part in text.split(".") if part.isdigit()]


# ---- rendering ---------------------------------------------------------------------------


def render_recommendation(texts: Texts, result: Recommendation, *, chat_hint: bool = False) -> str:
    if result.status is RecommendationStatus.UNCLEAR_GOAL:
        return texts("courses-goal-unclear")
    if result.status is RecommendationStatus.NO_FIT:
        if not result.nearest_tracks:
            return texts("courses-no-fit-no-tracks")
        names = ", ".join(
            track.title_ur if texts.language == "ur" and track.title_ur else track.title
            for track in result.nearest_tracks
        )
        return texts("courses-no-fit", tracks=names)
    lines = [texts("courses-result-header")]
    if result.track is not None:
        track_title = (
            result.track.title_ur
            if texts.language == "ur" and result.track.title_ur
            else result.track.title
        )
        lines.append(texts("courses-result-track", track=track_title))
    for number, item in enumerate(result.courses, start=1):
        lines.append("")
        lines.extend(_course_lines(texts, number, item, result.hours_per_week))
    lines.append("")
    lines.append(_time_line(texts, result))
    if chat_hint:
        lines.extend(["", texts("courses-chat-hint")])
    return "\n".join(lines)


def _time_line(texts: Texts, result: Recommendation) -> str:
    """Total weeks against the weeks the licence leaves; says so when the goal cannot fit."""
    weeks, available = result.total_weeks, round(result.weeks_available)
    if not result.fits:
        return texts("courses-result-too-long", weeks=weeks, available=available)
    line = texts(
        "courses-result-time", weeks=weeks, hours=result.hours_per_week, available=available
    )
    if result.trimmed_for_time:
        line += "\n" + texts("courses-result-trimmed")
    return line


def _reason_line(texts: Texts, item: RecommendedCourse) -> str:
    reason = item.reason
    skills = ", ".join(reason.skills)
    if reason.kind is ReasonKind.SKILLS and skills:
        return texts("courses-item-why", skills=skills)
    if reason.kind is ReasonKind.TRACK:
        track = reason.track_title_ur if texts.language == "ur" and reason.track_title_ur else ""
        return texts(
            "courses-item-why-track",
            track=track or reason.track_title,
            position=reason.position,
        )
    if reason.kind is ReasonKind.FOUNDATION and skills:
        return texts("courses-item-why-foundation", skills=skills)
    if skills:
        return texts("courses-item-why-related", skills=skills)
    return texts("courses-item-why-goal")


def _course_lines(texts: Texts, number: int, item: RecommendedCourse, hours: int) -> list[str]:
    course = item.course
    rating = (
        f"★ {course.rating:.1f}" if course.rating is not None else texts("courses-item-no-rating")
    )
    level = texts(f"courses-level-{course.level}")
    kind = texts(f"courses-kind-{course.kind}")
    lines = [
        texts("courses-item-title", number=number, title=course.title),
        texts(
            "courses-item-facts",
            partner=course.partner or "Coursera",
            level=f"{level}, {kind}",
            duration=course.duration or "?",
            rating=rating,
        ),
        _reason_line(texts, item),
    ]
    if item.part_of:
        lines.append(texts("courses-item-part-of", group=item.part_of))
    if item.weeks_at_pace is not None:
        lines.append(texts("courses-item-pace", weeks=item.weeks_at_pace, hours=hours))
    lines.append(texts("courses-item-link", url=Html(escape(course.url).replace('"', "&quot;"))))
    return lines


def recommendation_keyboard(texts: Texts, result: Recommendation) -> InlineKeyboardMarkup | None:
    if result.status is not RecommendationStatus.OK or not result.courses:
        return None
    ids = _ids_text(result.course_ids)
    builder = InlineKeyboardBuilder()
    for action, key in (
        ("more", "courses-button-more"),
        ("basics", "courses-button-basics"),
        ("save", "courses-button-save"),
    ):
        builder.button(
            text=texts(key),
            callback_data=CourseAction(
                action=action, level=result.level, hours=result.hours_per_week, ids=ids
            ),
        )
    builder.adjust(2, 1)
    return builder.as_markup()


def level_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for level in LEVELS:
        builder.button(
            text=texts(f"courses-level-{level}"), callback_data=CourseLevelPick(level=level)
        )
    builder.adjust(3)
    return builder.as_markup()


def hours_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for hours in HOURS_CHOICES:
        builder.button(
            text=texts(f"courses-hours-{hours}"), callback_data=CourseHoursPick(hours=hours)
        )
    builder.adjust(2, 2)
    return builder.as_markup()


def render_plan(texts: Texts, items: list[PlanItem]) -> tuple[str, InlineKeyboardMarkup | None]:
    if not items:
        return texts("courses-plan-empty"), None
    lines = [texts("courses-plan-header"), ""]
    builder = InlineKeyboardBuilder()
    for item in items:
        course = item.course
        lines.append(
            texts(
                "courses-plan-item",
                mark="✅" if item.done else "⬜",
                title=course.title,
                level=texts(f"courses-level-{course.level}"),
            )
        )
        if not item.done:
            short = course.title if len(course.title) <= 40 else course.title[:39] + "…"
            builder.button(
                text=texts("courses-plan-done-button", title=Html(short)),
                callback_data=PlanEntryDone(entry_id=item.entry_id),
            )
    builder.adjust(1)
    markup = builder.as_markup() if builder.buttons else None
    return "\n".join(lines), markup


# ---- the conversation --------------------------------------------------------------------


async def on_courses(message: Message, texts: Texts, state: FSMContext) -> None:
    await state.set_state(CourseChoice.goal)
    await message.answer(texts("courses-ask-goal"))


async def on_goal(
    message: Message, bot: Bot, texts: Texts, state: FSMContext, courses: CourseService
) -> None:
    goal = message.text or ""
    async with typing_while_slow(bot, message.chat.id):
        clear = await courses.goal_is_clear(goal)
    if not clear:
        await message.answer(texts("courses-goal-unclear"))
        return
    await state.update_data(goal=goal)
    await state.set_state(CourseChoice.level)
    await message.answer(texts("courses-ask-level"), reply_markup=level_keyboard(texts))


async def on_goal_not_text(message: Message, texts: Texts) -> None:
    await message.answer(texts("courses-goal-text-only"))


async def on_level(
    query: CallbackQuery, callback_data: CourseLevelPick, texts: Texts, state: FSMContext
) -> None:
    level = callback_data.level if callback_data.level in LEVELS else "beginner"
    await state.update_data(level=level)
    await state.set_state(CourseChoice.hours)
    await query.answer()
    if query.message is not None:
        await query.message.answer(texts("courses-ask-hours"), reply_markup=hours_keyboard(texts))


async def on_hours(
    query: CallbackQuery,
    *,
    callback_data: CourseHoursPick,
    bot: Bot,
    texts: Texts,
    state: FSMContext,
    courses: CourseService,
) -> None:
    data = await state.get_data()
    await state.clear()
    await query.answer()
    if query.message is None:
        return
    chat_id = query.message.chat.id
    async with typing_while_slow(bot, chat_id):
        result = await courses.recommend(
            str(data.get("goal", "")),
            level=str(data.get("level", "beginner")),
            hours_per_week=callback_data.hours,
            user_id=query.from_user.id,
        )
    await bot.send_message(
        chat_id,
        render_recommendation(texts, result),
        reply_markup=recommendation_keyboard(texts, result),
        disable_web_page_preview=True,
    )


async def on_stale_button(query: CallbackQuery, texts: Texts) -> None:
    """A level/hours button from a finished or cancelled conversation."""
    await query.answer(texts("button-expired"), show_alert=True)


# ---- buttons under a recommendation, /myplan, chat questions -------------------------------


async def on_course_action(
    query: CallbackQuery,
    *,
    callback_data: CourseAction,
    bot: Bot,
    texts: Texts,
    user: UserProfile,
    courses: CourseService,
) -> None:
    ids = _parse_ids(callback_data.ids)
    if callback_data.action == "save":
        saved = await courses.save_to_plan(user.id, ids)
        await query.answer(
            texts("courses-saved", count=saved) if saved else texts("courses-saved-none"),
            show_alert=True,
        )
        return
    await query.answer()
    if query.message is None:
        return
    chat_id = query.message.chat.id
    async with typing_while_slow(bot, chat_id):
        if callback_data.action == "basics":
            result = await courses.from_basics(ids, hours_per_week=callback_data.hours)
        else:
            result = await courses.more_like(
                ids, level=callback_data.level, hours_per_week=callback_data.hours
            )
    await bot.send_message(
        chat_id,
        render_recommendation(texts, result),
        reply_markup=recommendation_keyboard(texts, result),
        disable_web_page_preview=True,
    )


async def on_my_plan(
    message: Message, texts: Texts, user: UserProfile, courses: CourseService
) -> None:
    text, markup = render_plan(texts, await courses.plan(user.id))
    await message.answer(text, reply_markup=markup)


async def on_plan_done(
    query: CallbackQuery,
    callback_data: PlanEntryDone,
    texts: Texts,
    user: UserProfile,
    courses: CourseService,
) -> None:
    await courses.mark_done(user, callback_data.entry_id)
    await _plan_marked(query, texts, user, courses)


async def on_plan_course_done(
    query: CallbackQuery,
    callback_data: PlanCourseDone,
    texts: Texts,
    user: UserProfile,
    courses: CourseService,
) -> None:
    entry_id = await courses.entry_for_course(user.id, callback_data.course_id)
    await courses.mark_done(user, entry_id)
    await _plan_marked(query, texts, user, courses)


async def _plan_marked(
    query: CallbackQuery, texts: Texts, user: UserProfile, courses: CourseService
) -> None:
    await query.answer(texts("courses-plan-marked"))
    if query.message is not None and isinstance(query.message, Message):
        text, markup = render_plan(texts, await courses.plan(user.id))
        await query.message.edit_text(text, reply_markup=markup)


async def on_course_question(
    message: Message,
    *,
    bot: Bot,
    texts: Texts,
    user: UserProfile,
    courses: CourseService,
    questions: QuestionService,
) -> None:
    text = message.text or ""
    async with typing_while_slow(bot, message.chat.id):
        result = await courses.recommend(text, hours_per_week=DEFAULT_HOURS, user_id=user.id)
        if result.status is not RecommendationStatus.OK:
            # Sounding like a course choice is a guess ("what's the difference between a
            # Specialization and a course?" is about the rules): when no course fits, the
            # rules get their turn, and the course reply stands only if they have nothing.
            answered = await _rules_answer(questions, user, text)
            if answered is not None:
                await send_answer(message, texts, answered)
                return
    await message.answer(
        render_recommendation(texts, result, chat_hint=True),
        reply_markup=recommendation_keyboard(texts, result),
        disable_web_page_preview=True,
    )


async def _rules_answer(
    questions: QuestionService, user: UserProfile, text: str
) -> AnsweredQuestion | None:
    try:
        answered = await questions.ask(
            user.id,
            text,
            channel="telegram",
            university_id=user.university_id,
            language=user.language,
        )
    except InvalidInputError:
        return None
    return None if answered.answer.abstained or answered.content_free else answered


def _is_course_question(message: Message) -> bool:
    return is_course_question(message.text or "")


def create_router() -> Router:
    router = Router(name="courses")
    router.message.register(on_courses, command("courses"))
    router.message.register(on_my_plan, command("myplan"))
    router.message.register(on_goal, CourseChoice.goal, F.text, ~F.text.startswith("/"))
    router.message.register(on_goal_not_text, CourseChoice.goal, ~F.text)
    router.callback_query.register(on_level, CourseChoice.level, CourseLevelPick.filter())
    router.callback_query.register(on_hours, CourseChoice.hours, CourseHoursPick.filter())
    router.callback_query.register(on_stale_button, CourseLevelPick.filter())
    router.callback_query.register(on_stale_button, CourseHoursPick.filter())
    router.callback_query.register(on_course_action, CourseAction.filter())
    router.callback_query.register(on_plan_done, PlanEntryDone.filter())
    router.callback_query.register(on_plan_course_done, PlanCourseDone.filter())
    # Only outside any conversation: a survey's free-text answer that mentions courses is
    # that survey's, not ours.
    router.message.register(on_course_question, StateFilter(None), F.text, _is_course_question)
    # A course question corrected by editing it is asked again (handlers/edits.py).
    router.edited_message.register(
        on_course_question, StateFilter(None), F.text, _is_course_question, an_edited_question
    )
    return router
