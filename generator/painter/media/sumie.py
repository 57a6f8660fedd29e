"""Sumi-e: ink and wash on rice paper, with at most one accent colour and the painter's seal.

The picture becomes values of one ink: its light parts are left as bare paper (the empty
space is half of an ink painting), the rest is laid in as diluted washes, light to dark
(the watercolour glazes, in grey), and then the outlines of things are drawn in dense ink:
a line along the crest of each strong edge, broken by the paper's fibres. Warm, saturated
spots of the picture (a sun, a lantern, maple leaves, a blossom) keep one vermilion accent,
if they are small enough to be an accent; a red seal signs the picture in the quieter
bottom corner.
"""
from __future__ import annotations

import numpy as np
import skia

from generator.painter.media.paper import rice_paper
from generator.painter.media.strokes import Brush, blurred_field, luminance, surface_of, unit_of
from generator.painter.media.washes import crest_lines, glaze

PAPER = np.array((240, 233, 215), np.float32)  # unbleached xuan paper
INK = np.array((28, 26, 30), np.float32)  # pine-soot ink, a little cool
VERMILION = np.array((196, 58, 36), np.float32)
BRUSHES = (
    Brush(radius=22, threshold=0, alpha=0.5, min_length=3, max_length=8, curvature=0.6, blur=0.8),
    Brush(radius=9, threshold=28, alpha=0.55, min_length=2, max_length=10, curvature=0.85, blur=0.6, most=6000),
    Brush(radius=4, threshold=34, alpha=0.65, min_length=2, max_length=10, curvature=0.95, blur=0.5, most=12000),
)
FAINTEST = 0.06  # ink density below this is left as paper, and up to twice it fades in
BARE = 0.45  # the share of the picture, its lightest, left as bare paper
PALEST = 228  # the palest ink wash laid (0-255 value): paler stains read as dirt, not ink
ACCENT_MAX = 0.06  # a warm area larger than this share of the picture is no accent
CONTOUR_WIDTH = 1.6  # px at 1080 px: the spread of the contour's line either side of its crest
BROAD = 0.65  # how much of the broad gradients (a sky darkening upwards) is taken out of the ink


