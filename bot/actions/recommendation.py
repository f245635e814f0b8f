"""The recommendation: which path suits a learner, and why. Written to be read by coaches.

Every rule below comes from the source articles' advice:
- little time, a tight deadline, family or work to fit around, or a small budget point to a
  micro-credential (short, self-paced, cheapest);
- switching to a new career field, needing financial aid, or having ten or more hours a week
  point to a certificate (in depth, accredited, aid-eligible);
- a position that requires a degree, or full-time study for the three or four years a bachelor's
  degree takes, points to a degree;
- a graduate certificate needs a bachelor's degree, so without one the certificate is undergraduate.
"""
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.understanding.situation import UNKNOWN
from catalog_db.queries import ProgramFacts

MICRO, UNDERGRAD_CERT, GRAD_CERT, DEGREE = (
    "micro-credential", "undergraduate certificate", "graduate certificate", "degree")
SHORT_DEADLINE_WEEKS = 12
FEW_HOURS = 10
SMALL_BUDGET = 1000
FULL_TIME_HOURS = 20   # a week's study at which a degree's pace is possible
DEGREE_WEEKS = 150     # about three years: a bachelor's degree usually takes four


@dataclass(frozen=True)
class Situation:
    """What the learner told us; None where they did not say or skipped."""

    goal: Optional[str] = None
    career_change: Optional[bool] = None
    hours_per_week: Optional[float] = None
    weeks: Optional[float] = None
    obligations: Tuple[str, ...] = ()
    budget_usd: Optional[float] = None
    needs_aid: Optional[bool] = None
    education: Optional[str] = None
    preferred_format: Optional[str] = None
    degree_required: bool = False

    @property
    def has_bachelor(self) -> bool:
        return self.education in ("bachelor", "graduate")


@dataclass(frozen=True)
class Recommendation:
    path: str
    reasons: Tuple[str, ...]
    tradeoffs: str
    matches: Tuple[ProgramFacts, ...] = field(default_factory=tuple)


TRADEOFFS = {
    MICRO: "Keep in mind that micro-credentials are not accredited the way certificates are, some employers "
           "don't know them well yet, and financial aid rarely covers them.",
    UNDERGRAD_CERT: "A certificate is a bigger commitment: often a year or two, at about a degree's tuition per "
                    "credit. In return it is accredited, widely recognised, and financial aid may help pay for it.",
    DEGREE: "A degree is the longest and most expensive path, but it is recognised everywhere and some positions "
            "require one. Online and hybrid options make it easier to fit around work.",
}
TRADEOFFS[GRAD_CERT] = TRADEOFFS[UNDERGRAD_CERT]


def _known(value: Any) -> Any:
    return None if value in (None, UNKNOWN) else value


def situation_from_slots(slots: Dict[str, Any]) -> Situation:
    """Build a Situation from the decision form's slot values."""
    time = _known(slots.get("time_available")) or {}
    budget = _known(slots.get("budget")) or {}
    career = _known(slots.get("career_change"))
    return Situation(
        goal=_known(slots.get("learning_goal")),
        career_change=None if career is None else career == "change",
        hours_per_week=time.get("hours_per_week"),
        weeks=time.get("weeks"),
        obligations=tuple(_known(slots.get("obligations")) or ()),
        budget_usd=budget.get("usd"),
        needs_aid=budget.get("needs_aid"),
        education=_known(slots.get("education")),
        preferred_format=_known(slots.get("preferred_format")),
        degree_required=bool(slots.get("degree_required")),
    )


def weigh(situation: Situation) -> Tuple[List[Tuple[int, str]], List[Tuple[int, str]]]:
    """Weighted reasons for a micro-credential and for a certificate, in the order they apply."""
    micro: List[Tuple[int, str]] = []
    certificate: List[Tuple[int, str]] = []
    s = situation
    if s.career_change is True:
        certificate.append((2, "you want to move into a new field, and a certificate gives the in-depth, "
                               "specialised qualification that opens that door"))
    if s.career_change is False:
        micro.append((1, "you are growing in the field you're already in, so one targeted skill goes a long way"))
    if s.weeks is not None and s.weeks <= SHORT_DEADLINE_WEEKS:
        micro.append((2, f"you need the skill within about {s.weeks:.0f} weeks, and micro-credentials take days "
                         "or weeks while certificates take months to years"))
    if s.hours_per_week is not None and s.hours_per_week < FEW_HOURS:
        micro.append((2, f"about {s.hours_per_week:.0f} hours a week fits a short, self-paced course"))
    if s.hours_per_week is not None and s.hours_per_week >= FEW_HOURS:
        certificate.append((1, f"{s.hours_per_week:.0f} hours a week is enough for a certificate's steady "
                               "one-or-two-classes-a-semester pace"))
    if s.obligations:
        duties = " and ".join(s.obligations)
        micro.append((1, f"with {duties} commitments, a flexible course you can fit around your schedule is easier"))
    if s.budget_usd is not None and s.budget_usd < SMALL_BUDGET:
        micro.append((2, f"a budget of ${s.budget_usd:,.0f} covers most micro-credentials, while a certificate "
                         "costs about a degree's tuition per credit"))
    if s.needs_aid:
        certificate.append((1, "you'd like financial aid, which is often available for certificates but usually "
                               "not for micro-credentials"))
    return micro, certificate


