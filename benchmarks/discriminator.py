"""An independent discriminator: can a classifier that reads word order tell Auria's haiku
from people's? Not the poet's critic (a hashed n-gram logistic regression over its own
candidates): a bidirectional GRU over word embeddings learnt from scratch, trained and
tested in k folds, so every accuracy is on poems it never saw. 50% means it cannot tell.

    python benchmarks/discriminator.py MACHINE.txt HUMAN.txt [--folds 5]
    python benchmarks/discriminator.py MACHINE.txt HUMAN.txt --train TRAIN_MACHINE.txt TRAIN_HUMAN.txt

Files hold one haiku per block (lines, blank line between), as the corpus splits do.
"""
from __future__ import annotations

import argparse
import random
import sys
from collections import Counter

import torch
from torch import nn
from torch.nn import functional as F

from generator.poet.corpus import load_split
from generator.poet.tokens import split_line
from generator.poet.vocab import model_text


def tokens_of(lines: list[str]) -> list[str]:
    text = model_text(lines) or "\n".join(lines).lower()
    out = []
    for line in text.split("\n"):
        out += split_line(line) + ["<br>"]
    return out[:-1]


class GRUClassifier(nn.Module):
    def __init__(self, vocab_size: int, embed: int = 64, hidden: int = 64):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed, padding_idx=0)
        self.gru = nn.GRU(embed, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(4 * hidden, 1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out, _ = self.gru(F.dropout(self.embedding(ids), 0.3, self.training))
        mask = (ids > 0).unsqueeze(-1)
        pooled_max = out.masked_fill(~mask, -1e4).max(dim=1).values
        pooled_mean = (out * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.out(torch.cat([pooled_max, pooled_mean], dim=-1))[:, 0]


def _encode(poems: list[list[str]], vocab: dict[str, int]) -> torch.Tensor:
    rows = [[vocab.get(t, 1) for t in tokens_of(p)] for p in poems]
    width = max(map(len, rows))
    return torch.tensor([row + [0] * (width - len(row)) for row in rows])


def fold_accuracy(train: list[tuple[list[str], int]], test: list[tuple[list[str], int]], seed: int, epochs: int = 12) -> float:
    counts = Counter(t for poem, _ in train for t in tokens_of(poem))
    vocab = {t: i + 2 for i, t in enumerate(sorted(t for t, n in counts.items() if n >= 2))}  # 0 pad, 1 unknown
    torch.manual_seed(seed)
    model = GRUClassifier(len(vocab) + 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    x, y = _encode([p for p, _ in train], vocab), torch.tensor([float(label) for _, label in train])
    rng = random.Random(seed)
    for _ in range(epochs):
        model.train()
        order = list(range(len(train)))
        rng.shuffle(order)
        for start in range(0, len(order), 32):
            idx = torch.tensor(order[start : start + 32])
            loss = F.binary_cross_entropy_with_logits(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(_encode([p for p, _ in test], vocab)) > 0
    truth = torch.tensor([bool(label) for _, label in test])
    return float((predicted == truth).float().mean())


def held_out_accuracy(train_machine, train_human, test_machine, test_human, seed: int = 7) -> float:
    """Trained on one set of poems, tested on another (each side balanced to its smaller class)."""
    rng = random.Random(seed)
    n, m = min(len(train_machine), len(train_human)), min(len(test_machine), len(test_human))
    train = [(p, 0) for p in rng.sample(train_machine, n)] + [(p, 1) for p in rng.sample(train_human, n)]
    test = [(p, 0) for p in rng.sample(test_machine, m)] + [(p, 1) for p in rng.sample(test_human, m)]
    return fold_accuracy(train, test, seed)


def discriminate(machine: list[list[str]], human: list[list[str]], folds: int = 5, seed: int = 7) -> tuple[float, list[float]]:
    """Mean held-out accuracy over k folds (classes balanced to the smaller side), and each fold's:
    for sets too small to spare a training set of their own."""
    n = min(len(machine), len(human))
    rng = random.Random(seed)
    data = [(p, 0) for p in rng.sample(machine, n)] + [(p, 1) for p in rng.sample(human, n)]
    rng.shuffle(data)
    accuracies = []
    for k in range(folds):
        test = data[k::folds]
        train = [d for i, d in enumerate(data) if i % folds != k]
        accuracies.append(fold_accuracy(train, test, seed + k))
    return sum(accuracies) / folds, accuracies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("machine")
    parser.add_argument("human")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--train", nargs=2, metavar=("MACHINE", "HUMAN"), help="train on these, test on the two above")
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.train:
        accuracy = held_out_accuracy(*(load_split(p) for p in (*args.train, args.machine, args.human)))
        print(f"held-out accuracy {accuracy:.3f}")
        return 0
    mean, each = discriminate(load_split(args.machine), load_split(args.human), args.folds)
    print(f"held-out accuracy {mean:.3f} (folds: {' '.join(f'{a:.3f}' for a in each)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
