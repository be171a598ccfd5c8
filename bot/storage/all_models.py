"""Imports every table module so `SQLModel.metadata` knows the whole schema (Alembic, tests).

Each feature adds its models module here.
"""

from bot.storage import broadcast_models, delivery_models, models  # noqa: F401
