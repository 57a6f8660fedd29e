"""Oil and impasto: opaque curved strokes, coarse to fine, with bristle ridges lit from above left.

Hertzmann's "impressionist" layers (full opacity, short curved strokes, each finer brush
repainting only where the picture still differs), with a broader first brush so the big
masses read as blocked in with a loaded brush, and a finest one of about 2 px for edges.
The broad strokes are laid as tracks of bristles, each a little lighter or darker and each
lifting off at its own point, as a loaded round brush drags (``_bristles``). Each stroke is
also drawn into a relief map with a random thickness and its heading; the bristles are then
combed into the relief along each stroke's heading, and the relief's slopes shade the paint
as raised impasto catches the light. A linen weave shows through faintly, the light falls
off a little towards the corners, and dull colours are enriched.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from generator.painter.media.colour import enriched
from generator.painter.media.paper import canvas_weave
from generator.painter.media.strokes import (Brush, blurred, blurred_field, draw_on, gradients, plan_layer, stroke_paint,
                                             stroke_path, surface_of, unit_of)

# 0.7 of the radii the brushwork began with, and twice the strokes: three viewers preferred
# the finer hand in 15 of 21 pairs ("crisper", "no soft halo round the figure").
BRUSHES = (
    Brush(radius=18.2, threshold=0, min_length=2, max_length=7, curvature=0.5, blur=0.6, jitter=0.04),
    Brush(radius=9.1, threshold=26, min_length=2, max_length=8, curvature=0.7, jitter=0.035, most=10000),
    Brush(radius=4.55, threshold=24, min_length=2, max_length=10, curvature=0.8, jitter=0.025, most=18000),
    Brush(radius=2.24, threshold=24, min_length=2, max_length=10, curvature=0.9, jitter=0.015, most=24000),
)
# Gentle slopes (a sky's gradient, a field's patches) painted with level strokes: three
# viewers chose them 49 of 54 times where no light shines ("calm, even horizontal strokes",
# "the other's strokes go every which way"). Round a sun, a moon or a lamp they chose the
# strokes that swirl round its halo 11 of 15 times ("bold concentric swirls... more
# dramatic", "strokes curve around the lamp's glow"), so a light keeps them.
CALM = 1.5  # luminance per px: gentler slopes than this turn the brush towards level
LIGHT = (-0.6, -0.8)  # from the upper left, as a painting hangs under a window
RELIEF = 0.3  # how strongly the impasto's slopes shade the paint (viewers called 1.1 "embossed")
STREAK = 0.05  # how much lighter and darker the paint is along the bristle tracks
BRISTLE = 2.6  # px between bristle grooves at 1080 px
FALLOFF = 0.22  # how much darker the corners are than the middle
WEAVE = 0.03  # how much the canvas shows through


def paint_oil(source: np.ndarray, rng: np.random.Generator, halo: bool = False) -> np.ndarray:
    """(h, w, 3) float 0-255 -> the same picture in oil, (h, w, 3) float. ``halo``: a light
    (a sun, a moon, a lamp) shines in it, and the strokes follow every slope, swirling
    round its glow."""
    h, w, _ = source.shape
    unit = unit_of(source)
    colour = np.zeros((h, w, 4), np.uint8)
    colour[..., :3] = source.reshape(-1, 3).mean(axis=0).astype(np.uint8)  # a toned ground
    colour[..., 3] = 255
    # relief: R the stroke's thickness, G and B the cosine and sine of its heading
    relief = np.zeros((h, w, 4), np.uint8)
    relief[..., 1:] = (127, 255, 255)
    paint_canvas, relief_canvas = surface_of(colour).getCanvas(), surface_of(relief).getCanvas()
    for layer, base in enumerate(BRUSHES):
        brush = replace(base.scaled(unit), calm=0.0 if halo else CALM)
        reference = blurred(source, brush.blur * brush.radius)
        current = colour[..., :3].astype(np.float32) if layer else None
        strokes = plan_layer(reference, current, brush, rng)
        heading = strokes.directions()
        thickness = rng.uniform(0.3, 1.0, len(strokes)) * (0.6 + 0.4 * layer / (len(BRUSHES) - 1))
        relief_colors = np.stack([thickness * 255, (np.cos(heading) + 1) * 127.5, (np.sin(heading) + 1) * 127.5], axis=1)
        if layer < BRISTLED:
            draw_on([(relief_canvas, relief_colors)], strokes)
            _bristles(paint_canvas, strokes, rng)
        else:
            draw_on([(paint_canvas, strokes.colors), (relief_canvas, relief_colors)], strokes)
    light = _shading(relief, rng, unit) * _falloff(h, w)
    return enriched(np.clip(colour[..., :3].astype(np.float32) * light[..., None], 0, 255))


# Laid as one flat slab with round ends, a broad stroke read as a photo filter: "filter-like
# brushwork", "smeared filter" in five of round 37's seven oil pictures. As tracks of bristles
# three viewers chose them in 34 of 36 pairs ("y's broad pill shapes look digital", "fine
# streaky field and sky feel hand-painted"). The next brush's strokes too were "scratchy",
# "busy": 6 of 36, so only the broadest brush's are bristled.
BRISTLED = 1  # how many of the broadest brushes lay their strokes as tracks of bristles
BRISTLES = 5  # tracks across one stroke
BRISTLE_VALUE = 0.035  # how much lighter or darker one track's paint is


def _bristles(canvas, strokes, rng: np.random.Generator) -> None:
    """Each stroke as a bundle of BRISTLES tracks side by side, each a little lighter or darker
    and each lifting off at its own point (see BRISTLED for why)."""
    n, r = len(strokes), strokes.radius
    if not n:
        return
    points, lengths = strokes.points.astype(np.float64), strokes.lengths
    steps = np.arange(points.shape[1])
    last = np.maximum(lengths - 1, 0)[:, None]
    ahead = np.minimum(steps[None, :] + 1, last)
    behind = np.maximum(steps[None, :] - 1, 0)
    rows = np.arange(n)[:, None]
    tangent = points[rows, ahead] - points[rows, behind]
    tangent /= np.maximum(np.linalg.norm(tangent, axis=2, keepdims=True), 1e-6)
    normal = np.stack([-tangent[..., 1], tangent[..., 0]], 2)
    across = ((np.arange(BRISTLES) + 0.5) / BRISTLES * 2 - 1) * r * 0.82  # px across the stroke
    tracks = points[:, None] + normal[:, None] * across[None, :, None, None]  # (n, tracks, steps, 2)
    # each track lifts off on its own: later at the start, earlier at the end, the outer ones
    # of a round brush shortest
    outer = 1 - np.sqrt(1 - 0.35 * (across / (r * 0.82)) ** 2)
    start = (rng.uniform(0, 0.5, (n, BRISTLES)) + outer) * r
    end = rng.uniform(0, 1.2, (n, BRISTLES)) * r
    tracks[:, :, 0] += tangent[:, None, 0] * start[..., None]
    tail = tangent[np.arange(n), last[:, 0]]
    tracks[np.arange(n), :, last[:, 0]] -= tail[:, None] * end[..., None]
    value = 1 + rng.normal(0, BRISTLE_VALUE, (n, BRISTLES, 1))
    rgb = np.clip(strokes.colors[:, None] * value + 0.5, 0, 255).astype(np.uint32)
    packed = (0xFF000000 | (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]).tolist()
    paint = stroke_paint(2 * r / BRISTLES * 1.5)
    for i, length in enumerate(lengths.tolist()):
        if length < 2:
            continue
        for k in range(BRISTLES):
            paint.setColor(packed[i][k])
            canvas.drawPath(stroke_path(tracks[i, k, :length]), paint)


def _falloff(h: int, w: int) -> np.ndarray:
    """The light falling off towards the corners, as on a painting lit from in front: it
    holds the eye in the picture."""
    ys = (np.arange(h, dtype=np.float32) / (h - 1) - 0.5)[:, None] * 2
    xs = (np.arange(w, dtype=np.float32) / (w - 1) - 0.5)[None, :] * 2
    return 1 - FALLOFF * np.clip((xs * xs + ys * ys) / 2, 0, 1) ** 1.5


def _shading(relief: np.ndarray, rng: np.random.Generator, unit: float) -> np.ndarray:
    """Light on the paint's surface: stroke edges and bristle grooves, and the canvas under them."""
    h, w, _ = relief.shape
    thickness = relief[..., 0].astype(np.float32) / 255
    cos, sin = relief[..., 1] / 127.5 - 1, relief[..., 2] / 127.5 - 1
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    across = -xs * sin + ys * cos  # distance across the stroke's heading
    phase = thickness * 37.0  # each stroke its own comb
    grooves = 0.5 + 0.5 * np.sin(across * (2 * np.pi / (BRISTLE * unit)) + phase)
    surface = thickness * (0.6 + 0.4 * grooves)
    surface = blurred_field(surface, 0.7 * unit)
    gx, gy = gradients(surface)
    # the bristles also leave more and less paint in their tracks: streaks of light and dark
    # along each stroke, as a loaded brush drags
    streaks = STREAK * (grooves - 0.5) * (0.5 + thickness)
    return (1 + RELIEF * (gx * LIGHT[0] + gy * LIGHT[1]) + streaks
            + WEAVE * canvas_weave(rng, w, h, thread=3.4 * unit))
