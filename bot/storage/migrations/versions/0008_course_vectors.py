"""course vectors stored at import; tracks and catalogue versions in the database

Revision ID: 0008_course_vectors
Revises: 0007_dashboard
Create Date: 2026-12-05 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.storage.types

revision: str = "0008_course_vectors"
down_revision: str | None = "0007_dashboard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "course_vectors",
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("content_hash"),
    )
    op.create_table(
        "course_settings",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("updated_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("course_settings")
    op.drop_table("course_vectors")
