"""The review of messages the assistant missed: grouping, the queue, admins' labels, the reviewed NLU file.

A group is every missed message (or answer rated unhelpful) whose text is the same once case, accents, punctuation, spacing
and filler words ("hi", "please") are set aside; only a hash of that form is stored.
A label hides its group's messages up to the moment it was made; "off-topic" and "dismiss" also
hide the ones that come later, while an example's group comes back if the assistant misses it
again (not retrained yet, or not learnt).
"""
import hashlib
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml
from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from channels.desk.analytics.models import ConversationSummary, MessageSummary, RatingSummary, ReviewLabel

FILLER = frozenset({"hi", "hello", "hey", "please", "pls", "plz", "um", "umm", "uh", "hmm", "ok", "okay"})
DECISIONS = ("example", "off_topic", "dismissed")
OFF_TOPIC_INTENT = "out_of_scope"
# Intents an example cannot be given: set by components or channels, or chosen through their own button.
NOT_LABELLABLE = frozenset({"nlu_fallback", "non_english", OFF_TOPIC_INTENT, "message_too_long", "rate_answer"})
MAX_EXAMPLE_LENGTH = 300
UNHELPFUL = "unhelpful"  # a kind of its own: an answer the learner rated thumbs down, whatever its outcome
ORDERS = ("frequent", "newest")


def normalize(text: str) -> str:
    """The form of a message that near-identical messages share."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"['’`]", "", folded)
    words = re.findall(r"\w+", folded)
    kept = [word for word in words if word not in FILLER] or words
    return " ".join(kept) if kept else folded.strip()


def text_key(text: str) -> str:
    return hashlib.sha256(normalize(text).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Group:
    key: str
    count: int
    newest_id: int  # the newest message's event id: its text is what the admin sees
    newest_at: float
    conversation_id: int
    outcomes: Dict[str, int]  # how many of its messages of each kind
    answer_event_id: Optional[int] = None  # the newest message was rated unhelpful: the answer it got


def _visible(start: date, end: date, kinds: Sequence[str], channels: Optional[Sequence[str]] = None,
             keys: Optional[Sequence[str]] = None):
    """Messages of the period in the review (of these kinds, on these channels, in these groups), less those
    a label hides; each with its kind (an unhelpful rating first).

    Missed messages are read from the review's index by outcome, the few rated down through their ratings:
    two selects joined, where one with an OR would read every message of the period."""
    labels = (select(ReviewLabel.text_key, func.max(ReviewLabel.labelled_at).label("upto"),
                     func.max(case((ReviewLabel.decision != "example", 1), else_=0)).label("forever"))
              .group_by(ReviewLabel.text_key).subquery())
    m, r = MessageSummary, RatingSummary
    outcomes = [kind for kind in kinds if kind != UNHELPFUL]
    rated_down = select(r.message_id).where(r.value == "down")
    parts = []
    if outcomes:
        parts.append(select(m.id, m.text_key, m.at, m.conversation_id,
                            case((m.id.in_(rated_down), UNHELPFUL), else_=m.outcome).label("outcome"))
                     .where(m.outcome.in_(outcomes), m.day.between(start, end)))
    if UNHELPFUL in kinds:
        parts.append(select(m.id, m.text_key, m.at, m.conversation_id, literal(UNHELPFUL).label("outcome"))
                     .join(r, r.message_id == m.id)
                     .where(r.value == "down", m.day.between(start, end), *([m.outcome.not_in(outcomes)] if outcomes else [])))
    found = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    statement = (select(found.c.id, found.c.text_key, found.c.at, found.c.outcome)
                 .outerjoin(labels, labels.c.text_key == found.c.text_key)
                 .where(or_(labels.c.text_key.is_(None), and_(labels.c.forever == 0, found.c.at > labels.c.upto))))
    if channels:
        c = ConversationSummary
        statement = statement.join(c, c.id == found.c.conversation_id).where(c.channel.in_(list(channels)))
    if keys is not None:
        statement = statement.where(found.c.text_key.in_(list(keys)))
    return statement.subquery()


def newest_of_groups(session: Session, start: date, end: date, kinds: Sequence[str],
                     channels: Optional[Sequence[str]] = None) -> Dict[str, int]:
    """Every group in the review, with its newest message (for a search through the texts)."""
    visible = _visible(start, end, kinds, channels)
    return dict(session.execute(select(visible.c.text_key, func.max(visible.c.id)).group_by(visible.c.text_key)).all())


def queue(session: Session, start: date, end: date, kinds: Sequence[str], limit: int = 50, offset: int = 0,
          channels: Optional[Sequence[str]] = None, order: str = "frequent",
          keys: Optional[Sequence[str]] = None) -> Tuple[int, List[Group]]:
    """(how many groups, one page of them): the most frequent first, or the newest."""
    visible = _visible(start, end, kinds, channels, keys)
    total = session.execute(select(func.count(func.distinct(visible.c.text_key)))).scalar() or 0
    newest_first = (func.max(visible.c.at).desc(), visible.c.text_key)
    rows = session.execute(
        select(visible.c.text_key, func.count(), func.max(visible.c.id), func.max(visible.c.at))
        .group_by(visible.c.text_key)
        .order_by(*(newest_first if order == "newest" else (func.count().desc(), *newest_first)))
        .limit(limit).offset(offset)).all()
    if not rows:
        return total, []
    keys = [row[0] for row in rows]
    newest = {m.id: m for m in session.execute(
        select(MessageSummary).where(MessageSummary.id.in_([row[2] for row in rows]))).scalars()}
    kinds_of: Dict[str, Dict[str, int]] = {key: {} for key in keys}
    for key, outcome, count in session.execute(
            select(visible.c.text_key, visible.c.outcome, func.count())
            .where(visible.c.text_key.in_(keys)).group_by(visible.c.text_key, visible.c.outcome)):
        kinds_of[key][outcome] = count
    answers = _rated_answers(session, list(newest))
    return total, [Group(key=key, count=count, newest_id=newest_id, newest_at=newest_at,
                         conversation_id=newest[newest_id].conversation_id, outcomes=kinds_of[key],
                         answer_event_id=answers.get(newest_id))
                   for key, count, newest_id, newest_at in rows]


def _rated_answers(session: Session, message_ids: Sequence[int]) -> Dict[int, int]:
    """The answer (its last bot event) each of these messages got, for those rated thumbs down."""
    return dict(session.execute(select(RatingSummary.message_id, RatingSummary.answer_event_id).where(
        RatingSummary.message_id.in_(list(message_ids)), RatingSummary.value == "down")).all())


def label(session: Session, key: str, decision: str, intent: Optional[str], admin: str, now: float) -> ReviewLabel:
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    row = ReviewLabel(text_key=key, decision=decision, intent=intent, labelled_by=admin, labelled_at=now)
    session.add(row)
    session.flush()
    return row


def _files(directory: Path) -> Tuple[Tuple[str, int], ...]:
    """The YAML files under a directory with their modification times: what the caches below are keyed by."""
    return tuple((str(path), path.stat().st_mtime_ns) for path in sorted(directory.rglob("*.yml")))


@lru_cache(maxsize=4)
def _domain_intents(files: Tuple[Tuple[str, int], ...]) -> Tuple[str, ...]:
    intents: List[str] = []
    for path, _ in files:
        domain = yaml.safe_load(Path(path).read_text()) or {}
        for intent in domain.get("intents") or []:
            name = intent if isinstance(intent, str) else next(iter(intent))
            if name not in NOT_LABELLABLE:
                intents.append(name)
    return tuple(sorted(intents))


def intent_choices(domain_dir: Path) -> List[str]:
    """What a missed message can be an example of: the domain's intents (each FAQ answer is one). Read
    again only when a file changed (parsing the YAML takes a good part of a second)."""
    return list(_domain_intents(_files(domain_dir)))


# How an intent's name reads to an admin: its prefix in words, the rest with spaces.
NAME_PREFIXES = (("faq_", "General question: "), ("ask_", "Asks about: "), ("inform_", "Tells us: "))
ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Choice:
    """An intent an example can be given, as the review offers it."""

    intent: str
    label: str  # what it is about, in words
    example: str  # one of its training examples, as a learner would write it


def human_name(intent: str) -> str:
    for prefix, words in NAME_PREFIXES:
        if intent.startswith(prefix):
            return words + intent[len(prefix):].replace("_", " ")
    return intent.replace("_", " ").capitalize()


def first_examples(nlu_dir: Path) -> Dict[str, str]:
    """Each intent's first training example, without entity markup; read again only when a file changed."""
    return dict(_first_examples(_files(nlu_dir)))


