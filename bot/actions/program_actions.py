"""Actions that answer questions about the programs in the catalog database."""
import difflib
import logging
from abc import ABC, abstractmethod
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from bot.actions import presenting
from bot.actions.catalog_access import CatalogUnavailable, catalog_session
from bot.actions.intents import faq_answer
from bot.actions.parsing import (
    ProgramFilter,
    asked_attributes,
    general_answer_for,
    kind_from_text,
    kinds_named,
    narrowed_filter,
    offered_subject,
    parse_program_filters,
    question_parts,
    refers_to_the_list,
    requested_subject,
    topic_covering_subject,
    unnamed_subject,
)
from bot.actions.resolution import from_entities, fuzzy_matches, resolve_programs
from bot.relevance import about_studying
from catalog_db import queries
from catalog_db.queries import ProgramFacts

logger = logging.getLogger(__name__)

# The variable each attribute's response (utter_program_<attribute>) is filled with.
RESPONSE_VARIABLES = {
    "cost": "cost",
    "duration": "duration",
    "format": "delivery_format",
    "eligibility": "eligibility",
    "audience": "audience",
    "credits": "credits",
    "stacking": "stacks_into",
    "aid": "financial_aid",
}
MAX_LISTED = 12
MAX_FACTS_PER_ANSWER = 3  # "how much is it, how long, is it online and who is it for?" gets the first three
MAX_SUGGESTED_TOPICS = 6


def program_entities(tracker: Tracker) -> List[str]:
    return [
        str(entity.get("value"))
        for entity in tracker.latest_message.get("entities", [])
        if entity.get("entity") == "program" and entity.get("value")
    ]


def message_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def utter_program_fact(dispatcher: CollectingDispatcher, program: ProgramFacts, attribute: str) -> None:
    """Answer one fact about a program, or say the catalog does not hold it."""
    if attribute == "overview":
        dispatcher.utter_message(
            response="utter_program_overview",
            program=program.name,
            kind=presenting.kind_label(program),
            institution=program.institution,
            summary=program.summary or "",
            facts=presenting.facts_block(program),
        )
        return
    value = presenting.fact(program, attribute)
    if value is None:
        dispatcher.utter_message(
            response="utter_program_fact_unknown",
            attribute=presenting.ATTRIBUTE_LABELS[attribute],
            program=program.name,
        )
    else:
        dispatcher.utter_message(
            response=f"utter_program_{attribute}", program=program.name, **{RESPONSE_VARIABLES[attribute]: value}
        )


def offer_choice(dispatcher: CollectingDispatcher, programs: List[ProgramFacts]) -> None:
    dispatcher.utter_message(
        response="utter_program_ambiguous",
        buttons=[{"title": program.name, "payload": program.name} for program in programs],
    )


def answer_program_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, session: Session
) -> List[EventType]:
    """Answer "how much is X?", "is it online?", "and the design one?" from the catalog."""
    text = message_text(tracker)
    asked = asked_attributes(text)
    resolution = resolve_programs(
        text, program_entities(tracker), queries.name_index(session), subject=requested_subject(text))
    if not resolution.slugs:
        answered = answer_without_a_program(dispatcher, tracker, session)
        if answered is not None:
            return answered
    # A message that names a program but no fact ("and the design one?") asks the previous question again.
    previous = tracker.get_slot("program_attribute") if resolution.slugs else None
    attributes = asked or [previous or "overview"]
    remembered = [] if attributes[0] == "overview" else [SlotSet("program_attribute", attributes[0])]

    slugs = resolution.slugs or (tracker.get_slot("program"),)
    programs = [p for p in (queries.program_by_slug(session, s) for s in slugs if s) if p is not None]
    if not programs:
        dispatcher.utter_message(response="utter_ask_which_program")
        return [SlotSet("program", None)]
    if len(programs) > 1:
        programs = of_the_kind_named(text, programs)
    if len(programs) > 1:
        offer_choice(dispatcher, programs)
        return remembered
    for attribute in attributes[:MAX_FACTS_PER_ANSWER]:
        utter_program_fact(dispatcher, programs[0], attribute)
    return [SlotSet("program", programs[0].slug), *remembered]


def of_the_kind_named(text: str, programs: List[ProgramFacts]) -> List[ProgramFacts]:
    """"the leadership certificate" among two leadership programs: the one of that kind, if any."""
    kind = kind_from_text(text)
    return [p for p in programs if p.kind == kind] or programs


