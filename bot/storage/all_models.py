"""Imports every table module so `SQLModel.metadata` knows the whole schema (Alembic, tests),
and looks a table of it up by name (`table_of`) for the Core statements written without the ORM.

Each feature adds its models module here.
"""

from sqlalchemy import Table
from sqlmodel import SQLModel

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


def table_of(name: str) -> Table:
    """The table `name` (a model's `__tablename__`); every table module is imported above."""
    return SQLModel.metadata.tables[name]
