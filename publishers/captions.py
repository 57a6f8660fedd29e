"""Captions: a per-platform template filled with the haiku, a signature and hashtags,
within each platform's limit.

Hashtags are added one by one while they fit, then the signature is dropped if even the
bare template is too long, and only a haiku longer than the limit by itself is cut, at a
word boundary, with an ellipsis: a caption is never cut mid-word.
"""
from __future__ import annotations

import re
import unicodedata

DEFAULT_TEMPLATE = "{haiku}\n\n— {signature}\n\n{hashtags}"
LIMITS = {"x": 280, "instagram": 2200, "mastodon": 500, "bluesky": 300}
MAX_HASHTAGS = {"x": 30, "instagram": 30, "mastodon": 30, "bluesky": 30}
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


def graphemes(text: str) -> int:
    """User-perceived characters, as Bluesky counts them (close enough without ICU: a base
    character with its combining marks, variation selectors and zero-width joins is one)."""
    count, joined = 0, False
    for ch in text:
        if unicodedata.combining(ch) or ch in "\u200d\ufe0f\ufe0e" or 0x1F3FB <= ord(ch) <= 0x1F3FF or joined:
            joined = ch == "\u200d"
            continue
        count += 1
    return count


def length(platform: str, text: str) -> int:
    if platform == "x":
        return x_length(text)
    if platform == "bluesky":
        return graphemes(text)
    return len(text)


def caption(platform: str, lines: list[str], signature: str = "", hashtags: list[str] = (),
            template: str = DEFAULT_TEMPLATE) -> str:
    """The caption `platform` gets for a haiku."""
    limit = LIMITS[platform]
    haiku = "\n".join(lines)
    if length(platform, haiku) > limit:
        haiku = _cut(platform, haiku, limit - 1) + "…"

    def render(signature: str, tags: list[str]) -> str:
        text = template.format(haiku=haiku, signature=signature, hashtags=" ".join(f"#{t}" for t in tags))
        # A field left empty leaves no dangling "— " or blank lines behind.
        text = "\n".join(line for line in text.split("\n") if line.strip() not in ("—", "-"))
        return re.sub(r"\n{3,}", "\n\n", text).strip()

    for sign in ([signature, ""] if signature else [""]):
        if length(platform, render(sign, [])) > limit:
            continue
        tags: list[str] = []
        for tag in hashtags[: MAX_HASHTAGS[platform]]:
            if length(platform, render(sign, [*tags, tag])) > limit:
                break
            tags.append(tag)
        return render(sign, tags)
    return _cut(platform, haiku, limit)


def _cut(platform: str, text: str, limit: int) -> str:
    """The longest run of whole words of `text` within the limit."""
    words = re.split(r"(\s+)", text)
    out = ""
    for word in words:
        if length(platform, out + word) > limit:
            break
        out += word
    return out.rstrip()
