"""Painter motif coverage on the test split: how much of each haiku the scene planner can
paint (target: at least one motif in >= 80% of haiku). Prints a table and exits 0.

    python benchmarks/motif_coverage.py --src ../shared/data/haiku      # builds the corpus
    python benchmarks/motif_coverage.py --corpus CORPUS [--vectors FILE] [--threshold 0.45]
"""
from __future__ import annotations

import argparse
import logging
import time
from collections import Counter

from generator.painter.lexicon import TIME_WORDS, words_of
from generator.painter.planner import plan_scene
from generator.painter.vectors import MOTIF_THRESHOLD, load_vectors
from generator.poet.corpus import load_split
from corpus_source import add_corpus_arguments, corpus_folder


class _Threshold:
    """The loaded vectors, asked at another threshold (for tuning)."""

    def __init__(self, vectors, threshold: float):
        self.vectors, self.threshold = vectors, threshold

    def nearest_motif(self, word: str):
        return self.vectors.nearest_motif(word, self.threshold)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_arguments(parser)
    parser.add_argument("--vectors", help="word vectors file (default: the shipped one)")
    parser.add_argument("--threshold", type=float, default=MOTIF_THRESHOLD, help="motif similarity threshold")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    corpus = corpus_folder(args)
    poems = load_split(corpus / "test.txt")
    vectors = load_vectors(args.vectors)
    started = time.perf_counter()
    plans = [plan_scene(poem, _Threshold(vectors, args.threshold)) for poem in poems]
    seconds = time.perf_counter() - started

    placements = [p for plan in plans for p in plan.placements]
    via_vectors = [p for p in placements if p.via == "vectors"]
    n = len(plans)
    rows = [
        ("haiku (test split)", f"{n}"),
        ("with >= 1 motif (target >= 80%)", f"{sum(bool(p.placements) for p in plans) / n:.1%}"),
        ("with >= 1 lexicon motif", f"{sum(any(x.via == 'lexicon' for x in p.placements) for p in plans) / n:.1%}"),
        ("mean motifs per haiku", f"{len(placements) / n:.2f}"),
        ("placements via vectors", f"{len(via_vectors) / max(len(placements), 1):.1%}"),
        ("time of day set by a time word", f"{sum(_names_time(p) for p in plans) / n:.1%}"),
        ("time of day other than day", f"{sum(p.time_of_day != 'day' for p in plans) / n:.1%}"),
        ("season named", f"{sum(p.season != 'none' for p in plans) / n:.1%}"),
        ("similarity threshold", f"{args.threshold:.2f}"),
        ("planning time per haiku", f"{seconds / n * 1000:.2f} ms"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:>8}")

    print("\nmost frequent motifs:")
    for motif, count in Counter(p.motif for p in placements).most_common(15):
        print(f"  {motif:<12} {count:>5}  {count / n:6.1%} of haiku")

    print("\nvector mappings (word -> motif, similarity), most frequent words:")
    mappings = Counter((p.word, p.motif, p.similarity) for p in via_vectors)
    for (word, motif, similarity), count in mappings.most_common(10):
        print(f"  {word:<12} -> {motif:<12} {similarity:.2f}  ({count}x)")
    return 0


def _names_time(plan) -> bool:
    """Whether a time-of-day word (rather than the default rule) set the plan's time."""
    return any(word in TIME_WORDS for line in plan.lines for word in words_of(line))


if __name__ == "__main__":
    raise SystemExit(main())
