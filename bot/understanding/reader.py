"""`FrameReader`: the last NLU component, which turns everything the pipeline found into one frame.

Before it, the classifier chose an intent (what is asked: a fact, a list, a general question, small
talk...) and the CRF entity extractor marked the words naming what the question is about
(`subject`) and the words pointing back at what was just said (`reference`). The reader adds:

- the catalog programs and topics named, looked up while the assistant runs (catalog_index.py);
- the closed vocabularies: kinds of credential, level, format, price bound, superlative (lexicon.py);
- for a subject that is no program or topic of ours, how likely it is a field of study or training,
  from a small model over the subject's sentence vector, trained here from the subjects of the
  training examples and the `study_field` and `everyday_thing` lookup tables;
- the learner's situation, for the questionnaire (situation.py);

and then lets `scope.decide` choose the intent the conversation acts on. It reads the tracker for
the conversation's state, so a reference to "the second one" is understood as one.
"""
import logging
import re
from dataclasses import replace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from bot.nlu.sentence_encoder import shared_encoder
from bot.understanding import clauses, lexicon, situation
from bot.understanding.catalog_index import CatalogEntry, CatalogIndex, ProgramIndex, entries_from_database
from bot.understanding.code_fingerprint import source_fingerprint
from bot.understanding.facts import fact_of
from bot.understanding.frame import FRAME_KEY, Frame, Reference
from bot.understanding.intents import (
    CLARIFY,
    INFORM_SITUATION,
    OUT_OF_SCOPE,
    PERSON,
    QUESTIONNAIRE,
    SMALL_TALK,
    is_domain,
)
from bot.understanding.references import ConversationState
from bot.understanding.scope import ANSWER, Decision, Thresholds, decide
from catalog_db.names import normalize_name

logger = logging.getLogger(__name__)

SUBJECT, REFERENCE = "subject", "reference"
STUDY_LOOKUP, EVERYDAY_LOOKUP = "study_field", "everyday_thing"
QUESTIONNAIRE_FORM = "decision_form"
MAX_GOAL_WORDS = 15  # a free answer to "what would you like to learn?" this short is the subject itself
MAX_NEAREST = 3
MAX_KEY_WORD_MATCHES = 2  # a subject whose words fit more programs than this names none of them
_MODEL_FILE = "subject_scope.npz"


class SubjectScope:
    """How likely a subject ("biology", "car insurance") is a field of study or training (0 to 1);
    the fields of study the `study_field` lookup table names, for messages whose subject the tagger
    missed ("do you offer biology"); and the everyday things of the `everyday_thing` table whose
    names hold a word for a course or credential in another sense ("golf course", "gift certificate")."""

    def __init__(self, weights: np.ndarray, bias: float, model_dir: Optional[str],
                 fields: Sequence[str] = (), everyday: Sequence[str] = ()) -> None:
        self.weights, self.bias, self.model_dir = weights, bias, model_dir
        self.fields, self.everyday = tuple(fields), tuple(everyday)
        self._field_set, self._everyday_set = frozenset(self.fields), frozenset(self.everyday)
        longest_first = sorted(self.fields, key=len, reverse=True)
        self._field_pattern = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in longest_first) + r")\b") \
            if longest_first else None
        other_senses = sorted({re.sub(r"^(?:a|an|the) ", "", phrase) for phrase in self.everyday
                               if lexicon.names_study(phrase.split())}, key=len, reverse=True)
        # each word of such a name also in the plural: "golf courses", "gift certificates"
        self._other_sense_pattern = re.compile(r"\b(?:" + "|".join(
            r"\s+".join(re.escape(word) + r"(?:s|es)?" for word in phrase.split()) for phrase in other_senses)
            + r")\b") if other_senses else None

    def field_in(self, text: str) -> Optional[str]:
        """The first field of study of the lookup table named in the text, if any."""
        found = self._field_pattern.search(normalize_name(text)) if self._field_pattern else None
        return found.group(0) if found else None

    def names_field(self, subject: str) -> bool:
        """The subject is a field the study lookup table names, whatever its level ("korean lvl 1")."""
        return self._named_in(subject, self._field_set)

    @staticmethod
    def _named_in(subject: str, names: frozenset) -> bool:
        whole = normalize_name(subject)
        core = " ".join(word for word in whole.split() if not lexicon.is_closed_class(word))
        return whole in names or core in names

    def other_sense_spans(self, text: str) -> List[Tuple[int, int]]:
        """Where the text names an everyday thing by a word for a course or credential ("the best golf
        courses", "a certificate of deposit"): those words name no course, kind or subject of ours."""
        if not self._other_sense_pattern:
            return []
        return [match.span() for match in self._other_sense_pattern.finditer(text.lower())]

    @classmethod
    def train(cls, studied: Sequence[str], other: Sequence[str], model_dir: Optional[str],
              random_state: int, fields: Sequence[str] = (), everyday: Sequence[str] = ()) -> "SubjectScope":
        phrases = list(dict.fromkeys(studied)) + [p for p in dict.fromkeys(other) if p not in set(studied)]
        labels = np.array([1] * len(dict.fromkeys(studied)) + [0] * (len(phrases) - len(dict.fromkeys(studied))))
        vectors = shared_encoder(model_dir).encode(phrases)
        model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=random_state)
        model.fit(vectors, labels)
        return cls(model.coef_[0].astype(np.float32), float(model.intercept_[0]), model_dir, fields, everyday)

    def probability(self, subject: str) -> float:
        """1 for a field the study lookup table names ("guitar", "korean lvl 1": its level is no part
        of it), 0 for a thing the everyday one names, else the model's estimate, which reads a subject
        by what it is near in meaning and can take a field for the thing it is named after."""
        if self.names_field(subject):
            return 1.0
        if self._named_in(subject, self._everyday_set):
            return 0.0
        vector = shared_encoder(self.model_dir).encode([subject])[0]
        return float(1.0 / (1.0 + np.exp(-(vector @ self.weights + self.bias))))


