"""Poet quality: the first poet (character LSTM, benchmarks/poet_v1) beside the shipped one
(word LSTM, critic), on the test split per register and over the haiku each writes.
Prints a table and exits 0.

    python benchmarks/poet_quality.py --corpus CORPUS [--weights DIR] [--n 500] [--out DIR]
    python benchmarks/poet_quality.py --src ../shared/data/haiku        # builds the corpus first

- bits per character: both models score the same text, symbol for symbol: the test poems
  (lowercased, inside the first poet's alphabet) whose every word is in the new
  vocabulary, so that the word model spells them exactly; each poem's end counts as one
  character. The new model is told each poem's register, the old one cannot be.
- over N haiku written from --seed: share in shape, rejects per filter (share of the
  candidates drawn), distinct-2, lines repeated, seconds per posted haiku.
- the discriminator (benchmarks/discriminator.py): a bidirectional GRU trained on
  --train-n haiku of each poet (other seeds) and as many human training haiku, tested on the
  N haiku against N human test haiku, all 5-7-5. `--out` keeps every file it wrote.
"""
from __future__ import annotations

import argparse
import logging
import math
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import torch

from corpus_source import add_corpus_arguments, corpus_folder
from discriminator import held_out_accuracy
from generator.poet.corpus import load_registers, load_split, write_poems
from generator.poet.ngram import CharNgram
from generator.poet.model import REGISTERS, conditioning, make_batch, shape_of, token_log_probs
from generator.poet.syllables import counts
from generator.poet.vocab import model_text
from generator.poet.weights import load
from generator.poet.write import FILTERS, Poet
from poet_v1 import model as v1_model
from poet_v1.weights import load as load_v1
from poet_v1.write import Poet as PoetV1

SHAPE = (5, 7, 5)


def distinct_2(poems: list[list[str]]) -> float:
    """Distinct word bigrams over all bigrams, within lines, across every poem."""
    bigrams = [(a, b) for poem in poems for line in poem for a, b in zip(line.lower().split(), line.lower().split()[1:])]
    return len(set(bigrams)) / max(len(bigrams), 1)


def repeated_lines(poems: list[list[str]]) -> int:
    """Lines written more than once (each repeat after the first counted)."""
    seen = Counter(line.lower().strip(",.;:!?- ") for poem in poems for line in poem)
    return sum(n - 1 for n in seen.values() if n > 1)


@torch.no_grad()
def new_bits(loaded, texts: list[tuple[str, str]]) -> float:
    """Total bits the word model gives the texts (END of each poem included)."""
    vocab, model = loaded.vocab, loaded.model
    total = 0.0
    for start in range(0, len(texts), 256):
        examples = []
        for text, register in texts[start : start + 256]:
            ids = vocab.encode(text)
            shape = shape_of(ids, vocab)
            examples.append((*conditioning(ids, shape, vocab), shape, REGISTERS.index(register)))
        total -= float(token_log_probs(model, make_batch(examples, model.config.max_lines)).sum())
    return total / math.log(2)


