"""Text cleaning shared by the request schemas and the prompts: no SDK, no reader data."""

from __future__ import annotations

import unicodedata

MAX_QUESTION_CHARS = 500

# Bidi overrides can make the delimiters look closed to a human reviewer while they are not.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_question(text: str) -> str:
    """Normalise a question to one NFC line without control characters, at most 500 chars."""
    text = unicodedata.normalize("NFC", text)
    kept = []
    for char in text:
        if char in "\t\n\r\v\f":
            kept.append(" ")
        elif unicodedata.category(char) != "Cc" and char not in _BIDI_CONTROLS:
            kept.append(char)
    collapsed = " ".join("".join(kept).split())
    return collapsed[:MAX_QUESTION_CHARS].rstrip()
