"""The frame: everything the reader understood of one message, in one structure every action reads.

`FrameReader` (reader.py) builds it in the NLU pipeline and stores it in the message's parse data
under "frame"; a message asking several questions also carries one frame per question under
"questions" (bot/rasa_server.py reads each with the same pipeline). Actions get it back with
`Frame.of(tracker.latest_message)` and never look at the text again.
"""
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from bot.understanding.facts import fact_of
from bot.understanding.lexicon import Superlative

FRAME_KEY = "frame"
QUESTIONS_KEY = "questions"


@dataclass(frozen=True)
class Reference:
    """Words pointing back at what was just said: "it", "the second one", "which of them", "the other"."""

    text: str
    ordinal: Optional[int] = None  # 1-based position in the last list; -1 for the last one
    plural: bool = False
    other: bool = False


@dataclass(frozen=True)
class Frame:
    """One reading of a message (or of one question of it)."""

    text: str = ""
    intent: Optional[str] = None        # what the conversation acts on, after the scope decision
    classified: Optional[str] = None    # the classifier's own choice
    confidence: float = 0.0
    out_of_scope: float = 0.0           # the classifier's probability that the message is off-topic
    verdict: str = "answer"             # the scope decision: answer, decline or unsure (scope.py)
    reason: str = ""                    # why, in a few words, for the logs and the review queue
    fact: Optional[str] = None          # the fact asked (facts.py): cost, duration, format, ...
    facts_named: Tuple[str, ...] = ()   # facts named by their nouns ("the entry reqs" → eligibility)
    programs: Tuple[Tuple[str, ...], ...] = ()  # programs named, in order; several slugs when ambiguous
    topic: Optional[str] = None         # a catalog topic named ("safety")
    subject: Optional[str] = None       # a subject named that is no program or topic of ours ("biology")
    study_subject: float = 0.0          # how likely `subject` is a field of study or training (0-1)
    nearest: Tuple[str, ...] = ()       # our programs closest in meaning to `subject`, closest first
    course_subject: bool = False        # `subject` is named as what a course is about ("russian courses")
    subject_alone: bool = False         # `subject` and words of grammar are all the message says ("swahili?")
    names_study: bool = False           # a word for a course or credential ("the welding course")
    kinds: Tuple[str, ...] = ()
    level: Optional[str] = None
    delivery_format: Optional[str] = None
    max_cost: Optional[float] = None
    superlative: Optional[Superlative] = None
    reference: Optional[Reference] = None
    situation: Dict[str, Any] = field(default_factory=dict)  # questionnaire answers in the message
    asks: bool = False                  # put as a question ("?" or a question word first), not a statement
    names_person: bool = False          # a person to talk to is named ("someone from admissions")
    office_matter: bool = False         # a matter only the office handles is named (a transcript, a visa)

    @property
    def program_slugs(self) -> List[str]:
        """Every program named, unambiguous or not, in order, each once."""
        return list(dict.fromkeys(slug for mention in self.programs for slug in mention))

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Optional[Dict[str, Any]]) -> "Frame":
        if not data:
            return cls()
        values = dict(data)
        values["programs"] = tuple(tuple(mention) for mention in values.get("programs") or ())
        values["kinds"] = tuple(values.get("kinds") or ())
        values["nearest"] = tuple(values.get("nearest") or ())
        values["facts_named"] = tuple(values.get("facts_named") or ())
        if values.get("superlative"):
            values["superlative"] = Superlative(**values["superlative"])
        if values.get("reference"):
            values["reference"] = Reference(**values["reference"])
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in values.items() if key in known})

    @classmethod
    def of(cls, parse_data: Dict[str, Any]) -> "Frame":
        """The frame of a message's parse data (a tracker's `latest_message`, a user event's).

        A button's "/intent" payload skips the NLU pipeline: its frame is the intent alone.
        """
        if parse_data.get(FRAME_KEY):
            return cls.from_dict(parse_data[FRAME_KEY])
        intent = (parse_data.get("intent") or {}).get("name")
        fact = fact_of(intent)
        return cls(text=parse_data.get("text") or "", intent=intent, classified=intent,
                   confidence=float((parse_data.get("intent") or {}).get("confidence") or 0.0),
                   fact=fact.name if fact else None)

    @classmethod
    def questions_of(cls, parse_data: Dict[str, Any]) -> List["Frame"]:
        """One frame per question the message asks, in order (the message's own frame when one)."""
        questions = parse_data.get(QUESTIONS_KEY) or []
        return [cls.from_dict(question) for question in questions] or [cls.of(parse_data)]
