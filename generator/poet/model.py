"""The poet's language model: a word LSTM conditioned on each line's syllable count and on
the register it writes in.

Following the haikurnn idea, the target shape enters the recurrent state twice:
- the initial hidden and cell states are a projection of the whole shape (e.g. 5-7-5) and
  of the register (literary haiku, social-media haiku, or the verse it was pretrained on),
- at every step the input carries, next to the word, how many syllables the current line
  still needs after it and how many lines follow it.
Every token is a whole dictionary word (tokens.py), so the syllables left are exact and
the decoder can hold each line to its count. Input and output embeddings are tied (Press &
Wolf 2017): it halves the parameters and helps a small corpus.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

from generator.poet.tokens import Vocabulary

REGISTERS = ("literary", "social", "verse")


@dataclass
class PoetModelConfig:
    vocab_size: int = 16012
    embed: int = 256
    syllable_embed: int = 16
    lines_embed: int = 8
    register_embed: int = 8
    hidden: int = 512
    layers: int = 2
    dropout: float = 0.3
    max_syllables: int = 16  # per line; larger targets are clipped
    max_lines: int = 5

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "PoetModelConfig":
        return cls(**json.loads(text))


class PoetLSTM(nn.Module):
    def __init__(self, config: PoetModelConfig):
        super().__init__()
        self.config = c = config
        self.embedding = nn.Embedding(c.vocab_size, c.embed)
        self.syllables_left_embedding = nn.Embedding(c.max_syllables + 1, c.syllable_embed)
        self.lines_left_embedding = nn.Embedding(c.max_lines, c.lines_embed)
        self.register_embedding = nn.Embedding(len(REGISTERS), c.register_embed)
        self.shape_to_state = nn.Linear(2 * c.max_lines + c.register_embed, 2 * c.layers * c.hidden)
        self.lstm = nn.LSTM(
            c.embed + c.syllable_embed + c.lines_embed,
            c.hidden,
            num_layers=c.layers,
            dropout=c.dropout if c.layers > 1 else 0.0,
            batch_first=True,
        )
        self.dropout = nn.Dropout(c.dropout)
        self.to_embed = nn.Linear(c.hidden, c.embed)
        self.output_bias = nn.Parameter(torch.zeros(c.vocab_size))

    def initial_state(self, shapes: torch.Tensor, registers: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """shapes: (batch, max_lines) syllable targets, 0 for absent lines; registers: (batch,)."""
        c = self.config
        present = (shapes > 0).float()
        vector = torch.cat([shapes.float() / c.max_syllables, present, self.register_embedding(registers)], dim=1)
        state = torch.tanh(self.shape_to_state(vector))
        state = state.view(-1, 2, c.layers, c.hidden).permute(1, 2, 0, 3).contiguous()
        return state[0], state[1]

    def forward(self, tokens, syllables_left, lines_left, state):
        """tokens, syllables_left, lines_left: (batch, time) ints -> logits (batch, time, vocab), state."""
        c = self.config
        x = torch.cat(
            [
                self.embedding(tokens),
                self.syllables_left_embedding(syllables_left.clamp(0, c.max_syllables)),
                self.lines_left_embedding(lines_left.clamp(0, c.max_lines - 1)),
            ],
            dim=-1,
        )
        out, state = self.lstm(self.dropout(x), state)
        return self.logits(self.dropout(out)), state

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        return F.linear(self.to_embed(hidden), self.embedding.weight, self.output_bias)


def conditioning(ids: list[int], shape: tuple[int, ...], vocab: Vocabulary) -> tuple[list[int], list[int], list[int], list[int]]:
    """Inputs, syllables-left, lines-left and targets for one poem's token ids (no END).

    Position t reads token t (END first) and predicts token t+1 (END last); its
    syllables-left is what the line still needs after token t, exactly what the decoder
    knows when it chooses token t+1.
    """
    inputs = [vocab.end] + ids
    syllables_left, lines_left = [], []
    line, used = 0, 0
    for token in inputs:
        if token == vocab.br:
            line, used = line + 1, 0
        else:
            used += vocab.syllables[token]
        target = shape[line] if line < len(shape) else 0
        syllables_left.append(max(target - used, 0))
        lines_left.append(max(len(shape) - 1 - line, 0))
    return inputs, syllables_left, lines_left, ids + [vocab.end]


def shape_of(ids: list[int], vocab: Vocabulary) -> tuple[int, ...]:
    """Syllables per line of token ids, counted as `conditioning` counts them."""
    counts = [0]
    for token in ids:
        if token == vocab.br:
            counts.append(0)
        else:
            counts[-1] += vocab.syllables[token]
    return tuple(counts)


def sequence_loss(model: nn.Module, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
    """Summed cross-entropy (nats) over the batch's real targets, and how many there were."""
    core = getattr(model, "module", model)  # DistributedDataParallel wraps the model
    state = core.initial_state(batch["shapes"], batch["registers"])
    logits, _ = model(batch["inputs"], batch["syllables_left"], batch["lines_left"], state)
    loss = F.cross_entropy(
        logits.reshape(-1, logits.size(-1)), batch["targets"].reshape(-1), ignore_index=-1, reduction="sum"
    )
    return loss, int((batch["targets"] >= 0).sum())


def token_log_probs(model: PoetLSTM, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """log p of every target (nats), 0 at padding: (batch, time)."""
    state = model.initial_state(batch["shapes"], batch["registers"])
    logits, _ = model(batch["inputs"], batch["syllables_left"], batch["lines_left"], state)
    targets = batch["targets"].clamp(min=0)
    picked = torch.log_softmax(logits.float(), dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return picked * (batch["targets"] >= 0)


def make_batch(examples: list[tuple], max_lines: int, device: str | torch.device = "cpu") -> dict[str, torch.Tensor]:
    """Pad a list of (inputs, syllables_left, lines_left, targets, shape, register) to one batch."""
    length = max(len(e[0]) for e in examples)
    size = len(examples)
    inputs = torch.zeros(size, length, dtype=torch.long)
    syllables_left = torch.zeros(size, length, dtype=torch.long)
    lines_left = torch.zeros(size, length, dtype=torch.long)
    targets = torch.full((size, length), -1, dtype=torch.long)
    shapes = torch.zeros(size, max_lines, dtype=torch.long)
    registers = torch.zeros(size, dtype=torch.long)
    for row, (inp, syl, lin, tgt, shape, register) in enumerate(examples):
        n = len(inp)
        inputs[row, :n] = torch.tensor(inp)
        syllables_left[row, :n] = torch.tensor(syl)
        lines_left[row, :n] = torch.tensor(lin)
        targets[row, :n] = torch.tensor(tgt)
        shapes[row, : len(shape)] = torch.tensor(shape[:max_lines])
        registers[row] = register
    batch = dict(inputs=inputs, syllables_left=syllables_left, lines_left=lines_left, targets=targets,
                 shapes=shapes, registers=registers)
    return {k: v.to(device) for k, v in batch.items()}
