"""Pure functions that read what a learner asked for out of a message's text."""
import re
from dataclasses import dataclass, replace
from typing import Iterable, List, Optional

# Facts a learner can ask about a program, each with the words that ask for it. When one message
# asks for several ("how much is it and is it online?") each is answered, in this order.
_ATTRIBUTE_PATTERNS = (
    ("aid", r"financial (?:aid|help|assistance|support)|\baid\b|fafsa|scholarships?|\bgrants?\b|\bloans?\b|\bpell\b"
            r"|\bfunding\b|help (?:paying|to pay|with (?:the )?(?:cost|tuition|fees?))"),
    ("stacking", r"\bstack|counts? (?:toward|towards|for|as)\b|build (?:up )?(?:to|toward|into)"
                 r"|\b(?:go|goes|count|counted|apply|applied|transfer|transferred) (?:to|toward|towards|into)\b"
                 r"|bigger (?:credential|qualification|degree|certificate)|part of a (?:degree|certificate)"
                 r"|lead (?:to|into) a (?:degree|certificate)"),
    ("credits", r"\bcredits?\b|credit hours?"),
    ("eligibility", r"eligib|prereq|requirement|\brequired\b|\bqualify|admission|admit|\ballowed\b|\baccept"
                    r"|open to\b|get in(?:to)?\b|need to (?:have|be|enter|apply|get in)"
                    r"|(?:do|would|will) (?:i|you|we|they) (?:need|have to have|have to be) (?:a|an|any|anything|something|to)\b"
                    r"|(?:degree|diploma|experience|background) (?:required|needed|first)"
                    r"|without (?:a|an|any) (?:degree|diploma|bachelor|college)"
                    r"|who can (?:take|enrol|enroll|join|sign|apply)"
                    r"|(?:have|need|got) to be (?:enrolled|enroled|a student|admitted|registered)"),
    ("audience", r"who (?:is|'s) (?:it|this|that)? ?(?:for|aimed)|\baudience\b|who (?:would|should|can) benefit"
                 r"|who should (?:take|do|join|enrol|enroll|sign up|consider)"
                 r"|(?:meant|designed|aimed|intended|geared|targeted|tailored|suited|built|made) (?:for|at|towards?)\b"
                 r"|(?:good|right|suitable) for (?:me|beginners|professionals|students|people|someone|whom|who)"
                 r"|for (?:whom|beginners|newbies|experts|professionals|techies|working people|students or)"
                 r"|what (?:kind|sort|type) of (?:person|people|students?|learners?)"
                 r"|who (?:usually|typically|normally|mostly) (?:takes|does|signs|enrolls|enrols)"
                 r"|who is .* for\b|who'?s .* for\b"),
    ("cost", r"\bcosts?\b|\bprices?d?\b|pricing|\b(?:how|hw|hwo|hoe) mu?ch\b|tuition|\bfees?\b|expensive|\bcheap|\bpay\b"
             r"|\$|dollars?|set me back|price tag"),
    ("format", r"\bonline\b|in[- ]?person|\bhybrid\b|\bformat\b|on[- ]?campus|\bremote|\bvirtual|face[- ]to[- ]face"
               r"|from home|at home|on[- ]?site|\bdistance\b|where is it (?:held|taught)|\bdelivered\b|\bdelivery\b"
               r"|\bwhere (?:is|does|do|are)\b.*\b(?:take place|happen|meet|held|taught)\b|\blocation\b"),
    ("duration", r"how long|duration|\blength\b|how many (?:weeks|days|hours|months|years)|\btakes?\b.*\b(?:finish|complete)"
                 r"|how quick|how fast|time commitment|time to (?:complete|finish|do it)|completion time"),
)
# Words that hint at a fact only when no pattern above matched: "can I do X online?" asks about
# the format, not about who may enrol.
_WEAK_ATTRIBUTE_PATTERNS = (
    ("eligibility", r"can (?:i|anyone|everyone) (?:take|join|enrol|sign|apply|do)"),
    ("duration", r"\bweeks?\b|\bdays?\b|\bmonths?\b|\byears?\b"),
    ("overview", r"\blevel\b|grad(?:uate)? or undergrad|\bwhat (?:is|'s)\b|\bwhats\b"),
)
# Asking to hear about a program as a whole: its overview already gives every known figure, so it
# answers "tell me about X, also how much is it" on its own.
_OVERVIEW = (r"tell me (?:more )?about|\bdescribe\b|\boverview\b|\bdetails\b|\binfo(?:rmation)? (?:on|about|for)\b"
             r"|\bmore info\b|more about|learn about")