def choose_path(situation: Situation) -> Tuple[str, Tuple[str, ...]]:
    """The path and up to three reasons, strongest first."""
    if situation.degree_required:
        return DEGREE, ("the position you're aiming for requires a degree",)
    if has_time_for_a_degree(situation):
        reasons = [f"you can study about {situation.hours_per_week:.0f} hours a week for {situation.weeks / 52:.0f} "
                   "years or more, the time a full degree takes",
                   "a degree is the most in-depth path and is recognised across most industries"]
        if situation.needs_aid:
            reasons.append("financial aid is available for degree programs")
        return DEGREE, tuple(reasons)
    micro, certificate = weigh(situation)
    micro_score, certificate_score = sum(w for w, _ in micro), sum(w for w, _ in certificate)
    if certificate_score > micro_score:
        path = GRAD_CERT if situation.has_bachelor else UNDERGRAD_CERT
        chosen = certificate
        if situation.has_bachelor:
            chosen = chosen + [(0, "your bachelor's degree makes you eligible for graduate certificates")]
    else:
        path, chosen = MICRO, micro or [(0, "it is the quickest and cheapest way to try a new skill")]
    ranked = sorted(chosen, key=lambda reason: -reason[0])  # stable: equal weights keep their order
    return path, tuple(text for _, text in ranked[:3])


def has_time_for_a_degree(situation: Situation) -> bool:
    """Full-time study for years, with no bachelor's yet and no budget too small for tuition."""
    return (situation.hours_per_week is not None and situation.hours_per_week >= FULL_TIME_HOURS
            and situation.weeks is not None and situation.weeks >= DEGREE_WEEKS and not situation.has_bachelor
            and not (situation.budget_usd is not None and situation.budget_usd < SMALL_BUDGET
                     and not situation.needs_aid))


def leans(situation: Situation) -> bool:
    """Whether what the learner said so far points anywhere yet (a school level alone does not)."""
    micro, certificate = weigh(situation)
    return bool(micro or certificate or situation.degree_required or has_time_for_a_degree(situation))


def _fits(program: ProgramFacts, path: str, situation: Situation) -> bool:
    kind = {MICRO: "micro-credential", DEGREE: "degree"}.get(path, "certificate")
    if program.kind != kind:
        return False
    if path == UNDERGRAD_CERT and program.level == "graduate":
        return False  # never a graduate program without a bachelor's degree
    if path == DEGREE and program.level == "graduate" and not situation.has_bachelor:
        return False
    if situation.budget_usd is not None and program.cost_usd is not None and program.cost_usd > situation.budget_usd:
        return False
    if situation.preferred_format and program.delivery_format not in (None, situation.preferred_format):
        return False
    if situation.goal:
        # Whole words only: "ai" must not find "training".
        subjects = " | ".join((*program.topics, program.name)).lower()
        goal = situation.goal.lower()
        return bool(re.search(rf"\b{re.escape(goal)}\b", subjects)) or any(
            re.search(rf"\b{re.escape(topic.lower())}\b", goal) for topic in program.topics)
    return True


def matching_programs(path: str, situation: Situation, programs: Sequence[ProgramFacts]) -> Tuple[ProgramFacts, ...]:
    """Up to three catalog programs on the path that fit topic, budget, format and eligibility.

    Programs with a listed price come first (cheapest first); ones without a price follow.
    """
    fitting = [p for p in programs if _fits(p, path, situation)]
    fitting.sort(key=lambda p: (p.cost_usd is None, p.cost_usd or 0, p.name))
    return tuple(fitting[:3])


def with_article(path: str) -> str:
    """ "an undergraduate certificate", "a micro-credential"."""
    return f"{'an' if path[0] in 'aeiou' else 'a'} {path}"


def recommend(situation: Situation, programs: Sequence[ProgramFacts]) -> Recommendation:
    path, reasons = choose_path(situation)
    return Recommendation(path, reasons, TRADEOFFS[path], matching_programs(path, situation, programs))


def needs_education(situation: Situation) -> bool:
    """Eligibility only matters when the path is not a micro-credential (open to everyone)."""
    return choose_path(situation)[0] != MICRO
