"""`action_answer_question`: answers every question of a message from its frame, in order.

A question is answered from what the reader understood (bot/understanding/frame.py), never from
its text: the fact asked, and what it is about, in this order of precedence: programs named, a
subject we do not offer, a topic of ours, kinds of credential, a reference to what was just said,
and, when it names nothing, what the conversation is about ("and the price?"). Each answer updates
the conversation's state (bot/understanding/references.py), so the next question, in the same
message or the next one, can point back at it.
"""
import logging
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from bot.actions import answer_placeholders, presenting, rating
from bot.actions.catalog_access import CatalogUnavailable, catalog_session
from bot.understanding import lexicon
from bot.understanding.facts import FACTS, ORDERABLE, Fact, fact_of
from bot.understanding.frame import Frame, Reference
from bot.understanding.intents import ASK_OFFICE, faq_answer, is_faq
from bot.understanding.lexicon import Superlative
from bot.understanding.references import (
    FACT_SLOT,
    KINDS_SLOT,
    LISTED_SLOT,
    PROGRAM_SLOT,
    SUBJECT_SLOT,
    ConversationState,
    resolve,
)
from bot.understanding.scope import ANSWER
from catalog_db import answer_versions, queries
from catalog_db.queries import ProgramFacts

logger = logging.getLogger(__name__)

MAX_LISTED = 12
MAX_FACT_ANSWERS = 3       # "how much are they?" about a longer list answers with the list instead
MAX_SUGGESTED_TOPICS = 6
COACH_BUTTON = {"title": "Talk to a coach", "payload": "/human_handoff"}
SUPERLATIVE_WORDS = {("cost", False): "cheapest", ("cost", True): "most expensive",
                     ("duration", False): "shortest", ("duration", True): "longest"}
COMPARATIVE_WORDS = {("cost", False): "cheaper", ("cost", True): "more expensive",
                     ("duration", False): "shorter", ("duration", True): "longer"}
KIND_PLURALS = {"micro-credential": "micro-credentials", "certificate": "certificates", "degree": "degrees"}


class Catalog:
    """The catalog as one answer needs it: programs by slug and the general answers as edited on the
    desk, each read once per action run."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._programs: Dict[str, Optional[ProgramFacts]] = {}
        self._edited: Optional[Dict[str, str]] = None

    def program(self, slug: str) -> Optional[ProgramFacts]:
        if slug not in self._programs:
            self._programs[slug] = queries.program_by_slug(self.session, slug)
        return self._programs[slug]

    def programs(self, slugs: Sequence[str]) -> List[ProgramFacts]:
        return [program for program in map(self.program, slugs) if program is not None]

    def search(self, **filters: Any) -> List[ProgramFacts]:
        return queries.search_programs(self.session, **filters)

    def edited_answer(self, response: str) -> Optional[str]:
        """The desk's wording of a general answer, its placeholders filled; None for the domain's own
        (also when a placeholder can no longer be filled: a program retired since the answer was saved)."""
        if not answer_versions.is_editable(response):
            return None
        if self._edited is None:
            self._edited = answer_versions.current_texts(self.session)
        if response not in self._edited:
            return None
        try:
            return answer_placeholders.fill(self.session, self._edited[response])
        except answer_placeholders.Unfilled as problem:
            logger.warning("the edited %s cannot be filled, so the domain's wording is said: %s", response, problem)
            return None


@dataclass
class Reply:
    """What one message's answers say, and what the conversation is about afterwards."""

    dispatcher: CollectingDispatcher
    state: ConversationState
    catalog: Catalog
    answered: int = 0
    buttons: List[Dict[str, str]] = field(default_factory=list)

    def say(self, response: str, **values: Any) -> None:
        """The response, in the desk's wording when a general answer was edited there (still named, so the
        analytics count it as that answer)."""
        edited = self.catalog.edited_answer(response)
        if edited is not None:
            values["text"] = edited
        self.dispatcher.utter_message(response=response, **values)


# ---- one question ----------------------------------------------------------------------------


def answer(question: Frame, reply: Reply, catalog: Catalog) -> None:
    """Answer one question of the message, by what it asks."""
    reply.answered += 1
    fact = fact_of(question.intent)
    if question.intent == ASK_OFFICE:
        reply.say("utter_refer_to_coach")
        focus_on_the_one_named(question, reply)
    elif not fact and narrows_the_list(question, reply.state) and (
            question.level or question.delivery_format or question.max_cost is not None or question.kinds):
        list_programs(question, reply, catalog)  # "which of those are graduate level?", however it was asked
    elif is_faq(question.intent):
        reply.say(faq_answer(question.intent))
        reply.state = reply.state.about_kinds(question.kinds, None)
    elif question.intent == "compare_programs":
        compare(question, reply, catalog)
    elif question.superlative and fact and fact.name not in ORDERABLE and not question.programs:
        answer_about_the_best(question, fact, reply, catalog)  # "how do I sign up for the cheaper one?"
    elif question.intent == "list_programs" or (question.superlative and not question.programs) or (
            question.intent == "ask_program" and question.topic and not question.programs):
        list_programs(question, reply, catalog)
    else:
        answer_fact(question, reply, catalog)


