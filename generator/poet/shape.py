"""A haiku's shape: syllables per line, written "5-7-5".

The one rule for reading a shape, used by the poet (``parse_shape``) and by the
configuration (``poet.shape``); it imports nothing heavy, so the daemon can check its
config without loading torch.
"""
from __future__ import annotations

MAX_SYLLABLES = 16  # per line: the model's limit
MAX_LINES = 5


def shape_counts(text: object) -> tuple[int, ...] | None:
    """'5-7-5' -> (5, 7, 5): whole numbers in ASCII digits joined by '-'; None for anything else."""
    if not isinstance(text, str):
        return None
    parts = text.split("-")
    if not all(part.isascii() and part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def within_limits(shape: tuple[int, ...], max_syllables: int = MAX_SYLLABLES, max_lines: int = MAX_LINES) -> bool:
    """Whether the model can write it: 1 to max_lines lines of 1 to max_syllables syllables."""
    return 1 <= len(shape) <= max_lines and all(1 <= n <= max_syllables for n in shape)
