"""Held-out understanding data and how a reply is judged against it.

Shared by `bench/understanding.py` (prints every number and miss) and the end-to-end tests (which
hold the assistant to a floor). Three sets, none of them in any training file:

- off-topic: real requests people wrote for a home assistant (`../shared/data/offtopic/hwu64.tsv`),
  minus the sample trained as `out_of_scope` and minus the intents that are about the
  conversation itself ("yes", "stop", "say that again"), which are small talk here, not off-topic;
- small talk and in-domain phrasings, and off-topic messages of other assistants' domains
  (`tests/heldout/dev/` and `tests/heldout/test/`), written from the source articles by people who
  had not read the training data. `dev` guided the work (its misses were looked at); `test` was
  written later and is the fairer measure.

A reply is judged by what the assistant did, read from Rasa's record of the conversation: the
responses it used (`utter_action` of each bot message), the text, and whether it opened the
questionnaire or a handoff.
"""
import concurrent.futures
import csv
import json
import random
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import yaml

from bot.understanding.facts import FACTS

ROOT = Path(__file__).resolve().parents[1]
HWU64 = ROOT.parent / "shared" / "data" / "offtopic" / "hwu64.tsv"
# Another university's course-enquiry bot's phrasings (../shared/data/indomain/README.md).
OTHER_TEAMS_DIR = ROOT.parent / "shared" / "data" / "indomain"
OTHER_TEAMS_FILES = ("ugenie_glasgow", "ugenie_glasgow_offdomain", "ugenie_glasgow_unmapped")
OTHER_TEAMS_SEED = 2026
HELDOUT_DIR = ROOT / "tests" / "heldout"
NLU_DIR = ROOT / "bot" / "data"

# hwu64 intents about the conversation itself: agreeing, praising, asking to repeat or stop. A
# chat assistant answers these as small talk, so they are neither trained nor measured as off-topic.
CONVERSATIONAL_INTENTS = frozenset({
    "general_affirm", "general_negate", "general_praise", "general_confirm", "general_dontcare",
    "general_commandstop", "general_explain", "general_repeat",
})

DECLINE_RESPONSES = frozenset({"utter_out_of_scope"})
# What an off-topic remark may also get without harm: "how was your day" is small talk.
SMALL_TALK_REPLIES = frozenset({
    "utter_greet", "utter_how_are_you", "utter_capabilities", "utter_goodbye", "utter_you_are_welcome",
    "utter_iamabot", "utter_anything_else",
    "utter_clarify",  # "say that again": which part to explain, claiming nothing
})
QUESTIONNAIRE_RESPONSES = frozenset({
    "utter_decision_intro", "utter_decision_early_lean", "utter_ask_learning_goal", "utter_ask_career_change",
    "utter_ask_time_available", "utter_ask_obligations", "utter_ask_budget", "utter_ask_education",
})
HANDOFF_RESPONSES = frozenset({"utter_handoff_started", "utter_handoff_after_hours"})
LIST_RESPONSES = frozenset({"utter_program_list", "utter_program_list_empty"})
SMALL_TALK_RESPONSES = {
    "greet": "utter_greet", "how_are_you": "utter_how_are_you", "thank": "utter_you_are_welcome",
    "goodbye": "utter_goodbye", "bot_challenge": "utter_iamabot", "capabilities": "utter_capabilities",
}
INTENT_RESPONSES = {
    "contact_info": {"utter_contact"},
    "human_handoff": HANDOFF_RESPONSES,
    "ask_recommendation": QUESTIONNAIRE_RESPONSES,
}
PRICE = re.compile(r"\$\s?\d")
PHONE = re.compile(r"\(?800\)?[\s.-]*253[\s.-]*2762")
LISTED = re.compile(r"^\s*(?:[•*-]|\d+\.)\s+\**(.+?)\**\s*$", re.MULTILINE)


def normalized(text: str) -> str:
    return " ".join(text.lower().split())


# ---- the sets -------------------------------------------------------------------------------


def trained_texts(*sources: Path) -> Set[str]:
    """Every training example under bot/data (or the directories and files given), normalised, so
    held-out sets can leave them out."""
    texts: Set[str] = set()
    for path in (found for source in sources or (NLU_DIR,)
                 for found in (source.rglob("*.yml") if source.is_dir() else [source] if source.exists() else [])):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []) or []:
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    texts.add(normalized(line.strip()[2:]))
    return texts


