"""What the conversation is about, kept in slots, and the one resolver that turns a reference into it.

The answering actions set these slots as they answer: the program in focus, the programs last
listed or compared (in the order shown), the kinds of credential last explained, and a subject we
do not offer that was last asked about ("how long would that take?" after "do you have nursing?"). "the second
one", "which of them", "the other one", "both", "it" and a question that names nothing ("and the
price?") are resolved against them here, and nowhere else.
"""
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence, Tuple

from bot.understanding.frame import Reference

PROGRAM_SLOT = "program"            # the program last answered about (the analytics count it)
LISTED_SLOT = "listed_programs"     # the programs last listed or compared, in the order shown
KINDS_SLOT = "kinds_in_focus"       # the kinds of credential a general answer was last about
FACT_SLOT = "last_fact"             # the fact last asked, for "and the design one?"
SUBJECT_SLOT = "subject_in_focus"   # a subject we do not offer, last asked about
MAX_IMPLIED = 3  # a question naming nothing right after this few programs were shown is about all of them


@dataclass(frozen=True)
class ConversationState:
    program: Optional[str] = None
    listed: Tuple[str, ...] = ()
    kinds: Tuple[str, ...] = ()
    fact: Optional[str] = None
    subject: Optional[str] = None

    @classmethod
    def from_slots(cls, get_slot: Callable[[str], Any]) -> "ConversationState":
        """From a tracker's `get_slot` (Rasa's or rasa-sdk's)."""
        return cls(program=get_slot(PROGRAM_SLOT) or None, listed=tuple(get_slot(LISTED_SLOT) or ()),
                   kinds=tuple(get_slot(KINDS_SLOT) or ()), fact=get_slot(FACT_SLOT) or None,
                   subject=get_slot(SUBJECT_SLOT) or None)

    @property
    def empty(self) -> bool:
        return not (self.program or self.listed or self.kinds or self.subject)

    # What each kind of answer leaves the conversation about.

    def about_programs(self, slugs: Sequence[str], fact: str) -> "ConversationState":
        """A fact of one or several programs: the last is in focus; several are the list. With no
        list in view, one program after another makes the two of them "them" ("compare them")."""
        if len(slugs) > 1:
            listed = tuple(slugs)
        elif not self.listed and self.program and self.program != slugs[0]:
            listed = (self.program, slugs[0])
        else:
            listed = self.listed
        return ConversationState(program=slugs[-1], listed=listed, fact=fact)

    def listing(self, slugs: Sequence[str], keep_list: bool = False) -> "ConversationState":
        """A list, a comparison or an ordering shown (or, keeping the list, picked from it)."""
        listed = self.listed if keep_list else tuple(slugs)
        return ConversationState(program=slugs[0] if len(slugs) == 1 else self.program, listed=listed,
                                 fact=self.fact)

    def about_kinds(self, kinds: Sequence[str], fact: Optional[str]) -> "ConversationState":
        """A general answer about kinds of credential (all of them when none is named)."""
        return ConversationState(kinds=tuple(kinds) or self.kinds, fact=fact or self.fact)

    def not_offered(self, subject: str, nearest: Sequence[str]) -> "ConversationState":
        """A subject we do not offer, and the programs closest to it, as shown."""
        return ConversationState(subject=subject, listed=tuple(nearest), fact=self.fact)


@dataclass(frozen=True)
class Referent:
    """What a reference points at: programs (in order), kinds of credential, a subject we do not
    offer, or nothing."""

    programs: Tuple[str, ...] = ()
    kinds: Tuple[str, ...] = ()
    subject: Optional[str] = None

    def __bool__(self) -> bool:
        return bool(self.programs or self.kinds or self.subject)


def resolve(reference: Optional[Reference], state: ConversationState) -> Referent:
    """The programs or kinds a reference points at; a question naming nothing counts as "it"."""
    reference = reference or Reference(text="")
    if reference.ordinal is not None:
        index = reference.ordinal - 1 if reference.ordinal > 0 else len(state.listed) - 1
        return Referent(programs=(state.listed[index],)) if 0 <= index < len(state.listed) else Referent()
    if reference.other:
        others = [slug for slug in state.listed if slug != state.program]
        return Referent(programs=tuple(others[:1])) if len(others) == 1 or state.program else Referent()
    if reference.plural:
        if state.listed:
            return Referent(programs=state.listed)
        return Referent(kinds=state.kinds)
    if state.subject:
        return Referent(subject=state.subject)
    if state.program:
        return Referent(programs=(state.program,))
    if len(state.listed) == 1 or (state.listed and not reference.text and len(state.listed) <= MAX_IMPLIED):
        return Referent(programs=state.listed)  # "same price?" right after two were compared
    if state.kinds:
        return Referent(kinds=state.kinds)
    return Referent()
