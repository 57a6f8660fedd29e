"""The poet's unit: whole words from the pronouncing dictionary, a few punctuation marks,
the line break and the end of the poem.

A word-level vocabulary drawn from the CMU dictionary knows every token's syllables, so the
decoder's shape mask is exact and an invented word cannot occur. Text goes in through
`model_text` (vocab.py: lowercase, the old alphabet) and comes out through `detokenize`;
`tokenize` is lossless on every text whose words are in the vocabulary, which is what lets
the benchmark score the old character model and this one on identical symbols.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from generator.poet.syllables import count_word, in_dictionary
from generator.poet.vocab import NEWLINE

END, BREAK, UNKNOWN = "<end>", "<br>", "<unk>"
JOINER = "-@"  # the hyphen inside a word ("half-moon" -> half -@ moon)
ATTACHED = (",", ".", "...", "?", "!", ":", ";")  # written against the word before them
DASH = "-"  # a spaced dash, the cutting mark of English haiku ("autumn dusk -")
PUNCTUATION = (*ATTACHED, DASH, JOINER)
SPECIAL = (END, BREAK, UNKNOWN, *PUNCTUATION)
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|\.\.\.|[,.;:!?]|-")
_IN_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


def split_line(line: str) -> list[str]:
    """One line of model text as tokens (words, punctuation, JOINER); other characters are dropped."""
    tokens: list[str] = []
    for part in _IN_WORD_HYPHEN.split(line):
        if tokens:
            tokens.append(JOINER)
        tokens += _TOKEN.findall(part)
    return tokens


def detokenize_line(tokens: Iterable[str]) -> str:
    out = ""
    glue = True  # no space before the next token
    for token in tokens:
        if token == JOINER:
            out, glue = out + "-", True
            continue
        if out and not glue and token not in ATTACHED:
            out += " "
        out, glue = out + token, False
    return out


@dataclass
class Vocabulary:
    """Token strings by id; ids 0..len(SPECIAL)-1 are the special tokens in SPECIAL's order."""

    tokens: list[str]

    def __post_init__(self):
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        self.end, self.br, self.unknown = self.ids[END], self.ids[BREAK], self.ids[UNKNOWN]
        self.joiner = self.ids[JOINER]
        # Syllables of every token: dictionary counts for words, 0 for the rest.
        self.syllables = [0 if t in SPECIAL else count_word(t) for t in self.tokens]

    def __len__(self) -> int:
        return len(self.tokens)

    def is_word(self, token_id: int) -> bool:
        return token_id >= len(SPECIAL)

    def encode(self, text: str) -> list[int]:
        """Model text (lines joined by newlines) -> ids, lines separated by BREAK, no END."""
        ids: list[int] = []
        for i, line in enumerate(text.split(NEWLINE)):
            if i:
                ids.append(self.br)
            ids += [self.ids.get(t, self.unknown) for t in split_line(line)]
        return ids

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids (END and anything after it ignored) -> lines of text."""
        lines: list[list[str]] = [[]]
        for i in ids:
            if i == self.end:
                break
            if i == self.br:
                lines.append([])
            else:
                lines[-1].append(self.tokens[i])
        return [detokenize_line(line) for line in lines]

    def lossless(self, text: str) -> bool:
        """Whether `text` is written exactly by its tokens, every word in the vocabulary."""
        ids = self.encode(text)
        return self.unknown not in ids and "\n".join(self.decode(ids)) == text


def build_vocabulary(texts: Iterable[str], max_words: int, min_count: int = 2) -> Vocabulary:
    """The most frequent dictionary words of `texts` (ties by spelling), after the special tokens."""
    counts: Counter = Counter()
    for text in texts:
        for line in text.split(NEWLINE):
            counts.update(t for t in split_line(line) if t not in SPECIAL)
    words = [w for w, n in counts.items() if n >= min_count and in_dictionary(w)]
    words.sort(key=lambda w: (-counts[w], w))
    return Vocabulary([*SPECIAL, *words[:max_words]])
