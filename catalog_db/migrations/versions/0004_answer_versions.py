"""The general answers' wording edited on the desk, every saved version kept with who saved it and when.

Revision ID: 0004_answer_versions
Revises: 0003_program_retired
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_answer_versions"
down_revision = "0003_program_retired"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("response", sa.String(100), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_answer_versions_response", "answer_versions", ["response"])


def downgrade() -> None:
    op.drop_table("answer_versions")