def paint_sumie(source: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(h, w, 3) float 0-255 -> the same picture in ink, (h, w, 3) float."""
    h, w, _ = source.shape
    unit = unit_of(source)
    fibres = rice_paper(rng, w, h)
    accent = _accent_mask(source)
    density = _density(source)
    density *= 1 - 0.85 * accent  # the accent is painted in colour, not in ink
    # Washed in values only (grey on white), then toned from ink to paper: layered ink
    # darkens, but never shifts hue the way three separately glazed channels would.
    grey = np.repeat(255 * (1 - density[..., None]), 3, axis=2)
    white = np.repeat(255 * (1 + 0.03 * fibres[..., None]), 3, axis=2)
    value = glaze(grey, white, fibres, BRUSHES, rng, edge=0.8, grain=0.5, white=PALEST)[..., :1] / 255
    result = INK + (PAPER - INK) * np.clip(value, 0, 1.1)
    # the outlines from the picture itself, not from its ink values: a white tablecloth or
    # wall is bare paper in ink, and only its outline shows it
    result = crest_lines(result, source, fibres, rng, unit, INK, CONTOUR_WIDTH, lights=True)
    if accent.any():
        a = blurred_field(accent, 1.5 * unit)[..., None]
        result = result * (1 - a * 0.85 * (1 - VERMILION / 255))
    return _seal(result, density, rng, unit)


def _density(source: np.ndarray) -> np.ndarray:
    """Ink density 0-1 from the picture's values, relative to the picture itself.

    The lighter part of any picture (BARE, by area) is left as paper, so a night scene is
    not one grey wash and a pale day scene is not all bare; the darkest point is full ink.
    """
    dark = 1 - luminance(source) / 255
    # Ink paints things, not the light: broad gradients (a sky darkening upwards) are
    # mostly taken out, so the sky stays paper and shapes keep their ink.
    dark = np.clip(dark - BROAD * blurred_field(dark, 0.08 * max(source.shape)), 0, 1)
    lo, hi = np.percentile(dark, (BARE * 100, 99.5))
    relative = np.clip((dark - lo) / max(hi - lo, 0.05), 0, 1)
    absolute = np.clip((dark - 0.08) / 0.5, 0, 1)  # and a black shape is ink however light the rest
    ink = (0.5 * relative + 0.5 * absolute) * (relative > 0)
    # Dense ink for what is near and dark, pale washes for the rest: a smooth S-curve, so a
    # figure is painted in one dark stroke rather than a grey fill inside an outline ("stiff").
    ink = ink * ink * (3 - 2 * ink)
    # The faintest tones are bare paper: washed in, the brush carried them out as stray pale
    # squiggles ("an odd branch-like smudge beside the man"); three viewers chose the ink
    # without them 23 of 30 times.
    return ink * np.clip((ink - FAINTEST) / FAINTEST, 0, 1)


def _accent_mask(source: np.ndarray) -> np.ndarray:
    """Where the picture is warm and saturated (reds to oranges), if that is a small part of it."""
    top, bottom = source.max(axis=2), source.min(axis=2)
    saturation = (top - bottom) / np.maximum(top, 1)
    r, g, b = source[..., 0], source[..., 1], source[..., 2]
    # reds to oranges, and yellower only when vivid (a flame): a dull sand-coloured field
    # (g/r 0.79, saturation 0.5) came out as a vermilion band across the picture
    warm = (r >= top - 1) & (b < r * 0.6) & ((g < r * 0.72) | ((g < r * 0.8) & (saturation > 0.6)))
    for least in (0.45, 0.6, 0.75, 0.9):  # the most saturated spots, if warmth is everywhere
        mask = (warm & (saturation > least) & (top > 90)).astype(np.float32)
        if mask.mean() <= ACCENT_MAX:
            return mask
    return np.zeros_like(mask)


def _seal(result: np.ndarray, density: np.ndarray, rng: np.random.Generator, unit: float) -> np.ndarray:
    """A square vermilion seal with a carved seal-script glyph, in the emptier bottom corner."""
    h, w, _ = result.shape
    side = int(round(54 * unit))
    margin = int(round(46 * unit))
    left = density[int(h * 0.7):, : w // 3].mean() < density[int(h * 0.7):, -w // 3:].mean()
    x0 = margin if left else w - margin - side
    y0 = h - margin - side
    stamp = np.zeros((side, side, 4), np.uint8)
    canvas = surface_of(stamp).getCanvas()
    canvas.drawRRect(skia.RRect.MakeRectXY(skia.Rect(1, 1, side - 1, side - 1), side * 0.08, side * 0.08),
                     skia.Paint(AntiAlias=True, Color=0xFFFFFFFF))
    carve = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=side * 0.07,
                       StrokeCap=skia.Paint.kSquare_Cap, Color=0xFFFFFFFF, BlendMode=skia.BlendMode.kClear)
    grid = np.linspace(side * 0.22, side * 0.78, 3)
    for _ in range(5):  # a few straight strokes between grid points, as seal script is cut
        (i0, j0), (i1, j1) = rng.integers(0, 3, (2, 2))
        if (i0, j0) != (i1, j1) and (i0 == i1 or j0 == j1):
            canvas.drawLine(float(grid[i0]), float(grid[j0]), float(grid[i1]), float(grid[j1]), carve)
    canvas.drawRect(skia.Rect(side * 0.14, side * 0.14, side * 0.86, side * 0.86),
                    skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=side * 0.05,
                               BlendMode=skia.BlendMode.kClear))
    worn = rng.random((side, side), dtype=np.float32) > 0.12  # the paste does not take everywhere
    alpha = (stamp[..., 3].astype(np.float32) / 255 * worn * 0.9)[..., None]
    patch = result[y0:y0 + side, x0:x0 + side]
    result[y0:y0 + side, x0:x0 + side] = patch * (1 - alpha * (1 - VERMILION / 255))
    return result
