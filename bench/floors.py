"""The held-out floors a model must hold: what `make test` holds the served assistant to
(tests/e2e/test_understanding.py, through REST) and what a model trained on the desk must hold before
it is served (bot/retraining, in its own process).

Each check takes an assistant with `say(sender, message)` and `events(sender)` (tests.e2e.stack.Stack,
or bot.retraining.heldout_check.InProcessAssistant) and the training texts (held-out messages that
were trained on are left out), and returns a Result; bench/understanding.py prints the whole picture.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set

from bench import heldout
from bench.heldout import play_all, run_all

OFFTOPIC_SAMPLE = 300
OFFTOPIC_SEED = 300
OFFTOPIC_FLOOR = 0.95  # declined; and never a handoff, a price or the questionnaire
PHRASINGS_FLOOR = 0.93  # in-domain and small talk, dev and test sets each
CONVERSATIONS_FLOOR = 0.93
OTHER_TEAMS_FLOOR = 0.95  # answered in the right family
# Issue 14 aims at 1 %; 2.7 % (2 of 75) is where it stands (README.md, Understanding): the floor keeps it there.
OTHER_TEAMS_MOST_REFUSED = 0.03
# How far below the served model a retrained one may be on a floor the served model misses itself
# (about two conversation turns in 243): one added example moves a turn or two either way.
NO_WORSE_MARGIN = 0.01


@dataclass
class Result:
    name: str
    share: float
    floor: float
    judged: int
    misses: List[str] = field(default_factory=list)
    forbidden: List[str] = field(default_factory=list)  # replies no held-out message may ever get
    # A retrained model's check: the share the served model gets on the same set, measured when the new
    # one is below the floor. A floor the served model misses too is held by being no worse than it.
    served_share: Optional[float] = None

    @property
    def held(self) -> bool:
        if self.forbidden:
            return False
        if self.share >= self.floor:
            return True
        return (self.served_share is not None and self.served_share < self.floor
                and self.share >= self.served_share - NO_WORSE_MARGIN)

    def summary(self) -> str:
        forbidden = f"; never allowed but got: {len(self.forbidden)}" if self.forbidden else ""
        served = "" if self.served_share is None else f"; the served model {self.served_share:.1%}"
        return f"{self.name}: {self.share:.1%} of {self.judged} (floor {self.floor:.0%}){served}{forbidden}"


def off_topic(assistant: Any, trained: Set[str], workers: int = 4) -> Result:
    """Real off-topic requests (hwu64) are declined, and never page a coach, quote a price or start the questionnaire."""
    rows = heldout.seeded_sample(heldout.offtopic_heldout(heldout.hwu64_rows(), trained), OFFTOPIC_SAMPLE,
                                 OFFTOPIC_SEED)
    turns = run_all(assistant, [[text] for _, text in rows], workers)
    misses = [f"{text!r} got {turn.responses}" for (_, text), turn in zip(rows, turns) if not turn.declined]
    forbidden = [f"{flag}: {text!r}" for flag in ("handoff", "price", "questionnaire")
                 for (_, text), turn in zip(rows, turns) if turn.flags()[flag]]
    return Result("real off-topic requests declined", 1 - len(misses) / len(turns), OFFTOPIC_FLOOR, len(turns),
                  misses, forbidden)


def phrasings(assistant: Any, trained: Set[str], catalog: Dict[str, heldout.Program], name: str,
              workers: int = 4) -> Result:
    """Unseen phrasings of `name` (in_domain, small_talk) from the dev and test sets answered right."""
    cases = [case for part in ("dev", "test")
             for case in heldout.split_trained(heldout.heldout_cases(f"{part}/{name}"), trained)[0]]
    turns = run_all(assistant, [[*case.get("before", []), case["text"]] for case in cases], workers)
    misses = [f"{case['text']!r}: expected {heldout.describe(heldout.expectations(case)[0])}, got {turn.responses}"
              for case, turn in zip(cases, turns) if not heldout.judge(heldout.expectations(case)[0], turn, catalog)]
    return Result(f"{name.replace('_', ' ')} phrasings answered right", 1 - len(misses) / len(cases), PHRASINGS_FLOOR,
                  len(cases), misses)


def conversations(assistant: Any, catalog: Dict[str, heldout.Program], workers: int = 4) -> Result:
    """References, follow-ups, the questionnaire and two questions in one message, each turn in its context."""
    played_sets = heldout.heldout_cases("conversations/test")
    played = play_all(assistant, played_sets, workers)
    judged, misses = 0, []
    for conversation, turns in zip(played_sets, played):
        context = heldout.Context()
        for case, turn in zip(conversation["turns"], turns):
            if "expect" in case:
                judged += 1
                if not all(heldout.judge(e, turn, catalog, context) for e in heldout.expectations(case)):
                    misses.append(f"{conversation['id']}: {case['text']!r} got {turn.responses}")
            context = context.after(turn, catalog)
    return Result("conversation turns answered right", 1 - len(misses) / judged, CONVERSATIONS_FLOOR, judged, misses)


def other_teams(assistant: Any, workers: int = 4) -> List[Result]:
    """Another team's phrasings (the measured half) answered in their family, and almost never refused."""
    rows = heldout.other_teams_measured()
    turns = run_all(assistant, [[row["text"]] for row in rows], workers)
    wrong = [f"{row['text']!r} ({row['label']}) got {turn.responses}" for row, turn in zip(rows, turns)
             if not heldout.answered_in_family(row["label"], turn)]
    refused = [row["text"] for row, turn in zip(rows, turns) if heldout.refused(turn) and row["label"] != "off_domain"]
    return [Result("other teams' phrasings answered in their family", 1 - len(wrong) / len(rows), OTHER_TEAMS_FLOOR,
                   len(rows), wrong),
            Result("other teams' in-domain phrasings not refused", 1 - len(refused) / len(rows),
                   1 - OTHER_TEAMS_MOST_REFUSED, len(rows), refused)]


def checks(trained: Set[str], workers: int) -> List[Callable[[Any], List[Result]]]:
    """Every floor as a check of an assistant, the likeliest to fail first (a model that lost the
    in-domain intents fails on the first)."""
    catalog = heldout.load_catalog()
    return [
        lambda assistant: [phrasings(assistant, trained, catalog, "in_domain", workers)],
        lambda assistant: [phrasings(assistant, trained, catalog, "small_talk", workers)],
        lambda assistant: [off_topic(assistant, trained, workers)],
        lambda assistant: [conversations(assistant, catalog, workers)],
        lambda assistant: other_teams(assistant, workers),
    ]
