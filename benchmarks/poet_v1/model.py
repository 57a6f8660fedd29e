"""The poet's language model: a character LSTM conditioned on each line's syllable count.

Following the haikurnn idea, the target shape enters the recurrent state twice:
- the initial hidden and cell states are a projection of the whole shape (e.g. 5-7-5),
- at every step the input carries, next to the character, how many syllables the current
  line still needs (counting completed words) and how many lines follow it.
So one network writes 5-7-5, 3-5-3 or any other shape, and the decoder can hold each line
to its count exactly.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

from generator.poet.syllables import count_word
from generator.poet.vocab import ALPHABET, END, NEWLINE

# Symbol 0 is END: it starts every poem (as the first input) and ends it (as the last target).
SYMBOLS = END + ALPHABET
SYMBOL_ID = {ch: i for i, ch in enumerate(SYMBOLS)}
WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz'")
_WORDS = re.compile(r"[a-z']+")


@dataclass
class PoetModelConfig:
    vocab_size: int = len(SYMBOLS)
    char_embed: int = 48
    syllable_embed: int = 16
    lines_embed: int = 8
    hidden: int = 384
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
        self.config = config
        c = config
        self.char_embedding = nn.Embedding(c.vocab_size, c.char_embed)
        self.syllables_left_embedding = nn.Embedding(c.max_syllables + 1, c.syllable_embed)
        self.lines_left_embedding = nn.Embedding(c.max_lines, c.lines_embed)
        self.shape_to_state = nn.Linear(2 * c.max_lines, 2 * c.layers * c.hidden)
        self.lstm = nn.LSTM(
            c.char_embed + c.syllable_embed + c.lines_embed,
            c.hidden,
            num_layers=c.layers,
            dropout=c.dropout if c.layers > 1 else 0.0,
            batch_first=True,
        )
        self.dropout = nn.Dropout(c.dropout)
        self.head = nn.Linear(c.hidden, c.vocab_size)

    def shape_vector(self, shapes: torch.Tensor) -> torch.Tensor:
        """(batch, max_lines) syllable targets, 0 for absent lines -> (batch, 2*max_lines)."""
        present = (shapes > 0).float()
        return torch.cat([shapes.float() / self.config.max_syllables, present], dim=1)

    def initial_state(self, shapes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        c = self.config
        state = torch.tanh(self.shape_to_state(self.shape_vector(shapes)))
        state = state.view(-1, 2, c.layers, c.hidden).permute(1, 2, 0, 3).contiguous()
        return state[0], state[1]

    def forward(self, chars, syllables_left, lines_left, state):
        """chars, syllables_left, lines_left: (batch, time) ints -> logits, new state."""
        x = torch.cat(
            [
                self.char_embedding(chars),
                self.syllables_left_embedding(syllables_left.clamp(0, self.config.max_syllables)),
                self.lines_left_embedding(lines_left.clamp(0, self.config.max_lines - 1)),
            ],
            dim=-1,
        )
        out, state = self.lstm(self.dropout(x), state)
        return self.head(self.dropout(out)), state


def shape_of(text: str) -> tuple[int, ...]:
    """Syllables per line, counting words exactly as `conditioning` does."""
    return tuple(sum(count_word(w) for w in _WORDS.findall(line)) for line in text.split(NEWLINE))


def conditioning(text: str, shape: tuple[int, ...]) -> tuple[list[int], list[int], list[int], list[int]]:
    """Inputs, syllables-left, lines-left and targets for one poem.

    Position t reads symbol t (END first) and predicts symbol t+1 (END last). The
    syllables-left feature at t counts only words completed up to and including symbol t,
    which is exactly what the decoder knows when it samples symbol t+1.
    """
    symbols = [0] + [SYMBOL_ID[ch] for ch in text] + [0]
    inputs, syllables_left, lines_left = [], [], []
    line, used, word = 0, 0, ""
    for i, ch in enumerate(END + text):
        if ch in WORD_CHARS:
            word += ch
        else:
            if word:
                used += count_word(word)
                word = ""
            if ch == NEWLINE:
                line, used = line + 1, 0
        inputs.append(symbols[i])
        syllables_left.append(max(shape[line] - used, 0) if line < len(shape) else 0)
        lines_left.append(len(shape) - 1 - line)
    return inputs, syllables_left, lines_left, symbols[1:]


def sequence_loss(model: PoetLSTM, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
    """Summed cross-entropy (nats) over the batch's real targets, and how many there were."""
    state = model.initial_state(batch["shapes"])
    logits, _ = model(batch["inputs"], batch["syllables_left"], batch["lines_left"], state)
    loss = F.cross_entropy(
        logits.reshape(-1, logits.size(-1)), batch["targets"].reshape(-1), ignore_index=-1, reduction="sum"
    )
    return loss, int((batch["targets"] >= 0).sum())


