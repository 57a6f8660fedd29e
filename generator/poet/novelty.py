"""Novelty check against the corpus without shipping the corpus.

The shipped model carries 64-bit fingerprints (BLAKE2b) of every corpus poem and every
corpus line of at least MIN_LINE_WORDS words, so `auria poet write` can refuse to reproduce
a human's poem or copy one of their lines whole. Shorter lines ("autumn dusk", "the old
pond") are stock seasonal phrases shared by thousands of poems; they are not checked.
"""
from __future__ import annotations

import hashlib
import re

import torch

MIN_LINE_WORDS = 3
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lowercase letters and digits, single spaces: case and punctuation do not make a poem new."""
    return _NOT_WORD.sub(" ", text.lower()).strip()


def fingerprint(text: str) -> int:
    """A signed 64-bit fingerprint (safetensors stores int64) of normalised text."""
    digest = hashlib.blake2b(normalise(text).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def checked_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if len(normalise(line).split()) >= MIN_LINE_WORDS]


def build_fingerprints(poems: list[list[str]]) -> dict[str, torch.Tensor]:
    """Sorted, distinct fingerprints of whole poems and of their checked lines."""
    poem_prints = {fingerprint(" ".join(p)) for p in poems}
    line_prints = {fingerprint(line) for p in poems for line in checked_lines(p)}
    return {
        "poems": torch.tensor(sorted(poem_prints), dtype=torch.int64),
        "lines": torch.tensor(sorted(line_prints), dtype=torch.int64),
    }


class NoveltyIndex:
    def __init__(self, tensors: dict[str, torch.Tensor]):
        self.poems = frozenset(tensors["poems"].tolist())
        self.lines = frozenset(tensors["lines"].tolist())

    def problem(self, lines: list[str]) -> str | None:
        """'copies a corpus poem', 'copies a corpus line', or None when the haiku is new."""
        if fingerprint(" ".join(lines)) in self.poems:
            return "copies a corpus poem"
        if any(fingerprint(line) in self.lines for line in checked_lines(lines)):
            return "copies a corpus line"
        return None
