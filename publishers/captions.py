"""Captions: the haiku, a signature and hashtags, within each platform's limits.

Hashtags are added one by one while they fit, so a caption is never cut mid-word; the
haiku itself always fits (three short lines are far below every limit).
"""
from __future__ import annotations

import re

LIMITS = {"x": 280, "instagram": 2200}
MAX_HASHTAGS = {"x": 30, "instagram": 30}
_URL = re.compile(r"https?://\S+", re.I)
# twitter-text v3: code points in these ranges weigh 1, every other weighs 2 (CJK, emoji, ...)
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_URL_WEIGHT = 23


def x_length(text: str) -> int:
    """Length as X counts it: URLs 23, most Latin text 1 per character, CJK and emoji 2."""
    total = 0
    position = 0
    for match in _URL.finditer(text):
        total += _weigh(text[position : match.start()]) + _URL_WEIGHT
        position = match.end()
    return total + _weigh(text[position:])


def _weigh(text: str) -> int:
    return sum(1 if any(lo <= ord(ch) <= hi for lo, hi in _LIGHT_RANGES) else 2 for ch in text)


def length(platform: str, text: str) -> int:
    return x_length(text) if platform == "x" else len(text)


def caption(platform: str, lines: list[str], signature: str = "", hashtags: list[str] = ()) -> str:
    """The caption `platform` gets for a haiku: poem, then signature, then the hashtags that fit."""
    limit = LIMITS[platform]
    text = "\n".join(lines)
    if signature and length(platform, f"{text}\n\n— {signature}") <= limit:
        text = f"{text}\n\n— {signature}"
    tags: list[str] = []
    for tag in hashtags[: MAX_HASHTAGS[platform]]:
        candidate = f"{text}\n\n" + " ".join(f"#{t}" for t in [*tags, tag])
        if length(platform, candidate) > limit:
            break
        tags.append(tag)
    return f"{text}\n\n" + " ".join(f"#{t}" for t in tags) if tags else text