def answer_without_a_program(
    dispatcher: CollectingDispatcher, tracker: Tracker, session: Session
) -> Optional[List[EventType]]:
    """A program question that names no catalog program: a subject, a missing program, a kind.

    Returns None when the message is a follow-up about the program already being discussed.
    """
    text = message_text(tracker)
    topics = queries.known_topics(session)
    selection = parse_program_filters(text, topics)
    if selection.topic:  # "I'm into AI, what have you got and what does it cost?"
        list_programs(dispatcher, session, selection)
        return []
    subject = requested_subject(text)
    if subject:
        say_not_in_catalog(dispatcher, session, subject, topics)
        return []
    general = general_answer_for(text, selection)
    if selection.kind and general:  # "how long is a master's?" asks about masters in general
        dispatcher.utter_message(response=general)
        return []
    if tracker.get_slot("program"):
        return None
    leftover = unnamed_subject(text)  # "nursing degree?", "is there a phd in chemistry"
    if leftover:
        say_missing_or_decline(dispatcher, tracker, session, leftover, topics)
        return []
    dispatcher.utter_message(response="utter_ask_which_program")
    return []


def nearest_topics(subject: str, topics: Sequence[str]) -> List[str]:
    """Catalog topics spelled like the subject or sharing a word with it: "safty" → "safety"."""
    words = subject.split()
    close = [match for word in [subject, *words] for match in difflib.get_close_matches(word, topics, n=2, cutoff=0.8)]
    sharing = [topic for topic in topics if set(words) & set(topic.split())]
    return list(dict.fromkeys(close + sharing))[:3]


def say_not_in_catalog(dispatcher: CollectingDispatcher, session: Session, subject: str, topics: Sequence[str]) -> None:
    """Name what the catalog lacks, point to the nearest topics (or the main ones) and to a coach."""
    dispatcher.utter_message(response="utter_program_not_found", phrase=subject)
    nearest = nearest_topics(subject, topics)
    coach = {"title": "Talk to a coach", "payload": "/human_handoff"}
    if nearest:
        dispatcher.utter_message(
            response="utter_nearest_topics", topics=", ".join(nearest),
            buttons=[{"title": f"Programs about {t}", "payload": f"list programs about {t}"} for t in nearest] + [coach],
        )
    else:
        dispatcher.utter_message(
            response="utter_catalog_topics", topics=", ".join(main_topics(session)),
            buttons=[{"title": "List all programs", "payload": "list all programs"}, coach],
        )


def previous_responses(tracker: Tracker) -> List[str]:
    """The responses the assistant gave in its turn before the message being answered."""
    names: List[str] = []
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif event.get("event") == "bot" and users == 1:
            names.append((event.get("metadata") or {}).get("utter_action") or "")
    return names


def listed_on_request(tracker: Tracker) -> Optional[str]:
    """The learner's previous message when the assistant answered it with a program list."""
    if "utter_program_list" not in previous_responses(tracker):
        return None
    users = [event for event in reversed(tracker.events) if event.get("event") == "user"]
    return users[1].get("text") if len(users) > 1 else None


def about_the_catalog(tracker: Tracker, text: str) -> bool:
    """Words of studying in the message, or a follow-up to a catalog answer ("what about sql?")."""
    return about_studying(text) or any(name.startswith("utter_program_") for name in previous_responses(tracker))


def say_missing_or_decline(dispatcher: CollectingDispatcher, tracker: Tracker, session: Session, subject: str,
                           topics: Sequence[str]) -> None:
    """A subject we lack is said to be missing; a message that is not about studying at all ("how
    much does BDE stock cost") is declined rather than answered with our topics."""
    if about_the_catalog(tracker, message_text(tracker)):
        say_not_in_catalog(dispatcher, session, subject, topics)
    else:
        dispatcher.utter_message(response="utter_out_of_scope")


def main_topics(session: Session) -> List[str]:
    """The topics most programs are about, for a learner who named one we lack."""
    counts = Counter(topic for program in queries.search_programs(session) for topic in program.topics)
    return [topic for topic, _ in counts.most_common(MAX_SUGGESTED_TOPICS)]


class CatalogAction(Action, ABC):
    """Base for actions that read the catalog: one session per run, a clear reply when it is down."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abstractmethod
    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session, domain: DomainDict
    ) -> List[EventType]:
        """Reply from the catalog, inside the run's session."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        try:
            with catalog_session() as session:
                events = self.answer(dispatcher, tracker, session, domain)
        except CatalogUnavailable:
            dispatcher.utter_message(response="utter_catalog_unavailable")
            return []
        parts = question_parts(message_text(tracker))
        answered = answers_in(dispatcher.messages, parts)
        if 0 < answered < len(parts):  # asking back answers nothing yet
            dispatcher.utter_message(response="utter_answered_one_question")
        return events


LISTED_FIGURES = frozenset({"cost", "duration", "format"})  # what every list item shows