def asked_attributes(text: str) -> List[str]:
    """Every fact of a program the message asks about, most specific first; empty when it names none."""
    lowered = text.lower()
    if re.search(_OVERVIEW, lowered):
        return ["overview"]
    for patterns in (_ATTRIBUTE_PATTERNS, _WEAK_ATTRIBUTE_PATTERNS):
        found = [attribute for attribute, pattern in patterns if re.search(pattern, lowered)]
        if found:
            return found
    return []


def attribute_from_text(text: str) -> Optional[str]:
    """The main fact of a program the message asks about, or None when it names no fact."""
    return next(iter(asked_attributes(text)), None)


_KIND_WORDS = (r"micro[- ]?credentials?|microcredentials?|certificates?|certifications?|certs?|courses?|programs?"
               r"|programmes?|degrees?|classes?|trainings?|badges?|bootcamps?|lessons?|phds?|doctorates?")
_WORD = r"[a-z0-9][\w'+#-]*"
_RUN = rf"((?:{_WORD}\s+){{0,3}}{_WORD})"
# Where learners name what they want to study. The first group is read backwards from the word
# after it ("the astrophysics course"), the others forwards ("anything on welding").
_SUBJECT_BEFORE_KIND = re.compile(rf"\b(?:the|a|an|your|in|any)\s+{_RUN}\s+(?:{_KIND_WORDS})\b")
_SUBJECT_AFTER = (
    re.compile(rf"\b(?:{_KIND_WORDS}|anything|something|stuff)\s+(?:on|in|about|for|covering|with)\s+{_RUN}"),
    re.compile(rf"\b(?:learn|study|studying|learning|get into|interested in|into)\s+(?:about\s+|more about\s+)?{_RUN}"),
    re.compile(rf"\b(?:have|offer|teach|got|run)\s+(?:a|an|any|the)\s+{_RUN}"),
    re.compile(rf"\b(?:about|is|for|of|on|does|and)\s+(?:the|a|an|your)\s+{_RUN}"),
)
# Words that never name a subject: they describe any program, ask about one, or are grammar.
_NOT_A_NAME = frozenset(
    "a an the this that these those it its one ones your my me i you we us our of for about on to in at with "
    "and or but is are was be been do does did can could would should will what which who how much many "
    "when where why there here so just really please pls thanks any some all anything something stuff "
    "thing things options option kind kinds type types list more info information details "
    "online person in-person hybrid campus remote new short long cheap cheaper cheapest shortest longest "
    "quick quickest best good whole full same other first second last next most least expensive "
    "priciest pricey costliest affordable longer shorter cheapest popular easiest hardest free "
    "skills skill basics fundamentals beginner beginners advanced "
    "undergraduate graduate grad undergrad micro micro-credential micro-credentials microcredential "
    "microcredentials credential credentials certificate certificates cert certs degree degrees course "
    "master masters bachelor bachelors s "
    "courses program programs programme programmes class classes training trainings badge badges "
    "cost costs price prices tuition fee fees length duration format credits credit aid financial "
    "eligibility requirements prerequisites level take taking get getting have has offer offered teach "
    "taught start finish run available".split()
)


def _naming_words(words: List[str]) -> str:
    naming: List[str] = []
    for word in words:
        if word in _NOT_A_NAME or word.isdigit():  # "anything for 50 bucks" names no subject
            break
        naming.append(word)
    return " ".join(naming)


