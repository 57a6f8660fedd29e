"""Watercolour: line and wash. Transparent washes over white paper, and a light pen line.

Hertzmann's "colorist wash" (large radii, half-transparent strokes) gives the brushwork,
glazed as watercolour dries (washes.py: dark wet rims, granulation, wandering edges, layers
that multiply). The lightest parts are never painted: the white is the paper's. A thin
sepia line along the crest of the strongest edges, as in line-and-wash, keeps the subject
readable where the washes soften it. The colour is then enriched (colour.py): without it,
viewers found watercolour "washed out".
"""
from __future__ import annotations

import numpy as np

from generator.painter.media.paper import cold_press
from generator.painter.media.strokes import Brush, unit_of
from generator.painter.media.colour import enriched
from generator.painter.media.washes import crest_lines, glaze

BRUSHES = (
    Brush(radius=24, threshold=0, alpha=0.55, min_length=3, max_length=9, curvature=0.6, blur=0.8),
    Brush(radius=11, threshold=30, alpha=0.55, min_length=2, max_length=10, curvature=0.8, blur=0.6),
    Brush(radius=5, threshold=34, alpha=0.6, min_length=2, max_length=8, curvature=0.9, blur=0.5, most=9000),
    Brush(radius=2.4, threshold=40, alpha=0.75, min_length=1, max_length=6, curvature=1.0, blur=0.5, most=12000),
)
LIGHTEN = 0.12  # watercolour keeps its values high: the paper glows through every wash
PAPER = np.array((250, 247, 239), np.float32)  # a warm white sheet
EDGE = 1.4  # pigment gathered at a wash's rim
GRAIN = 0.12  # pigment caught by the paper's tooth (more speckles the dark washes)
SEPIA = np.array((74, 52, 40), np.float32)  # the pen line's ink
# the pen line's spread either side of its crest, px at 1080 px: finer than ink's brush line.
# Three viewers preferred it to short pen strokes laid along the edges in 14 of 18 pairs
# (those left "heavy brown blotches" round a figure); the losses: far hills it outlined
# ("the softer, unlined hills")
LINE = 1.0
# the faintest edge the pen follows: things, not the soft rims of clouds, which viewers
# found "cartoonish dark outlines" on a storm sky; preferred in 12 of 18 pairs (the losses:
# a street's windows, "crisper" with every line)
LINE_LEAST = 7.0


def paint_watercolour(source: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(h, w, 3) float 0-255 -> the same picture in watercolour, (h, w, 3) float."""
    h, w, _ = source.shape
    tooth = cold_press(rng, w, h)
    paper = np.broadcast_to(PAPER * (1 + 0.025 * tooth[..., None]), (h, w, 3)).copy()
    painted = 255 - (255 - source) * (1 - LIGHTEN)
    washed = glaze(painted, paper, tooth, BRUSHES, rng, edge=EDGE, grain=GRAIN)
    return enriched(crest_lines(washed, source, tooth, rng, unit_of(source), SEPIA, LINE, least=LINE_LEAST))
