"""Poet quality on the test split: the LSTM against a character n-gram baseline, and what
the writer produces. Prints a table and exits 0.

    python benchmarks/poet_quality.py --src ../shared/data/haiku        # builds the corpus
    python benchmarks/poet_quality.py --corpus CORPUS [--weights DIR] [--n 200]
"""
from __future__ import annotations

import argparse
import logging
import sys
import time

import torch

from generator.poet.ngram import tune_order
from generator.poet.syllables import counts
from generator.poet.train import bits_per_char, usable_texts
from generator.poet.model import conditioning
from generator.poet.weights import load
from generator.poet.write import Poet
from corpus_source import add_corpus_arguments, corpus_folder


def distinct_2(poems: list[list[str]]) -> float:
    """Distinct word bigrams over all bigrams, within lines, across every poem."""
    bigrams = [(a, b) for poem in poems for line in poem for a, b in zip(line.lower().split(), line.lower().split()[1:])]
    return len(set(bigrams)) / max(len(bigrams), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_arguments(parser)
    parser.add_argument("--weights", help="poet weights folder (default: the shipped one)")
    parser.add_argument("--n", type=int, default=200, help="haiku to write")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--shape", default="5-7-5")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.WARNING)

    corpus = corpus_folder(args)
    started = time.perf_counter()
    loaded = load(args.weights)
    load_seconds = time.perf_counter() - started
    config = loaded.model.config
    train, _ = usable_texts(corpus / "train.txt", config)
    valid, _ = usable_texts(corpus / "valid.txt", config)
    test, skipped = usable_texts(corpus / "test.txt", config)

    lstm_bpc = bits_per_char(loaded.model, [(*conditioning(t, s), s) for t, s in test], "cpu")
    started = time.perf_counter()
    order, valid_table, ngram = tune_order([t for t, _ in train], [t for t, _ in valid], orders=range(2, 13))
    ngram_bpc = ngram.bits_per_char([t for t, _ in test])
    ngram_seconds = time.perf_counter() - started

    shape = tuple(int(x) for x in args.shape.split("-"))
    poet = Poet(loaded)
    generator = torch.Generator().manual_seed(args.seed)
    raw = [poet.sample_unconstrained(shape, generator, 0.8, 0.95) for _ in range(args.n)]
    raw_in_shape = sum(counts(lines) == shape for lines in raw) / len(raw)

    report = poet.write(args.n, seed=args.seed, shape=shape)
    written = [h.lines for h in report.haiku]
    final_in_shape = sum(counts(lines) == shape for lines in written) / len(written)
    decoded = report.samples + report.gave_up

    rows = [
        ("test poems scored (of test split)", f"{len(test)} (of {len(test) + skipped})"),
        ("LSTM bits per character, test", f"{lstm_bpc:.3f}"),
        (f"n-gram (modified Kneser-Ney, order {order}) bpc, test", f"{ngram_bpc:.3f}"),
        ("n-gram validation bpc by order", " ".join(f"{k}:{v:.3f}" for k, v in valid_table.items())),
        ("LSTM lower than n-gram", "yes" if lstm_bpc < ngram_bpc else "NO"),
        (f"raw samples in shape {args.shape} (conditioning only, no mask)", f"{raw_in_shape:.1%} of {len(raw)}"),
        ("decoder samples completed / dead ends", f"{report.samples} / {report.gave_up}"),
        ("final haiku in shape", f"{final_in_shape:.1%} of {len(written)}"),
        ("samples rejected: shape", f"{report.rejected['shape'] / decoded:.1%}"),
        ("samples rejected: lexicon (invented word)", f"{report.rejected['lexicon'] / decoded:.1%}"),
        ("samples rejected: form (dangling last word)", f"{report.rejected['form'] / decoded:.1%}"),
        ("samples rejected: content filter", f"{report.rejected['content'] / decoded:.1%}"),
        ("samples rejected: novelty", f"{report.rejected['novelty'] / decoded:.1%}"),
        ("samples rejected: repeat", f"{report.rejected['repeat'] / decoded:.1%}"),
        (f"distinct-2 over {len(written)} haiku", f"{distinct_2(written):.3f}"),
        ("seconds per accepted haiku (CPU, %d threads)" % args.threads, f"{report.seconds / len(written):.3f}"),
        ("model load seconds", f"{load_seconds:.2f}"),
        ("n-gram tuning + test seconds", f"{ngram_seconds:.1f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'metric':<{width}}  value")
    print("-" * (width + 30))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("\nNote: the LSTM is told each line's syllable target; the n-gram sees the text alone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
