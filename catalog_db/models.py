"""The catalog's tables: institutions, programs, their aliases and topics, and the edited wording of
the general answers (handoffs are in handoff_db)."""
from typing import Iterable

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    false,
)
from sqlalchemy.orm import declarative_base, relationship, validates

from catalog_db.names import normalize_name

KINDS = ("micro-credential", "certificate", "degree")
LEVELS = ("undergraduate", "graduate")
DURATION_UNITS = ("hours", "days", "weeks", "months", "years")
DELIVERY_FORMATS = ("online", "in_person", "hybrid")

Base = declarative_base()


def _one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """A CHECK that the column holds one of the values; NULL passes a CHECK, so nullable columns stay so."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"ck_programs_{column}")


class Institution(Base):
    __tablename__ = "institutions"

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False, unique=True)
    phone = Column(String(40))
    email = Column(String(200))
    website = Column(String(300))

    programs = relationship("Program", back_populates="institution")


class Program(Base):
    __tablename__ = "programs"
    __table_args__ = (
        _one_of("kind", KINDS),
        _one_of("level", LEVELS),
        _one_of("duration_unit", DURATION_UNITS),
        _one_of("delivery_format", DELIVERY_FORMATS),
        CheckConstraint("cost_usd >= 0", name="ck_programs_cost_usd"),
        CheckConstraint("duration_min <= duration_max", name="ck_programs_duration_range"),
        CheckConstraint("credits_min <= credits_max", name="ck_programs_credits_range"),
    )

    id = Column(Integer, primary_key=True)
    slug = Column(String(100), nullable=False, unique=True, index=True)
    name = Column(String(200), nullable=False)
    # Kept in step with `name` by the validator below, so an exact name lookup can use an index.
    name_normalized = Column(String(200), nullable=False, index=True)
    kind = Column(String(20), nullable=False, index=True)
    level = Column(String(20))
    institution_id = Column(Integer, ForeignKey("institutions.id"), nullable=False)
    # Read back as float: SQLite has no decimal type, and prices need no exact arithmetic here.
    cost_usd = Column(Numeric(10, 2, asdecimal=False), index=True)
    duration_min = Column(Integer)
    duration_max = Column(Integer)
    duration_unit = Column(String(10))
    credits_min = Column(Integer)
    credits_max = Column(Integer)
    delivery_format = Column(String(20), index=True)
    eligibility = Column(Text)
    financial_aid = Column(Boolean)
    audience = Column(Text)
    summary = Column(Text)
    stacks_into = Column(Text)
    start_dates = Column(Text)  # when it starts or the next intake, as the institution words it
    page_url = Column(String(500))  # the program's page on the institution's website
    how_to_enrol = Column(Text)
    # No longer offered: left out of lists and suggestions, still known by name, so a learner who asks
    # about it hears that it is no longer offered.
    retired = Column(Boolean, nullable=False, default=False, server_default=false())

    institution = relationship("Institution", back_populates="programs")
    aliases = relationship(
        "ProgramAlias", back_populates="program", cascade="all, delete-orphan", order_by="ProgramAlias.id"
    )
    topics = relationship(
        "ProgramTopic", back_populates="program", cascade="all, delete-orphan", order_by="ProgramTopic.topic"
    )

    @validates("name")
    def _normalize_name(self, key: str, value: str) -> str:
        self.name_normalized = normalize_name(value)
        return value


class ProgramAlias(Base):
    __tablename__ = "program_aliases"

    id = Column(Integer, primary_key=True)
    # Indexed because every program's aliases are loaded by program id.
    program_id = Column(Integer, ForeignKey("programs.id", ondelete="CASCADE"), nullable=False, index=True)
    alias = Column(String(200), nullable=False)
    alias_normalized = Column(String(200), nullable=False, index=True)

    program = relationship("Program", back_populates="aliases")

    @validates("alias")
    def _normalize_alias(self, key: str, value: str) -> str:
        self.alias_normalized = normalize_name(value)
        return value


class ProgramTopic(Base):
    __tablename__ = "program_topics"

    # The primary key's index (program_id first) serves loading a program's topics.
    program_id = Column(Integer, ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    topic = Column(String(100), primary_key=True, index=True)

    program = relationship("Program", back_populates="topics")


class AnswerVersion(Base):
    """One saved wording of a general answer (a response of bot/domain/faq.yml), edited on the desk.

    The newest version of a response is the one learners get; a version without text goes back to
    the domain's own wording, which stays the shipped default.
    """

    __tablename__ = "answer_versions"

    id = Column(Integer, primary_key=True)
    response = Column(String(100), nullable=False, index=True)  # utter_faq_... or utter_general_...
    text = Column(Text)  # None: the domain's default
    author = Column(String(100), nullable=False)  # the desk's username of the admin who saved it
    saved_at = Column(DateTime(timezone=True), nullable=False)