def requested_subject(text: str) -> Optional[str]:
    """The words a learner used to name a program or subject ("the astrophysics course" →
    "astrophysics", "anything on welding" → "welding"), or None when they name none.

    Whether the catalog holds it is for the caller to check. Only letters, digits and a few
    joining marks survive, so the phrase is safe to show back.
    """
    lowered = text.lower()
    match = _SUBJECT_BEFORE_KIND.search(lowered)
    if match:
        backwards = _naming_words(list(reversed(re.findall(r"[a-z0-9][a-z0-9+#-]*", match.group(1)))))
        if backwards:
            return " ".join(reversed(backwards.split()))[:60]
    for pattern in _SUBJECT_AFTER:
        for match in pattern.finditer(lowered):
            forwards = _naming_words(re.findall(r"[a-z0-9][a-z0-9+#-]*", match.group(1)))
            if forwards:
                return forwards[:60]
    return None


# Everything a catalog question says besides the subject: grammar, asking, chat, money, time,
# kinds of credential. Whatever is left over names the subject ("nursing degree?" → nursing).
_NOT_A_SUBJECT = _NOT_A_NAME | frozenset(
    "am isn't aren't wasn't don't doesn't didn't can't won't i'm im i've ive i'd id you're ur u r ya "
    "guys folks hey hi hello ok okay oh so also too then than like just maybe perhaps actually "
    "want wanna need needs looking look searching search find interested keen hoping hope wish would "
    "know tell show give let see help wonder wondering curious question asking ask "
    "learn learning study studying studies do doing done go going join enroll enrol sign up apply "
    "offered offering offers provide provides carry stock sell exist exists there's theres "
    "yes no not any anyone anybody everyone somewhere where here now today soon later "
    "much many few lot lots little bit kind sort type related based level levels "
    "dollars dollar bucks usd price cost costs less under below cheap cheaper money budget "
    "hours hour days day weeks week months month years year time long quick fast "
    "certification certifications bootcamp bootcamps lesson lessons phd phds doctorate doctorates "
    "bachelor's master's bachelors masters ba bs ms associate associates diploma "
    "available availability please pls plz thanks thank thx ty everything nothing whats hw hows wat ones "
    "wanted thinking think got gotten getting heard mentioned catalog catalogue list lists "
    "start started starting begin beginning worth worthwhile value valuable benefit benefits useful "
    "recognized recognised respected legit accredited flexible pace paced register registering sign "
    "signing enrolling joining finish finishing complete completing takes good bad "
    "compare comparison versus vs difference differences between side them they those these ones "
    "choose choosing pick picking decide deciding suggest suggestion recommend recommendation advice advise "
    "fit fits suit suits suited right best option options path paths idk dunno help someone somebody "
    "situation contact contacts details detail phone number numbers email e-mail address call reach sure "
    "what's that's it's who's how's where's highest lowest priced pricing fastest slowest cred creds".split()
)
_JOINING = frozenset({"or", "and", "&"})


def unnamed_subject(text: str) -> Optional[str]:
    """The first run of words in a catalog question that are neither grammar nor asking words,
    ("is there a phd in chemistry" → "chemistry", "piano or music lessons?" → "piano or music"),
    or None when nothing is left ("how much is it"). Safe to show back, like `requested_subject`."""
    words = re.findall(r"[a-z0-9][a-z0-9+#'-]*", text.lower())
    run: List[str] = []
    for word in words:
        if word.isdigit() or (word in _NOT_A_SUBJECT and not (run and word in _JOINING)):
            if run:
                break
            continue
        run.append(word)
    while run and run[-1] in _JOINING:
        run.pop()
    subject = " ".join(run[:4])
    return subject[:60] if len(subject) >= 2 else None


_ASKS_IF_OFFERED = re.compile(
    r"^(?:is there|are there|do (?:you|u|ya|y'all) (?:have|offer|run|teach)|have you got|got any|any)\b")
_ENDS_WITH_KIND = re.compile(
    r"\b(?:micro[- ]?credentials?|certificates?|certs?|degrees?|programs?|programmes?|courses?|classes)\W*$")


def offered_subject(text: str) -> Optional[str]:
    """What a learner asks us to have ("is there a welding micro credential?" → welding, "aviation
    micro-credential" → aviation), or None for any other kind of question: the subject of a
    question that is not an existence question is often just an adjective ("how does a digital
    badge work")."""
    lowered = text.lower().strip()
    short_request = len(lowered.split()) <= 4 and _ENDS_WITH_KIND.search(lowered)
    if not (_ASKS_IF_OFFERED.match(lowered) or short_request):
        return None
    return requested_subject(lowered) or unnamed_subject(lowered)


