"""The catalog's tables as they were before migrations: institutions, programs, aliases, topics.

Databases made then hold exactly these tables and are stamped with this revision instead of
running it (catalog_db/migrations/__init__.py). Values are written out, not imported from the
models, so this revision stays what it was when the models change.

Revision ID: 0001_catalog_tables
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_catalog_tables"
down_revision = None
branch_labels = None
depends_on = None


def _one_of(column: str, *values: str) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=f"ck_programs_{column}")


def upgrade() -> None:
    op.create_table(
        "institutions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("phone", sa.String(40)),
        sa.Column("email", sa.String(200)),
        sa.Column("website", sa.String(300)),
    )
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_normalized", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("level", sa.String(20)),
        sa.Column("institution_id", sa.Integer, sa.ForeignKey("institutions.id"), nullable=False),
        sa.Column("cost_usd", sa.Numeric(10, 2)),
        sa.Column("duration_min", sa.Integer),
        sa.Column("duration_max", sa.Integer),
        sa.Column("duration_unit", sa.String(10)),
        sa.Column("credits_min", sa.Integer),
        sa.Column("credits_max", sa.Integer),
        sa.Column("delivery_format", sa.String(20)),
        sa.Column("eligibility", sa.Text),
        sa.Column("financial_aid", sa.Boolean),
        sa.Column("audience", sa.Text),
        sa.Column("summary", sa.Text),
        sa.Column("stacks_into", sa.Text),
        _one_of("kind", "micro-credential", "certificate", "degree"),
        _one_of("level", "undergraduate", "graduate"),
        _one_of("duration_unit", "hours", "days", "weeks", "months", "years"),
        _one_of("delivery_format", "online", "in_person", "hybrid"),
        sa.CheckConstraint("cost_usd >= 0", name="ck_programs_cost_usd"),
        sa.CheckConstraint("duration_min <= duration_max", name="ck_programs_duration_range"),
        sa.CheckConstraint("credits_min <= credits_max", name="ck_programs_credits_range"),
    )
    op.create_index("ix_programs_delivery_format", "programs", ["delivery_format"])
    op.create_index("ix_programs_kind", "programs", ["kind"])
    op.create_index("ix_programs_name_normalized", "programs", ["name_normalized"])
    op.create_index("ix_programs_slug", "programs", ["slug"], unique=True)
    op.create_index("ix_programs_cost_usd", "programs", ["cost_usd"])
    op.create_table(
        "program_aliases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "program_id", sa.Integer, sa.ForeignKey("programs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("alias", sa.String(200), nullable=False),
        sa.Column("alias_normalized", sa.String(200), nullable=False),
    )
    op.create_index("ix_program_aliases_program_id", "program_aliases", ["program_id"])
    op.create_index("ix_program_aliases_alias_normalized", "program_aliases", ["alias_normalized"])
    op.create_table(
        "program_topics",
        sa.Column(
            "program_id", sa.Integer, sa.ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("topic", sa.String(100), primary_key=True),
    )
    op.create_index("ix_program_topics_topic", "program_topics", ["topic"])


def downgrade() -> None:
    for table in ("program_topics", "program_aliases", "programs", "institutions"):
        op.drop_table(table)
