"""The closed vocabularies of a question: kinds of credential, levels, formats, superlatives, money.

These are the few things people name with a small, fixed set of words (and their typos), so a
word list reads them better than a model would. Everything open-ended (what a question asks,
which subject or program it is about, whether "it" points back) is learned: see `reader.py`.
Every function takes the message's tokens (lower case) or text and never raises.
"""
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from rapidfuzz import fuzz

# The credentials the catalog holds, by the words people use for them.
KIND_WORDS: Dict[str, str] = {
    **dict.fromkeys(("micro-credential", "micro-credentials", "microcredential", "microcredentials", "micro",
                     "microcred", "microcreds", "micro-cred", "micro-creds", "micro-cert", "micro-certs",
                     "badge", "badges"), "micro-credential"),
    **dict.fromkeys(("certificate", "certificates", "cert", "certs", "certification", "certifications"),
                    "certificate"),
    **dict.fromkeys(("degree", "degrees", "bachelor", "bachelors", "bachelor's", "master", "masters",
                     "master's", "ba", "bs", "bsc", "ms", "msc", "ma", "mba", "phd", "phds", "doctorate",
                     "doctorates", "associate's", "diploma", "diplomas"), "degree"),
}
# The words naming a kind of credential in general, which a subject's words are read apart from
# ("the nursing certificate" is about nursing); "MBA" or "PhD" name a program of their own.
GENERIC_KIND_WORDS = frozenset(
    "micro-credential micro-credentials microcredential microcredentials micro microcred microcreds micro-cred "
    "micro-creds micro-cert micro-certs badge badges certificate certificates cert certs certification "
    "certifications degree degrees diploma diplomas".split())
# Who a course is for, never what it is about ("guitar for adults").
AUDIENCE_WORDS = frozenset("adults adult beginners beginner kids children teens teenagers seniors retirees women men "
                           "professionals parents students newbies dummies".split())
# Words describing the learner a question is about ("for someone working full time"): who asks, not
# what about.
LEARNER_WORDS = frozenset("someone somebody anyone anybody everyone people person working worker workers employee "
                          "employees employed learner learners student busy mom moms mum mums dad dads parent "
                          "myself".split())
# Words of an amount of money ("for 100 bucks or less"): a price bound, read by `price_bound`.
MONEY_WORDS = frozenset("bucks buck dollars dollar usd money cash grand k".split())
# Common shortenings of the words subjects are named by ("anything tech related", "stats").
ABBREVIATIONS: Dict[str, str] = {
    "tech": "technology", "technologies": "technology", "stats": "statistics", "stat": "statistics",
    "cyber": "cybersecurity", "infosec": "cybersecurity", "comms": "communication", "comm": "communication",
    "communications": "communication", "mgmt": "management", "mgt": "management", "mfg": "manufacturing",
    "manuf": "manufacturing", "eng": "engineering", "engg": "engineering", "edu": "education", "ed": "education", "sci": "science",
    "geo": "geospatial", "biz": "business", "admin": "administration", "psych": "psychology",
    "econ": "economics", "bio": "biology", "chem": "chemistry", "math": "mathematics", "maths": "mathematics",
}
# Words for a course of study of any kind: they make a phrase a study subject ("the welding
# course") without narrowing the catalog to one kind.
STUDY_WORDS = frozenset(
    "course courses class classes program programs programme programmes training trainings lecture lectures "
    "workshop workshops module modules bootcamp bootcamps seminar seminars lesson lessons credential credentials "
    "qualification qualifications apprenticeship apprenticeships".split())
LEVEL_WORDS: Dict[str, str] = {
    **dict.fromkeys(("undergraduate", "undergrad", "undergrads", "bachelor", "bachelors", "bachelor's"),
                    "undergraduate"),
    **dict.fromkeys(("graduate", "grad", "postgraduate", "postgrad", "master", "masters", "master's", "phd",
                     "doctoral"), "graduate"),
}
# Two-word kinds: "micro credential", "micro cred".
_KIND_PHRASES = re.compile(r"\bmicro[\s-]+(?:credential|cred|cert)s?\b")
_FUZZY_KIND_MIN_LENGTH = 7  # "certficate", "microcredental"; shorter words are too easily confused
_FUZZY_KINDS = ("microcredential", "certificate", "certification", "credential")


