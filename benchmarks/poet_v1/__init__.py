"""Auria's first poet, a character-level LSTM (weights of 2026-11-25), kept beside the
benchmarks so that `poet_quality.py` can measure the new poet against it on the same text."""
