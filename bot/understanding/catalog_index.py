"""Finding catalog programs and topics in a message, by name, alias, abbreviation, typo or key word.

The index is read from the catalog database while the assistant runs (`CatalogIndex`), not baked
into the model: a program added or renamed in the catalog is found in the next message, without
retraining; a retired program is still found by name (to be answered as no longer offered) but
never by topic. Matching is by whole words on normalised text (`catalog_db.names.normalize_name`),
then by the same words typed without their spaces ("genai", "designfordelight"), then by spelling
(rapidfuzz), then by the distinctive words of a subject the learner named ("the design one").
"""
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from rapidfuzz import fuzz

from bot.understanding import lexicon
from catalog_db.names import normalize_name

logger = logging.getLogger(__name__)

# Words that appear in many program names and so cannot identify one on their own.
GENERIC_NAME_WORDS = frozenset(
    "a an and the of to in for on with at by or introduction intro skills skill training course courses "
    "program programs certificate certificates degree degrees micro credential credentials microcredential "
    "microcredentials bachelor bachelors master masters science arts durable level graduate undergraduate "
    "class classes one ones".split())
FUNCTION_WORDS = frozenset("a an and the of to in for on with at by or".split())
SPELLING_CUTOFF = 90      # rapidfuzz ratio (0-100) for a run of words to count as a name misspelt
LONG_NAME_CUTOFF = 85     # the same for names of 12 letters or more, where two typos weigh less
DISTINCTIVE_CUTOFF = 75   # and their distinctive words alike too: "is a certificate" is no "gis certificate"
MIN_SPELLED_LENGTH = 6    # shorter names ("cad", "gis") only count when typed exactly
MIN_SQUASHED_LENGTH = 4   # "genai" for "gen ai"; shorter runs of letters are too easily something else
MIN_ABBREVIATION = 4      # "comm" for communication; shorter prefixes match too much
MAX_NAME_WORDS = 14


@dataclass(frozen=True)
class CatalogEntry:
    """What the reader needs of a program: how it may be named, and what it is."""

    slug: str
    name: str
    kind: str
    level: Optional[str]
    aliases: Tuple[str, ...] = ()
    topics: Tuple[str, ...] = ()
    retired: bool = False

    def surfaces(self) -> List[str]:
        """Every normalised way of naming it: its name, its aliases, and the initials of a long name."""
        names = [normalize_name(self.name), *(normalize_name(alias) for alias in self.aliases)]
        words = [w for w in normalize_name(self.name).split() if w not in FUNCTION_WORDS]
        if len(words) >= 3:
            names.append("".join(word[0] for word in words))  # "geospatial information science" → gis
        return [name for name in dict.fromkeys(names) if name]


@dataclass(frozen=True)
class Mention:
    """Programs named at one place in the message: one slug, or several when the words fit several."""

    start: int  # word position in the normalised text
    slugs: Tuple[str, ...]


def _squashed(text: str) -> str:
    return text.replace(" ", "")


def _distinctive(words: Iterable[str]) -> Set[str]:
    return {word for word in words if word not in GENERIC_NAME_WORDS and len(word) > 1}


def _shortens(word: str, longer: str) -> bool:
    """"comm" for communication, "mgmt" for management: the start, or the same first letter and
    the rest in order."""
    if longer.startswith(word):
        return True
    rest = iter(longer[1:])
    return word[0] == longer[0] and all(letter in rest for letter in word[1:])


def _abbreviates(word: str, name_words: Set[str]) -> bool:
    return word in name_words or (len(word) >= MIN_ABBREVIATION and any(_shortens(word, w) for w in name_words))


