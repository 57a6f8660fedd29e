"""The grounds the media paint on: primed canvas, cold-pressed paper, rice paper.

Each is a (h, w) float32 relief around 0 (about -1..1), made from seeded noise; a medium
uses it to shade the paint (canvas), to catch pigment in its hollows (watercolour
granulation) or to feather ink (rice paper's fibres).
"""
from __future__ import annotations

import numpy as np
import skia

from generator.painter.render.canvas import value_noise


def _centred(a: np.ndarray) -> np.ndarray:
    a = a - a.mean()
    return (a / max(float(np.abs(a).max()), 1e-6)).astype(np.float32)


def canvas_weave(rng: np.random.Generator, width: int, height: int, thread: float = 3.2) -> np.ndarray:
    """Linen canvas: warp and weft threads of uneven thickness, slightly wandering.

    The period is irregular on purpose (each thread's phase drifts with low-frequency
    noise), so the weave never reads as a machine lattice.
    """
    drift_x = value_noise(rng, width, height, cells=3, octaves=2) * 6
    drift_y = value_noise(rng, width, height, cells=3, octaves=2) * 6
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    warp = np.sin((xs + drift_x) * (2 * np.pi / thread))
    weft = np.sin((ys + drift_y) * (2 * np.pi / thread))
    slub = value_noise(rng, width, height, cells=40, octaves=2)  # thicker and thinner threads
    over = (np.sin((xs + ys) * (np.pi / thread)) > 0)  # which thread lies on top, a plain weave
    weave = np.where(over, warp, weft) * (0.6 + 0.4 * slub)
    grain = rng.random((height, width), dtype=np.float32) - 0.5
    return _centred(weave + 0.4 * grain)


def cold_press(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Cold-pressed watercolour paper: a soft tooth of small bumps over gentle cockling."""
    tooth = value_noise(rng, width, height, cells=90, octaves=3)
    cockle = value_noise(rng, width, height, cells=3, octaves=2)
    grain = rng.random((height, width), dtype=np.float32)
    return _centred(tooth * 0.75 + cockle * 0.15 + grain * 0.1)


def rice_paper(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Xuan paper: faint mottling and long thin fibres, drawn as random curves."""
    mottle = value_noise(rng, width, height, cells=12, octaves=3)
    fibres = np.zeros((height, width, 4), np.uint8)
    surface = skia.Surface(fibres, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    paint = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeCap=skia.Paint.kRound_Cap)
    canvas = surface.getCanvas()
    count = int(width * height / 2500)
    starts = rng.uniform(0, 1, (count, 2)) * (width, height)
    angles = rng.uniform(0, np.pi * 2, count)
    lengths = rng.uniform(8, 60, count) * min(width, height) / 1000
    bends = rng.uniform(-0.5, 0.5, count)
    for (x, y), a, length, bend in zip(starts.tolist(), angles.tolist(), lengths.tolist(), bends.tolist()):
        paint.setStrokeWidth(float(rng.uniform(0.4, 1.2)))
        paint.setColor(skia.ColorSetARGB(int(rng.uniform(60, 160)), 255, 255, 255))
        mid = (x + np.cos(a) * length / 2 - np.sin(a) * length * bend, y + np.sin(a) * length / 2 + np.cos(a) * length * bend)
        path = skia.Path()
        path.moveTo(x, y)
        path.quadTo(float(mid[0]), float(mid[1]), x + float(np.cos(a)) * length, y + float(np.sin(a)) * length)
        canvas.drawPath(path, paint)
    fibre = fibres[..., 3].astype(np.float32) / 255
    return _centred(mottle * 0.6 + fibre * 0.8)
