"""One bot instance in webhook mode, as its own process, for the multi-instance tests.

`python -m tests.production.instance` runs `bot.runner.run_webhook` (what `hecbot run --webhook`
runs) configured from the environment, with two test-only additions: `EchoAnswerer` instead
of the knowledge engine unless ANSWERER=engine (ANSWER_DELAY_SECONDS simulates its work), and
a small enrolment conversation whose state lives in the FSM storage, so a test can make each
step of it arrive at a different instance.
"""

from __future__ import annotations

import asyncio
import os

from aiogram import Dispatcher, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.config import load_settings
from bot.container import build_answerer
from bot.logging_setup import configure_logging
from bot.runner import run_webhook
from bot.services.questions import Answerer
from tests.production.doubles import EchoAnswerer

INSTANCE = os.environ.get("INSTANCE_NAME", "?")


class Enrolment(StatesGroup):
    university = State()
    course = State()


async def on_enrol(message: Message, state: FSMContext) -> None:
    await state.set_state(Enrolment.university)
    await message.answer(f"[{INSTANCE}] Which university?")


async def on_university(message: Message, state: FSMContext) -> None:
    await state.update_data(university=message.text)
    await state.set_state(Enrolment.course)
    await message.answer(f"[{INSTANCE}] Which course?")


async def on_course(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await state.clear()
    await message.answer(f"[{INSTANCE}] Enrolled: {data['university']} / {message.text}")


def add_enrolment(dispatcher: Dispatcher) -> None:
    router = Router(name="enrolment-test")
    router.message.register(on_enrol, Command("enrol"))
    router.message.register(on_university, Enrolment.university, F.text)
    router.message.register(on_course, Enrolment.course, F.text)
    dispatcher.include_router(router)
    # Before the feature routers, as a real conversation module is in feature_routers().
    dispatcher.sub_routers.remove(router)
    dispatcher.sub_routers.insert(1, router)


def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    answerer: Answerer
    if os.environ.get("ANSWERER") == "engine":
        answerer = build_answerer(settings)  # the real knowledge engine, as in production
    else:
        answerer = EchoAnswerer(float(os.environ.get("ANSWER_DELAY_SECONDS", "0")))
    asyncio.run(run_webhook(settings, answerer=answerer, configure=add_enrolment))


if __name__ == "__main__":
    main()