def _kind_of(token: str) -> Optional[str]:
    if token in KIND_WORDS:
        return KIND_WORDS[token]
    if len(token) >= _FUZZY_KIND_MIN_LENGTH:
        for word in _FUZZY_KINDS:
            if fuzz.ratio(token.rstrip("s"), word) >= 88:
                return KIND_WORDS.get(word)
    return None


_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten twenty thirty forty fifty sixty seventy "
                          "eighty ninety hundred first second third".split())


def kinds(text: str, tokens: Sequence[str]) -> List[str]:
    """The kinds of credential a message names, in order, each once: "micro creds vs certs" → both.
    A number's degrees are a temperature or an angle ("seventy degree day", "second degree burn")."""
    found = ["micro-credential"] if _KIND_PHRASES.search(text.lower()) else []
    for before, token in zip(["", *tokens], tokens):
        kind = _kind_of(token)
        if token.startswith("degree") and (before.isdigit() or before in _NUMBER_WORDS):
            continue
        if kind and kind not in found:
            found.append(kind)
    return found


# Verbs of studying, which make what follows them a subject of study ("learn french", "study nursing").
LEARNING_VERBS = frozenset("learn learning learnt learned study studying studied major majoring retrain retraining "
                           "qualify qualifying".split())


def names_study(tokens: Sequence[str]) -> bool:
    """A word for a course of study or a credential: "is there a nursing course", "welding certs"."""
    return any(token in STUDY_WORDS or _kind_of(token) for token in tokens)


def level(tokens: Sequence[str]) -> Optional[str]:
    """Undergraduate or graduate, when the message names exactly one of them."""
    found = {LEVEL_WORDS[token] for token in tokens if token in LEVEL_WORDS}
    return found.pop() if len(found) == 1 else None


_FORMATS: Tuple[Tuple[str, re.Pattern], ...] = (
    ("in_person", re.compile(r"\bin[\s-]?person\b|\bon[\s-]?campus\b|\bface[\s-]to[\s-]face\b|\bon[\s-]?site\b"
                             r"|\bin a classroom\b")),
    ("hybrid", re.compile(r"\bhybrid\b|\bblended\b")),
    ("online", re.compile(r"\bonline\b|\bremote(?:ly)?\b|\bvirtual(?:ly)?\b|\bdistance\b|\bfrom home\b|\be-?learning\b")),
)


def delivery_format(text: str) -> Optional[str]:
    """How a learner wants to be taught, when the message says: online, in person or hybrid."""
    lowered = text.lower()
    return next((name for name, pattern in _FORMATS if pattern.search(lowered)), None)


# Someone to talk to, as people ask for one: "a real person", "someone from admissions", "an agent".
_PERSON_WORDS = re.compile(
    r"\b(?:human|person|people|someone|somebody|anyone|anybody|coach|coaches|advis[eo]rs?|counsell?ors?|agent"
    r"|representative|rep|staff|admissions|operator|officer|team|office|call me back|call back|callback)\b")


def names_a_person(text: str) -> bool:
    """"can someone from admissions call me", "a real human please": a person is named or asked for."""
    return bool(_PERSON_WORDS.search(text.lower()))


# Matters of a university's office that only students have: records, visas, tuition, credit for
# what was learnt elsewhere. A coach answers them; they are never another assistant's question.
_OFFICE_MATTERS = re.compile(
    r"\b(?:transcripts?|gpa|gi bill|fafsa|registrar|bursar|tuition|alumni|alums?|accredit(?:ed|ation)"
    r"|student (?:visas?|portal|loans?|id|card|account|housing|records?)|f-?1 visas?|prior learning|syllabus|syllabi"
    r"|semesters?|credit hours?|(?:sat|act|gre|gmat|ielts|toefl) scores?)\b")