def hwu64_rows(path: Path = HWU64) -> List[Tuple[str, str]]:
    """(intent, text) for every row of the off-topic corpus."""
    with path.open(newline="") as handle:
        return [(row["intent"], row["text"]) for row in csv.DictReader(handle, delimiter="\t")]


def offtopic_heldout(rows: Sequence[Tuple[str, str]], trained: Set[str]) -> List[Tuple[str, str]]:
    """The off-topic rows that were not trained on and are not about the conversation itself."""
    return [(intent, text) for intent, text in rows
            if intent not in CONVERSATIONAL_INTENTS and normalized(text) not in trained]


def conversational_heldout(rows: Sequence[Tuple[str, str]], trained: Set[str]) -> List[Tuple[str, str]]:
    return [(intent, text) for intent, text in rows
            if intent in CONVERSATIONAL_INTENTS and normalized(text) not in trained]


def seeded_sample(items: Sequence[Any], size: int, seed: int) -> List[Any]:
    """The same `size` items for the same seed, whatever else changes."""
    return random.Random(seed).sample(list(items), min(size, len(items)))


def other_teams_rows(name: str, directory: Path = OTHER_TEAMS_DIR) -> List[Dict[str, Any]]:
    """Every row of one of the other team's files (`../shared/data/indomain/<name>.jsonl`)."""
    with (directory / f"{name}.jsonl").open() as handle:
        return [json.loads(line) for line in handle if line.strip()]


def other_teams_split(rows: Sequence[Dict[str, Any]], seed: int = OTHER_TEAMS_SEED) -> Tuple[List[Dict[str, Any]],
                                                                                              List[Dict[str, Any]]]:
    """(learn, measure): each label's rows shuffled with a fixed seed, every second one measured.

    Done once, the same way every time: the learn part may be trained on (bot/data/nlu/other_teams.yml),
    the measured part never is (tests/test_heldout.py checks).
    """
    learn, measure = [], []
    labels = sorted({row["label"] for row in rows})
    for label in labels:
        group = sorted((row for row in rows if row["label"] == label), key=lambda row: row["text"])
        random.Random(f"{seed}:{label}").shuffle(group)
        measure.extend(group[0::2])
        learn.extend(group[1::2])
    return learn, measure


def other_teams_measured() -> List[Dict[str, Any]]:
    """The measured half of the other team's scored files (in-domain and off-domain questions)."""
    return [row for name in OTHER_TEAMS_FILES[:2] for row in other_teams_split(other_teams_rows(name))[1]]


def heldout_cases(name: str) -> List[Dict[str, Any]]:
    """tests/heldout/<set>/<name>.yml: a list of {text, expect, before?} (off-topic: {text, domain})."""
    return yaml.safe_load((HELDOUT_DIR / f"{name}.yml").read_text())


# ---- one turn, as Rasa recorded it -----------------------------------------------------------


@dataclass
class Turn:
    """What the assistant did in reply to one learner message."""

    responses: List[str] = field(default_factory=list)
    text: str = ""
    said: Dict[str, str] = field(default_factory=dict)  # each response's own text
    opened_questionnaire: bool = False
    opened_handoff: bool = False

    @property
    def declined(self) -> bool:
        return bool(DECLINE_RESPONSES & set(self.responses)) and not self.domain_answer

    @property
    def harmless(self) -> bool:
        """Declined, or answered as small talk: nothing about studying was claimed."""
        return not self.domain_answer and bool((DECLINE_RESPONSES | SMALL_TALK_REPLIES) & set(self.responses))

    @property
    def domain_answer(self) -> bool:
        """A reply about studying: a price, a list, the questionnaire, a handoff, a phone, an answer."""
        return any(self.flags().values())

    def flags(self) -> Dict[str, bool]:
        return {
            "price": bool(PRICE.search(self.text)),
            "program list": bool(LIST_RESPONSES & set(self.responses)),
            "questionnaire": self.opened_questionnaire,
            "phone number": bool(PHONE.search(self.text)),
            "handoff": self.opened_handoff,
            "general or program answer": any(r.startswith(("utter_faq_", "utter_program_")) for r in self.responses),
        }


