"""dashboard: one-time sign-in links

Revision ID: 0007_dashboard
Revises: 0006_licences
Create Date: 2026-12-05 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.storage.types

revision: str = "0007_dashboard"
down_revision: str | None = "0006_licences"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dashboard_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", bot.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dashboard_sign_ins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dashboard_sign_ins_token_hash"), ["token_hash"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_dashboard_sign_ins_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dashboard_sign_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dashboard_sign_ins_user_id"))
        batch_op.drop_index(batch_op.f("ix_dashboard_sign_ins_token_hash"))
    op.drop_table("dashboard_sign_ins")
