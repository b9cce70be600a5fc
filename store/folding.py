"""Vietnamese search keys: one normalisation shared by the index (write) and queries (read).

No tone or vowel marks, đ→d, lower case, NFC and NFD alike (see the project notes on
Vietnamese search).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_D = str.maketrans({"đ": "d", "Đ": "D"})
_WORD = re.compile(r"[^\W_]+")


def fold(value: str) -> str:
    """Search key of a text: no tone or vowel marks, đ→d, lower case; NFC and NFD alike."""
    decomposed = unicodedata.normalize("NFD", value.translate(_D))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


def words(value: str) -> list[str]:
    """The folded words of a text or a query, as the index sees them."""
    return _WORD.findall(fold(value))


def written_words(value: str) -> list[str]:
    """The words of a text as written (NFC), split where `words` splits it (the same count,
    but for rare texts whose marks stand alone)."""
    return _WORD.findall(unicodedata.normalize("NFC", value))


@lru_cache(maxsize=65536)
def _folded_words(value: str) -> str:
    return " ".join(words(value))


def joined_words(values: list[str]) -> str:
    """The folded words of several values, space-separated (what the index stores)."""
    return " ".join(w for w in map(_folded_words, values) if w)
