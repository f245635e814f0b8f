"""Pure functions that work out which catalog program a message names.

The spaCy EntityRuler catches exact names and aliases; these functions map what it found to a
program and catch what it misses: misspellings ("generativ AI") and partial names ("the design one").
"""
import difflib
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from catalog_db.names import normalize_name

# Words that appear in many program names and so cannot identify one on their own.
_NON_DISTINCTIVE = frozenset(
    "a an and the of to in for on with at by or introduction intro skills skill training course "
    "program certificate degree micro credential microcredential bachelor master science arts "
    "durable one what how much is it its about me tell does do cost long masters bachelors degrees "
    "certificates courses programs classes trainings credentials microcredentials online graduate "
    "undergraduate grad undergrad level doctoral doctorate".split()
)
FUZZY_CUTOFF = 0.86
MIN_ABBREVIATION = 4  # "comm" for communication, "info" for information; shorter prefixes match too much


@dataclass(frozen=True)
class Resolution:
    """Slugs of the programs a message names: one, several (ambiguous) or none."""

    slugs: Tuple[str, ...] = field(default_factory=tuple)

    @property
    def unique(self) -> bool:
        return len(self.slugs) == 1


def _surface_index(name_index: Iterable[Tuple[str, str]]) -> Dict[str, Set[str]]:
    index: Dict[str, Set[str]] = {}
    for slug, surface in name_index:
        index.setdefault(normalize_name(surface), set()).add(slug)
    return index


def _ordered(slugs: Iterable[str]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(slugs))


def from_entities(entity_values: Sequence[str], name_index: Iterable[Tuple[str, str]]) -> List[str]:
    """Slugs for the program entities spaCy found, in the order they were mentioned."""
    index = _surface_index(name_index)
    found: List[str] = []
    for value in entity_values:
        found.extend(sorted(index.get(normalize_name(value), ())))
    return list(_ordered(found))


def fuzzy_matches(text: str, name_index: Iterable[Tuple[str, str]]) -> List[str]:
    """Slugs whose name or alias is spelled nearly like a run of words in the text."""
    words = normalize_name(text).split()
    scored: Dict[str, float] = {}
    for surface, slugs in _surface_index(name_index).items():
        size = len(surface.split())
        if len(" ".join(w for w in surface.split() if w not in _NON_DISTINCTIVE)) < 5:
            continue  # short names ("cad", "gis certificate") only count when spelled exactly
        for start in range(0, max(1, len(words) - size + 1)):
            window = " ".join(words[start:start + size])
            ratio = difflib.SequenceMatcher(None, surface, window).ratio()
            if ratio >= FUZZY_CUTOFF:
                for slug in slugs:
                    scored[slug] = max(scored.get(slug, 0.0), ratio)
    best = max(scored.values(), default=0.0)
    return sorted(slug for slug, score in scored.items() if score >= best - 0.02)


def _abbreviates(word: str, name_words: Set[str]) -> bool:
    """A word of the text names a word of a program's name, or shortens it ("comm", "info")."""
    return word in name_words or (len(word) >= MIN_ABBREVIATION and any(w.startswith(word) for w in name_words))


def _distinctive_words(surface: str) -> Set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", normalize_name(surface)) if w not in _NON_DISTINCTIVE}


def keyword_matches(text: str, name_index: Iterable[Tuple[str, str]]) -> List[str]:
    """Slugs whose name shares the most distinctive words with the text: "the design one", "comm studies"."""
    words = {w for w in normalize_name(text).split() if w not in _NON_DISTINCTIVE and len(w) > 2}
    if not words:
        return []
    shared: Dict[str, int] = {}
    for slug, surface in name_index:
        count = sum(_abbreviates(word, _distinctive_words(surface)) for word in words)
        shared[slug] = max(shared.get(slug, 0), count)
    best = max(shared.values(), default=0)
    # The programs sharing the most words: "information security" is the security degree, not
    # every program with "information" in its name.
    return sorted(slug for slug, count in shared.items() if count and count == best)


def names_every_word(subject: str, slugs: Iterable[str], name_index: Iterable[Tuple[str, str]]) -> bool:
    """Whether each program's name or an alias holds (or abbreviates) every distinctive word of the subject.

    "the safety management course" shares "management" with Non-profit Management, but it asks
    for something else.
    """
    wanted = {w for w in normalize_name(subject).split() if w not in _NON_DISTINCTIVE}
    surfaces: Dict[str, Set[str]] = {}
    for slug, surface in name_index:
        surfaces.setdefault(slug, set()).update(normalize_name(surface).split())
    return all(all(_abbreviates(word, surfaces.get(slug, set())) for word in wanted) for slug in slugs)


def resolve_programs(
    text: str, entity_values: Sequence[str], name_index: Sequence[Tuple[str, str]], subject: Optional[str] = None
) -> Resolution:
    """Find the programs a message names, trying exact entities, then spelling, then key words.

    A match on a shared key word only counts when it holds every word of the `subject` the
    learner named, if any.
    """
    for finder in (
        lambda: from_entities(entity_values, name_index),
        lambda: fuzzy_matches(text, name_index),
        lambda: [slug for slug in keyword_matches(text, name_index)
                 if subject is None or names_every_word(subject, [slug], name_index)],
    ):
        slugs = finder()
        if slugs:
            return Resolution(_ordered(slugs))
    return Resolution()