_QUESTION_START = (r"(?:what|whats|what's|how|who|whos|who's|which|where|when|why|is|are|can|could|do|does|will|would"
                   r"|should|any|tell me|give me|list|show me)\b")
_SECOND_QUESTION = re.compile(r"\?\s*(?=\S)|[,;.]?\s+(?:and also|and|also|plus|oh and|btw)\s+(?=" + _QUESTION_START + ")"
                              r"|[,;.]\s+(?=" + _QUESTION_START + ")")


def question_parts(text: str) -> List[str]:
    """The questions a message asks, split where another one starts: "what's a micro-credential
    and how long does one take?" is two, "I'm into AI, what have you got?" one (the rest says
    something, it asks nothing)."""
    parts = [part.strip(" ?,.;") for part in _SECOND_QUESTION.split(text)]
    questions = [part for part in parts if len(part.split()) >= 2 and re.match(_QUESTION_START, part.lower())]
    return questions or [text]


_MONEY_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k\b|thousand\b|grand\b)?"
_WORD_NUMBERS = {
    "ten": 10, "twenty": 20, "fifty": 50, "hundred": 100, "a hundred": 100, "one hundred": 100,
    "two hundred": 200, "three hundred": 300, "five hundred": 500, "a thousand": 1000,
    "one thousand": 1000, "two thousand": 2000, "five thousand": 5000,
}


def _amount(number: str, multiplier: Optional[str]) -> float:
    value = float(number.replace(",", ""))
    return value * 1000 if multiplier else value


def parse_money(text: str) -> Optional[float]:
    """The first amount of money in the text in dollars: "$1.5k" → 1500, "two hundred dollars" → 200."""
    lowered = text.lower()
    match = re.search(r"\$\s*" + _MONEY_NUMBER, lowered) or re.search(
        _MONEY_NUMBER + r"\s*(?:dollars?|usd|bucks)\b", lowered
    )
    if match:
        return _amount(match.group(1), match.group(2))
    for words in sorted(_WORD_NUMBERS, key=len, reverse=True):
        if re.search(rf"\b{words}\b(?: dollars?| bucks)?", lowered) and re.search(r"dollar|buck|\$|budget|spend|afford", lowered):
            return float(_WORD_NUMBERS[words])
    return None


_MAX_COST_CUE = re.compile(
    r"(?:under|less than|below|cheaper than|at most|max(?:imum)?|up to|no more than|within|<|budget (?:of|is)"
    r"|or less|or under|and under)"
)


# (figure to order by, largest first?, words): "the priciest", "which takes the longest".
_SUPERLATIVES = (
    ("cost", True, r"most expensive|priciest|costliest|highest[- ]?(?:cost|price|priced|tuition)|costs? the most"
                   r"|most (?:money|costly)|pricier ones"),
    ("cost", False, r"cheapest|least expensive|lowest[- ]?(?:cost|price|priced)|most affordable|cheaper ones|costs? the least"),
    ("duration", True, r"longest|takes? the most time|most time|longer ones|takes? the longest"),
    ("duration", False, r"shortest|quickest|fastest|least time|takes? the least"),
)


@dataclass(frozen=True)
class ProgramFilter:
    """What a learner asked the program list to be narrowed to."""

    kind: Optional[str] = None
    level: Optional[str] = None
    topic: Optional[str] = None
    max_cost: Optional[float] = None
    delivery_format: Optional[str] = None
    order_by: Optional[str] = None
    descending: bool = False  # the most expensive or longest first
    limit: Optional[int] = None


# "which of those are certificates?", "any of them online?": a question about the list just shown.
_BACK_TO_THE_LIST = re.compile(
    r"\b(?:of|among|from|out of) (?:those|them|these|that list|the list)\b|\bwhich ones\b|\bthose ones\b"
    r"|^(?:and |ok |so )?which(?: one)?(?: is|'s)\b")  # "which is the cheapest", right after a list


def refers_to_the_list(text: str) -> bool:
    return bool(_BACK_TO_THE_LIST.search(text.lower()))


