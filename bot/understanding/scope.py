"""The one place that decides whether a message is answered, declined, or not understood.

Every message goes through `decide` once, in the NLU pipeline (reader.py), before rules and
policies see it: the intent it returns is what the conversation acts on. Its inputs are the
classifier's choice and its probability that the message is off-topic, and the frame: programs
or topics of the catalog named, a word for a course or credential, the subject asked about and how
likely that subject is a field of study or training, a reference to what was just said.

The rule that matters most: a question asking a study fact (cost, length, requirements, funding,
format, start, applying, workload...) of a field of study is ours even when the catalog lacks
that field ("how much does it cost to study biology"); the same question about something that is
not a field of study ("how much is a flight to Denver") is declined. A coach is only paged when
the learner asks for a person, never for chatter that merely looks like it.
"""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

from bot.understanding.facts import FACTS, fact_of
from bot.understanding.frame import Frame
from bot.understanding.intents import (
    ASK_OFFICE,
    ASK_PROGRAM,
    LIST_PROGRAMS,
    MISUNDERSTOOD,
    OUT_OF_SCOPE,
    PERSON,
    QUESTIONNAIRE,
    SMALL_TALK,
    is_domain,
    is_faq,
    is_question,
)
from bot.understanding.references import ConversationState

ANSWER, DECLINE, UNSURE = "answer", "decline", "unsure"


@dataclass(frozen=True)
class Thresholds:
    """How sure is sure enough (bot/config.yml sets them on the reader)."""

    plausible: float = 0.25      # below this an intent is not understood ("could you rephrase?")
    confident: float = 0.75      # a coach, our number or the questionnaire: asked for this plainly
    bare: float = 0.75           # a question naming nothing ("how long does it take?") asked this plainly is taken
    study_subject: float = 0.5   # a subject at least this likely a field of study is one
    course_subject: float = 0.3  # named as a course's subject, it need only be this likely ("a spin class" is not)
    doubt: float = 0.2           # an off-topic probability this high: a weak sign of ours does not outweigh it
    off_topic: float = 0.99      # an off-topic probability this high stands even against a program or course named
    sure_study_subject: float = 0.9  # a course of a subject this likely a field of study is ours whatever the classifier says
    sure_question: float = 0.9   # a study question this plain, with an off-topic probability below `negligible`...
    negligible: float = 0.05
    doubtful_subject: float = 0.2  # ...outweighs a subject model this unsure ("the price of fancy florence"),
    plainly_not_studied: float = 0.1  # or, with a kind of credential named too, all but a subject this unlikely


@dataclass(frozen=True)
class Decision:
    intent: str
    verdict: str
    reason: str


STRONG, WEAK = "strong", "weak"


def _study_evidence(frame: Frame, thresholds: Thresholds) -> Tuple[Optional[str], str]:
    """Why the message is about studying, from the frame alone, and how strongly: a program, a
    kind of credential, or a course of a subject named is strong; a subject that is a field of
    study, one of our topics, a word for a course alone ("a course of antibiotics"), an ordering
    or a price bound is weak (people play music and add art to their calendars too)."""
    if frame.programs:
        return STRONG, "names a program"
    if _course_of_a_subject(frame, thresholds):
        return STRONG, "asks about a course of a subject"
    if frame.kinds and not _foreign_subject(frame, thresholds):
        return STRONG, "names a kind of credential"
    if frame.subject and frame.study_subject >= thresholds.study_subject:
        return WEAK, "asks about a field of study"
    if frame.topic and not frame.subject:
        return WEAK, "names a topic of ours"
    if frame.names_study and not _foreign_subject(frame, thresholds):
        return WEAK, "names a course or credential"
    if frame.superlative or frame.max_cost is not None:
        # "what's the cheapest thing you have": ordering what we offer; with a subject it is the subject's
        return (WEAK if frame.subject else STRONG), "orders or bounds programs"
    return None, ""


