"""Character n-gram baseline for the poet: interpolated modified Kneser-Ney.

The benchmark reports the LSTM's bits per character next to this model's, so it has to be a
proper, normalised distribution over exactly the symbols the LSTM predicts: `ALPHABET + END`.
Each poem is scored on its own: the context before the first character is padding made of END
(which doubles as a start symbol), and END is predicted after the last character.

Smoothing is interpolated Kneser-Ney with three discounts per order (D1, D2, D3+) estimated
from count-of-counts: the "modified Kneser-Ney" of Chen & Goodman (1998), "An Empirical Study
of Smoothing Techniques for Language Modeling", Harvard TR-10-98, sections 3.5 and 4.1.6:

    P_k(w | h) = (a(hw) - D(a(hw))) / a(h.)  +  gamma(h) * P_{k-1}(w | h')
    gamma(h)   = (D1 N1(h.) + D2 N2(h.) + D3 N3+(h.)) / a(h.)

h' drops the oldest character of h; a() is the raw count at the highest order and the
continuation count N1+(.g) (how many distinct characters were seen right before g) at lower
orders; N_i(h.) is how many symbols w have a(hw) = i (3 or more for N3+). A context never
seen at level k passes the level below through unchanged. The unigram level is interpolated
with the uniform distribution over the vocabulary, so a symbol never seen in training still
gets some probability and every distribution sums to 1.

Storage: a k-gram is the integer sum of its symbol ids in base V = len(VOCAB), oldest symbol
most significant. Each level keeps sorted arrays of gram codes and context codes with their
discounted mass and back-off weight (16 bytes an entry; string-keyed dicts took ~10x more,
over 700 MB at order 8 on the 2M-character training split), and scoring looks up all
positions of all poems at once with `searchsorted`.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from generator.poet.vocab import ALPHABET, END

VOCAB = ALPHABET + END
V = len(VOCAB)
_END_ID = VOCAB.index(END)
_ALPHABET_SET = frozenset(ALPHABET)
_IDS = np.full(256, -1, dtype=np.int64)  # byte -> symbol id (the vocabulary is ASCII)
_IDS[np.frombuffer(VOCAB.encode("ascii"), dtype=np.uint8)] = np.arange(V)
MAX_ORDER = int(np.floor(63 / np.log2(V)))  # codes of MAX_ORDER symbols fit in an int64


def _check_text(text: str) -> None:
    bad = set(text) - _ALPHABET_SET
    if bad:
        raise ValueError(f"characters outside the alphabet: {sorted(bad)!r}")


def _gram_codes(texts: Iterable[str], order: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the order-grams ending at every predicted symbol, and each poem's length + 1.

    Each poem is END * (order - 1) + text + END; the predicted symbols are its characters and
    the final END, each with the order - 1 symbols before it (inside the same poem).
    """
    texts = list(texts)
    for text in texts:
        _check_text(text)
    pad = END * (order - 1)
    ids = _IDS[np.frombuffer("".join(pad + t + END for t in texts).encode("ascii"), np.uint8)]
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    # codes[i] encodes ids[i - order + 1 .. i], for every i with a full window.
    codes = np.zeros(len(ids) - order + 1, dtype=np.int64)
    for j in range(order):
        codes = codes * V + ids[j:len(ids) - order + 1 + j]
    # Drop the windows ending inside a poem's padding: codes index i holds the window ending
    # at ids[i + order - 1], and poem p's padding ends where its predicted symbols begin.
    keep = np.ones(len(codes), dtype=bool)
    starts = np.concatenate(([0], np.cumsum(lengths + order - 1)[:-1]))  # in ids
    for j in range(order - 1):
        ends_in_padding = starts + j - (order - 1)  # windows ending at padding position j
        keep[ends_in_padding[ends_in_padding >= 0]] = False  # (poem 0's have no window)
    return codes[keep], lengths


def _discounts(counts: np.ndarray) -> tuple[float, float, float]:
    """D1, D2, D3+ from the count-of-counts n1..n4 (Chen & Goodman 1998, eq. 26)."""
    n1, n2, n3, n4 = (int(x) for x in np.bincount(np.minimum(counts, 5), minlength=6)[1:5])
    y = n1 / (n1 + 2 * n2) if n1 + n2 else 0.5
    if n1 and n2 and n3 and n4:
        ds = (1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3)
    else:  # too little data for three estimates (tiny corpora): one discount, Ney's Y
        ds = (y, y, y)
    # D_i may not exceed i, the count it is taken from, and must stay positive so that every
    # context leaves some mass for the lower orders (and, at the bottom, for unseen symbols).
    return tuple(min(max(d, 0.05), float(i)) for i, d in zip((1, 2, 3), ds))


def _lookup(keys: np.ndarray, values: np.ndarray, queries: np.ndarray, default: float):
    """values[key == query] for each query, default where the key is absent."""
    idx = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    return np.where(keys[idx] == queries, values[idx], default)


