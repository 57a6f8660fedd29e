"""Curved brush strokes of several sizes, planned from a reference picture (Hertzmann 1998).

Hertzmann's "Painterly Rendering with Curved Brush Strokes of Multiple Sizes" paints a
picture in layers, coarse to fine. For each brush radius R the source is blurred in
proportion to R; wherever the canvas so far differs from that blurred reference by more
than a threshold (averaged over a grid cell of about R), a stroke starts at the cell's worst
pixel. The stroke takes the reference's colour there and runs across the colour gradient,
along the edges, a step of R at a time, bending gently (the curvature filter), until it
reaches a place whose colour it no longer matches better than the canvas does (where the
picture is flat it keeps its heading, where Hertzmann stops: a sky then gets long level
strokes instead of short blobs). Big strokes
block in masses; small ones go only where detail is. One algorithm, and its parameters
(``Brush``) make each medium.

All strokes of a layer are traced together as numpy arrays (one row per stroke, one step
at a time); skia draws them anti-aliased with round caps and joins.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import skia
from PIL import Image, ImageFilter


@dataclass(frozen=True)
class Brush:
    """One layer of strokes; lengths are in steps of one radius."""

    radius: float  # px at the picture's size
    threshold: float  # mean colour error (0-255 RGB distance) a grid cell must exceed
    alpha: float = 1.0  # paint opacity
    min_length: int = 2
    max_length: int = 10
    curvature: float = 0.7  # 1 follows every turn of the edges, 0 goes straight
    blur: float = 0.5  # the reference is blurred by blur * radius
    grid: float = 1.0  # grid cell side, in radii
    jitter: float = 0.0  # random change of each stroke's value (0-1)
    most: int | None = None  # at most this many strokes per million pixels: the worst cells first
    calm: float = 0.0  # gradients gentler than this (luminance per px) lay the stroke towards level

    def scaled(self, unit: float) -> "Brush":
        """This brush for a picture ``unit`` times 1080 px on its short side."""
        return replace(self, radius=self.radius * unit)


def unit_of(picture: np.ndarray) -> float:
    """The picture's short side in units of 1080 px: brush sizes and distances are given at 1080."""
    return min(picture.shape[:2]) / 1080


@dataclass
class Strokes:
    """A layer's strokes: points (n, steps, 2) with lengths (n,) and colours (n, 3) 0-255."""

    points: np.ndarray
    lengths: np.ndarray
    colors: np.ndarray
    radius: float

    def __len__(self) -> int:
        return len(self.lengths)

    def directions(self) -> np.ndarray:
        """Each stroke's overall heading in radians (its first point to its last)."""
        last = self.points[np.arange(len(self)), np.maximum(self.lengths - 1, 0)]
        delta = last - self.points[:, 0]
        return np.arctan2(delta[:, 1], delta[:, 0])


