"""The text the poet's models see: one lowercase string per poem, lines joined by newlines.

Both the LSTM and the n-gram baseline read poems through `model_text`, so their bits per
character are measured over exactly the same symbols. Poems with characters outside the
alphabet (digits, accents, emoji) are left out of training and evaluation rather than
silently altered.
"""
from __future__ import annotations

import re

LETTERS = "abcdefghijklmnopqrstuvwxyz"
PUNCTUATION = " !',-.:;?"
NEWLINE = "\n"
ALPHABET = NEWLINE + PUNCTUATION + LETTERS
END = "\x03"  # end of poem, predicted after the last line

_DROPPED = re.compile(r"[\"()\[\]]")
_SPACES = re.compile(r"[ \t]+")


def model_text(lines: list[str]) -> str | None:
    """The poem as the models see it, or None if it uses characters outside the alphabet."""
    cleaned = []
    for line in lines:
        line = _SPACES.sub(" ", _DROPPED.sub("", line.lower())).strip()
        if not line:
            return None
        cleaned.append(line)
    text = NEWLINE.join(cleaned)
    if any(ch not in ALPHABET for ch in text):
        return None
    return text