def answers_in(messages: List[Dict[str, Any]], parts: Sequence[str]) -> float:
    """How many of the message's questions a reply answered: a general answer, a program fact, a
    list, a comparison each answer one. A program's overview gives every known figure, so it
    answers them all; a list shows prices, lengths and formats, so it answers questions about those."""
    responses = [str(m.get("response") or "") for m in messages]
    if "utter_program_overview" in responses:
        return float("inf")
    answered = sum(r.startswith(("utter_program_", "utter_faq_")) and r != "utter_program_ambiguous" for r in responses)
    if "utter_program_list" in responses:
        answered += sum(bool(asked) and set(asked) <= LISTED_FIGURES for asked in map(asked_attributes, parts))
    return answered


class ActionAnswerProgram(CatalogAction):
    """Answers a question about one named (or remembered) program."""

    def name(self) -> str:
        return "action_answer_program"

    def answer(self, dispatcher, tracker, session, domain) -> List[EventType]:
        return answer_program_question(dispatcher, tracker, session)


FOCUS_TURNS = 2  # how many earlier turns a program stays "the one we are talking about"


def program_in_focus(tracker: Tracker) -> Optional[str]:
    """The program an answer of the last FOCUS_TURNS turns was about, if any."""
    turns = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            turns += 1
            if turns > FOCUS_TURNS + 1:  # the newest user event is the message being answered
                return None
        elif event.get("event") == "slot" and event.get("name") == "program":
            return event.get("value")
    return None


def asks_about_program_in_focus(tracker: Tracker, text: str) -> bool:
    """"how many credits?" right after an answer about a program asks about that program; with a
    kind of credential in it ("how many credits is a certificate?") it is a general question."""
    facts = [fact for fact in asked_attributes(text) if fact != "overview"]
    return bool(facts) and not kinds_named(text) and program_in_focus(tracker) is not None


def about_a_program(tracker: Tracker, session: Session) -> bool:
    """The message names a catalog program, or asks a fact of the one just talked about."""
    text = message_text(tracker)
    name_index = queries.name_index(session)
    return bool(from_entities(program_entities(tracker), name_index) or fuzzy_matches(text, name_index)
                or asks_about_program_in_focus(tracker, text))


