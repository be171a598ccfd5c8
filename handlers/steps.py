"""Ending a typed step of a conversation only once what was typed is accepted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram.fsm.context import FSMContext

from bot.errors import InvalidInputError


@asynccontextmanager
async def step_ends_when_accepted(state: FSMContext) -> AsyncIterator[None]:
    """Clear the conversation's state once the block has used the typed text.

    A text the service refuses as input (too long, empty) keeps the step: the shortened text
    typed next still belongs to it, instead of being read as a question for the knowledge base.
    Any other failure (answered meanwhile by someone else, no longer allowed) ends the step.
    """
    try:
        yield
    except InvalidInputError:
        raise
    except BaseException:
        await state.clear()
        raise
    await state.clear()
