"""Programs can be retired: no longer offered, but still known by name.

Revision ID: 0003_program_retired
Revises: 0002_program_enrolment_details
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_program_retired"
down_revision = "0002_program_enrolment_details"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every program of an existing catalog stays offered. SQLite adds (and drops) a column in place, so
    # no batch copy of the table is needed, which would lose its CHECK constraints.
    op.add_column("programs", sa.Column("retired", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("programs", "retired")
