import math
import random
from collections import Counter, defaultdict

import numpy as np
import pytest

from generator.poet.ngram import VOCAB, CharNgram, _discounts, tune_order
from generator.poet.vocab import ALPHABET, END

WORDS = ["moon", "pond", "frog", "snow", "old", "crow", "light", "rain", "leaf", "wind"]


def toy_poems(n: int, seed: int) -> list[str]:
    """Three short lines of random words: word-level regularity a char model can learn."""
    rng = random.Random(seed)
    lines = lambda: " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
    return ["\n".join(lines() for _ in range(3)) for _ in range(n)]


TRAIN, HELD_OUT = toy_poems(300, seed=1), toy_poems(60, seed=2)


def reference_prob(texts, order, discounts, context, symbol):
    """Modified KN written out directly from the definitions, on strings, for checking."""
    history = (END * (order - 1) + context)[-(order - 1):] if order > 1 else ""
    counts = []  # a() per level k = 1..order
    for k in range(1, order + 1):
        raw, left = Counter(), defaultdict(set)
        for text in texts:
            padded = END * (order - 1) + text + END
            for i in range(order - 1, len(padded)):
                gram = padded[i - k + 1:i + 1]
                raw[gram] += 1
                if k < order:
                    left[gram].add(padded[i - k])
        top_or_padded = lambda g: k == order or (k > 1 and g[0] == END)
        counts.append({g: c if top_or_padded(g) else len(left[g]) for g, c in raw.items()})
    p = 1 / len(VOCAB)
    for k in range(1, order + 1):
        h = history[len(history) - (k - 1):] if k > 1 else ""
        seen = {g[-1]: a for g, a in counts[k - 1].items() if g[:-1] == h}
        if seen:
            d = lambda a: discounts[k - 1][min(a, 3) - 1]
            total = sum(seen.values())
            gamma = sum(d(a) for a in seen.values()) / total
            a = seen.get(symbol, 0)
            p = (a - d(a) if a else 0) / total + gamma * p
    return p


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_matches_reference_implementation(order):
    texts = TRAIN[:40]
    model = CharNgram(order).fit(texts)
    for context in ["", "m", "moon", "old crow\nra", "zq", "frog\n"]:
        for symbol in "mo n\nzq" + END:
            expected = reference_prob(texts, order, model.discounts, context, symbol)
            assert model.prob(context, symbol) == pytest.approx(expected, rel=1e-12)


def test_discounts_follow_chen_goodman():
    counts = [1] * 10 + [2] * 5 + [3] * 3 + [4] * 2 + [9] * 7  # n1..n4 = 10, 5, 3, 2
    y = 10 / (10 + 2 * 5)
    expected = (1 - 2 * y * 5 / 10, 2 - 3 * y * 3 / 5, 3 - 4 * y * 2 / 3)
    assert _discounts(np.array(counts)) == pytest.approx(expected)


@pytest.mark.parametrize("order", [1, 2, 3, 5, 8])
def test_probabilities_sum_to_one_over_vocabulary(order):
    model = CharNgram(order).fit(TRAIN)
    seen = ["", "m", "moon po", "old crow\nrain", TRAIN[0], TRAIN[5][:7]]
    unseen = ["zzz", "qx", "jjjjjjjjjjj", "moon!?", "\n\n", "old-crow;'"]
    for context in seen + unseen:
        probs = [model.prob(context, symbol) for symbol in VOCAB]
        assert all(p > 0 for p in probs)  # even "z", never seen in training
        assert math.fsum(probs) == pytest.approx(1.0, abs=1e-9)


def test_beats_uniform_on_held_out_text():
    model = CharNgram(3).fit(TRAIN)
    assert model.bits_per_char(HELD_OUT) < math.log2(len(VOCAB)) - 1.0


def test_higher_order_helps_with_long_range_regularity():
    # Each word is fixed once its first two letters are known: a trigram context can't see
    # that far into long words, a 6-gram can.
    bpc = {order: CharNgram(order).fit(TRAIN).bits_per_char(HELD_OUT) for order in (2, 6)}
    assert bpc[6] < bpc[2] - 0.3


def test_tune_order_picks_the_lowest_validation_bpc():
    orders = [1, 2, 4, 6]
    best, table, model = tune_order(TRAIN, HELD_OUT, orders)
    assert sorted(table) == orders
    assert best == min(table, key=table.get)
    assert model.order == best
    assert model.bits_per_char(HELD_OUT) == table[best]


def test_bits_per_char_counts_end():
    model = CharNgram(3).fit(TRAIN)
    text = HELD_OUT[0]
    by_symbol = sum(math.log2(model.prob(text[:i], s)) for i, s in enumerate(text + END))
    assert model.log2_prob_text(text) == pytest.approx(by_symbol, rel=1e-12)
    assert model.bits_per_char([text]) == pytest.approx(-by_symbol / (len(text) + 1))
    # Two poems: total bits over total predicted symbols, one END per poem.
    pair = HELD_OUT[:2]
    total = sum(-model.log2_prob_text(t) for t in pair)
    assert model.bits_per_char(pair) == pytest.approx(total / sum(len(t) + 1 for t in pair))


def test_poems_are_scored_independently():
    # No context crosses from one poem into the next: each starts from END padding.
    model = CharNgram(4).fit(TRAIN)
    poems = ["old", "moon"]
    assert model.log2_prob_text("moon") == pytest.approx(
        sum(math.log2(model.prob("moon"[:i], s)) for i, s in enumerate("moon" + END))
    )
    total = -model.log2_prob_text("old") - model.log2_prob_text("moon")
    assert model.bits_per_char(poems) == pytest.approx(total / (4 + 5))


def test_deterministic():
    a, b = CharNgram(5).fit(TRAIN), CharNgram(5).fit(list(TRAIN))
    assert a.bits_per_char(HELD_OUT) == b.bits_per_char(HELD_OUT)
    assert a.discounts == b.discounts
    assert a.prob("old cr", "o") == b.prob("old cr", "o")


def test_rejects_symbols_outside_the_alphabet():
    model = CharNgram(3).fit(TRAIN)
    assert set(ALPHABET) < set(VOCAB) and len(VOCAB) == len(ALPHABET) + 1
    with pytest.raises(ValueError):
        CharNgram(3).fit(["Moon"])
    with pytest.raises(ValueError):
        model.prob("moon", "é")
    with pytest.raises(ValueError):
        model.bits_per_char(["pond" + END])
    with pytest.raises(ValueError):
        CharNgram(0)