def _entities(message: Message, name: str) -> List[Dict[str, Any]]:
    return [e for e in message.get(ENTITIES, []) if e.get(ENTITY_ATTRIBUTE_TYPE) == name]


def _beside_study_words(message: Message, entity: Dict[str, Any], asked: Callable[[int], bool],
                        reach: int = 2) -> bool:
    """A word for a course or credential within `reach` words of the entity, or at its edges, or a verb
    of studying before it: "[russian] courses", "courses on [russian]", "a degree in [nursing]",
    "[the welding course]", "learn [french]". Words that are not `asked` about do not count
    ("golf courses in [west virginia]")."""
    tokens = [token for token in message.get(TOKENS_NAMES[TEXT], []) or [] if asked(token.start)]
    start, end = entity.get(ENTITY_ATTRIBUTE_START, 0), entity.get(ENTITY_ATTRIBUTE_END, 0)
    before = [t.text.lower() for t in tokens if t.end <= start][-reach:]
    after = [t.text.lower() for t in tokens if t.start >= end][:reach]
    if before[-1:] == ["of"] and lexicon.names_study(before[-2:-1]):
        return False  # "a course of antibiotics", "a program of events": another sense of the word
    inside = [t.text.lower() for t in tokens if start <= t.start and t.end <= end]
    edges = inside[:1] + inside[-1:]
    return _names_a_course(before, after + edges)


def _words_beside_study_words(tokens: Sequence[str], words: Sequence[str], reach: int = 2) -> bool:
    """`_beside_study_words` for words found in the message's tokens rather than marked by the tagger:
    "i'd like to learn french", "swahili classes"."""
    for start in range(len(tokens) - len(words) + 1):
        if list(tokens[start:start + len(words)]) == list(words):
            before, after = list(tokens[max(0, start - reach):start]), list(tokens[start + len(words):][:reach])
            return _names_a_course(before, after)
    return False


def _names_a_course(before: Sequence[str], around: Sequence[str]) -> bool:
    """A word for a course or credential among the words before or `around` a subject, or a verb of
    studying before it."""
    return lexicon.names_study([*before, *around]) or bool(lexicon.LEARNING_VERBS & set(before))


def _says_nothing_else(text: str, subject: str) -> bool:
    """The text is the subject and words of grammar, asking or time: "swahili?", "any welding?"."""
    rest = " ".join(word for word in normalize_name(text).split() if word not in subject.split())
    return not rest or lexicon.only_closed_class_words(rest)


