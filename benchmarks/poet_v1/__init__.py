"""Auria's first poet, a character-level LSTM (weights of 2026-11-25, MODEL_CARD.md beside
them), kept beside the benchmarks so that `poet_quality.py` can measure the shipped poet
against it on the same text. A frozen copy of that poet's model and decoder: it is not
used by the product and is not meant to change, which is why it repeats a little of the
current poet's code rather than sharing it."""