def blurred(image: np.ndarray, sigma: float) -> np.ndarray:
    """(h, w, 3) or (h, w) float 0-255, blurred by a Gaussian of sigma px.

    A wide blur is done on a reduced copy and scaled back: the result is as smooth, and
    the time no longer grows with the picture's size times the number of layers.
    """
    if sigma < 0.5:
        return image.astype(np.float32)
    pil = Image.fromarray(np.clip(image + 0.5, 0, 255).astype(np.uint8), "RGB" if image.ndim == 3 else "L")
    factor = int(sigma // 3)
    if factor >= 2:
        small = pil.reduce(factor).filter(ImageFilter.GaussianBlur(sigma / factor))
        return np.asarray(small.resize(pil.size, Image.Resampling.BILINEAR), dtype=np.float32)
    return np.asarray(pil.filter(ImageFilter.GaussianBlur(sigma)), dtype=np.float32)


def blurred_field(field: np.ndarray, sigma: float) -> np.ndarray:
    """A (h, w) field of 0-1 values (a mask, a relief) blurred like a picture."""
    return blurred(field * 255, sigma) / 255


def luminance(image: np.ndarray) -> np.ndarray:
    return image[..., 0] * 0.299 + image[..., 1] * 0.587 + image[..., 2] * 0.114


def gradients(lum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sobel derivatives (gx, gy) of a (h, w) array, edges replicated."""
    p = np.pad(lum, 1, mode="edge")
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    return gx / 8, gy / 8


def _cells(error: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per grid cell of side ``step``: the mean error and the (y, x) of its largest error."""
    h, w = error.shape
    rows, cols = h // step, w // step
    blocks = error[: rows * step, : cols * step].reshape(rows, step, cols, step).transpose(0, 2, 1, 3)
    blocks = blocks.reshape(rows, cols, step * step)
    worst = blocks.argmax(axis=2)
    ys = np.arange(rows)[:, None] * step + worst // step
    xs = np.arange(cols)[None, :] * step + worst % step
    return blocks.mean(axis=2), ys, xs


def plan_layer(reference: np.ndarray, canvas: np.ndarray | None, brush: Brush,
               rng: np.random.Generator, error: np.ndarray | None = None) -> Strokes:
    """The strokes one brush lays on ``canvas`` (None: an empty canvas) to approach ``reference``.

    Both are (h, w, 3) float arrays 0-255 of the same size; ``reference`` is already blurred.
    ``error`` (h, w) replaces the colour difference where strokes start (e.g. edge strength).
    """
    h, w, _ = reference.shape
    step = max(1, int(round(brush.grid * brush.radius)))
    if error is None and canvas is None:  # everything is still to paint, worst spots at random
        error = np.full((h, w), 1e9, np.float32) + rng.random((h, w), dtype=np.float32)
    elif error is None:
        error = np.sqrt(((canvas - reference) ** 2).sum(axis=2))
    mean, ys, xs = _cells(error, step)
    chosen = mean > brush.threshold
    if brush.most is not None:  # a textured picture would put a stroke in every cell
        budget = int(brush.most * h * w / 1e6)
        if chosen.sum() > budget:
            chosen &= mean >= np.partition(mean.ravel(), -budget)[-budget]
    y = ys[chosen].astype(np.float32)
    x = xs[chosen].astype(np.float32)
    n = len(x)
    if n == 0:
        return Strokes(np.zeros((0, 1, 2), np.float32), np.zeros(0, int), np.zeros((0, 3), np.float32), brush.radius)
    order = rng.permutation(n)  # Hertzmann paints a layer's strokes in random order
    x, y = x[order], y[order]

    # Directions from a smoother picture than the colours: strokes then sweep along whole
    # shapes instead of turning at every speck.
    gx, gy = gradients(blurred(luminance(reference), brush.radius))
    def at(field, px, py):
        return field[np.clip(py.astype(int), 0, h - 1), np.clip(px.astype(int), 0, w - 1)]

    color = at(reference, x, y)
    if brush.jitter:
        # brighter or darker, and a little warmer or cooler: paint mixed on the brush, not a swatch
        value = 1 + rng.uniform(-brush.jitter, brush.jitter, (n, 1))
        hue = 1 + rng.uniform(-brush.jitter, brush.jitter, (n, 3)) / 2
        color = np.clip(color * value * hue, 0, 255)
    points = np.zeros((n, brush.max_length + 1, 2), np.float32)
    points[:, 0, 0], points[:, 0, 1] = x, y
    lengths = np.ones(n, int)
    alive = np.ones(n, bool)
    previous = np.zeros((n, 2), np.float32)
    px, py = x.copy(), y.copy()
    for i in range(1, brush.max_length + 1):
        here_ref = at(reference, px, py)
        if canvas is not None and i > brush.min_length:
            worse = (np.abs(here_ref - at(canvas, px, py)).sum(axis=1)
                     < np.abs(here_ref - color).sum(axis=1))
            alive &= ~worse
        dx, dy = at(gx, px, py), at(gy, px, py)
        magnitude = np.hypot(dx, dy)
        # across the gradient, i.e. along the edge; a flat patch keeps the last heading
        ux, uy = -dy / np.maximum(magnitude, 1e-6), dx / np.maximum(magnitude, 1e-6)
        flat = magnitude < 1e-3
        if brush.calm:
            # a gentle slope (a sky's gradient, a field's patches) is painted with level
            # strokes; only a real edge turns the brush
            level = np.clip(magnitude / brush.calm, 0, 1)
            ux, uy = level * ux + (1 - level) * np.where(ux < 0, -1.0, 1.0), level * uy
            norm = np.maximum(np.hypot(ux, uy), 1e-6)
            ux, uy = ux / norm, uy / norm
        if i == 1:  # flat at the start: a nearly level stroke, as skies and water are painted
            angle = rng.normal(0, 0.25, n) + math.pi * (rng.random(n) < 0.5)
            ux, uy = np.where(flat, np.cos(angle), ux), np.where(flat, np.sin(angle), uy)
        else:
            ux, uy = np.where(flat, previous[:, 0], ux), np.where(flat, previous[:, 1], uy)
            flip = ux * previous[:, 0] + uy * previous[:, 1] < 0
            ux, uy = np.where(flip, -ux, ux), np.where(flip, -uy, uy)
            ux = brush.curvature * ux + (1 - brush.curvature) * previous[:, 0]
            uy = brush.curvature * uy + (1 - brush.curvature) * previous[:, 1]
            norm = np.maximum(np.hypot(ux, uy), 1e-6)
            ux, uy = ux / norm, uy / norm
        px = np.where(alive, px + brush.radius * ux, px)
        py = np.where(alive, py + brush.radius * uy, py)
        previous = np.stack([ux, uy], axis=1)
        points[:, i, 0], points[:, i, 1] = px, py
        lengths += alive
        inside = (px >= 0) & (px < w) & (py >= 0) & (py < h)
        alive &= inside
        if not alive.any():
            break
    return Strokes(points, lengths, color.astype(np.float32), brush.radius)


def surface_of(array: np.ndarray) -> skia.Surface:
    """A skia surface that draws straight into ``array`` ((h, w, 4) uint8, RGBA, premultiplied)."""
    return skia.Surface(array, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)


def stroke_paint(width: float, alpha: float = 1.0) -> skia.Paint:
    return skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=width,
                      StrokeCap=skia.Paint.kRound_Cap, StrokeJoin=skia.Paint.kRound_Join,
                      Alphaf=alpha)


def stroke_path(points: np.ndarray) -> skia.Path:
    """A smooth path through points: quadratic curves through the midpoints between them."""
    path = skia.Path()
    pts = points.tolist()
    path.moveTo(*pts[0])
    if len(pts) == 1:
        path.lineTo(pts[0][0] + 0.01, pts[0][1])
    elif len(pts) == 2:
        path.lineTo(*pts[1])
    else:
        for (x0, y0), (x1, y1) in zip(pts[1:-1], pts[2:]):
            path.quadTo(x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
        path.lineTo(*pts[-1])
    return path


def draw(canvas: skia.Canvas, strokes: Strokes, width_scale: float = 2.0, alpha: float = 1.0,
         colors: np.ndarray | None = None) -> None:
    """Draw every stroke as a round-capped curve of width ``width_scale`` * radius."""
    draw_on([(canvas, strokes.colors if colors is None else colors)], strokes, width_scale, alpha)


def draw_on(targets: list[tuple[skia.Canvas, np.ndarray]], strokes: Strokes, width_scale: float = 2.0,
            alpha: float = 1.0) -> None:
    """Draw the strokes on several canvases, each in its own colours ((n, 3) per canvas):
    each stroke's path is built once (it is most of the drawing's time after skia's own)."""
    paints = [stroke_paint(strokes.radius * width_scale, alpha) for _ in targets]
    packed = []
    for _, colors in targets:
        rgb = np.clip(colors + 0.5, 0, 255).astype(np.uint32)
        packed.append(((int(round(alpha * 255)) << 24) | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).tolist())
    canvases = [canvas for canvas, _ in targets]
    for i, length in enumerate(strokes.lengths.tolist()):
        path = stroke_path(strokes.points[i, :length])
        for canvas, paint, colors in zip(canvases, paints, packed):
            paint.setColor(colors[i])
            canvas.drawPath(path, paint)
