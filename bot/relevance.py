"""Whether a message is about what the assistant does: studying, programs, the learner's situation.

The classifier sees every message as one of its intents, and real chatter ("recommend a movie",
"what's Sarah's number", "how long does a cold last") can look like ours. The answers that cost
most when given by mistake (the questionnaire, a coach, our phone number, a general answer) are
only given when the message also carries words of the domain; `RelevancePolicy` declines the
rest. Pure functions of the text, so they read the same in the policy, the actions and the tests.
"""
import re

from bot.actions.parsing import unnamed_subject
from bot.actions.situation import read_situation

# Words of studying: the kinds of credential and course, learning, school, careers and skills.
_STUDY = re.compile(
    r"micro[- ]?cred|microcred|certific|\bcerts?\b|\bdegrees?\b|bachelor|master'?s\b|\bmba\b|\bphd\b|doctora|diploma"
    r"|\bbadges?\b|credential|\bcourses?\b|\bclass(?:es)?\b|\bprograms?\b|programmes?|\btrainings?\b|\blessons?\b"
    r"|bootcamp|curricul|\bmodules?\b|\bstud(?:y|ying|ies|ent|ents)\b|\blearn|\bschool|college|universit|campus"
    r"|semester|\benrol|admission|tuition|\bcredits?\b|\bcareers?\b|upskill|reskill|\bskills?\b|\bfield\b"
    r"|\bcoach|advis[eo]r|\bpaths?\b|questionnaire|\bquestions\b|accredit|stackable|\bstack\b|financial aid|fafsa"
    r"|\bwvu\b|marshall|online learning|\bgrad\b|undergrad|\bqualification|\bjob\b|promot|employer|\bregist"
    r"|(?:my|a|your) r[eé]sum[eé]\b|\bcv\b|linkedin|portfolio|professionals?\b|\bworkforce",
    re.IGNORECASE)
# The same words in other senses: credit cards, a cooking class at the gym, a TV program.
_NOT_STUDY = re.compile(
    r"credit (?:score|card|limit|report|union|history|rating)|(?:tv|television|radio) (?:program|show)"
    r"|(?:gym|yoga|spin|fitness|dance|cooking|swim(?:ming)?) class|class action|first class|business class"
    r"|course of (?:antibiotics|treatment|action|medication|pills|therapy)|\bof course\b",
    re.IGNORECASE)
_CHOOSING = re.compile(
    r"\bchoos|\bchoice|\bpick\b|\bdecid|\bdecision|suggest|recommend|\badvi[cs]e|\bfits?\b|\bsuit|right for me"
    r"|best for me|what would you|help me (?:figure|work out|find)|not sure (?:which|what|where)"
    r"|should i (?:take|do|go for|get|pick|choose|study|start)\b",
    re.IGNORECASE)
# The learner themself, or someone they describe ("for a small business owner").
_ME = re.compile(r"\b(?:me|my|i|i'm|im|i'd|i've|idk|myself|for (?:a|an|someone)\b)", re.IGNORECASE)
_FOR_SOMEONE = re.compile(r"\bfor (?:a|an|someone|somebody)\b", re.IGNORECASE)  # "for a small business owner"
# A person to talk to.
_PERSON = re.compile(
    r"\bhuman\b|\bperson\b|\bpeople\b|someone|somebody|\bcoach|advis[eo]r|counsel+or|\bagent\b|representative|\brep\b"
    r"|\bstaff\b|admissions|operator|\breal\b|\blive\b|call me|call back|callback|talk to|speak (?:to|with)|\bchat with",
    re.IGNORECASE)
# Someone else's details: "what's Sarah's number", "how do I contact Charles".
_THIRD_PARTY = re.compile(
    r"\b[a-z]+'s (?:home |work |cell |mobile )?(?:phone|number|email|e-mail|address|contact)"
    r"|\bfor (?!admissions\b|the\b|wvu\b|marshall\b|you\b|u\b|coaches\b|advisors\b|help\b)[a-z]+\W*$"
    r"|\b(?:contact|email|e-mail|text|call|dial|ring|message) (?!admissions\b|us\b|you\b|u\b|the\b|someone\b"
    r"|somebody\b|an?\b|your\b|info|details|number)[a-z]+\W*$"
    r"|\bnumber of (?!admissions|the\b|wvu|marshall)[a-z]+\W*$", re.IGNORECASE)
# The institution, or a question for a way to reach one ("is there a phone line?"), not a command
# to a phone ("reply email", "get contact").
_US = re.compile(r"\byou\b|\byour\b|\bu\b|\bur\b|admission|\boffice\b|\bcoach|advis[eo]r|universit|college"
                 r"|school|\bwvu\b|marshall|online learning|\bstaff\b|\bteam\b|someone|somebody|enrol|program|course",
                 re.IGNORECASE)
_ASKING = re.compile(r"^\s*(?:what|whats|what's|how|where|is|are|can|could|do|does|who|which|give|tell|need|i need|"
                     r"i want|i'd like|any)\b|\b(?:please|pls|plz)\b", re.IGNORECASE)
# Words that point back at what was just said: "is it worth it?", "how long is that one?"
_BACK_REFERENCE = re.compile(r"\b(?:it|its|this|that|these|those|they|them|one|ones)\b", re.IGNORECASE)


def about_studying(text: str) -> bool:
    """The message uses a word of studying in its studying sense."""
    return bool(_STUDY.search(text)) and not _NOT_STUDY.search(text)


def asks_for_a_recommendation(text: str) -> bool:
    """"which path suits me", "what should I study", or a choice about oneself that names nothing
    else ("help me choose"; not "recommend a movie for my date"), perhaps with one's situation."""
    if about_studying(text):
        return True
    if not (_CHOOSING.search(text) and _ME.search(text)):
        return False
    return unnamed_subject(text) is None or bool(read_situation(text, []) or _FOR_SOMEONE.search(text))


def tells_a_situation(text: str) -> bool:
    """Says something about the learner's time, family, money, schooling or goals."""
    return about_studying(text) or bool(read_situation(text, []))


# Wondering what the assistant is ("can't tell if ur a person") is not asking for one.
_IS_IT_A_PERSON = re.compile(
    r"\b(?:if|whether) (?:you'?re|youre|ur|you are|u r|u are|this is|i'?m talking to) (?:a |an )?(?:real |actual )?"
    r"(?:person|human|bot|robot|machine)\b", re.IGNORECASE)


def asks_for_a_person(text: str) -> bool:
    return bool(_PERSON.search(text)) and not _IS_IT_A_PERSON.search(text)


def asks_for_our_contact(text: str) -> bool:
    """Asks us, or asks for a way to reach someone ("is there a phone line?", "contact details"),
    and is not about somebody else or a command to a phone ("email mahmoud", "reply email")."""
    if _THIRD_PARTY.search(text):
        return False
    return bool(_US.search(text) or _ASKING.search(text) or unnamed_subject(text) is None)


def asks_a_general_question(text: str) -> bool:
    """About studying, a follow-up about what was just said ("is it worth it?"), or nothing but
    asking words ("how do I get started?"); not "how long does a cold last?"."""
    return about_studying(text) or bool(_BACK_REFERENCE.search(text)) or unnamed_subject(text) is None