class CharNgram:
    """Interpolated modified Kneser-Ney character model over ALPHABET + END."""

    def __init__(self, order: int):
        if not 1 <= order <= MAX_ORDER:
            raise ValueError(f"order must be between 1 and {MAX_ORDER}")
        self.order = order
        # Per level k = 1..order (index k-1): sorted k-gram codes with their discounted mass
        # (a(hw) - D) / a(h.), and sorted (k-1)-symbol context codes with gamma(h).
        self._levels: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.discounts: list[tuple[float, float, float]] = []

    def fit(self, texts: Iterable[str]) -> CharNgram:
        n = self.order
        codes, _ = _gram_codes(texts, n)
        if not len(codes):
            raise ValueError("no training texts")
        grams, raw = np.unique(codes, return_counts=True)  # highest order: raw counts

        counted = [(grams, raw)]  # (codes, a()) per level, highest order first
        for k in range(n - 1, 0, -1):
            # Every k-gram at a predicted position is the suffix of the (k+1)-gram there, so
            # the k-gram counts marginalise the level above over its oldest symbol...
            lower, inv = np.unique(grams % V**k, return_inverse=True)
            lower_raw = np.bincount(inv, weights=raw).astype(np.int64)
            # ...and its continuation count N1+(.g) is how many distinct (k+1)-grams end in g.
            cont = np.bincount(inv)
            # Grams that start in the padding (with END: elsewhere END is only the last symbol)
            # can only be preceded by more padding, so, like <s> n-grams in KenLM, they keep
            # their raw counts: the continuation count would be 1 for all of them.
            starts_padded = (lower // V ** (k - 1) == _END_ID) if k > 1 else False
            counted.append((lower, np.where(starts_padded, lower_raw, cont)))
            grams, raw = lower, lower_raw
        counted.reverse()  # index k-1 holds level k

        self._levels, self.discounts = [], []
        for gram_codes, a in counted:
            d = _discounts(a)
            discount = np.choose(np.minimum(a, 3) - 1, d)
            contexts, ctx = np.unique(gram_codes // V, return_inverse=True)
            total = np.bincount(ctx, weights=a)
            gamma = np.bincount(ctx, weights=discount) / total
            mass = (a - discount) / total[ctx]
            self._levels.append((gram_codes, mass, contexts, gamma))
            self.discounts.append(d)
        return self

    def _probs(self, codes: np.ndarray) -> np.ndarray:
        """p(last symbol | the order-1 before it) for each order-gram code."""
        if not self._levels:
            raise RuntimeError("model is not fitted")
        p = np.full(len(codes), 1.0 / V)
        for k, (gram_codes, mass, contexts, gamma) in enumerate(self._levels, start=1):
            grams = codes % V**k
            # An unseen context has no grams either: mass 0 and weight 1 leave p as it was.
            p = _lookup(gram_codes, mass, grams, 0.0) + _lookup(contexts, gamma, grams // V, 1.0) * p
        return p

    def prob(self, context: str, symbol: str) -> float:
        """p(symbol | the poem so far); context is the preceding characters of the poem."""
        if len(symbol) != 1 or symbol not in VOCAB:
            raise ValueError(f"symbol {symbol!r} is not in the vocabulary")
        _check_text(context)
        history = (END * (self.order - 1) + context)[len(context):]  # the last order-1
        code = 0
        for ch in history + symbol:
            code = code * V + VOCAB.index(ch)
        return float(self._probs(np.array([code], dtype=np.int64))[0])

    def log2_prob_text(self, text: str) -> float:
        """log2 p(text + END), each symbol predicted from the poem before it."""
        codes, _ = _gram_codes([text], self.order)
        return float(np.log2(self._probs(codes)).sum())

    def bits_per_char(self, texts: Iterable[str]) -> float:
        """Mean -log2 p over all predicted symbols, the END of each poem included."""
        codes, _ = _gram_codes(texts, self.order)
        if not len(codes):
            raise ValueError("no texts to score")
        return float(-np.log2(self._probs(codes)).sum() / len(codes))


def tune_order(
    train_texts: Iterable[str],
    valid_texts: Iterable[str],
    orders: Iterable[int] = range(2, 9),
) -> tuple[int, dict[int, float], CharNgram]:
    """Fit each order on train, score on validation; (best order, {order: BPC}, best model)."""
    train, valid = list(train_texts), list(valid_texts)
    table: dict[int, float] = {}
    best: CharNgram | None = None
    for order in orders:
        model = CharNgram(order).fit(train)
        table[order] = model.bits_per_char(valid)
        if best is None or table[order] < table[best.order]:
            best = model  # only the best model stays alive, for memory
    if best is None:
        raise ValueError("no orders to try")
    return best.order, table, best