def names_office_matter(text: str) -> bool:
    """"how do i request an official transcript", "will my f1 visa be affected": a matter for the office."""
    return bool(_OFFICE_MATTERS.search(text.lower()))


@dataclass(frozen=True)
class Superlative:
    """An ordering asked for: by cost or duration, smallest first unless `descending`."""

    figure: str  # "cost" or "duration"
    descending: bool


# The figure each word of ordering is about, and which end of it: "cheapest", "takes less time".
_ORDERINGS: Tuple[Tuple[str, bool, re.Pattern], ...] = (
    ("cost", True, re.compile(r"\bmost expensive\b|\bpriciest\b|\bcostliest\b|\bhighest[\s-]?(?:cost|price|priced)\b"
                              r"|\bcosts? (?:the )?most\b|\bmore expensive\b(?! than \$?\d)|\bpricier\b|\bcosts? more\b(?! than \$?\d)")),
    ("cost", False, re.compile(r"\bcheapest\b|\bcheaper\b(?! than \$?\d)|\bleast expensive\b|\bless expensive\b"
                               r"|\bmore cheap\b|\blowest[\s-]?(?:cost|price|priced)\b|\bmost affordable\b"
                               r"|\bmore affordable\b|\bcosts? (?:the )?least\b|\bcosts? less\b(?! than \$?\d)"
                               r"|\bless money\b|\bmost cheap\b")),
    ("duration", True, re.compile(r"\blongest\b|\blonger\b|\b(?:the )?most time\b|\bmore time\b")),
    ("duration", False, re.compile(r"\bshortest\b|\bshorter\b|\bquickest\b|\bquicker\b|\bfastest\b|\bfaster\b"
                                   r"|\bleast time\b|\bless time\b|\bsoonest\b|\bsooner\b|\bmost quick\b|\bmore quick\b")),
)


def superlative(text: str) -> Optional[Superlative]:
    """The ordering a message asks for ("which is the cheapest", "takes less time"), if any."""
    lowered = text.lower()
    for figure, descending, pattern in _ORDERINGS:
        if pattern.search(lowered):
            return Superlative(figure, descending)
    return None


_MONEY_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k\b|thousand\b|grand\b)?"
_WORD_AMOUNTS = {
    "ten": 10, "twenty": 20, "fifty": 50, "a hundred": 100, "one hundred": 100, "hundred": 100,
    "two hundred": 200, "three hundred": 300, "five hundred": 500, "a thousand": 1000, "one thousand": 1000,
    "two thousand": 2000, "five thousand": 5000,
}
_MONEY_CONTEXT = re.compile(r"dollar|buck|\$|budget|spend|afford|usd|pays?\b")


def money(text: str) -> Optional[float]:
    """The first amount of money in the text, in dollars: "$1.5k" → 1500, "two hundred dollars" → 200."""
    lowered = text.lower()
    match = re.search(r"\$\s*" + _MONEY_NUMBER, lowered) or re.search(
        _MONEY_NUMBER + r"\s*(?:dollars?|usd|bucks)\b", lowered)
    if match:
        value = float(match.group(1).replace(",", ""))
        return value * 1000 if match.group(2) else value
    if _MONEY_CONTEXT.search(lowered):
        for words in sorted(_WORD_AMOUNTS, key=len, reverse=True):
            if re.search(rf"\b{words}\b", lowered):
                return float(_WORD_AMOUNTS[words])
        bare = _BOUND_NUMBER.search(lowered)  # "tight budget, like under 50", "my boss will pay up to 500"
        if bare:
            return float(bare.group(1).replace(",", "")) * (1000 if bare.group(2) else 1)
    return None


_UPPER_BOUND = re.compile(r"\b(?:under|less than|below|cheaper than|at most|max(?:imum)?|up to|no more than|within"
                          r"|budget (?:of|is)|or less|or under|and under)\b|<")


_BOUND_NUMBER = re.compile(r"(?:under|less than|cheaper than|below|at most|max(?:imum)?|up to|no more than|within|budget(?: is| of)?"
                           r"|spend|afford)\s+(?:about |around |roughly )?" + _MONEY_NUMBER
                           + r"(?!\s*(?:weeks?|days?|months?|years?|hours?|hrs?|credits?|people|kids|children|miles?)\b)")


