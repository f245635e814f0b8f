"""Programs gain when they start, their page on the institution's website and how to enrol.

All three may be empty: an existing catalog keeps its programs as they are, without these facts,
until someone adds them.

Revision ID: 0002_program_enrolment_details
Revises: 0001_catalog_tables
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_program_enrolment_details"
down_revision = "0001_catalog_tables"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("programs", sa.Column("start_dates", sa.Text))
    op.add_column("programs", sa.Column("page_url", sa.String(500)))
    op.add_column("programs", sa.Column("how_to_enrol", sa.Text))


def downgrade() -> None:
    for column in ("how_to_enrol", "page_url", "start_dates"):
        op.drop_column("programs", column)