@torch.no_grad()
def old_bits(loaded_v1, texts: list[str]) -> float:
    model = loaded_v1.model
    total = 0.0
    for start in range(0, len(texts), 256):
        examples = [(*v1_model.conditioning(t, v1_model.shape_of(t)), v1_model.shape_of(t)) for t in texts[start : start + 256]]
        loss, _ = v1_model.sequence_loss(model, v1_model.make_batch(examples, model.config.max_lines))
        total += float(loss)
    return total / math.log(2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_arguments(parser)
    parser.add_argument("--weights", help="poet weights folder (default: the shipped one)")
    parser.add_argument("--n", type=int, default=500, help="haiku each poet writes for the measures and the test side")
    parser.add_argument("--train-n", type=int, default=1500, help="haiku each poet writes to train the discriminator")
    parser.add_argument("--seed", type=int, default=2028)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", help="keep the haiku files here (default: a temporary folder)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.WARNING)
    out = Path(args.out or tempfile.mkdtemp(prefix="auria-poet-quality-"))
    out.mkdir(parents=True, exist_ok=True)

    corpus = corpus_folder(args)
    new, old = load(args.weights), load_v1()
    test_path = corpus / "test.txt"
    test = load_split(test_path)
    registers = load_registers(test_path, len(test))

    rows: list[tuple[str, str, str]] = []
    # A third reference: a character 9-gram (modified Kneser-Ney, the order the first poet's
    # benchmark tuned on validation) trained on the same training split.
    ngram = CharNgram(9).fit([t for t in map(model_text, load_split(corpus / "train.txt")) if t])
    for register in ("literary", "social"):
        texts = [model_text(p) for p, r in zip(test, registers) if r == register]
        scored = [t for t in texts if t and new.vocab.lossless(t) and all(0 < n <= 16 for n in v1_model.shape_of(t))]
        chars = sum(len(t) + 1 for t in scored)
        rows.append((f"test poems scored, {register} (of the split's)", f"{len(scored)} (of {len(texts)})", ""))
        rows.append((f"bits per character, {register}", f"{old_bits(old, scored) / chars:.3f}",
                     f"{new_bits(new, [(t, register) for t in scored]) / chars:.3f}"))
        rows.append((f"  (character 9-gram on the same text: {ngram.bits_per_char(scored):.3f})", "", ""))

    written = {}
    for name, poet, write in (
        ("old", PoetV1(old), lambda poet, n, seed: poet.write(n, seed=seed, shape=SHAPE)),
        ("new", Poet(new), lambda poet, n, seed: poet.write(n, seed=seed, shape=SHAPE)),
    ):
        started = time.perf_counter()
        report = write(poet, args.n, args.seed)
        seconds = (time.perf_counter() - started) / args.n
        poems = [h.lines for h in report.haiku]
        write_poems(out / f"{name}.txt", poems)
        drawn = report.samples + getattr(report, "gave_up", 0)
        written[name] = {"report": report, "poems": poems, "seconds": seconds, "drawn": drawn}
        train_report = write(poet, args.train_n, args.seed + 100_000)
        write_poems(out / f"{name}-train.txt", [h.lines for h in train_report.haiku])
        written[name]["train"] = [h.lines for h in train_report.haiku]

    o, w = written["old"], written["new"]
    rows.append((f"haiku written (seed {args.seed})", str(len(o["poems"])), str(len(w["poems"]))))
    rows.append(("candidates drawn per posted haiku", f"{o['drawn'] / args.n:.1f}", f"{w['drawn'] / args.n:.1f}"))
    rows.append(("final haiku in shape 5-7-5", *(f"{sum(counts(p) == SHAPE for p in x['poems']) / len(x['poems']):.1%}" for x in (o, w))))
    for name in FILTERS:
        rows.append((f"candidates rejected: {name}", *(f"{x['report'].rejected[name] / x['drawn']:.1%}" for x in (o, w))))
    rows.append(("old decoder dead ends (samples given up)", f"{o['report'].gave_up / o['drawn']:.1%}", "none possible"))
    rows.append((f"distinct-2 over {args.n} haiku", *(f"{distinct_2(x['poems']):.3f}" for x in (o, w))))
    rows.append((f"lines repeated within {args.n} haiku", *(str(repeated_lines(x["poems"])) for x in (o, w))))
    rows.append((f"seconds per posted haiku ({args.threads} threads)", *(f"{x['seconds']:.2f}" for x in (o, w))))

    # The discriminator's people: 5-7-5 haiku, training split for training, test split for testing.
    train_path = corpus / "train.txt"
    train_poems = load_split(train_path)
    train_registers = load_registers(train_path, len(train_poems))
    human_train = [p for p in train_poems if counts(p) == SHAPE]
    human_test = [p for p in test if counts(p) == SHAPE]
    random.Random(args.seed).shuffle(human_train)
    random.Random(args.seed).shuffle(human_test)
    write_poems(out / "human-test.txt", human_test[: args.n])
    for label, human_tr, human_te in (
        ("discriminator accuracy, people of both registers", human_train[: args.train_n], human_test[: args.n]),
        ("discriminator accuracy, literary people only",
         [p for p, r in zip(train_poems, train_registers) if r == "literary" and counts(p) == SHAPE][: args.train_n],
         [p for p, r in zip(test, registers) if r == "literary" and counts(p) == SHAPE]),
    ):
        accuracies = [held_out_accuracy(x["train"], human_tr, x["poems"], human_te) for x in (o, w)]
        rows.append((f"{label} ({min(len(human_te), args.n)} test pairs)", *(f"{a:.1%}" for a in accuracies)))

    width = max(len(r[0]) for r in rows)
    print(f"{'metric':<{width}}  {'first poet (chars)':>20}  {'shipped poet (words)':>20}")
    print("-" * (width + 44))
    for name, first, second in rows:
        print(f"{name:<{width}}  {first:>20}  {second:>20}")
    print(f"\nhaiku files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