def price_bound(text: str) -> Optional[float]:
    """The most a learner will pay, when the message sets a bound: "anything under $100", "under 100"."""
    lowered = text.lower()
    if not (_UPPER_BOUND.search(lowered) or _MONEY_CONTEXT.search(lowered)):
        return None
    amount = money(lowered)
    if amount is None:
        bare = _BOUND_NUMBER.search(lowered)  # a number right after the bound is an amount of money
        amount = float(bare.group(1).replace(",", "")) * (1000 if bare.group(2) else 1) if bare else None
    return amount


# What a reference points at, by its words. The reader's entity extractor finds which words of a
# message refer back at all ("is it online" does; "does it cost a lot to study biology" does not).
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "one": 1, "two": 2, "three": 3, "#1": 1, "#2": 2,
             "#3": 3, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "former": 1}
# Counting words, which point at a place in a list only after "number" or "option" ("number 2"):
# "those two" are both of them, and "a table for 2" points at nothing.
_CARDINALS = frozenset({"one", "two", "three", "1", "2", "3", "4", "5"})
_NUMBERING = frozenset({"number", "option", "no"})
_LAST = frozenset({"last", "latter", "final", "bottom"})
_ALL = frozenset({"them", "those", "these", "they", "all", "both", "either", "any", "ones", "each", "list"})
_OTHER = frozenset({"other", "another", "else"})


@dataclass(frozen=True)
class ReferenceWords:
    """What a referring phrase says: one thing ("it"), the n-th of a list, all of them, the other."""

    ordinal: Optional[int] = None  # 1-based; -1 for the last
    plural: bool = False           # "them", "those", "both", "which of them"
    other: bool = False            # "the other one"


# Pointing words with no other sense in a question to us: an ordinal of the list ("the 2nd one",
# "number 3", "the last one"), the other of two, or the whole list ("both", "them", "which of those").
_POINTING = re.compile(
    r"\b(?:the\s+)?(?:first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th|last|latter|former)"
    r"(?:\s+(?:one|program|programme|course|option|item|class))?(?=\s*(?:[?.!,]|$|\b(?:one|is|costs?|online|please"
    r"|pls|then|for|about|in|do|does|take|takes|and|again|\?)\b))"
    r"|\bnumber\s+(?:one|two|three|four|five|six|[1-9])\b|#[1-9]\b"
    r"|\bthe\s+other(?:\s+one)?\b|\bboth(?:\s+of\s+them)?\b|\beither\s+(?:one|of\s+them)\b"
    r"|\b(?:which|any|all|each|none|some)\s+(?:one\s+)?of\s+(?:them|those|these|the\s+(?:two|three|list))\b"
    r"|\b(?:those|these)\s+(?:ones|two|three)\b|\bthem\b|\bthose\b|\beach(?:\s+one)?\s*[?.!]*$")


# A kind of credential named with "the" or "that", pointing at the program of that kind just shown:
# "the masters one", "that certificate", "the grad cert" (never "the birth certificate").
_KIND_REFERENCE = re.compile(
    r"\b(?:the|that|this)\s+(?:(?:master'?s?|bachelor'?s?|graduate|grad|undergrad(?:uate)?|online|micro)\s+)?"
    r"(?:" + "|".join(sorted((re.escape(word) for word in GENERIC_KIND_WORDS | {"bachelors", "bachelor's", "masters",
                                                                              "master's"}), key=len, reverse=True))
    + r")(?:\s+(?:one|program|programme|option|course))?\b")
# Degrees with a name of their own: a program we may not offer, never the kind in general
# ("how long is the MBA" asks about an MBA).
NAMED_DEGREES = frozenset("mba mbas phd phds doctorate doctorates edd dnp msn bsn jd llm dba mfa mph mpa msw".split())


