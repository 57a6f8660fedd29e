"""The critic: which of the poet's candidates reads most like a person's haiku.

A logistic regression over hashed features of the poem (word 1- to 3-grams across line
breaks, each line's first and last word, the punctuation pattern), trained here to tell
the corpus's human haiku from the language model's own samples (Discriminative reranking,
after e.g. Collins & Koo 2005; the GAN-free way of asking "does this look generated?").
A language model's samples are fluent at the level of a few words and lose their way over
a line; a person's haiku rarely do, and their words are particular. The critic learns
which n-grams give the model away. Candidates are ranked by

    score = critic logit + LIKELIHOOD_WEIGHT * standardised mean log-probability per token

The likelihood term keeps the critic from preferring a candidate only for being odd: on
its own the critic rewards what the model rarely writes (a chatty "I know, look, it ends,"
scores high for its commas), and the language model alone rewards the bland ("the sun in
the dark / in the middle of a stone"). LIKELIHOOD_WEIGHT was chosen by reading the haiku
chosen from the same twelve batches of 256 at weights 1, 3, 6 and likelihood alone: at 6
the choice is a fluent candidate, and among the fluent the critic's pick.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import torch
from torch.nn import functional as F

from generator.poet.syllables import counts
from generator.poet.tokens import split_line
from generator.poet.vocab import model_text

log = logging.getLogger("auria.poet.critic")
BUCKETS = 1 << 18
FORMAT = "auria-poet-critic/1"
LIKELIHOOD_WEIGHT = 6.0


def features(lines: list[str]) -> list[int]:
    """Hashed feature ids of a poem (lowercased as the model writes)."""
    text = model_text(lines) or "\n".join(line.lower() for line in lines)
    sequence = ["<s>"]
    names = []
    for i, line in enumerate(text.split("\n")):
        tokens = split_line(line)
        if tokens:
            names += [f"first{i}:{tokens[0]}", f"last{i}:{tokens[-1]}"]
        names.append(f"marks{i}:" + "".join(t for t in tokens if not t[0].isalpha()))
        sequence += tokens + ["<br>"]
    sequence[-1] = "</s>"
    for n in (1, 2, 3):
        names += [f"{n}:" + " ".join(sequence[j : j + n]) for j in range(len(sequence) - n + 1)]
    return [_bucket(name) for name in names]


def _bucket(name: str) -> int:
    # A stable hash: Python's hash() of a string changes from one process to the next.
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little") % BUCKETS


@dataclass
class Critic:
    weights: torch.Tensor  # (BUCKETS,)
    bias: float
    likelihood_mean: float
    likelihood_std: float
    metadata: dict

    def logits(self, poems: Iterable[list[str]]) -> list[float]:
        return [self.bias + float(self.weights[features(lines)].sum()) for lines in poems]

    def score(self, candidates: list) -> None:
        """Set .critic and .score of each candidate (write.Candidate)."""
        for candidate, logit in zip(candidates, self.logits(c.lines for c in candidates)):
            candidate.critic = logit
            z = (candidate.likelihood - self.likelihood_mean) / self.likelihood_std
            candidate.score = logit + LIKELIHOOD_WEIGHT * z

    def tensors(self) -> dict[str, torch.Tensor]:
        return {"weights": self.weights.half().contiguous(), "bias": torch.tensor([self.bias])}

    @classmethod
    def from_file(cls, tensors: dict[str, torch.Tensor], metadata: dict[str, str], path: str = "critic") -> "Critic":
        from core.errors import AuriaError

        try:
            if metadata.get("format") != FORMAT:
                raise ValueError(f"format {metadata.get('format')!r}, expected {FORMAT}")
            weights = tensors["weights"].float()
            if weights.shape != (BUCKETS,):
                raise ValueError(f"weights of shape {tuple(weights.shape)}, expected ({BUCKETS},)")
            stats = json.loads(metadata["likelihood"])
            return cls(weights, float(tensors["bias"][0]), float(stats["mean"]), float(stats["std"]), metadata)
        except (KeyError, ValueError, TypeError, IndexError) as error:
            raise AuriaError(f"{path}: not a usable critic ({error})") from None


def train_critic(human: list[list[str]], machine: list[tuple[list[str], float]], *, seed: int = 1234,
                 epochs: int = 6, weight_decay: float = 1e-5, held_out: float = 0.1) -> tuple[Critic, dict]:
    """Fit the critic on human poems (label 1) and the model's samples with their mean
    log-probability per token (label 0); returns it and its held-out accuracy."""
    rng = random.Random(seed)
    examples = [(features(p), 1.0) for p in human] + [(features(p), 0.0) for p, _ in machine]
    rng.shuffle(examples)
    cut = int(len(examples) * (1 - held_out))
    train, test = examples[:cut], examples[cut:]
    torch.manual_seed(seed)
    bag = torch.nn.EmbeddingBag(BUCKETS, 1, mode="sum")
    torch.nn.init.zeros_(bag.weight)
    bias = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.Adam([*bag.parameters(), bias], lr=0.02, weight_decay=weight_decay)

    def forward(batch):
        flat = torch.tensor([f for feats, _ in batch for f in feats])
        offsets = torch.tensor([0] + [len(feats) for feats, _ in batch[:-1]]).cumsum(0)
        return bag(flat, offsets)[:, 0] + bias

    for epoch in range(epochs):
        rng.shuffle(train)
        for start in range(0, len(train), 256):
            batch = train[start : start + 256]
            labels = torch.tensor([label for _, label in batch])
            loss = F.binary_cross_entropy_with_logits(forward(batch), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        accuracy = (
            sum(float((forward(test[i : i + 512]) > 0).float().eq(torch.tensor([l for _, l in test[i : i + 512]])).sum())
                for i in range(0, len(test), 512)) / max(len(test), 1)
        )
    likelihoods = [mean for _, mean in machine]
    mean = sum(likelihoods) / len(likelihoods)
    std = math.sqrt(sum((x - mean) ** 2 for x in likelihoods) / len(likelihoods)) or 1.0
    record = {"human": len(human), "machine": len(machine), "held_out_accuracy": round(accuracy, 4),
              "epochs": epochs, "seed": seed, "weight_decay": weight_decay}
    metadata = {"format": FORMAT, "likelihood": json.dumps({"mean": mean, "std": std}),
                "training": json.dumps(record, sort_keys=True)}
    critic = Critic(bag.weight.detach()[:, 0].clone(), float(bias.detach()[0]), mean, std, metadata)
    log.info("critic: %d human, %d machine poems; held-out accuracy %.3f", len(human), len(machine), accuracy)
    return critic, record


def save_critic(critic: Critic, folder: Path) -> Path:
    from safetensors.torch import save_file

    from generator.poet.weights import CRITIC_FILE

    path = Path(folder) / CRITIC_FILE
    save_file(critic.tensors(), str(path), metadata=critic.metadata)
    path.chmod(0o644)
    return path


def near_shape(lines: list[str], shape: tuple[int, ...], slack: int = 1) -> bool:
    """Whether a poem's lines are within `slack` syllables of `shape`, line by line."""
    found = counts(lines)
    return len(found) == len(shape) and all(abs(a - b) <= slack for a, b in zip(found, shape))


