"""Writing haiku: many candidates in one batch under the shape mask, the filters, the critic.

Decoding samples `candidates` poems at once, word by word, with temperature and top-p,
under a mask that keeps every line on its syllable count: a word may only be chosen when
its syllables fit what the line still needs, the line ends exactly when they are used up,
punctuation follows a word, and an in-word hyphen is followed by a word. Every token of
the vocabulary is a dictionary word with a known count, so no sample can miss its shape or
run into a dead end. Each candidate then passes the filters (exact shape by the syllable
counter, form, content, novelty against the corpus, no repeat of a stored haiku or of
another candidate); the survivors are ranked by the critic, and the best one is the haiku.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field

import torch

from core.errors import AuriaError
from generator.poet.content import find_problem
from generator.poet.model import REGISTERS
from generator.poet.shape import MAX_LINES, MAX_SYLLABLES, shape_counts, within_limits
from generator.poet.syllables import counts, in_dictionary, starts_with_vowel_sound, words
from generator.poet.tokens import ATTACHED, DASH, SPECIAL
from generator.poet.vocab import NEWLINE
from generator.poet.weights import LoadedPoet
from state.works import haiku_key

# A line ending on one of these reads as cut off mid-phrase ("the moon and it is for the").
DANGLING = frozenset("a an the and of my your our their its to with in on at from by for is".split())
FILTERS = ("shape", "lexicon", "form", "content", "novelty", "repeat")
_LONE_I = re.compile(r"\bi\b")


def parse_shape(text: str, max_syllables: int = MAX_SYLLABLES, max_lines: int = MAX_LINES) -> tuple[int, ...]:
    """'5-7-5' -> (5, 7, 5), with a one-line error for anything the model cannot write."""
    shape = shape_counts(text)
    if shape is None:
        raise AuriaError(f"unknown shape {text!r}: give syllables per line joined by '-', e.g. 5-7-5")
    if not within_limits(shape, max_syllables, max_lines):
        raise AuriaError(f"unknown shape {text!r}: 1 to {max_lines} lines of 1 to {max_syllables} syllables")
    return shape


def parse_register(text: str) -> str:
    if text not in REGISTERS[:2]:
        raise AuriaError(f"unknown register {text!r}: literary or social")
    return text


@dataclass
class Candidate:
    lines: list[str]
    likelihood: float  # the language model's mean log-probability per token after the first line (nats)
    critic: float = 0.0  # the critic's score, higher reads more like a person's haiku
    score: float = 0.0  # what candidates are ranked by (critic.py)
    problem: str | None = None  # the first filter it failed

    @property
    def text(self) -> str:
        return NEWLINE.join(self.lines)


@dataclass
class Haiku:
    lines: list[str]
    shape: tuple[int, ...]
    seed: int
    attempts: int  # batches of candidates drawn for this haiku
    seconds: float
    candidates: int  # candidates sampled
    passed: int  # candidates that passed every filter
    score: float  # the chosen candidate's ranking score
    critic: float  # ... and its critic score
    likelihood: float  # ... and its mean log-probability per token
    rank: int  # its place among all candidates by score, filtered ones included (1: the best)
    top: list[Candidate] = field(default_factory=list)  # the best candidates that passed, best first

    @property
    def text(self) -> str:
        return NEWLINE.join(self.lines)

    def record(self) -> dict:
        """What a work stores about how its haiku was chosen."""
        return {
            "candidates": self.candidates, "passed": self.passed, "rank": self.rank,
            "score": round(self.score, 4), "critic": round(self.critic, 4), "likelihood": round(self.likelihood, 4),
            "batches": self.attempts,
        }


@dataclass
class WriteReport:
    haiku: list[Haiku] = field(default_factory=list)
    samples: int = 0  # candidates sampled
    rejected: Counter = field(default_factory=Counter)  # filter name -> candidates rejected
    seconds: float = 0.0


class Poet:
    def __init__(self, loaded: LoadedPoet, device: str = "cpu"):
        self.loaded = loaded
        self.vocab = loaded.vocab
        self.device = torch.device(device)
        self.model = loaded.model.to(self.device).eval()
        self.critic = loaded.critic  # None for a folder without one: rank by likelihood
        self.max_lines = self.model.config.max_lines
        v = self.vocab
        ids = torch.arange(len(v))
        self.syllables = torch.tensor(v.syllables, device=self.device)
        self.is_word = (ids >= len(SPECIAL)).to(self.device)
        self.is_mark = torch.zeros(len(v), dtype=torch.bool, device=self.device)  # punctuation after a word
        self.is_mark[[v.ids[t] for t in (*ATTACHED, DASH)]] = True

    @torch.no_grad()
    def sample(
        self, count: int, shape: tuple[int, ...], register: str, generator: torch.Generator,
        temperature: float = 0.8, top_p: float = 0.95,
    ) -> list[Candidate]:
        """`count` candidates decoded side by side, each exactly in `shape`."""
        v, device = self.vocab, self.device
        targets = torch.tensor(list(shape) + [0], device=device)
        shapes = torch.zeros(count, self.max_lines, dtype=torch.long, device=device)
        shapes[:, : len(shape)] = torch.tensor(shape, device=device)
        registers = torch.full((count,), REGISTERS.index(register), dtype=torch.long, device=device)
        state = self.model.initial_state(shapes, registers)
        token = torch.full((count,), v.end, dtype=torch.long, device=device)
        line = torch.zeros(count, dtype=torch.long, device=device)
        left = targets[line].clone()  # syllables the current line still needs
        done = torch.zeros(count, dtype=torch.bool, device=device)
        log_prob = torch.zeros(count, device=device)
        length = torch.zeros(count, device=device)
        chosen: list[torch.Tensor] = []
        last_line = len(shape) - 1
        # Each step writes a word (at least one syllable) or a mark after a word, so a poem
        # ends within twice its syllables plus its line ends.
        for _ in range(2 * sum(shape) + len(shape)):
            lines_left = (last_line - line).clamp(min=0)
            logits, state = self.model(token[:, None], left[:, None], lines_left[:, None], state)
            logits = logits[:, 0].float()
            after_word = self.is_word[token]
            allowed = self.is_word[None, :] & (self.syllables[None, :] <= left[:, None]) & (left[:, None] > 0)
            allowed &= (token != v.joiner)[:, None] | self.is_word[None, :]
            allowed |= self.is_mark[None, :] & after_word[:, None]
            allowed[:, v.joiner] = after_word & (left > 0)
            at_end = (left == 0) & (token != v.joiner)
            allowed[:, v.br] = at_end & (line < last_line)
            allowed[:, v.end] = at_end & (line == last_line)
            pick = _choose(logits, allowed, generator, temperature, top_p)
            pick = torch.where(done, torch.full_like(pick, v.end), pick)
            natural = torch.log_softmax(logits, dim=-1).gather(1, pick[:, None])[:, 0]
            # The likelihood that ranks candidates leaves out the first line: a stock opening
            # ("indian summer", "memorial day") is so likely that counting it made the
            # likeliest candidates share their first lines (34 openings made 306 repeats in
            # 500 haiku); what follows the opening is where a poem holds together or not.
            counted = ~done & ((line > 0) | (last_line == 0))  # a one-line poem counts its line
            log_prob += torch.where(counted, natural, torch.zeros_like(natural))
            length += counted.float()
            chosen.append(pick)
            done |= pick == v.end
            if bool(done.all()):
                break
            is_break = pick == v.br
            line = line + is_break.long()
            left = torch.where(is_break, targets[line], left - self.syllables[pick])
            token = pick
        rows = torch.stack(chosen, dim=1).tolist()
        likelihood = (log_prob / length).tolist()
        return [Candidate(self._lines(row), mean) for row, mean in zip(rows, likelihood)]

    def _lines(self, ids: list[int]) -> list[str]:
        return [_LONE_I.sub("I", line) for line in self.vocab.decode(ids)]

    def write(
        self,
        n: int = 1,
        *,
        seed: int,
        shape: tuple[int, ...] = (5, 7, 5),
        register: str = "literary",
        candidates: int = 256,
        temperature: float = 0.8,
        top_p: float = 0.95,
        max_attempts: int = 4,
        known_keys: frozenset[str] | set[str] = frozenset(),
        keep_top: int = 0,
    ) -> WriteReport:
        """n haiku; the k-th comes from seed + k alone, so any one can be written again.

        Each is the best of `candidates` sampled in one batch; another batch is drawn only
        when every candidate of a batch failed a filter, up to `max_attempts` batches.
        """
        report = WriteReport()
        started = time.perf_counter()
        taken = set(known_keys)
        for k in range(n):
            haiku_started = time.perf_counter()
            generator = torch.Generator(device=self.device).manual_seed(seed + k)
            for attempt in range(1, max_attempts + 1):
                batch = self.sample(candidates, shape, register, generator, temperature, top_p)
                report.samples += len(batch)
                self.judge(batch, shape, taken)
                for candidate in batch:
                    if candidate.problem:
                        report.rejected[candidate.problem] += 1
                passed = sorted((c for c in batch if not c.problem), key=lambda c: -c.score)
                if passed:
                    best = passed[0]
                    ranked = sorted(batch, key=lambda c: -c.score)
                    taken.add(haiku_key(" ".join(best.lines)))
                    report.haiku.append(Haiku(
                        best.lines, shape, seed + k, attempt, time.perf_counter() - haiku_started, len(batch),
                        len(passed), best.score, best.critic, best.likelihood,
                        next(i for i, c in enumerate(ranked, start=1) if c is best), passed[:keep_top],
                    ))
                    break
            else:
                raise AuriaError(
                    f"no acceptable haiku for seed {seed + k} in {max_attempts} batches of {candidates} "
                    f"(rejected: {dict(report.rejected) or 'none'}); try another seed or raise poet.candidates"
                )
        report.seconds = time.perf_counter() - started
        return report

    def judge(self, batch: list[Candidate], shape: tuple[int, ...], taken: set[str]) -> None:
        """Filter every candidate (a duplicate of an earlier one is a repeat), then score them."""
        seen = set(taken)
        for candidate in batch:
            candidate.problem = self.filter(candidate.lines, shape, seen)
            if candidate.problem is None:
                seen.add(haiku_key(" ".join(candidate.lines)))
        if self.critic is not None:
            self.critic.score(batch)
        else:  # a weights folder without a critic: rank by likelihood alone
            for candidate in batch:
                candidate.score = candidate.likelihood

    def filter(self, lines: list[str], shape: tuple[int, ...], taken: set[str]) -> str | None:
        """The first filter a haiku fails, or None: 'shape', 'lexicon' (a word the pronouncing
        dictionary does not know), 'form' (a line ending on a word that needs a next one, or
        "a" / "an" before the wrong sound),
        'content', 'novelty', 'repeat'."""
        if counts(lines) != shape:
            return "shape"
        if not all(_known_word(word) for line in lines for word in words(line)):
            return "lexicon"
        if any(line.split()[-1].strip(",.;:!?-").lower() in DANGLING for line in lines) or _wrong_article(lines):
            return "form"
        if find_problem(" ".join(lines)):
            return "content"
        if self.loaded.novelty.problem(lines):
            return "novelty"
        if haiku_key(" ".join(lines)) in taken:
            return "repeat"
        return None


def _wrong_article(lines: list[str]) -> bool:
    """'a apple' or 'an tree': the article does not fit the sound of the next word."""
    for line in lines:
        tokens = line.lower().split()
        for article, following in zip(tokens, tokens[1:]):
            if article in ("a", "an") and following[0].isalpha():
                vowel = starts_with_vowel_sound(following.strip(",.;:!?-"))
                if vowel is not None and vowel != (article == "an"):
                    return True
    return False


def _known_word(word: str) -> bool:
    return in_dictionary(word) or (word.endswith("'s") and in_dictionary(word[:-2]))


TOP_K = 200  # the nucleus is looked for among this many likeliest tokens (a full sort costs 10x)


def _choose(logits: torch.Tensor, allowed: torch.Tensor, generator: torch.Generator, temperature: float, top_p: float) -> torch.Tensor:
    """One token per row among the allowed ones: temperature, then the top-p nucleus."""
    masked = torch.where(allowed, logits / max(temperature, 1e-6), torch.full_like(logits, float("-inf")))
    probs = torch.softmax(masked, dim=-1)
    sorted_probs, order = torch.topk(probs, min(TOP_K, probs.size(-1)), dim=-1)
    cumulative = torch.cumsum(sorted_probs, dim=-1)
    keep = cumulative - sorted_probs < top_p  # always keeps the most likely token
    sorted_probs = torch.where(keep, sorted_probs, torch.zeros_like(sorted_probs))
    pick = torch.multinomial(sorted_probs, 1, generator=generator)
    return order.gather(1, pick)[:, 0]