def focus_on_the_one_named(question: Frame, reply: Reply) -> None:
    """A question we leave to a coach still puts the program it named in focus."""
    if len(question.programs) == 1 and len(question.programs[0]) == 1:
        reply.state = replace(reply.state, program=question.programs[0][0], subject=None)


def asked_fact(question: Frame, state: ConversationState) -> Fact:
    """The fact asked; naming something and no fact ("and the design one?", "and a degree?")
    asks the last fact again."""
    if question.fact in FACTS:
        return FACTS[question.fact]
    names = question.programs or question.reference or question.kinds or question.subject or question.topic
    return (FACTS.get(state.fact or "") if names else None) or FACTS["overview"]


def named_programs(question: Frame, reply: Reply, catalog: Catalog) -> Optional[List[ProgramFacts]]:
    """The programs a question names, one per mention; None when a mention fits several and the
    learner was asked which one they mean."""
    chosen: List[ProgramFacts] = []
    for mention in question.programs:
        candidates = catalog.programs(mention)
        of_kind = [p for p in candidates if p.kind in question.kinds] or candidates
        if len(of_kind) > 1:
            ask_which(of_kind, reply)
            return None
        chosen.extend(of_kind)
    return chosen


def answer_fact(question: Frame, reply: Reply, catalog: Catalog) -> None:
    fact = asked_fact(question, reply.state)
    if question.programs:
        programs = named_programs(question, reply, catalog)
        if programs is not None:
            answer_about_programs(fact, programs, reply)
        return
    if question.subject:
        say_not_offered(question, reply, catalog)
        return
    if question.topic:
        programs = catalog.search(topic=question.topic, kind=single(question.kinds), level=question.level)
        answer_about_programs(fact, programs, reply, heading=f"Our {describe(question)}")
        return
    referent = resolve(question.reference, reply.state)
    shown = shown_of_the_kind(question, reply.state, catalog)
    if shown:
        answer_about_programs(fact, shown, reply)  # "the masters one, who is it for"
    elif question.kinds and not (question.reference and referent.programs and not names_a_kind(question.reference)):
        answer_in_general(fact, question.kinds, reply)  # "how long does a certificate take", not "is it online"
    elif referent.subject:
        say_not_offered(replace(question, subject=referent.subject), reply, catalog)
    elif referent.programs:
        answer_about_programs(fact, catalog.programs(referent.programs), reply)
    elif referent.kinds or (question.fact and (question.reference is None or question.reference.plural)):
        answer_in_general(fact, referent.kinds, reply)  # "how long does it take?", "any aid for these?"
    else:
        ask_which(catalog.programs(reply.state.listed), reply)


def names_a_kind(reference: Reference) -> bool:
    return lexicon.kind_reference(reference.text) is not None


def shown_of_the_kind(question: Frame, state: ConversationState, catalog: Catalog) -> List[ProgramFacts]:
    """ "the masters one", "that certificate": the programs in view of the kind (and level) named."""
    if not (question.reference and question.kinds):
        return []
    in_view = catalog.programs(tuple(dict.fromkeys(((state.program,) if state.program else ()) + state.listed)))
    return [p for p in in_view if p.kind in question.kinds and (not question.level or p.level == question.level)]


def ask_which(candidates: List[ProgramFacts], reply: Reply) -> None:
    """A reference we cannot pin down: which program, offering the ones just listed."""
    if candidates:
        reply.say("utter_program_ambiguous", buttons=[{"title": p.name, "payload": p.name} for p in candidates])
    else:
        reply.say("utter_ask_which_program")


def answer_in_general(fact: Fact, kinds: Sequence[str], reply: Reply) -> None:
    reply.say(fact.general_answer(kinds))
    reply.state = reply.state.about_kinds(kinds, fact.name)


def answer_about_programs(fact: Fact, programs: List[ProgramFacts], reply: Reply, heading: str = "") -> None:
    """The fact for each program; a longer list shows the list (which gives cost, length and format)."""
    if not programs:
        reply.say("utter_ask_which_program")
        return
    if len(programs) > MAX_FACT_ANSWERS:
        show_list(programs, heading or "Here they are", reply)
        return
    for program in programs:
        say_fact(program, fact, reply)
    reply.state = reply.state.about_programs([p.slug for p in programs], fact.name)