def make_batch(examples: list[tuple], max_lines: int, device: str | torch.device = "cpu") -> dict[str, torch.Tensor]:
    """Pad a list of (inputs, syllables_left, lines_left, targets, shape) to one batch."""
    length = max(len(e[0]) for e in examples)
    size = len(examples)
    inputs = torch.zeros(size, length, dtype=torch.long)
    syllables_left = torch.zeros(size, length, dtype=torch.long)
    lines_left = torch.zeros(size, length, dtype=torch.long)
    targets = torch.full((size, length), -1, dtype=torch.long)
    shapes = torch.zeros(size, max_lines, dtype=torch.long)
    for row, (inp, syl, lin, tgt, shape) in enumerate(examples):
        n = len(inp)
        inputs[row, :n] = torch.tensor(inp)
        syllables_left[row, :n] = torch.tensor(syl)
        lines_left[row, :n] = torch.tensor(lin)
        targets[row, :n] = torch.tensor(tgt)
        shapes[row, : len(shape)] = torch.tensor(shape[:max_lines])
    batch = dict(inputs=inputs, syllables_left=syllables_left, lines_left=lines_left, targets=targets, shapes=shapes)
    return {k: v.to(device) for k, v in batch.items()}


class Stepper:
    """One-symbol-at-a-time inference for the decoder, several times faster than calling the
    nn.LSTM with sequences of length 1.

    The first layer's input is the concatenation of three embeddings, so its input
    projection splits into three lookup tables computed once; each step is then a few
    matrix-vector products. Dropout is off (inference only); results match `forward`.
    """

    def __init__(self, model: PoetLSTM):
        c = model.config
        lstm = model.lstm
        with torch.no_grad():
            w_ih0 = lstm.weight_ih_l0
            a, b = c.char_embed, c.char_embed + c.syllable_embed
            bias0 = lstm.bias_ih_l0 + lstm.bias_hh_l0
            self.char_table = model.char_embedding.weight @ w_ih0[:, :a].T + bias0
            self.syllables_table = model.syllables_left_embedding.weight @ w_ih0[:, a:b].T
            self.lines_table = model.lines_left_embedding.weight @ w_ih0[:, b:].T
            self.w_hh = [getattr(lstm, f"weight_hh_l{k}").T.contiguous() for k in range(c.layers)]
            self.w_ih = [None] + [getattr(lstm, f"weight_ih_l{k}").T.contiguous() for k in range(1, c.layers)]
            self.bias = [None] + [
                getattr(lstm, f"bias_ih_l{k}") + getattr(lstm, f"bias_hh_l{k}") for k in range(1, c.layers)
            ]
            self.head_w = model.head.weight.T.contiguous()
            self.head_b = model.head.bias.clone()
        self.config = c

    @torch.no_grad()
    def __call__(self, symbol: int, syllables_left: int, lines_left: int, state):
        """state: (h, c) as from PoetLSTM.initial_state, shape (layers, 1, hidden)."""
        c = self.config
        h, cell = state
        new_h, new_c = [], []
        x = None
        for k in range(c.layers):
            if k == 0:
                gates = (
                    self.char_table[symbol]
                    + self.syllables_table[min(max(syllables_left, 0), c.max_syllables)]
                    + self.lines_table[min(max(lines_left, 0), c.max_lines - 1)]
                ).unsqueeze(0)
            else:
                gates = torch.addmm(self.bias[k], x, self.w_ih[k])
            gates = torch.addmm(gates, h[k], self.w_hh[k])
            i, f, g, o = gates.chunk(4, dim=1)  # PyTorch's gate order
            c_k = torch.sigmoid(f) * cell[k] + torch.sigmoid(i) * torch.tanh(g)
            x = torch.sigmoid(o) * torch.tanh(c_k)
            new_h.append(x)
            new_c.append(c_k)
        logits = torch.addmm(self.head_b, x, self.head_w)[0]
        return logits, (torch.stack(new_h), torch.stack(new_c))
