"""The one normalization used to compare program names and aliases."""
import re
import unicodedata

# Apostrophes vanish ("master's" -> "masters"); every other punctuation mark separates words.
_APOSTROPHES = re.compile(r"['’‘`]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalize_name(text: str) -> str:
    """Lowercase, strip accents and punctuation, collapse spaces.

    "Intro to CAD & Fusion 360" -> "intro to cad fusion 360"; "Lockout/Tagout" -> "lockout tagout".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    unaccented = "".join(char for char in decomposed if not unicodedata.combining(char))
    without_apostrophes = _APOSTROPHES.sub("", unaccented.lower())
    return " ".join(_PUNCTUATION.sub(" ", without_apostrophes).split())