def say_fact(program: ProgramFacts, fact: Fact, reply: Reply) -> None:
    """One fact of one program, or that the catalog does not hold it (never a guess); a retired
    program is no longer offered, whatever was asked."""
    if program.retired:
        reply.say("utter_program_retired", program=program.name)
        return
    if fact.name == "overview":
        reply.say("utter_program_overview", program=program.name, kind=presenting.kind_label(program),
                  institution=program.institution, summary=program.summary or "",
                  facts=presenting.facts_block(program))
        return
    value = presenting.fact(program, fact.name)
    if value is None:
        reply.say("utter_program_fact_unknown", attribute=fact.label, program=program.name)
    else:
        reply.say(fact.response, program=program.name, value=value)


# ---- what we do not offer --------------------------------------------------------------------


def say_not_offered(question: Frame, reply: Reply, catalog: Catalog) -> None:
    """We don't offer it; the closest programs we have (or our main topics), and a coach."""
    reply.say("utter_program_not_found", phrase=question.subject)
    nearest = catalog.programs(question.nearest)
    reply.state = reply.state.not_offered(question.subject, [p.slug for p in nearest])
    if nearest:
        reply.say("utter_nearest_programs", programs=", ".join(p.name for p in nearest),
                  buttons=[{"title": p.name, "payload": p.name} for p in nearest] + [COACH_BUTTON])
    else:
        reply.say("utter_catalog_topics", topics=", ".join(main_topics(catalog)),
                  buttons=[{"title": "List all programs", "payload": "list all programs"}, COACH_BUTTON])


def main_topics(catalog: Catalog) -> List[str]:
    """The topics most programs are about."""
    counts: Dict[str, int] = {}
    for program in catalog.search():
        for topic in program.topics:
            counts[topic] = counts.get(topic, 0) + 1
    return [topic for topic, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))][:MAX_SUGGESTED_TOPICS]


# ---- lists and orderings ---------------------------------------------------------------------


def single(kinds: Sequence[str]) -> Optional[str]:
    return kinds[0] if len(kinds) == 1 else None


def describe(question: Frame) -> str:
    """Words for what a list holds: "graduate certificates about data, in person, at $100 or less"."""
    noun = KIND_PLURALS.get(single(question.kinds) or "", "programs")
    if question.level:
        noun = f"{question.level} {noun}"
    parts = [noun + (f" about {question.topic}" if question.topic else "")]
    if question.delivery_format:
        parts.append(presenting.FORMAT_WORDS[question.delivery_format])
    if question.max_cost is not None:
        parts.append(f"at {presenting.money(question.max_cost)} or less")
    return ", ".join(parts)


def narrows_the_list(question: Frame, state: ConversationState) -> bool:
    """"which of those are in person", "any of them under $100", "which is the cheapest", "which one
    is quicker" (right after a list, naming nothing else): the list just shown, narrowed. An ordering
    orders the list whatever points into it; "the second one" alone is one program of it."""
    if not state.listed or question.programs or question.topic:
        return False
    if question.reference is not None and not question.superlative:
        return question.reference.plural
    return question.superlative is not None and not question.kinds


def matches(program: ProgramFacts, question: Frame) -> bool:
    return ((single(question.kinds) is None or program.kind == single(question.kinds))
            and (question.level is None or program.level == question.level)
            and (question.delivery_format is None or program.delivery_format == question.delivery_format)
            and (question.max_cost is None or (program.cost_usd is not None and program.cost_usd <= question.max_cost)))


def kinds_in_play(question: Frame, state: ConversationState) -> List[str]:
    """The kinds a question is about: those it names, and those just explained when it points back
    ("are they cheaper than certificates?" after "what is a micro-credential?")."""
    pointed = state.kinds if (question.reference is not None or not question.kinds) and not state.listed else ()
    return list(dict.fromkeys([*pointed, *question.kinds]))