def _course_of_a_subject(frame: Frame, thresholds: Thresholds) -> bool:
    """"a film making course", "nursing degree": a subject named as what a course is about."""
    return bool(frame.subject) and frame.course_subject and frame.study_subject >= thresholds.course_subject


def _foreign_subject(frame: Frame, thresholds: Thresholds) -> bool:
    """The message is about a subject that is neither ours nor a field of study ("car insurance",
    "a birth certificate"). Beside a kind of credential the message is about, another subject is
    only context ("will a hiring manager take a micro-credential seriously?")."""
    if not frame.subject or frame.study_subject >= thresholds.study_subject or frame.programs:
        return False
    if _course_of_a_subject(frame, thresholds) or _plain_question_outweighs_subject(frame, thresholds):
        return False
    return not frame.kinds or frame.course_subject


def _plain_question_outweighs_subject(frame: Frame, thresholds: Thresholds) -> bool:
    """Two readings disagree: the classifier is all but sure the message is one of our questions,
    the subject model is unsure what the subject is. A course title of another catalog ("the price of
    fancy florence", "childcare level 3 how long") is such a subject; a subject plainly not studied
    ("a flight to denver") is not unsure, and an off-topic question is seldom read as plainly ours.
    A kind of credential named as well ("which credential should i go for if i cant commit yet") is a
    second sign of ours, which only a subject all but surely not studied outweighs."""
    floor = thresholds.plainly_not_studied if frame.kinds else thresholds.doubtful_subject
    return (is_domain(frame.classified) and frame.confidence >= thresholds.sure_question
            and frame.out_of_scope < thresholds.negligible and frame.study_subject >= floor)


def _names_nothing(frame: Frame) -> bool:
    return not (frame.programs or frame.subject or frame.topic or frame.kinds)


def _follows_up(frame: Frame, state: ConversationState) -> bool:
    """Points back at what was just said ("the second one", "which is cheaper?", "and the price?"):
    a reference, an ordering or a bare question, with something said before to point at."""
    if state.empty:
        return False
    return frame.reference is not None or (_names_nothing(frame) and (frame.superlative is not None
                                                                      or is_question(frame.classified)))


def _best_question(ranking: Sequence[Tuple[str, float]]) -> Optional[str]:
    return next((name for name, _ in ranking if is_question(name)), None)


def _fact_named(frame: Frame, intent: Optional[str]) -> Optional[str]:
    """A question about a program in general that names one fact asks that fact: "what are the
    entry reqs" read as "tell me about it" asks the requirements."""
    overview = intent == ASK_PROGRAM or fact_of(intent) is FACTS["overview"]
    return FACTS[frame.facts_named[0]].intent if overview and len(frame.facts_named) == 1 else intent


# The general answer's question → the fact it answers for all kinds ("faq_compare_cost" → "ask_cost");
# what a credential is in general is no fact of one program.
_FACT_OF_GENERAL_ANSWER = {fact.general_answer(()).removeprefix("utter_"): fact.intent for fact in FACTS.values()
                           if is_faq(fact.general_answer(()).removeprefix("utter_")) and fact.name != "overview"}


def _about_the_focus(intent: Optional[str], frame: Frame, state: ConversationState) -> Optional[str]:
    """A general question naming nothing, right after a program or a subject we lack was the focus,
    asks that fact of it: "what would it cost me" after biology, "how long does it take" after the
    CAD course. After kinds of credential were compared it stays general."""
    focus = (state.program or state.subject) and not state.kinds
    pointing_at_several = frame.reference is not None and (frame.reference.plural or frame.reference.other)
    if (focus and _names_nothing(frame) and not frame.superlative and not pointing_at_several
            and intent in _FACT_OF_GENERAL_ANSWER):
        return _FACT_OF_GENERAL_ANSWER[intent]
    return intent


