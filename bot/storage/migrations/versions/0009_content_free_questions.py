"""questions.content_free: "👍", "ok", one word, asked for a full question (not a gap)

Revision ID: 0009_content_free_questions
Revises: 0008_course_vectors
Create Date: 2026-12-05 08:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_content_free_questions"
down_revision: str | None = "0008_course_vectors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("content_free", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_column("content_free")