def list_programs(question: Frame, reply: Reply, catalog: Catalog) -> None:
    state = reply.state
    if question.subject and not question.programs:
        say_not_offered(question, reply, catalog)
        return
    if question.reference and not question.reference.plural and state.subject and not question.programs:
        say_not_offered(replace(question, subject=state.subject), reply, catalog)  # "a certificate in it at least?"
        return
    kinds = kinds_in_play(question, state)
    if question.superlative and len(kinds) > 1 and not (question.topic or question.programs):
        # "which is cheaper, a certificate or a micro-credential?", "so which costs less?": the kinds in general
        answer_in_general(FACTS[question.superlative.figure], kinds, reply)
        return
    if state.kinds and state.fact and question.kinds and not (question.superlative or question.topic or question.level
                                                              or question.delivery_format or question.max_cost):
        answer_in_general(FACTS[state.fact], question.kinds, reply)  # "and certificates?" after a general answer
        return
    if len(question.programs) == 1 and not (question.superlative or question.max_cost or question.delivery_format):
        answer_fact(question, reply, catalog)  # "cybersecurity degree details": that one program
        return
    narrowing = narrows_the_list(question, state)
    if narrowing:
        programs = [p for p in catalog.programs(state.listed) if matches(p, question)]
        criteria = "of those, " + describe(question)
    elif question.programs:
        programs = named_programs(question, reply, catalog) or []
        criteria = "programs you named"
    else:
        programs = catalog.search(kind=single(question.kinds), level=question.level, topic=question.topic,
                                  max_cost=question.max_cost, delivery_format=question.delivery_format)
        criteria = describe(question)
    if question.superlative:
        say_ordered(programs, question.superlative, criteria, reply, keep_list=narrowing)
    elif programs:
        show_list(programs, f"Here are the {criteria} in our catalog", reply)
    else:
        reply.say("utter_program_list_empty", criteria=criteria)


def show_list(programs: List[ProgramFacts], heading: str, reply: Reply) -> None:
    shown = programs[:MAX_LISTED]
    lines = presenting.program_list(shown)
    if len(programs) > len(shown):
        lines += f"\n…and {len(programs) - len(shown)} more. Narrow it down by topic, price or format."
    reply.say("utter_program_list", heading=f"{heading}:", lines=lines)
    reply.state = reply.state.listing([p.slug for p in shown])


def figure(program: ProgramFacts, name: str) -> Optional[float]:
    """The number a superlative orders by: the price, or the longest length in hours."""
    if name == "cost":
        return program.cost_usd
    length = program.duration_max or program.duration_min
    return queries.HOURS_PER_UNIT[program.duration_unit] * length if length and program.duration_unit else None


def answer_about_the_best(question: Frame, fact: Fact, reply: Reply, catalog: Catalog) -> None:
    """A fact of the program an ordering picks: among those just shown when the question points
    back or names nothing else, else among the catalog's."""
    pool = (catalog.programs(reply.state.listed) if narrows_the_list(question, reply.state) or question.reference
            else catalog.search(kind=single(question.kinds), topic=question.topic))
    order = question.superlative
    ranked = sorted((p for p in pool if figure(p, order.figure) is not None),
                    key=lambda p: figure(p, order.figure), reverse=order.descending)
    if ranked:
        answer_about_programs(fact, ranked[:1], reply)
    else:
        reply.say("utter_program_list_empty", criteria=f"{describe(question)} with a listed {FACTS[order.figure].label}")


def say_ordered(programs: List[ProgramFacts], order: Superlative, criteria: str, reply: Reply,
                keep_list: bool = False) -> None:
    """"The cheapest of our micro-credentials is X ($10); next come Y and Z", among those with the
    figure. Ordering the list just shown keeps it as the list the next question points into."""
    known = sorted((p for p in programs if figure(p, order.figure) is not None),
                   key=lambda p: figure(p, order.figure), reverse=order.descending)
    label = FACTS[order.figure].label
    if not known:
        reply.say("utter_program_list_empty", criteria=f"{criteria} with a listed {label}")
        return
    best, others = known[0], known[1:3]
    word = SUPERLATIVE_WORDS[(order.figure, order.descending)]
    answer_text = (f"Of the {criteria} with a listed {label}, the {word} is {best.name} "
                   f"({presenting.fact(best, order.figure)}).")
    runners = presenting.bullets(presenting.summary(p) for p in others)
    reply.say("utter_program_superlative", answer=answer_text, others=f"\n\nNext:\n{runners}" if others else "")
    # The list pointed into next is the whole pool in this order: "the second one" is the first of
    # the runners-up shown, "and the most expensive?" orders the same pool again.
    reply.state = replace(reply.state.listing([p.slug for p in known], keep_list), program=best.slug)


# ---- comparisons -----------------------------------------------------------------------------