class ProgramIndex:
    """The catalog's names and topics, ready to be looked up."""

    def __init__(self, entries: Sequence[CatalogEntry]) -> None:
        self.entries: Dict[str, CatalogEntry] = {entry.slug: entry for entry in entries}
        self.by_surface: Dict[str, Set[str]] = {}
        for entry in entries:
            for surface in entry.surfaces():
                self.by_surface.setdefault(surface, set()).add(entry.slug)
        self.by_squashed: Dict[str, Set[str]] = {}
        for surface, slugs in self.by_surface.items():
            self.by_squashed.setdefault(_squashed(surface), set()).update(slugs)
        self.distinctive_surface: Dict[str, str] = {
            surface: " ".join(w for w in surface.split() if w not in GENERIC_NAME_WORDS) for surface in self.by_surface}
        self.offered: List[CatalogEntry] = [entry for entry in entries if not entry.retired]
        self.topics: Tuple[str, ...] = tuple(sorted({normalize_name(t) for e in self.offered for t in e.topics}))
        self.name_words: Dict[str, Set[str]] = {
            slug: {w for surface in self.by_surface if slug in self.by_surface[surface] for w in surface.split()}
            for slug in self.entries}

    def __len__(self) -> int:
        return len(self.entries)

    # ---- programs ------------------------------------------------------------------------------

    def mentions(self, text: str) -> List[Mention]:
        """The programs named in the text, in the order they are named, each place once."""
        words = normalize_name(text).split()
        found: Dict[int, Tuple[int, Set[str]]] = {}  # start → (length, slugs)
        taken: Set[int] = set()

        def claim(start: int, length: int, slugs: Set[str]) -> None:
            span = set(range(start, start + length))
            if slugs and not span & taken:
                taken.update(span)
                found[start] = (length, slugs)

        windows = [(start, length) for length in range(min(MAX_NAME_WORDS, len(words)), 0, -1)
                   for start in range(0, len(words) - length + 1)]
        for start, length in windows:  # exact names and aliases, longest first
            claim(start, length, self.by_surface.get(" ".join(words[start:start + length]), set()))
        for start, length in windows:  # typed without spaces: "genai", "design4delight" is too far
            window = "".join(words[start:start + length])
            if len(window) >= MIN_SQUASHED_LENGTH:
                claim(start, length, self.by_squashed.get(window, set()))
        for start, length in windows:  # misspelt: "generativ ai", "desing for delight"
            if set(range(start, start + length)) & taken:
                continue
            window = " ".join(words[start:start + length])
            claim(start, length, self._spelled_like(window))
        return [Mention(start, tuple(sorted(slugs))) for start, (_, slugs) in sorted(found.items())]

    def _spelled_like(self, window: str) -> Set[str]:
        """Names spelt nearly like the window, judged on their distinctive words: "is a certificate"
        is not "gis certificate", however close the letters."""
        own = " ".join(w for w in window.split() if w not in GENERIC_NAME_WORDS)
        if len(_squashed(own)) < MIN_SPELLED_LENGTH:
            return set()
        scored = {}
        for surface, slugs in self.by_surface.items():
            theirs = self.distinctive_surface[surface]
            if abs(len(surface) - len(window)) > 3 or len(_squashed(theirs)) < MIN_SPELLED_LENGTH:
                continue
            score = fuzz.ratio(window, surface)
            cutoff = LONG_NAME_CUTOFF if len(_squashed(theirs)) >= 12 else SPELLING_CUTOFF
            if score >= cutoff and fuzz.ratio(own, theirs) >= DISTINCTIVE_CUTOFF:
                for slug in slugs:
                    scored[slug] = max(scored.get(slug, 0.0), score)
        best = max(scored.values(), default=0.0)
        return {slug for slug, score in scored.items() if score >= best - 1}

    def by_key_words(self, subject: str) -> List[str]:
        """Programs whose names hold (or abbreviate) every distinctive word of a subject the learner
        named: "the design one" → Design for Delight, "comm studies" → Communication Studies."""
        wanted = _distinctive(lexicon.ABBREVIATIONS.get(word, word) for word in normalize_name(subject).split())
        if not wanted:
            return []
        return sorted(slug for slug, words in self.name_words.items()
                      if all(_abbreviates(word, words) for word in wanted))

    # ---- topics --------------------------------------------------------------------------------

    def topic_in(self, text: str, whole: bool = False) -> Optional[str]:
        """The longest catalog topic named in the text, on whole words, run together ("cyber
        security") or shortened ("tech", "stats"); with `whole`, only when the text names nothing
        else ("tech related", "data courses")."""
        words = [lexicon.ABBREVIATIONS.get(word, word) for word in normalize_name(text).split()
                 if not (whole and word in lexicon.STUDY_WORDS | lexicon.FILLER_WORDS)]
        if whole:
            return next((topic for topic in self.topics if _squashed(topic) == _squashed(" ".join(words))), None)
        padded = f" {' '.join(words)} "
        runs = {_squashed(" ".join(words[i:i + 2])) for i in range(len(words))}
        return next((topic for topic in sorted(self.topics, key=len, reverse=True)
                     if f" {topic} " in padded or _squashed(topic) in runs), None)

    def programs_about(self, topic: str) -> List[str]:
        return sorted(entry.slug for entry in self.offered if topic in {normalize_name(t) for t in entry.topics})

    def nearest_topics(self, subject: str, limit: int = 3) -> List[str]:
        """Catalog topics spelt like the subject or sharing one of its words: "safty" → safety."""
        words = normalize_name(subject).split()
        scored = []
        for topic in self.topics:
            shared = set(words) & set(topic.split()) - GENERIC_NAME_WORDS
            spelled = max((fuzz.ratio(word, topic) for word in [" ".join(words), *words]), default=0)
            if shared or spelled >= 80:
                scored.append((-(len(shared) * 100 + spelled), topic))
        return [topic for _, topic in sorted(scored)[:limit]]


class CatalogIndex:
    """The `ProgramIndex` of the catalog database, read again when older than `max_age` seconds.

    When the database cannot be read, the last index read stays in use (an empty one at first):
    the reader then finds no program names, and the catalog actions say the catalog is down.
    """

    def __init__(self, load: Callable[[], Sequence[CatalogEntry]], max_age: float = 5.0) -> None:
        self._load = load
        self._max_age = max_age
        self._index = ProgramIndex([])
        self._read_at: Optional[float] = None
        self._lock = threading.Lock()

    def current(self) -> ProgramIndex:
        now = time.monotonic()
        if self._read_at is not None and now - self._read_at < self._max_age:
            return self._index
        with self._lock:
            if self._read_at is None or now - self._read_at >= self._max_age:
                try:
                    self._index = ProgramIndex(self._load())
                except Exception as error:  # noqa: BLE001 - any database failure: keep the last index
                    logger.warning("could not read the catalog's program names (keeping %d): %s",
                                   len(self._index), error)
                self._read_at = now
        return self._index


READ_TIMEOUT = 1.0  # seconds: a catalog locked longer keeps the last index rather than hold up the message


def entries_from_database(url: Optional[str] = None) -> List[CatalogEntry]:
    """Every program of the catalog at `url` (CATALOG_DB_URL, else the default SQLite file), retired
    ones too."""
    from catalog_db import queries
    from catalog_db.engine import limit_waiting, make_session

    with make_session(url) as session:
        limit_waiting(session, READ_TIMEOUT)
        return [CatalogEntry(slug=p.slug, name=p.name, kind=p.kind, level=p.level, aliases=p.aliases, topics=p.topics,
                             retired=p.retired)
                for p in queries.search_programs(session, include_retired=True)]
