"""How well the rule-based syllable fallback agrees with the CMU Pronouncing Dictionary.

Every plain alphabetic dictionary word is assigned by a hash to the development part (90%,
looked at while writing the rules) or the held-out part (10%, never looked at). The table
compares the fallback with a naive count of vowel groups on both.

    python benchmarks/syllable_fallback.py
"""
from __future__ import annotations

import re
import time

from generator.poet.syllables import dictionary_counts, fallback_count, is_held_out


def vowel_groups(word: str) -> int:
    return max(1, len(re.findall(r"[aeiouy]+", word)))


def score(estimate, words: dict[str, int]) -> tuple[float, float]:
    errors = [estimate(word) - count for word, count in words.items()]
    exact = sum(e == 0 for e in errors) / len(errors)
    within_one = sum(abs(e) <= 1 for e in errors) / len(errors)
    return exact, within_one


def main() -> None:
    started = time.perf_counter()
    counts = dictionary_counts()
    splits = {
        "development": {w: c for w, c in counts.items() if not is_held_out(w)},
        "held-out": {w: c for w, c in counts.items() if is_held_out(w)},
    }
    print(f"{'split':<12} {'method':<13} {'words':>7} {'exact':>7} {'within 1':>9}")
    for split, words in splits.items():
        for method, estimate in (("fallback", fallback_count), ("vowel groups", vowel_groups)):
            exact, within_one = score(estimate, words)
            print(f"{split:<12} {method:<13} {len(words):>7} {exact:>7.1%} {within_one:>9.1%}")
    seconds = time.perf_counter() - started
    print(f"({seconds:.1f} s; dictionary words of letters and apostrophes only)")


if __name__ == "__main__":
    main()