def answer_if_about_a_program(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """For a message the classifier was unsure of: the program answer when it is about one, what
    we have of a subject asked for ("is there a welding micro credential?"), else None."""
    try:
        with catalog_session() as session:
            if about_a_program(tracker, session):
                return answer_program_question(dispatcher, tracker, session)
            text = message_text(tracker)
            subject = offered_subject(text)
            if subject and about_studying(text):  # "is there a welding micro credential?"
                topics = queries.known_topics(session)
                if topic_covering_subject(text, topics):
                    list_programs(dispatcher, session, parse_program_filters(text, topics))
                else:
                    say_not_in_catalog(dispatcher, session, subject, topics)
                return []
    except CatalogUnavailable:
        return None
    return None


class ActionAnswerFaq(CatalogAction):
    """Answers a general question, unless it is about a program: then the program's facts answer it.

    The classifier sometimes takes "what's the tuition for the X certificate" for the general
    cost question; a program name in the message is the stronger signal, and so is a short
    "how many credits?" right after an answer about a program.
    """

    def name(self) -> str:
        return "action_answer_faq"

    def answer(self, dispatcher, tracker, session, domain) -> List[EventType]:
        if about_a_program(tracker, session):
            return answer_program_question(dispatcher, tracker, session)
        if refers_to_the_list(message_text(tracker)) and listed_on_request(tracker):  # "which of those are graduate?"
            return ActionListPrograms().answer(dispatcher, tracker, session, domain)
        dispatcher.utter_message(response=faq_answer(tracker.latest_message.get("intent", {}).get("name"))
                                 or "utter_default")
        return []


def describe_filter(selection: ProgramFilter) -> str:
    """Words for what a list was narrowed to: "micro-credentials about safety, in person, under $100"."""
    noun = {"micro-credential": "micro-credentials", "certificate": "certificates", "degree": "degrees"}.get(
        selection.kind or "", "programs"
    )
    if selection.level:
        noun = f"{selection.level} {noun}"
    parts = [noun]
    if selection.topic:
        parts.append(f"about {selection.topic}")
    if selection.delivery_format:
        parts.append(presenting.FORMAT_WORDS[selection.delivery_format])
    if selection.max_cost is not None:
        parts.append(f"at {presenting.money(selection.max_cost)} or less")
    return " ".join(parts[:2]) + "".join(f", {part}" for part in parts[2:])


SUPERLATIVES = {("cost", False): "cheapest", ("cost", True): "most expensive",
                ("duration", False): "shortest", ("duration", True): "longest"}


def list_programs(dispatcher: CollectingDispatcher, session: Session, selection: ProgramFilter) -> None:
    """The programs that match a filter, or the cheapest/most expensive/shortest/longest of them."""
    programs = queries.search_programs(
        session,
        kind=selection.kind,
        level=selection.level,
        topic=selection.topic,
        max_cost=selection.max_cost,
        delivery_format=selection.delivery_format,
        order_by=selection.order_by,
        descending=selection.descending,
    )
    criteria = describe_filter(selection)
    if selection.order_by:
        # A superlative can only be claimed among programs whose figure we hold.
        known = "cost_usd" if selection.order_by == "cost" else "duration_max"
        programs = [p for p in programs if getattr(p, known) is not None]
    if not programs:
        dispatcher.utter_message(response="utter_program_list_empty", criteria=criteria)
        return
    if selection.order_by:
        superlative = SUPERLATIVES[(selection.order_by, selection.descending)]
        figure = "price" if selection.order_by == "cost" else "length"
        programs = programs[: selection.limit or 3]
        heading = f"Of the {criteria} with a listed {figure}, the {superlative}:"
    else:
        heading = f"Here are the {criteria} in our catalog:"
    shown = programs[:MAX_LISTED]
    lines = presenting.program_list(shown)
    if len(programs) > len(shown):
        lines += f"\n…and {len(programs) - len(shown)} more. Narrow it down by topic, price or format."
    dispatcher.utter_message(response="utter_program_list", heading=heading, lines=lines)


class ActionListPrograms(CatalogAction):
    """Lists programs, narrowed by kind, topic, price and format, or the cheapest/longest and so on."""

    def name(self) -> str:
        return "action_list_programs"

    def answer(self, dispatcher, tracker, session, domain) -> List[EventType]:
        text = message_text(tracker)
        topics = queries.known_topics(session)
        selection = parse_program_filters(text, topics)
        earlier = listed_on_request(tracker) if refers_to_the_list(text) else None
        if earlier:  # "which of those are certificates?"
            list_programs(dispatcher, session, narrowed_filter(parse_program_filters(earlier, topics), selection))
            return []
        general = general_answer_for(text, selection)
        if general:
            dispatcher.utter_message(response=general)
            return []
        if not selection.topic:
            subject = requested_subject(text)
            named = resolve_programs(text, program_entities(tracker), queries.name_index(session), subject).slugs
            if named:  # "anything on fusion 360?" names a program, not a topic
                programs = [p for p in (queries.program_by_slug(session, slug) for slug in named) if p]
                lines = presenting.program_list(programs)
                dispatcher.utter_message(response="utter_program_list", heading="Here's what we have:", lines=lines)
                return []
            # "do you have anything on welding?", "nursing degree?": say so rather than list everything.
            # A list narrowed by price, format or order asks for what is there, whatever else it says.
            narrowed = selection.max_cost is not None or selection.delivery_format or selection.order_by
            if subject:
                say_not_in_catalog(dispatcher, session, subject, topics)
                return []
            leftover = unnamed_subject(text)
            if leftover and not about_the_catalog(tracker, text):  # "what's the fastest animal"
                dispatcher.utter_message(response="utter_out_of_scope")
                return []
            if leftover and not narrowed:
                say_not_in_catalog(dispatcher, session, leftover, topics)
                return []
        list_programs(dispatcher, session, selection)
        return []


def comparison_lines(first: ProgramFacts, second: ProgramFacts) -> str:
    """One line per program with the same facts in the same order, so they read side by side."""
    def line(program: ProgramFacts) -> str:
        facts = [f"{label} {presenting.fact(program, attribute) or 'not in our catalog'}"
                 for attribute, label in (("cost", "cost"), ("duration", "length"), ("format", "format"))]
        return f"{program.name}: " + "; ".join(facts)
    return presenting.bullets([line(first), line(second)])


class ActionComparePrograms(CatalogAction):
    """Puts two named programs side by side."""

    def name(self) -> str:
        return "action_compare_programs"

    def answer(self, dispatcher, tracker, session, domain) -> List[EventType]:
        text = message_text(tracker)
        slugs = list(resolve_programs(text, program_entities(tracker), queries.name_index(session)).slugs)
        remembered = tracker.get_slot("program")
        if len(slugs) == 1 and remembered and remembered not in slugs:
            slugs.insert(0, remembered)  # "compare it with the CAD course"
        programs: List[Any] = [queries.program_by_slug(session, slug) for slug in slugs[:2]]
        if len(programs) < 2 or None in programs:
            # "compare the dyson and the shark" names nothing of ours and no kind of program
            off_topic = not slugs and unnamed_subject(text) is not None and not about_the_catalog(tracker, text)
            dispatcher.utter_message(response="utter_out_of_scope" if off_topic else "utter_compare_needs_two")
            return []
        dispatcher.utter_message(response="utter_program_comparison", lines=comparison_lines(*programs))
        return []