def narrowed_filter(earlier: ProgramFilter, later: ProgramFilter) -> ProgramFilter:
    """The earlier list's filter with whatever the follow-up adds or changes."""
    changes = {name: value for name, value in vars(later).items() if value is not None and name != "descending"}
    if later.order_by:
        changes["descending"] = later.descending
    return replace(earlier, **changes)


def kinds_named(text: str) -> List[str]:
    """The kinds of credential a message names: "micro creds vs certs" → both."""
    lowered = text.lower()
    return [
        kind
        for kind, pattern in (
            ("micro-credential", r"micro[- ]?cred|microcred|\bbadges?\b"),
            ("certificate", r"certificate|\bcerts?\b"),
            ("degree", r"\bdegrees?\b|bachelor|master'?s|\bba\b|\bbs\b|\bms\b|\bphd\b|doctora"),
        )
        if re.search(pattern, lowered)
    ]


def kind_from_text(text: str) -> Optional[str]:
    """The kind of credential a message is about, when it names exactly one."""
    kinds = kinds_named(text)
    return kinds[0] if len(kinds) == 1 else None


def delivery_format_from_text(text: str) -> Optional[str]:
    lowered = text.lower()
    if re.search(r"in[- ]?person|on[- ]campus|face[- ]to[- ]face|hands[- ]on", lowered):
        return "in_person"
    if re.search(r"\bhybrid\b|blended", lowered):
        return "hybrid"
    if re.search(r"\bonline\b|remote|virtual|from home", lowered):
        return "online"
    return None


def topic_from_text(text: str, topics: Iterable[str]) -> Optional[str]:
    """The longest catalog topic named in the text, matched on whole words."""
    lowered = text.lower()
    for topic in sorted(topics, key=len, reverse=True):
        if re.search(rf"\b{re.escape(topic.lower())}\b", lowered):
            return topic
    return None


def topic_covering_subject(text: str, topics: Iterable[str]) -> Optional[str]:
    """The catalog topic named in the text, unless the learner named more than it covers:
    "graphic design courses" is not the catalog's "design" (the caller says what we lack)."""
    topic = topic_from_text(text, topics)
    subject = requested_subject(text)
    if topic and subject and set(subject.split()) - set(topic.lower().split()):
        return None
    return topic


def parse_program_filters(text: str, topics: Iterable[str]) -> ProgramFilter:
    """Turn "anything in person under $100 about safety?" into a filter for the catalog."""
    lowered = text.lower()
    max_cost = None
    cue = _MAX_COST_CUE.search(lowered)
    if cue or re.search(r"\$|dollar|budget", lowered):
        max_cost = parse_money(lowered)
    order_by, descending = None, False
    for figure, most, pattern in _SUPERLATIVES:
        if re.search(pattern, lowered):
            order_by, descending = figure, most
            break
    limit = None
    if order_by and re.search(r"\b(?:the|which is the|what is the|what's the|whats the|which one is the)\s+"
                              r"(?:cheapest|shortest|quickest|fastest|least|lowest|most|highest|longest|priciest|costliest)\b",
                              lowered):
        limit = 1
    level = None
    if re.search(r"\bgrad(?:uate)?\b|master", lowered):
        level = "graduate"
    elif re.search(r"undergrad|bachelor", lowered):
        level = "undergraduate"
    return ProgramFilter(
        kind=kind_from_text(lowered),
        level=level,
        topic=topic_covering_subject(lowered, topics),
        max_cost=max_cost,
        delivery_format=delivery_format_from_text(lowered),
        order_by=order_by,
        descending=descending,
        limit=limit,
    )


# A question about a kind of program in general ("how long do degrees take") is not a request
# for a list; these are the FAQ answers that fit it.
_GENERAL_ANSWERS = {"duration": "utter_faq_compare_time", "cost": "utter_faq_compare_cost"}
_WANTS_A_LIST = re.compile(
    r"\b(?:list|show|which|any|available|offer|have|options|programs|courses|classes)\b")


def general_answer_for(text: str, selection: ProgramFilter) -> Optional[str]:
    """The FAQ response for "how long/how much is a <kind>" asked with no filter, else None."""
    if selection.topic or selection.max_cost is not None or selection.delivery_format or selection.order_by:
        return None
    if _WANTS_A_LIST.search(text.lower()):
        return None
    return _GENERAL_ANSWERS.get(attribute_from_text(text))
