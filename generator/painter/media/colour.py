"""Richer colour for the coloured media: dull colours gain chroma, values a gentle S-curve.

Blind viewers preferred it in 18 of 21 oil pairs and 19 of 21 watercolour pairs ("the greyer
one looks washed out"); the oil losses were an already vivid picture pushed "close to
garish", so a picture that is vivid as a whole gets less of it.
"""
from __future__ import annotations

import numpy as np

VIBRANCE = 0.35  # how much more chroma a dull colour gets
CONTRAST = 0.25  # the S-curve's strength
VIVID = 0.8  # a picture whose mean saturation nears this is vivid enough already


def enriched(paint: np.ndarray) -> np.ndarray:
    """(h, w, 3) float 0-255 -> the same picture in richer colour, (h, w, 3) float."""
    top, bottom = paint.max(axis=2, keepdims=True), paint.min(axis=2, keepdims=True)
    saturation = (top - bottom) / np.maximum(top, 1)
    dull = float(np.clip((VIVID - saturation.mean()) / 0.2, 0, 1))
    grey = paint.mean(axis=2, keepdims=True)
    paint = grey + (paint - grey) * (1 + dull * VIBRANCE * (1 - saturation))
    t = np.clip(paint / 255, 0, 1)
    curved = t + dull * CONTRAST * (t - 0.5) * (1 - np.abs(2 * t - 1))
    return np.clip(curved * 255, 0, 255)
