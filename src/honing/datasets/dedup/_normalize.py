"""Text normalization shared by exact and near-duplicate detection and contamination checks.

Two texts that differ only in Unicode form, letter case, punctuation or spacing are the
same text here: NFKC, casefold, punctuation and symbols removed (not replaced, so "e-mail"
and "email" agree), control characters and all Unicode whitespace read as spaces,
whitespace collapsed."""

from __future__ import annotations

import string
import sys
import unicodedata
from functools import cache

import numpy as np

# Every ASCII character in a Unicode P* or S* category is in string.punctuation, and the
# other way round, so the fast byte path and the general path agree on ASCII text.
ASCII_PUNCTUATION = string.punctuation.encode()
# Control characters become spaces, so that after `to_word_bytes` every byte <= 32 separates
# words (one comparison in the vectorized batch path). NUL stays: the batch path puts it
# between documents (a NUL inside a text was made a space before).
_CONTROLS_TO_SPACE = bytes(32 if 0 < code < 32 or code == 127 else code for code in range(256))


def to_word_bytes(folded: str) -> bytes:
    """UTF-8 of an NFKC-normalized, casefolded text without punctuation, where exactly the
    bytes <= 32 separate words."""
    if folded.isascii():
        return folded.encode().translate(_CONTROLS_TO_SPACE, ASCII_PUNCTUATION)
    # str.translate with a dict costs ~40 ns a character; this array pass a few.
    punctuation, space = _code_point_classes()
    points = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    points = np.where(space[points], np.uint32(32), points)[~punctuation[points]]
    return points.tobytes().decode("utf-32-le").encode()


@cache
def _code_point_classes() -> tuple[np.ndarray, np.ndarray]:
    """Code point -> is punctuation or a symbol; code point -> separates words (Unicode
    whitespace and controls, NUL excepted). Built once, on the first non-ASCII text (a scan
    of every code point, ~0.1 s)."""
    punctuation = np.zeros(sys.maxunicode + 1, dtype=bool)
    space = np.zeros(sys.maxunicode + 1, dtype=bool)
    for code in range(1, sys.maxunicode + 1):
        character = chr(code)
        category = unicodedata.category(character)
        if category[0] in "PS":
            punctuation[code] = True
        elif category == "Cc" or character.isspace():
            space[code] = True
    return punctuation, space


def normalize_text(text: str) -> str:
    """The normalized form used for exact duplicates and as the source of words."""
    return " ".join(w.decode() for w in normalized_words(text))


def normalized_words(text: str) -> list[bytes]:
    """The normalized text's words as UTF-8 bytes (what the shingle hashes are built from)."""
    folded = unicodedata.normalize("NFKC", text.replace("\x00", " ")).casefold()
    return to_word_bytes(folded).split()
