"""Imports every table module so `SQLModel.metadata` knows the whole schema (Alembic, tests).

Each feature adds its models module here.
"""

from bot.storage import (
    broadcast_models,  # noqa: F401
    courses_models,  # noqa: F401
    dashboard_models,  # noqa: F401
    delivery_models,  # noqa: F401
    licence_models,  # noqa: F401
    models,  # noqa: F401
    people_models,  # noqa: F401
    survey_models,  # noqa: F401
)