def _without_study_words(phrase: str) -> str:
    """"the nursing degree" → "nursing", "the price of fancy florence" → "fancy florence": the kind of
    course and the fact asked are read apart from the subject."""
    words = normalize_name(phrase).split()
    edge = lexicon.STUDY_WORDS | lexicon.GENERIC_KIND_WORDS | lexicon.FILLER_WORDS | {
        "the", "a", "an", "any", "some", "your", "my", "short", "then", "please", "pls", "too", "also", "again", "now"}
    # a fact leads only ("the cost of nursing"): at the end a fact word can be the subject's ("first aid")
    leading = edge | lexicon.FACT_WORDS | {"of", "for", "in", "on", "about", "to"}
    while words and words[0] in leading:
        words.pop(0)
    while words and words[-1] in edge:
        words.pop()
    if len(words) > 2 and words[-2] == "for" and words[-1] in lexicon.AUDIENCE_WORDS:
        words = words[:-2]  # "guitar for adults": who it is for is no part of the subject
    return " ".join(words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FrameReader(GraphComponent):
    """Builds the message's frame and decides what the conversation acts on (see the module)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "catalog_url": None,        # CATALOG_DB_URL (or the default SQLite file) when None
            "catalog_max_age": 5.0,     # seconds before the catalog's names are read again
            "model_dir": None,          # the sentence encoder's files (the PyPI package's by default)
            "random_seed": 7,
            "nearest_similarity": 0.3,   # how close in meaning a program must be to be suggested instead
            **{name: getattr(Thresholds(), name) for name in Thresholds.__dataclass_fields__},
        }

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 scope_model: Optional[SubjectScope] = None,
                 catalog: Optional[CatalogIndex] = None) -> None:
        self.config = config
        self.model_storage, self.resource = model_storage, resource
        self.scope_model = scope_model
        self.catalog = catalog or CatalogIndex(lambda: entries_from_database(config["catalog_url"]),
                                               config["catalog_max_age"])
        self._descriptions: Dict[CatalogEntry, np.ndarray] = {}  # each program's sentence vector, by what it is
        self.thresholds = Thresholds(**{name: config[name] for name in Thresholds.__dataclass_fields__})

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FrameReader":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FrameReader":
        scope_model = None
        try:
            with model_storage.read_from(resource) as directory:
                saved = np.load(directory / _MODEL_FILE)
                scope_model = SubjectScope(saved["weights"], float(saved["bias"]), config["model_dir"],
                                           [str(field) for field in saved["fields"]] if "fields" in saved else (),
                                           [str(thing) for thing in saved["everyday"]] if "everyday" in saved else ())
        except (ValueError, FileNotFoundError) as error:
            logger.warning("FrameReader has no trained subject model (%s): subjects count as studies", error)
        return cls(config, model_storage, resource, scope_model)

    # ---- training ------------------------------------------------------------------------------

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return source_fingerprint()

    def train(self, training_data: TrainingData) -> Resource:
        """Learn which subjects are fields of study: those of in-domain examples and the study
        lookup against those of off-topic examples and the everyday lookup."""
        studied: List[str] = []
        other: List[str] = []
        for example in training_data.intent_examples:
            intent = example.get(INTENT)
            for entity in example.get(ENTITIES, []) or []:
                if entity.get(ENTITY_ATTRIBUTE_TYPE) != SUBJECT:
                    continue
                phrase = _without_study_words(str(entity.get(ENTITY_ATTRIBUTE_VALUE, "")))
                if phrase:
                    (other if intent == OUT_OF_SCOPE else studied if is_domain(intent) else []).append(phrase)
        fields: List[str] = []
        everyday: List[str] = []
        for table in training_data.lookup_tables:
            target = {STUDY_LOOKUP: studied, EVERYDAY_LOOKUP: other}.get(table["name"])
            if target is not None:
                names = [normalize_name(str(element)) for element in table["elements"]]
                # an everyday name holding a word for a course ("golf course") would teach the model
                # that courses are everyday things: such names are matched whole instead (other_sense_spans)
                target.extend(name for name in names if target is studied or not lexicon.names_study(name.split()))
                (fields if table["name"] == STUDY_LOOKUP else everyday).extend(names)
        if studied and other:
            self.scope_model = SubjectScope.train(studied, other, self.config["model_dir"],
                                                  self.config["random_seed"], fields, everyday)
            with self.model_storage.write_to(self.resource) as directory:
                np.savez(directory / _MODEL_FILE, weights=self.scope_model.weights, bias=self.scope_model.bias,
                         fields=np.array(self.scope_model.fields, dtype=str),
                         everyday=np.array(self.scope_model.everyday, dtype=str))
        return self.resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # ---- reading -------------------------------------------------------------------------------

    def process(self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None) -> List[Message]:
        index = self.catalog.current()
        state = ConversationState.from_slots(tracker.get_slot) if tracker else ConversationState()
        pending = self._pending_question(tracker)
        for message in messages:
            frame, ranking = self.read(message, index, pending)
            if pending and pending in frame.situation and not frame.asks and frame.classified != CLARIFY:
                decision = Decision(INFORM_SITUATION, ANSWER, "answers the questionnaire's question")
            else:
                decision = decide(frame, ranking, state, self.thresholds)
            asked = fact_of(decision.intent) or fact_of(frame.classified)
            frame = replace(frame, intent=decision.intent, verdict=decision.verdict, reason=decision.reason,
                            fact=asked.name if asked else None)
            if decision.intent != frame.classified:
                message.set(INTENT, {INTENT_NAME_KEY: decision.intent, PREDICTED_CONFIDENCE_KEY: frame.confidence},
                            add_to_output=True)
            message.set(FRAME_KEY, frame.as_dict(), add_to_output=True)
        return messages

    def nearest_programs(self, subject: str, index: ProgramIndex) -> List[str]:
        """Our programs closest in meaning to a subject we do not offer: "mechanical design" → the CAD course."""
        entries = index.offered
        if not entries:
            return []
        encoder = shared_encoder(self.config["model_dir"])
        wanted = [self._descriptions.get(entry) for entry in entries]
        missing = [entry for entry, vector in zip(entries, wanted) if vector is None]
        if missing:
            vectors = encoder.encode([f"{entry.name}: {', '.join(entry.topics)}" for entry in missing])
            self._descriptions.update(zip(missing, vectors))
        similarity = np.stack([self._descriptions[entry] for entry in entries]) @ encoder.encode([subject])[0]
        ranked = sorted(zip(similarity, (entry.slug for entry in entries)), reverse=True)
        return [slug for score, slug in ranked[:MAX_NEAREST] if score >= self.config["nearest_similarity"]]

    @staticmethod
    def _pending_question(tracker: Optional[DialogueStateTracker]) -> Optional[str]:
        """The questionnaire question the learner is answering, if one is open."""
        if tracker is None or tracker.active_loop_name != QUESTIONNAIRE_FORM:
            return None
        return tracker.get_slot("requested_slot")

    def read(self, message: Message, index: ProgramIndex,
             pending: Optional[str]) -> Tuple[Frame, List[Tuple[str, float]]]:
        """The frame of one message before the scope decision, and the classifier's ranking."""
        text = message.get(TEXT) or ""
        # A credential the learner may need to get in is no part of what is asked about ("do I need a
        # physics bachelor's for it"): its words name no program, kind, level, topic or subject; nor
        # do those of an everyday thing named by a word for a course ("golf courses", "a gift certificate").
        other_senses = self.scope_model.other_sense_spans(text) if self.scope_model else []
        not_asked = lexicon.prerequisite_spans(text) + other_senses

        def asked(start: int) -> bool:
            return not any(begin <= start < end for begin, end in not_asked)

        tokens = [token.text.lower() for token in message.get(TOKENS_NAMES[TEXT], []) or [] if asked(token.start)]
        asked_text = "".join(char if asked(position) else " " for position, char in enumerate(text))
        intent = message.get(INTENT) or {}
        ranking = [(entry.get(INTENT_NAME_KEY), float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
                   for entry in message.get(INTENT_RANKING_KEY) or []]
        programs: List[Tuple[str, ...]] = [mention.slugs for mention in index.mentions(asked_text)]
        topic, subject, course_subject = None, None, False
        references = _entities(message, REFERENCE)
        for entity in _entities(message, SUBJECT):
            if not asked(int(entity.get(ENTITY_ATTRIBUTE_START, 0))):
                continue
            phrase = _without_study_words(str(entity.get(ENTITY_ATTRIBUTE_VALUE, "")))
            if lexicon.only_reference_words(phrase):
                references.append(entity)  # "what does the 2nd one cost": a reference, not a subject
                continue
            if lexicon.only_closed_class_words(phrase) and not (self.scope_model and self.scope_model.names_field(phrase)):
                continue  # "what are the entry reqs", "any hybrid programs": what is asked, not what about ("first aid" is a field)
            if not phrase or any(index.mentions(phrase)):
                continue
            named = index.topic_in(phrase)
            by_key_words = index.by_key_words(phrase)
            if named and index.topic_in(phrase, whole=True):
                topic = topic or named
            elif 0 < len(by_key_words) <= MAX_KEY_WORD_MATCHES and tuple(by_key_words) not in programs:
                programs.append(tuple(by_key_words))  # "the bs in info security", "the design one"
            elif not subject or (not course_subject and _beside_study_words(message, entity, asked)):
                # the first subject, unless a later one is named as a course's ("piano or music lessons")
                subject, course_subject = phrase, _beside_study_words(message, entity, asked)
        if not (topic or subject or programs) and lexicon.named_degree(tokens):
            subject, course_subject = lexicon.named_degree(tokens), True  # "how long is the mba"
        if not (topic or subject or programs) and self.scope_model and index.topic_in(asked_text) is None:
            subject = self.scope_model.field_in(asked_text)  # "do you offer biology": a field the tagger missed
            course_subject = bool(subject) and _words_beside_study_words(tokens, subject.split())
        if not topic and not subject:
            topic = index.topic_in(asked_text)
        everyday_subject = not (topic or subject or programs) and bool(other_senses)
        if everyday_subject:
            begin, end = other_senses[0]
            subject = normalize_name(text[begin:end])  # "a certificate of deposit" is what is asked about
        # Ordinals, "both" and "which of them" point back whatever the tagger says; it judges "it" and "that".
        words = (lexicon.pointing_words(text) or (str(references[0].get(ENTITY_ATTRIBUTE_VALUE, "")) if references else None)
                 or lexicon.kind_reference(text))
        reference = None
        if words:
            found = lexicon.reference_words(words)
            reference = Reference(text=words, ordinal=found.ordinal, plural=found.plural, other=found.other)
        found_situation = situation.answers(text, pending)
        if pending == "learning_goal" or intent.get(INTENT_NAME_KEY) in QUESTIONNAIRE:
            goal = subject or topic or (index.entries[programs[0][0]].name if programs and len(programs[0]) == 1 else None)
            if (pending == "learning_goal" and not goal and len(text.split()) <= MAX_GOAL_WORDS and "?" not in text
                    and intent.get(INTENT_NAME_KEY) not in SMALL_TALK | PERSON):  # "never mind" is no goal
                goal = text.strip()[:80]
            if goal:
                found_situation["learning_goal"] = goal
        scored = 0.0 if everyday_subject else (
            self.scope_model.probability(subject) if subject and self.scope_model else (1.0 if subject else 0.0))
        frame = Frame(
            text=text,
            classified=intent.get(INTENT_NAME_KEY),
            confidence=float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
            out_of_scope=next((score for name, score in ranking if name == OUT_OF_SCOPE), 0.0),
            programs=tuple(programs),
            topic=topic,
            subject=subject,
            study_subject=round(scored, 3),
            nearest=tuple(self.nearest_programs(subject, index)) if subject else (),
            course_subject=course_subject,
            subject_alone=bool(subject) and _says_nothing_else(asked_text, subject),
            names_study=lexicon.names_study(tokens),
            kinds=tuple(lexicon.kinds(asked_text, tokens)),
            level=lexicon.level(tokens),
            delivery_format=lexicon.delivery_format(text),
            max_cost=lexicon.price_bound(text),
            facts_named=tuple(lexicon.facts_named(text)),
            superlative=lexicon.superlative(text),
            reference=reference,
            situation=found_situation,
            asks=clauses.is_put_as_a_question(text),
            names_person=lexicon.names_a_person(text),
            office_matter=lexicon.names_office_matter(text),
        )
        return frame, ranking