def build_critic(weights_dir: Path, corpus: Path, *, samples: int, shape: tuple[int, ...] = (5, 7, 5),
                 register: str = "literary", seed: int = 1234, batch: int = 256) -> dict:
    """Train the critic for the model in `weights_dir` and save it there: the corpus's
    training poems of `register` near `shape` against as many of the model's own samples
    (those that pass the filters, as the candidates it will rank)."""
    from generator.poet.corpus import load_registers, load_split
    from generator.poet.weights import load
    from generator.poet.write import Poet

    split = Path(corpus) / "train.txt"
    poems = load_split(split)
    human = [p for p, r in zip(poems, load_registers(split, len(poems))) if r == register and near_shape(p, shape)]
    if not human:
        from core.errors import AuriaError

        raise AuriaError(f"{split}: no {register} poems near the shape {'-'.join(map(str, shape))} to train the critic on")
    # Its training data are sampled as candidates are, but without a critic to rank them.
    poet = Poet(dataclasses.replace(load(weights_dir), critic=None))
    generator = torch.Generator().manual_seed(seed)
    machine: list[tuple[list[str], float]] = []
    seen: set[str] = set()
    target = samples or len(human)
    while len(machine) < target:
        drawn = poet.sample(batch, shape, register, generator)
        poet.judge(drawn, shape, seen)
        machine += [(c.lines, c.likelihood) for c in drawn if not c.problem]
        log.info("critic: %d of %d samples drawn", min(len(machine), target), target)
    critic, record = train_critic(human, machine[:target], seed=seed)
    save_critic(critic, weights_dir)
    return record