def compare(question: Frame, reply: Reply, catalog: Catalog) -> None:
    programs = named_programs(question, reply, catalog)
    if programs is None:
        return
    state = reply.state
    if len(programs) < 2:  # "compare it with the CAD course", "how do they compare"
        if question.reference:
            pool = resolve(question.reference, state).programs
            pool = pool if len(pool) > 1 else pool + state.listed
        else:
            pool = ((state.program,) if state.program else ()) + state.listed
        named = {program.slug for program in programs}
        programs = ([p for p in catalog.programs(pool) if p.slug not in named] + programs)[:2]
    if len(programs) >= 2:
        just_shown = set(state.listed) == {program.slug for program in programs[:2]}
        if not (question.superlative and just_shown):  # "which one is quicker?" right after the two were shown
            reply.say("utter_program_comparison", lines=comparison_lines(programs[:2]))
        if question.superlative:
            say_which_wins(programs[:2], question.superlative, reply)
        reply.state = reply.state.listing([p.slug for p in programs[:2]])
    elif question.superlative and (question.kinds or state.kinds):  # "which one takes longer?" of two kinds
        answer_in_general(FACTS[question.superlative.figure], kinds_in_play(question, state), reply)
    elif question.kinds or state.kinds:
        reply.say("utter_faq_difference_overview")
        reply.state = state.about_kinds(question.kinds, None)
    else:
        reply.say("utter_compare_needs_two")


def say_which_wins(programs: List[ProgramFacts], order: Superlative, reply: Reply) -> None:
    """"X is the cheaper of the two", or why it cannot be said when one figure is missing."""
    known = [p for p in programs if figure(p, order.figure) is not None]
    word = COMPARATIVE_WORDS[(order.figure, order.descending)]
    if len(known) == len(programs):
        best = sorted(known, key=lambda p: figure(p, order.figure), reverse=order.descending)[0]
        reply.say("utter_program_superlative", others="", answer=f"{best.name} is the {word} of the two.")
    else:
        unknown = " and ".join(p.name for p in programs if p not in known)
        reply.say("utter_program_superlative", others="",
                  answer=f"I can't say which is the {word}: our catalog lists no "
                         f"{FACTS[order.figure].label.split(' (')[0].lower()} for {unknown}.")


def comparison_lines(programs: Sequence[ProgramFacts]) -> str:
    """One line per program with the same facts in the same order, so they read side by side."""
    def line(program: ProgramFacts) -> str:
        facts = [f"{FACTS[name].label.split(' (')[0]} {presenting.fact(program, name) or 'not in our catalog'}"
                 for name in ("cost", "duration", "format")]
        return f"{program.name}: " + "; ".join(facts)
    return presenting.bullets(line(program) for program in programs)


# ---- the action ------------------------------------------------------------------------------


def focus_after_several(state: ConversationState, in_focus: List[str]) -> ConversationState:
    """What a message of several questions leaves in focus: the programs its questions were about
    ("how much is the lockout course and the gen ai one?" then "are they both in person?"), and a
    program beside a general question ("is it online, also can micro-credentials be stacked?"
    then "how much is it?")."""
    if len(in_focus) > 1 and not set(in_focus) <= set(state.listed):
        return replace(state, listed=tuple(in_focus))
    if in_focus and not state.program:
        return replace(state, program=in_focus[-1])
    return state


def state_events(before: ConversationState, after: ConversationState) -> List[EventType]:
    """The slots an answer changed."""
    changes = [(PROGRAM_SLOT, before.program, after.program), (FACT_SLOT, before.fact, after.fact),
               (LISTED_SLOT, list(before.listed), list(after.listed)), (KINDS_SLOT, list(before.kinds), list(after.kinds)),
               (SUBJECT_SLOT, before.subject, after.subject)]
    return [SlotSet(name, new or None) for name, old, new in changes if new != old]


class ActionAnswerQuestion(Action):
    """Answers each question of the message from the catalog and the general answers."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        questions = Frame.questions_of(tracker.latest_message)
        state = ConversationState.from_slots(tracker.get_slot)
        try:
            with catalog_session() as session:
                catalog = Catalog(session)
                reply = Reply(dispatcher, state, catalog)
                in_focus: List[str] = []
                for question in questions:
                    if question.verdict == ANSWER:
                        answer(question, reply, catalog)
                        if reply.state.program and reply.state.program not in in_focus:
                            in_focus.append(reply.state.program)
        except CatalogUnavailable:
            dispatcher.utter_message(response="utter_catalog_unavailable")
            return []
        reply.state = focus_after_several(reply.state, in_focus)
        if reply.answered:
            rating.offer(dispatcher.messages, tracker)
        if 0 < reply.answered < len(questions):
            dispatcher.utter_message(response="utter_answered_one_question")
        # Never empty-handed: ReplyGuardPolicy reads an action with no event at all as a failure.
        return state_events(state, reply.state) or [SlotSet(FACT_SLOT, reply.state.fact)]