def last_turn(events: Sequence[Dict[str, Any]]) -> Turn:
    """The assistant's reply to the newest learner message in a tracker's events."""
    start = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=-1)
    turn = Turn()
    texts = []
    for event in events[start + 1:]:
        kind = event.get("event")
        if kind == "bot":
            name = (event.get("metadata") or {}).get("utter_action")
            if name:
                turn.responses.append(name)
                turn.said[name] = event.get("text") or ""
            texts.append(event.get("text") or "")
            texts.extend(str(b.get("title", "")) for b in (event.get("data") or {}).get("buttons") or [])
        elif kind == "active_loop" and event.get("name") == "decision_form":
            turn.opened_questionnaire = True
        elif kind == "slot" and event.get("name") == "handoff_active" and event.get("value") is True:
            turn.opened_handoff = True
    turn.text = "\n".join(texts)
    turn.opened_questionnaire |= bool(QUESTIONNAIRE_RESPONSES & set(turn.responses))
    turn.opened_handoff |= bool(HANDOFF_RESPONSES & set(turn.responses))
    return turn


# ---- playing messages to the assistant (tests.e2e.stack.Stack, or a model in this process) ----


def converse(assistant: Any, messages: Sequence[str]) -> Turn:
    """Send the messages in one new conversation; what the assistant did after the last one."""
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    for message in messages:
        assistant.say(sender, message)
    return last_turn(assistant.events(sender))


def run_all(assistant: Any, conversations: Sequence[Sequence[str]], workers: int) -> List[Turn]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda messages: converse(assistant, messages), conversations))


def play(assistant: Any, messages: Sequence[str]) -> List[Turn]:
    """Send the messages in one new conversation; what the assistant did after each."""
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    turns = []
    for message in messages:
        assistant.say(sender, message)
        turns.append(last_turn(assistant.events(sender)))
    return turns


