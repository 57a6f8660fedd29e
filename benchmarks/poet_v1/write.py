"""Writing haiku: syllable-constrained sampling, then the filters.

Sampling is character by character with temperature and top-p, under a mask that keeps
every line on its syllable count: while the words of a line still fall short of the
target, the line cannot end; once the last word reaches it exactly, only punctuation and
the line end may follow; a word that overshoots must grow into a word that fits or is
abandoned (backtracking to the word's start). Each accepted sample then passes the
filters: exact shape by the syllable counter, content, novelty against the corpus, and no
repeat of a haiku already in the store.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field

import torch

from core.errors import AuriaError
from generator.poet.content import find_problem
from poet_v1.model import SYMBOL_ID, SYMBOLS, WORD_CHARS, Stepper
from generator.poet.syllables import count_word, counts, in_dictionary, words
from generator.poet.vocab import END, NEWLINE
from poet_v1.weights import LoadedPoet
from state.works import haiku_key

MAX_WORD = 18  # letters; a longer word is a dead end and is resampled
WORD_RETRIES = 12  # resamples of one word before the whole line starts again
LINE_RETRIES = 6  # restarts of one line before the sample is given up
PUNCTUATION = frozenset(",.;:!?-")
CLOSING = frozenset(",.;:!?")  # a word never follows one of these without a space
MAX_PUNCTUATION_RUN = 3  # "..." at most
# A line ending on one of these reads as cut off mid-phrase ("the moon and it is for the").
DANGLING = frozenset("a an the and of my your our their its".split())
_LETTER_IDS = [SYMBOL_ID[ch] for ch in SYMBOLS if ch in WORD_CHARS]
_PUNCTUATION_IDS = [SYMBOL_ID[ch] for ch in SYMBOLS if ch in PUNCTUATION]
_SPACE_ID, _HYPHEN_ID = SYMBOL_ID[" "], SYMBOL_ID["-"]
_LONE_I = re.compile(r"\bi\b")


@dataclass
class Haiku:
    lines: list[str]
    shape: tuple[int, ...]
    seed: int
    attempts: int  # raw samples drawn for this haiku, the accepted one included
    seconds: float

    @property
    def text(self) -> str:
        return NEWLINE.join(self.lines)


@dataclass
class WriteReport:
    haiku: list[Haiku] = field(default_factory=list)
    samples: int = 0  # raw samples completed by the decoder
    gave_up: int = 0  # samples the decoder abandoned (dead ends)
    rejected: Counter = field(default_factory=Counter)  # filter name -> samples rejected
    seconds: float = 0.0


class _Line:
    """What the decoder knows of the line being written."""

    def __init__(self, target: int):
        self.target, self.used, self.word, self.last = target, 0, "", ""
        self.punctuation_run = 0

    def word_syllables(self) -> int:
        return count_word(self.word) if self.word else 0

    def allowed(self, last_line: bool) -> list[int]:
        """The symbols that keep this line able to end exactly on its syllable count."""
        total = self.used + self.word_syllables()
        started = bool(self.last)
        allowed = []
        if len(self.word) < MAX_WORD and self.last not in CLOSING and (self.word or self.used < self.target):
            allowed += _LETTER_IDS
        if started and self.last != " " and total < self.target:
            allowed.append(_SPACE_ID)
        if started and total <= self.target and self.punctuation_run < MAX_PUNCTUATION_RUN:
            allowed += _PUNCTUATION_IDS if self.last != " " else [_HYPHEN_ID]
        if started and total == self.target and self.last != " ":
            allowed.append(SYMBOL_ID[END if last_line else NEWLINE])
        return allowed

    def push(self, ch: str) -> None:
        if ch in WORD_CHARS:
            self.word += ch
        else:
            self.used += self.word_syllables()
            self.word = ""
        self.last = ch
        self.punctuation_run = self.punctuation_run + 1 if ch in PUNCTUATION else 0


class Poet:
    def __init__(self, loaded: LoadedPoet, device: str = "cpu"):
        self.loaded = loaded
        self.device = torch.device(device)
        self.model = loaded.model.to(self.device).eval()
        self.stepper = Stepper(self.model)
        count_word("warm")  # loads the pronouncing dictionary now, not inside the first haiku's time
        self.max_lines = self.model.config.max_lines

    def _step(self, symbol: int, syllables_left: int, lines_left: int, state):
        """Feed one symbol with its conditioning; the logits for the next symbol and the new state."""
        logits, state = self.stepper(symbol, syllables_left, lines_left, state)
        return logits.float().cpu(), state

    @torch.no_grad()
    def sample(self, shape: tuple[int, ...], generator: torch.Generator, temperature: float, top_p: float) -> list[str] | None:
        """One constrained sample, or None when the decoder ran into a dead end."""
        shapes = torch.zeros(1, self.max_lines, dtype=torch.long, device=self.device)
        shapes[0, : len(shape)] = torch.tensor(shape)
        position = self._step(0, shape[0], len(shape) - 1, self.model.initial_state(shapes))
        lines: list[str] = []
        for index, target in enumerate(shape):
            for _ in range(LINE_RETRIES):
                written = self._sample_line(shape, index, position, generator, temperature, top_p)
                if written is not None:
                    break
            else:
                return None
            text, position = written
            lines.append(text)
        return lines

    def _sample_line(self, shape, index, start, generator, temperature, top_p):
        """(line text, model position after its line end), or None after too many dead ends."""
        last_line = index == len(shape) - 1
        lines_left = len(shape) - 1 - index
        position = start  # (logits for the next symbol, recurrent state)
        line, chars = _Line(shape[index]), []
        word_start, word_retries = (start, 0), 0
        while True:
            allowed = line.allowed(last_line)
            if not allowed:
                # Dead end (a word that overshoots and cannot grow): resample it from its first letter.
                word_retries += 1
                if word_retries > WORD_RETRIES:
                    return None
                position, keep = word_start
                chars = chars[:keep]
                line = _replay(shape[index], chars)
                continue
            symbol = _choose(position[0], allowed, generator, temperature, top_p)
            ch = SYMBOLS[symbol]
            if ch == END:
                return "".join(chars), position
            if ch == NEWLINE:
                return "".join(chars), self._step(symbol, shape[index + 1], lines_left - 1, position[1])
            if ch in WORD_CHARS and not line.word:
                word_start = (position, len(chars))
            line.push(ch)
            chars.append(ch)
            position = self._step(symbol, line.target - line.used, lines_left, position[1])

    @torch.no_grad()
    def sample_unconstrained(
        self, shape: tuple[int, ...], generator: torch.Generator, temperature: float, top_p: float, max_chars: int = 200
    ) -> list[str]:
        """A sample with the shape conditioning but no mask: how well the model alone keeps the count."""
        shapes = torch.zeros(1, self.max_lines, dtype=torch.long, device=self.device)
        shapes[0, : len(shape)] = torch.tensor(shape)
        index, line = 0, _Line(shape[0])
        position = self._step(0, shape[0], len(shape) - 1, self.model.initial_state(shapes))
        chars: list[str] = []
        everything = list(range(len(SYMBOLS)))
        while len(chars) < max_chars:
            symbol = _choose(position[0], everything, generator, temperature, top_p)
            ch = SYMBOLS[symbol]
            if ch == END:
                break
            chars.append(ch)
            if ch == NEWLINE:
                index += 1
                line = _Line(shape[index] if index < len(shape) else 0)
            else:
                line.push(ch)
            position = self._step(symbol, line.target - line.used, len(shape) - 1 - index, position[1])
        return "".join(chars).split(NEWLINE)

    def write(
        self,
        n: int = 1,
        *,
        seed: int,
        shape: tuple[int, ...] = (5, 7, 5),
        temperature: float = 0.8,
        top_p: float = 0.95,
        max_attempts: int = 50,
        known_keys: frozenset[str] | set[str] = frozenset(),
    ) -> WriteReport:
        """n haiku; the k-th comes from seed + k alone, so any one can be written again."""
        report = WriteReport()
        started = time.perf_counter()
        taken = set(known_keys)
        for k in range(n):
            haiku_started = time.perf_counter()
            generator = torch.Generator().manual_seed(seed + k)
            for attempt in range(1, max_attempts + 1):
                lines = self.sample(shape, generator, temperature, top_p)
                if lines is None:
                    report.gave_up += 1
                    continue
                report.samples += 1
                lines = [_LONE_I.sub("I", line) for line in lines]
                problem = self.filter(lines, shape, taken)
                if problem:
                    report.rejected[problem] += 1
                    continue
                taken.add(haiku_key(" ".join(lines)))
                report.haiku.append(Haiku(lines, shape, seed + k, attempt, time.perf_counter() - haiku_started))
                break
            else:
                raise AuriaError(
                    f"no acceptable haiku for seed {seed + k} in {max_attempts} attempts "
                    f"(rejected: {dict(report.rejected) or 'none'}); try another seed or raise poet.max_attempts"
                )
        report.seconds = time.perf_counter() - started
        return report

    def filter(self, lines: list[str], shape: tuple[int, ...], taken: set[str]) -> str | None:
        """The first filter a sample fails, or None: 'shape', 'lexicon' (a word the pronouncing
        dictionary does not know: a character model's invented words), 'form', 'content',
        'novelty', 'repeat'."""
        if counts(lines) != shape:
            return "shape"
        if not all(_known_word(word) for line in lines for word in words(line)):
            return "lexicon"
        if any(line.split()[-1].strip(",.;:!?-") in DANGLING for line in lines):
            return "form"
        if find_problem(" ".join(lines)):
            return "content"
        if self.loaded.novelty.problem(lines):
            return "novelty"
        if haiku_key(" ".join(lines)) in taken:
            return "repeat"
        return None


def _known_word(word: str) -> bool:
    return in_dictionary(word) or (word.endswith("'s") and in_dictionary(word[:-2]))


def _replay(target: int, chars: list[str]) -> _Line:
    line = _Line(target)
    for ch in chars:
        line.push(ch)
    return line


def _choose(logits: torch.Tensor, allowed: list[int], generator: torch.Generator, temperature: float, top_p: float) -> int:
    """Sample among the allowed symbols: temperature, then the top-p nucleus of what is left."""
    masked = torch.full_like(logits, float("-inf"))
    masked[allowed] = logits[allowed] / max(temperature, 1e-6)
    probs = torch.softmax(masked, dim=-1)
    sorted_probs, order = torch.sort(probs, descending=True)
    cumulative = torch.cumsum(sorted_probs, dim=-1)
    keep = cumulative - sorted_probs < top_p  # always keeps the most likely symbol
    sorted_probs = torch.where(keep, sorted_probs, torch.zeros_like(sorted_probs))
    pick = torch.multinomial(sorted_probs / sorted_probs.sum(), 1, generator=generator)
    return int(order[pick])
