"""A blank English spaCy pipeline whose EntityRuler tags every program name and alias.

Rasa's SpacyNLP loads the saved directory like any spaCy model; each entity's `ent_id_` is the
program's slug.
"""
import hashlib
import json
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, List, Tuple, Union

if TYPE_CHECKING:
    from spacy.language import Language

LABEL = "program"
FINGERPRINT_FILE = "catalog_fingerprint.txt"


def ruler_patterns(name_index: Iterable[Tuple[str, str]]) -> List[Dict[str, str]]:
    """One EntityRuler pattern per (slug, surface form), sorted and without repeats."""
    return [
        {"label": LABEL, "pattern": surface, "id": slug}
        for slug, surface in sorted(set(name_index))
    ]


def fingerprint(patterns: Iterable[Dict[str, str]]) -> str:
    """sha256 of the sorted patterns: equal fingerprints mean an equal pipeline."""
    rows = sorted((pattern["label"], pattern["pattern"], pattern["id"]) for pattern in patterns)
    return hashlib.sha256(json.dumps(rows).encode("utf-8")).hexdigest()


def saved_fingerprint(out_dir: Union[str, Path]) -> str:
    """The fingerprint stored with a saved pipeline, or "" when there is none."""
    path = Path(out_dir) / FINGERPRINT_FILE
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def build_pipeline(name_index: Iterable[Tuple[str, str]]) -> "Language":
    """spacy.blank("en") plus an EntityRuler matching the names case-insensitively."""
    # Imported here: importing spaCy takes seconds (it pulls in TensorFlow), and callers that
    # only compare fingerprints should not pay for it.
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(ruler_patterns(name_index))
    return nlp


def save_pipeline(nlp: "Language", out_dir: Union[str, Path]) -> None:
    """Write the pipeline and its fingerprint to `out_dir`, replacing what is there.

    The files are written to a temporary sibling directory that is then renamed, so a reader
    never sees a half-written pipeline (at worst, for an instant, no directory at all).
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f".{out_dir.name}.{uuid.uuid4().hex}.new")
    retired = out_dir.with_name(f".{out_dir.name}.{uuid.uuid4().hex}.old")
    try:
        nlp.to_disk(staging)
        patterns = nlp.get_pipe("entity_ruler").patterns
        (staging / FINGERPRINT_FILE).write_text(fingerprint(patterns) + "\n", encoding="utf-8")
        if out_dir.exists():
            out_dir.rename(retired)
        staging.rename(out_dir)
    finally:
        for leftover in (staging, retired):
            if leftover.exists():
                shutil.rmtree(leftover)