def decide(frame: Frame, ranking: Sequence[Tuple[str, float]], state: ConversationState,
           thresholds: Thresholds = Thresholds()) -> Decision:
    """The intent the conversation acts on, and whether the message is answered, declined or unclear.

    `frame` is the reading with the classifier's intent; `ranking` the classifier's intents with
    their probabilities, likeliest first; `state` what the conversation was about (references).
    """
    intent, confidence, off_topic = (_about_the_focus(_fact_named(frame, frame.classified), frame, state),
                                     frame.confidence, frame.out_of_scope)
    strength, evidence = _study_evidence(frame, thresholds)
    follows_up = _follows_up(frame, state)
    if not intent:
        return Decision(MISUNDERSTOOD, UNSURE, "no words to read")
    if intent in SMALL_TALK and confidence >= thresholds.plausible and not (follows_up and frame.superlative):
        # "so which is less money" is no "what do you mean?": small talk orders nothing
        return Decision(intent, ANSWER, "small talk")
    if frame.subject_alone and frame.study_subject >= thresholds.sure_study_subject and not frame.programs:
        # "swahili?", "nursing??": a field of study alone asks whether we teach it
        return Decision(intent if is_question(intent) else LIST_PROGRAMS, ANSWER, "names a field of study alone")
    if (_foreign_subject(frame, thresholds) and not frame.topic and not frame.office_matter
            and not (intent in PERSON and frame.names_person)):
        # "this is a big decision, can I talk to a coach" asks for a person whatever it is about
        return Decision(OUT_OF_SCOPE, DECLINE, f"about '{frame.subject}', not a field of study")
    if is_question(intent) and confidence >= thresholds.plausible:
        if strength == STRONG or follows_up:
            return Decision(intent, ANSWER, evidence or "follows up")
        if strength == WEAK and off_topic < thresholds.doubt:
            return Decision(intent, ANSWER, evidence)
        plainly = confidence >= thresholds.bare or (frame.facts_named and off_topic < thresholds.doubt)
        if strength is None and plainly and fact_of(intent) is not FACTS["overview"]:
            # "how long does it take?" and "what are the entry reqs?" have a general answer;
            # "what is it?" naming nothing has none
            return Decision(intent, ANSWER, "a question naming nothing, asked plainly")
    if intent in PERSON or intent in QUESTIONNAIRE:
        # A coach's time, our number, the questionnaire: only when plainly asked for, or likely and
        # with a person named ("can someone call me back?").
        plainly = confidence >= thresholds.confident or (intent in PERSON and frame.names_person
                                                          and confidence >= thresholds.plausible * 2)
        if plainly and off_topic < thresholds.doubt:
            return Decision(intent, ANSWER, evidence or "asked plainly")
    # Not taken as classified. Words plainly ours (a program, a kind, a course of a study subject,
    # an ordering of what we offer) or a follow-up still make it a question of ours, unless the
    # classifier is all but certain it is not: "and a degree?", "is there a film making course for teens".
    question = _fact_named(frame, _best_question(ranking))
    surely_study = _course_of_a_subject(frame, thresholds) and frame.study_subject >= thresholds.sure_study_subject
    # "and do I need a degree already?" taken for a statement: put as a question, naming nothing, about what was said
    follows_up = follows_up or (frame.asks and off_topic < thresholds.doubt and not state.empty and _names_nothing(frame))
    if question and (strength == STRONG or follows_up) and (off_topic < thresholds.off_topic or surely_study):
        return Decision(question, ANSWER, f"the words are ours: {evidence or 'follows up'}")
    if frame.office_matter and off_topic < thresholds.off_topic:
        # "how do i get my transcript": not one of our answers, but a student's question a coach answers
        return Decision(ASK_OFFICE, ANSWER, "a matter for the office")
    if intent == OUT_OF_SCOPE or off_topic >= thresholds.doubt:
        return Decision(OUT_OF_SCOPE, DECLINE, "off-topic" if intent == OUT_OF_SCOPE else "likelier off-topic")
    return Decision(MISUNDERSTOOD, UNSURE, f"unsure {intent}")