# A credential named as what a program asks of the learner, not as what is asked about: "do I need a
# physics bachelor's to get in", "is a degree required", "can I apply without a diploma".
_CREDENTIAL = (r"(?:a|an|my|the|any|some)?\s*(?:[\w'-]+\s+){0,2}?(?:bachelor'?s?|masters?|master's|degree|diploma"
               r"|undergrad(?:uate)?|ged|high\s+school)(?:\s+degree)?(?:\s+in\s+[\w-]+)?\b")
_PREREQUISITE = re.compile(
    r"\b(?:do|does|did|would|will|must|should|shall)\s+(?:i|we|one|you|u|it|they|this|that|he|she)\s+"
    r"(?:need|needs|require|requires|have\s+to\s+have|need\s+to\s+have)\s+" + _CREDENTIAL
    + r"|\b(?:without|requires?|required)\s+" + _CREDENTIAL
    + r"|" + _CREDENTIAL + r"\s+(?:is\s+|are\s+)?(?:required|needed|necessary|mandatory|a\s+prerequisite|a\s+must)\b",
    re.IGNORECASE)


def prerequisite_spans(text: str) -> List[Tuple[int, int]]:
    """Where the text names a credential the learner may need to get in (see `_PREREQUISITE`)."""
    return [match.span() for match in _PREREQUISITE.finditer(text)]


def named_degree(tokens: Sequence[str]) -> Optional[str]:
    """ "is there an MBA" → "mba": a degree named by its own name, or None."""
    return next((token for token in tokens if token in NAMED_DEGREES), None)


def kind_reference(text: str) -> Optional[str]:
    """ "the masters one", "that certificate": a kind named as one thing already in view, or None."""
    match = _KIND_REFERENCE.search(text.lower())
    return match.group(0) if match else None


def pointing_words(text: str) -> Optional[str]:
    """The words of a message that can only point back at what was shown: ordinals, "the other
    one", "both", "which of them", "those", or None. "it" and "that" are the tagger's to judge."""
    match = _POINTING.search(text.lower())
    return match.group(0).strip() if match else None


# Words for what is asked of a program, never for what it is about.
FACT_WORDS = frozenset(
    "cost costs price prices pricing fee fees tuition charge charges requirement requirements reqs req entry "
    "prerequisite prerequisites eligibility duration length time times start starts starting date dates intake "
    "intakes deadline deadlines schedule timetable format level levels workload hours credits credit details "
    "info information price-tag application applications admission admissions enrolment enrollment scholarship "
    "scholarships funding aid grant grants loan loans bursary refund seats seat places spots registration process "
    "procedure policy policies steps link links page pages url website site brochure".split())
# The nouns that name one fact of a program ("what are the entry reqs", "price?"), by fact
# (bot/understanding/facts.py).
FACT_NOUNS: Dict[str, str] = {
    **dict.fromkeys(("cost", "costs", "price", "prices", "pricing", "fee", "fees", "tuition", "price tag"), "cost"),
    **dict.fromkeys(("length", "duration"), "duration"),
    **dict.fromkeys(("format", "delivery format"), "format"),
    **dict.fromkeys(("requirements", "entry requirements", "reqs", "entry reqs", "prerequisites", "prereqs",
                     "eligibility", "admission requirements"), "eligibility"),
    **dict.fromkeys(("start date", "start dates", "intake", "intakes", "next intake"), "start"),
    **dict.fromkeys(("credits", "credit hours", "credit count"), "credits"),
    **dict.fromkeys(("workload", "time commitment", "weekly hours"), "workload"),
}
FACT_NOUN_PATTERN = r"(?:" + "|".join(sorted((re.escape(noun) for noun in FACT_NOUNS), key=len, reverse=True)) + r")"


def facts_named(text: str) -> List[str]:
    """The facts a message names by their nouns, in order, each once: "cost and length?" → cost, duration."""
    found = [FACT_NOUNS[match.group(0)] for match in re.finditer(rf"\b{FACT_NOUN_PATTERN}\b", text.lower())]
    return list(dict.fromkeys(found))