def play_all(assistant: Any, conversations: Sequence[Dict[str, Any]], workers: int) -> List[List[Turn]]:
    """Each conversation of a set played in a conversation of its own, several at once."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda c: play(assistant, [turn["text"] for turn in c["turns"]]), conversations))


# ---- judging an in-domain or small-talk reply ------------------------------------------------


@dataclass(frozen=True)
class Program:
    """What the judge needs of a catalog program."""

    slug: str
    name: str
    kind: str
    level: Optional[str]
    cost: Optional[float]
    hours: Optional[float]  # its longest length in hours, for superlatives
    delivery_format: Optional[str]
    topics: Tuple[str, ...]




def load_catalog() -> Dict[str, Program]:
    """The catalog the assistant answers from (CATALOG_DB_URL or var/catalog.sqlite3)."""
    from catalog_db import queries
    from catalog_db.engine import make_session
    from catalog_db.queries import HOURS_PER_UNIT

    with make_session() as session:
        facts = queries.search_programs(session)
    return {
        p.slug: Program(
            slug=p.slug, name=p.name, kind=p.kind, level=p.level, cost=p.cost_usd,
            hours=(HOURS_PER_UNIT[p.duration_unit] * (p.duration_max or p.duration_min)
                   if p.duration_unit and (p.duration_max or p.duration_min) else None),
            delivery_format=p.delivery_format, topics=tuple(t.lower() for t in p.topics),
        )
        for p in facts
    }


def listed_programs(text: str, catalog: Dict[str, Program]) -> List[Program]:
    """The catalog programs a list reply names, in order: each list item starts with a name
    (which may hold parentheses itself: "... (CAD) & Fusion 360 ... ($350, 4 days)")."""
    names = sorted(((normalized(p.name), p) for p in catalog.values()), key=lambda pair: -len(pair[0]))
    found = []
    for item in LISTED.findall(text):
        item = normalized(item)
        program = next((p for name, p in names if item.startswith(name)), None)
        if program:
            found.append(program)
    return found


def matches_filters(program: Program, filters: Dict[str, Any]) -> bool:
    topic = str(filters.get("topic", "")).lower()
    return (
        program.kind == filters.get("kind", program.kind)
        and program.level == filters.get("level", program.level)
        and program.delivery_format == filters.get("format", program.delivery_format)
        and ("max_cost" not in filters or (program.cost is not None and program.cost <= filters["max_cost"]))
        and (not topic or any(f" {topic} " in f" {t} " for t in program.topics))
    )


@dataclass
class Context:
    """What the earlier turns of a conversation showed: the last list and the last comparison."""

    listed: List[Program] = field(default_factory=list)
    compared: List[Program] = field(default_factory=list)

    def after(self, turn: Turn, catalog: Dict[str, Program]) -> "Context":
        used = set(turn.responses)
        if "utter_program_comparison" in used:
            return Context(listed=self.listed, compared=listed_programs(turn.text, catalog))
        if LIST_RESPONSES & used and listed_programs(turn.text, catalog):
            return Context(listed=listed_programs(turn.text, catalog), compared=self.compared)
        return self

    def nth(self, pool: str, position: Any) -> Optional[Program]:
        programs = self.compared if pool == "compared" else self.listed
        index = -1 if position == "last" else int(position) - 1
        return programs[index] if programs and -len(programs) <= index < len(programs) else None


def first_program_named(text: str, catalog: Dict[str, Program]) -> Optional[Program]:
    """The catalog program whose name comes first in a reply ("the cheapest is X ($10)")."""
    found = [(normalized(text).find(normalized(p.name)), p) for p in catalog.values()]
    found = [(at, p) for at, p in found if at >= 0]
    return min(found, key=lambda pair: (pair[0], -len(pair[1].name)))[1] if found else None


REFUSALS = frozenset({"utter_out_of_scope", "utter_default"})
QUESTIONNAIRE_ASKS = frozenset(f"utter_{way}_{slot}" for way in ("ask", "reask", "options") for slot in (
    "learning_goal", "career_change", "time_available", "obligations", "budget", "education"))
QUESTIONNAIRE_SLOTS = ("learning_goal", "career_change", "time_available", "obligations", "budget", "education")


def judge(expect: Dict[str, Any], turn: Turn, catalog: Dict[str, Program],
          context: Optional[Context] = None) -> bool:
    """Whether the reply answers what the expectation says was asked (`context`: earlier turns)."""
    context = context or Context()
    used = set(turn.responses)
    text = normalized(turn.text)
    if "faq" in expect:
        keys = expect["faq"] if isinstance(expect["faq"], list) else [expect["faq"]]
        return any(f"utter_faq_{key}" in used for key in keys)
    if "smalltalk" in expect:
        return SMALL_TALK_RESPONSES[expect["smalltalk"]] in used
    if "intent" in expect:
        return bool(INTENT_RESPONSES[expect["intent"]] & used)
    if "fact" in expect:
        if "program" in expect:
            program = catalog[expect["program"]]
        else:
            program = context.nth("compared" if "compared" in expect else "listed",
                                  expect.get("listed", expect.get("compared")))
        fact = expect["fact"]
        if program is None or normalized(program.name) not in text:
            return False
        if f"utter_program_{fact}" in used:
            return True
        # Saying the catalog lacks that very figure is right too ("not its length" for a length).
        return "utter_program_fact_unknown" in used and fact != "overview" and normalized(FACTS[fact].label) in text
    if "compare" in expect:
        return "utter_program_comparison" in used and all(
            normalized(catalog[slug].name) in text for slug in expect["compare"])
    if "missing" in expect:
        return ("utter_program_not_found" in used and expect["missing"].lower() in text
                and not LIST_RESPONSES & used)
    if "list" in expect:
        if not LIST_RESPONSES & used:
            return False
        filters = dict(expect["list"] or {})
        pool = context.listed if filters.pop("among", None) == "listed" else list(catalog.values())
        wanted = {p.slug for p in pool if matches_filters(p, filters)}
        shown = {p.slug for p in listed_programs(turn.text, catalog)}
        return shown == wanted or (len(wanted) > len(shown) and shown <= wanted and "more" in text)
    if "superlative" in expect:
        order = expect["superlative"]
        figure = "cost" if order["order"] == "cost" else "hours"
        among = {"listed": context.listed, "compared": context.compared}.get(order.get("among", ""))
        pool = [p for p in (among if among is not None else catalog.values())
                if getattr(p, figure) is not None and p.kind == order.get("kind", p.kind)]
        if not pool:  # the catalog holds no such figure for those: saying so is right
            return "utter_program_list_empty" in used
        if "utter_program_superlative" in used:
            named = first_program_named(turn.said["utter_program_superlative"], catalog)
        elif "utter_program_list" in used:
            named = next(iter(listed_programs(turn.text, catalog)), None)
        else:
            return False
        pick = max if order["direction"] == "max" else min
        best = getattr(pick(pool, key=lambda p: getattr(p, figure)), figure)
        return named is not None and getattr(named, figure) == best
    if "declined" in expect:  # inside the questionnaire the decline is followed by its question again
        return turn.declined or ("utter_out_of_scope" in used and used - {"utter_out_of_scope"} <= QUESTIONNAIRE_ASKS)
    if "refer" in expect:
        return not (REFUSALS & used) and "coach" in text
    if "asks" in expect:
        slot = expect["asks"]
        return bool({f"utter_ask_{slot}", f"utter_reask_{slot}", f"utter_options_{slot}"} & used)
    if "not_asked_again" in expect:
        slot = expect["not_asked_again"]
        return not ({f"utter_ask_{slot}", f"utter_reask_{slot}"} & used)
    if "recommend" in expect:
        path = expect["recommend"]
        return "utter_recommendation" in used and (path == "any" or f"suggestion: a {path}" in text
                                                   or f"suggestion: an {path}" in text)
    raise ValueError(f"unknown expectation {expect!r}")


# What a question of the other team's labels is answered by: a price or "we don't offer that,
# here is the closest" for a cost question, and so on (../shared/data/indomain/README.md).
NOT_OFFERED = frozenset({"utter_program_not_found", "utter_program_fact_unknown", "utter_refer_to_coach"})
FAMILIES: Dict[str, frozenset] = {
    "cost": frozenset({"utter_program_cost", "utter_faq_compare_cost", "utter_program_overview"}),
    "duration": frozenset({"utter_program_duration", "utter_faq_compare_time", "utter_program_overview"}),
    "eligibility": frozenset({"utter_program_eligibility", "utter_faq_eligibility", "utter_faq_cert_levels",
                              "utter_program_overview"}),
    "financial_aid": frozenset({"utter_program_aid", "utter_faq_financial_aid"}),
    "format": frozenset({"utter_program_format", "utter_faq_compare_flexibility", "utter_program_overview"}),
    "program_list": LIST_RESPONSES | {"utter_program_superlative", "utter_nearest_programs", "utter_catalog_topics"},
    "handoff": HANDOFF_RESPONSES | {"utter_contact"},
    "greeting": frozenset({"utter_greet"}),
    "goodbye": frozenset({"utter_goodbye"}),
    "thanks": frozenset({"utter_you_are_welcome"}),
    "off_domain": DECLINE_RESPONSES | NOT_OFFERED,
}
ANSWERS_ABOUT_PROGRAMS = frozenset({"cost", "duration", "eligibility", "financial_aid", "format", "program_list"})


def answered_in_family(label: str, turn: Turn) -> bool:
    """The reply is of the kind the question asks for (or says that very thing is not offered)."""
    used = set(turn.responses)
    if used & FAMILIES[label]:
        return True
    return label in ANSWERS_ABOUT_PROGRAMS and bool(used & NOT_OFFERED)


def refused(turn: Turn) -> bool:
    """"Outside what I can help with" or "could you rephrase?": the question was not taken up."""
    return bool(REFUSALS & set(turn.responses))


def expectations(case: Dict[str, Any]) -> List[Dict[str, Any]]:
    """A case's expectations: one, or one per question when the message asks two."""
    expect = case["expect"]
    return expect if isinstance(expect, list) else [expect]


def describe(expect: Dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in expect.items())


def split_trained(cases: Sequence[Dict[str, Any]], trained: Set[str]) -> Tuple[List[Dict[str, Any]], Set[str]]:
    """The cases whose message is in no training file, and the trained messages left out.

    Short everyday phrases ("thanks", "hi") are bound to be written by both sides; a longer one
    in both means a held-out sentence was copied into training (tests/test_heldout.py fails then).
    """
    fresh = [case for case in cases if normalized(case["text"]) not in trained]
    return fresh, {normalized(case["text"]) for case in cases} & trained