@lru_cache(maxsize=4)
def _first_examples(files: Tuple[Tuple[str, int], ...]) -> Tuple[Tuple[str, str], ...]:
    found: Dict[str, str] = {}
    for path, _ in files:
        for block in (yaml.safe_load(Path(path).read_text()) or {}).get("nlu") or []:
            lines = [line.strip()[2:] for line in str(block.get("examples") or "").splitlines()
                     if line.strip().startswith("- ")]
            if block.get("intent") and lines and block["intent"] not in found:
                found[block["intent"]] = ENTITY_MARKUP.sub(r"\1", lines[0])
    return tuple(found.items())


def described_choices(domain_dir: Path, nlu_dir: Path) -> List[Choice]:
    """The domain's intents by their names in words, each with an example, alphabetically by those names."""
    examples = first_examples(nlu_dir)
    return sorted((Choice(intent, human_name(intent), examples.get(intent, "")) for intent in intent_choices(domain_dir)),
                  key=lambda choice: choice.label.casefold())


HEADER = """version: "3.1"

# Messages the assistant missed, labelled by admins in the desk's review (channels/desk/analytics/review.py
# writes this file). `make train` and `make run` learn them. Commit the file to keep them.
nlu:
"""
_file_lock = threading.Lock()


def example_text(text: str) -> str:
    """A learner's message as one line of training data: no line breaks, no control characters, and no
    square brackets, which Rasa would read as entity markup."""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    text = re.sub(r"\s+", " ", text.replace("[", "(").replace("]", ")")).strip()
    if not text:
        raise ValueError("the message is empty")
    if len(text) > MAX_EXAMPLE_LENGTH:
        raise ValueError(f"the message is longer than {MAX_EXAMPLE_LENGTH} characters: too long to teach from")
    return text


def read_examples(path: Path) -> Dict[str, List[str]]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    examples: Dict[str, List[str]] = {}
    for block in data.get("nlu") or []:
        lines = (block.get("examples") or "").splitlines()
        examples.setdefault(block["intent"], []).extend(line[2:] for line in lines if line.startswith("- "))
    return examples


def add_example(path: Path, intent: str, text: str) -> bool:
    """Add one example under the intent; False when it was there already. The file is replaced whole."""
    line = example_text(text)
    with _file_lock:
        examples = read_examples(path)
        if line in examples.get(intent, []):
            return False
        examples.setdefault(intent, []).append(line)
        body = HEADER + "".join(
            f"  - intent: {name}\n    examples: |\n" + "".join(f"      - {e}\n" for e in examples[name])
            for name in sorted(examples))
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".reviewed-", suffix=".yml")
        with os.fdopen(handle, "w") as out:
            out.write(body)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    return True
