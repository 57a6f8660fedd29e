"""Captions: a per-platform template filled with the haiku, a signature and hashtags,
within each platform's limit.

Hashtags are added one by one while they fit, then the signature is dropped if even the
bare template is too long, and only a haiku longer than the limit by itself is cut, at a
word boundary, with an ellipsis: a caption is never cut mid-word.

X's length is twitter-text's weighted length (the twitter-text-parser port of X's own
library): a link or bare domain weighs 23 whatever its length, CJK and emoji 2 (an emoji
sequence such as a family or a skin tone is one emoji), text after NFC.
"""
from __future__ import annotations

import re
import sys
import threading
import types
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from publishers import platforms

DEFAULT_TEMPLATE = "{haiku}\n\n— {signature}\n\n{hashtags}"


class _ByPlatform(Mapping):
    """One field of every platform's declaration, by name: read from publishers.platforms."""

    def __init__(self, field: Callable):
        self._field = field

    def __getitem__(self, name: str):
        platform = platforms.get(name)
        if platform is None:
            raise KeyError(name)
        return self._field(platform)

    def __iter__(self) -> Iterator[str]:
        return iter(platforms.names())

    def __len__(self) -> int:
        return len(platforms.names())


LIMITS = _ByPlatform(lambda p: p.caption_limit)
MAX_HASHTAGS = _ByPlatform(lambda p: p.max_hashtags)

_parse_tweet = None
_import_lock = threading.Lock()


def x_length(text: str) -> int:
    """Length as X counts it (twitter-text's weightedLength)."""
    return _twitter_text()(text).weightedLength


def _twitter_text():
    """twitter_text.parse_tweet, imported on first use (it compiles its URL and emoji
    patterns at import, a sixth of a second the daemon need not spend idle).

    twitter-text-parser 3.0.0 reads its emoji table with pkg_resources.resource_string,
    which setuptools 82 removed (and a Python 3.12 venv has no setuptools at all). While
    it is imported, a stand-in with that one function (the file beside the module) takes
    pkg_resources' place, and is taken away again: no other code ever sees it."""
    global _parse_tweet
    with _import_lock:
        if _parse_tweet is None:
            stand_in = "pkg_resources" not in sys.modules
            if stand_in:
                module = types.ModuleType("pkg_resources")
                module.resource_string = lambda name, resource: (
                    Path(sys.modules[name].__file__).with_name(resource).read_bytes())
                sys.modules["pkg_resources"] = module
            try:
                from twitter_text import parse_tweet
            finally:
                if stand_in:
                    del sys.modules["pkg_resources"]
            _parse_tweet = parse_tweet
    return _parse_tweet


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
    """The caption's length as the platform counts it (its declaration's `count`)."""
    declared = platforms.get(platform)
    count = declared.count if declared else "characters"
    if count == "weighted":
        return x_length(text)
    if count == "graphemes":
        return graphemes(text)
    return len(text)


def caption(platform: str, lines: list[str], signature: str = "", hashtags: list[str] = (),
            template: str = DEFAULT_TEMPLATE, limit: int | None = None) -> str:
    """The caption `platform` gets for a haiku, within `limit` (default: the platform's own)."""
    limit = limit or LIMITS[platform]
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