# Words of time: when something starts is asked in them, nothing is about them.
TIME_WORDS = frozenset(
    "january february march april may june july august september october november december jan feb mar apr jun jul "
    "aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs "
    "fri sat sun weekday weekdays weekend weekends morning mornings afternoon afternoons evening evenings night "
    "nights spring summer fall autumn winter today tomorrow tonight week weeks month months year years semester "
    "term quarter next last this day days hour hours minute minutes few couple several".split())
# The words that carry a question's shape rather than its matter: determiners, pronouns,
# prepositions, conjunctions, auxiliaries and question words.
FUNCTION_WORDS = frozenset(
    "a an the this that these those it its it's they them their there here i me my mine you your yours we us our "
    "he she his her who whom whose what which when where why how whats what's hows how's is are was were be been "
    "being am do does did doing have has had having can could will would shall should may might must of in on at "
    "to for from by with about into onto over under between after before during without within through per as "
    "and or but nor so if then than also too just only even still any some all each every no not "
    "u ur r ya pls please plz thanks thank ok okay hi hey hello".split())
# Sounds, asides and sentence particles that carry no subject ("uhh", "lol sorry", "who's it for tho").
INTERJECTIONS = frozenset("uh uhh uhm um umm hm hmm hmmm er erm lol lmao haha oh ah well yeah yea yep nah sorry "
                          "tho though anyway anyways actually basically honestly".split())
_FUNCTION_WORDS = frozenset("the a an of for to and or my your its their what which".split())
# Words that only qualify what a learner wants ("research related", "ai stuff"): never a subject alone.
FILLER_WORDS = frozenset("related based oriented focused type kind sort stuff things thing area areas field fields "
                         "general basics beginner beginners intro introductory advanced level lvl stage".split())
_FORMAT_WORDS = frozenset("online in-person person hybrid blended remote remotely virtual campus distance "
                          "part full time part-time full-time evening evenings weekend weekends".split())


def only_closed_class_words(phrase: str) -> bool:
    """"the entry reqs", "hybrid", "graduate level", "cheapest": words for what is asked or how a
    list is narrowed, which the tagger took for a subject."""
    words = re.findall(r"[\w'-]+", phrase.lower())
    return bool(words) and all(is_closed_class(word) for word in words)


_CLOSED_CLASS = (FACT_WORDS | _FUNCTION_WORDS | FUNCTION_WORDS | FILLER_WORDS | _FORMAT_WORDS | TIME_WORDS
                 | set(LEVEL_WORDS) | set(KIND_WORDS) | STUDY_WORDS | AUDIENCE_WORDS | LEARNER_WORDS | MONEY_WORDS
                 | INTERJECTIONS | _ALL | {"neither"})


def is_closed_class(word: str) -> bool:
    """A word of a closed class (grammar, what is asked, time, format, level, kind, a number or
    an ordering), which a learner's subject is not made of alone."""
    return (word in _CLOSED_CLASS or word.isdigit() or word in _NUMBER_WORDS or word in _ORDINALS
            or superlative(word) is not None)


def only_reference_words(phrase: str) -> bool:
    """"the 2nd one", "number three": words that can only point back, whatever the tagger said."""
    words = re.findall(r"[#\w']+", phrase.lower())
    pointing = set(_ORDINALS) | _LAST | _ALL | _OTHER | _NUMBERING | {"the", "one", "that", "this", "it"}
    return bool(words) and all(word in pointing for word in words) and not all(word in _CARDINALS for word in words)


def reference_words(phrase: str) -> ReferenceWords:
    words = re.findall(r"[#\w']+", phrase.lower())
    if any(word in _LAST for word in words):
        return ReferenceWords(ordinal=-1)
    ordinal = next((_ORDINALS[word] for word in words if word in _ORDINALS and word not in _CARDINALS), None)
    if ordinal is None and _NUMBERING & set(words):
        ordinal = next((_ORDINALS[word] for word in words if word in _ORDINALS), None)
    if ordinal is not None:
        return ReferenceWords(ordinal=ordinal)
    if any(word in _OTHER for word in words):
        return ReferenceWords(other=True)
    return ReferenceWords(plural=any(word in _ALL or word in _CARDINALS - {"one", "1"} for word in words))
