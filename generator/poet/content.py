"""Content filter: what Auria must never post.

Profanity, sexual terms and slurs (a word list shipped with the package), @mentions,
URLs and hashtags. `find_problem(text)` returns a short reason or None; the corpus builder
uses the same check to keep such poems out of the training data.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_MENTION = re.compile(r"(?<![\w.])@\w+")
_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_URL = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(com|org|net|io|ly|co|me|gov|edu)\b", re.I)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@lru_cache(maxsize=1)
def _blocked_words() -> tuple[frozenset[str], tuple[str, ...]]:
    text = resources.files("generator.poet").joinpath("wordlists/blocked.txt").read_text("utf-8")
    exact, prefixes = set(), []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("*"):
            prefixes.append(line[:-1])
        else:
            exact.add(line)
    return frozenset(exact), tuple(prefixes)


def blocked_word(text: str) -> str | None:
    """The first blocked word in `text`, or None."""
    exact, prefixes = _blocked_words()
    for word in _WORD.findall(text.lower()):
        bare = word.removesuffix("'s")
        if bare in exact or word in exact or bare.startswith(prefixes):
            return bare
    return None


def find_problem(text: str) -> str | None:
    """Why `text` may not be posted ('mention', 'url', 'hashtag', 'profanity'), or None."""
    if _MENTION.search(text):
        return "mention"
    if _URL.search(text):
        return "url"
    if _HASHTAG.search(text):
        return "hashtag"
    if blocked_word(text):
        return "profanity"
    return None
