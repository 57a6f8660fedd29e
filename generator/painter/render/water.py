"""Water: sea, waves, shore, river, pond; every body of water mirrors what is above it.

Water is painted after the sky, the far land and the background ground, so a reflection
is the picture flipped about the horizon (or, for a pond, the sky squeezed into it),
broken into rows shifted by ripples and tinted with the water's own colour.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from generator.painter.render.canvas import gradient, mix, scale, smooth_line, value_noise
from generator.painter.render.registry import SURFACE, renders

SAND = (226, 204, 158)


def reflection(scene, ys: np.ndarray, src: np.ndarray, rng, ripple: float = 1.0) -> np.ndarray:
    """(len(ys), width, 3) float array: rows src of the picture, shifted by ripples."""
    w, h = scene.width, scene.height
    img = np.asarray(scene.canvas.image)
    t = np.clip((ys - scene.horizon) / (h - scene.horizon), 0, 1)
    amp = w * 0.004 * ripple * (0.4 + 3 * t)
    wobble = np.sin(ys * rng.uniform(0.15, 0.3) + rng.uniform(0, 6)) + rng.normal(0, 0.6, len(ys))
    cols = np.arange(w)[None, :] + (amp * wobble)[:, None]
    cols = np.clip(cols, 0, w - 1).astype(np.intp)
    rows = np.clip(src, 0, h - 1).astype(np.intp)[:, None]
    return img[rows, cols].astype(np.float32)


def water_colors(scene, n: int) -> np.ndarray:
    p = scene.palette
    far, near = mix(p.water, p.haze, 0.45), scale(p.water, 0.72)
    return gradient(n, [(0, far), (1, near)])[:, None, :]


def glints(scene, rng, top, bottom, x0=0.0, x1=None, count=120, within=None):
    """Short horizontal light strokes on water, longer and wider apart when near."""
    x1 = scene.width if x1 is None else x1
    light = mix(scene.sky_color(scene.horizon * 0.7), (255, 255, 255), 0.5)
    with scene.canvas.pen(light, 0.35) as pen:
        for _ in range(count):
            t = rng.random() ** 1.6
            y = top + (bottom - top) * t
            x = rng.uniform(x0, x1)
            if within is not None and not within(x, y):
                continue
            length = scene.width * (0.01 + 0.05 * t) * rng.uniform(0.4, 1.2)
            pen.line([(x - length / 2, y), (x + length / 2, y)], scene.u * (0.8 + 2 * t))


def mark_water(scene, shape: str, box) -> None:
    draw = ImageDraw.Draw(scene.water)
    (draw.rectangle if shape == "rect" else draw.ellipse)([int(v) for v in box], fill=255)


@renders("sea", stage=SURFACE, wide=True)
def sea(scene, slot, rng):
    if "sea" in scene.drawn:
        return
    scene.drawn.add("sea")
    w, h, hy = scene.width, scene.height, scene.horizon
    y0 = int(math.floor(hy))
    ys = np.arange(y0, h)
    t = ((ys - hy) / (h - hy))[:, None, None]
    mirror = reflection(scene, ys, 2 * hy - ys - 1, rng)
    a = 0.75 - 0.35 * t
    scene.canvas.put((0, y0, w, h), mirror * a + water_colors(scene, h - y0) * (1 - a))
    with scene.canvas.pen(mix(scene.palette.haze, (255, 255, 255), 0.3), 0.6) as pen:
        pen.line([(0, hy), (w, hy)], scene.u * 1.2)  # the bright line of the far sea
    glints(scene, rng, hy + 2, h, count=160)
    mark_water(scene, "rect", (0, y0, w, h))


@renders("waves", stage=SURFACE + 2)
def waves(scene, slot, rng):
    sea(scene, slot, rng)
    c, p = scene.canvas, scene.palette
    w, h, hy, u = scene.width, scene.height, scene.horizon, scene.u
    foam = mix(p.snow, p.haze, 0.15)
    if slot.layer == "middle":  # rows of small white crests across the sea
        with c.pen(foam, 0.8) as pen:
            for _ in range(70):
                t = rng.random() ** 1.5
                y, x = hy + (h - hy) * 0.55 * t + 4, rng.uniform(0, w)
                s = w * (0.01 + 0.035 * t)
                pen.arc(x, y, s, s * 0.5, 200, 340, u * (1 + 2 * t))
        return
    # foreground: swells rolling in, each a dark face under a cap of foam
    xs = np.arange(w)
    for k in range(4):
        base = hy + (h - hy) * (0.25 + 0.21 * k)
        amp = h * (0.02 + 0.02 * k)
        period = w / rng.uniform(1.8, 3.2) * (0.7 + 0.15 * k)
        phase = rng.uniform(0, period)
        wave = np.abs(np.sin((xs + phase) / period * math.pi))  # 0 at the sharp crests
        crest = base - amp * (1 - wave) ** 2
        face = scale(mix(p.water, scene.sky_color(hy * 0.4), 0.25), 0.9 - 0.1 * k)
        c.fill_between(crest, face, colors=(mix(face, p.haze, 0.3), scale(face, 0.65)))
        for f, alpha in ((0.55, 0.35), (1.1, 0.25)):  # streaks of foam down the face
            c.fill_between(
                crest + amp * f, mix(face, foam, 0.5), crest + amp * f + u * 2.5, alpha=alpha
            )
        cap = crest + amp * 0.35 * (1 - wave) ** 4 + u * 2  # thick at the crest, thin between
        c.fill_between(crest - u, foam, cap)
        with c.pen(foam, 0.8) as pen:  # spray flung off the crests
            for i in np.flatnonzero((wave[1:-1] < wave[:-2]) & (wave[1:-1] <= wave[2:])) + 1:
                for _ in range(12):
                    pen.circle(
                        i + rng.normal(0, amp * 0.5),
                        crest[i] - abs(rng.normal(0, amp * 0.3)),
                        u * rng.uniform(1, 3),
                    )


@renders("shore", stage=SURFACE + 3, wide=True)
def shore(scene, slot, rng):
    if not scene.is_water(slot.x, scene.horizon + 2):
        sea(scene, slot, rng)
    c, p = scene.canvas, scene.palette
    w, h, hy, u = scene.width, scene.height, scene.horizon, scene.u
    line_at = 0.25 if slot.layer == "middle" else 0.55
    tilt = rng.uniform(-0.12, 0.12)
    edge = hy + (h - hy) * (line_at + tilt * np.linspace(-1, 1, w) + smooth_line(rng, w, 2) * 0.03)
    sand = p.lit(SAND)
    wet = scale(sand, 0.82)
    foam = mix(p.snow, p.haze, 0.1)
    c.fill_between(edge - h * 0.012, foam, alpha=0.8)
    c.fill_between(edge, wet)
    c.fill_between(
        edge + h * 0.02 + smooth_line(rng, w, 3) * h * 0.006, sand, colors=(sand, scale(sand, 0.9))
    )
    with c.pen(foam, 0.7) as pen:  # a second line of foam, and pebbles
        pen.line(
            np.stack(
                [
                    np.arange(0, w, 6),
                    edge[::6] - h * 0.03 + smooth_line(rng, w, 4)[::6] * h * 0.006,
                ],
                1,
            ),
            u * 2,
        )
    with c.pen(scale(sand, 0.6), 0.8) as pen:
        for _ in range(30):
            x = rng.uniform(0, w)
            y = rng.uniform(edge[int(x)] + h * 0.04, h)
            pen.ellipse(x, y, u * rng.uniform(2, 6), u * rng.uniform(1.5, 3))
    draw = ImageDraw.Draw(scene.water)
    draw.polygon(
        [(0, h)] + [(x, edge[x]) for x in range(0, w, 8)] + [(w, edge[-1]), (w, h)], fill=0
    )


@renders("river", stage=SURFACE + 1, wide=True)
def river(scene, slot, rng):
    w, h, hy = scene.width, scene.height, scene.horizon
    y0 = int(math.floor(hy))
    ys = np.arange(y0, h).astype(np.float32)
    t = np.clip((ys - hy) / (h - hy), 0, 1)
    start, end = slot.x, w * rng.uniform(0.2, 0.8)
    bends = rng.uniform(1.5, 3)
    centre = (
        start + (end - start) * t + np.sin(t * math.pi * bends + rng.uniform(0, 6)) * w * 0.18 * t
    )
    half = w * (0.004 + (0.2 if slot.layer == "foreground" else 0.12) * t**1.4)
    xs = np.arange(w, dtype=np.float32)[None, :]
    inside = np.clip(half[:, None] - np.abs(xs - centre[:, None]) + 0.5, 0, 1)
    bank = np.clip(half[:, None] * 1.12 + 2 - np.abs(xs - centre[:, None]), 0, 1)
    box = (0, y0, w, h)
    scene.canvas.blend(box, scale(scene.palette.ground_near, 0.7), bank)
    mirror = reflection(scene, ys.astype(int), 2 * hy - ys - 1, rng, ripple=0.6)
    water = mirror * 0.6 + water_colors(scene, h - y0) * 0.4
    scene.canvas.blend(box, water, inside)
    mask = Image.fromarray((inside * 255).astype(np.uint8), "L")
    scene.water.paste(255, (0, y0), mask)
    glints(
        scene,
        rng,
        hy + 2,
        h,
        count=60,
        within=lambda x, y: abs(x - centre[int(y) - y0]) < half[int(y) - y0] * 0.8,
    )


def pool(scene, rng, cx, cy, rx, ry, rim=True):
    """An elliptical pool mirroring the sky; used by pond and as footing for water things."""
    c, hy = scene.canvas, scene.horizon
    cx = min(max(cx, rx * 0.85), scene.width - rx * 0.85)  # mostly inside the picture
    if rim:  # the far bank's shadow on the water's edge, fading round to the near side
        # (a dark ring all round read in ink as "an odd ring-shaped frame"; 11 of 15 pairs)
        with c.pen(scale(scene.palette.ground_near, 0.62), 0.85, blur=ry * 0.05) as pen:
            pen.ellipse(cx, cy - ry * 0.1, rx * 1.03, ry * 1.06)
    box = c._box(cx - rx, cy - ry, cx + rx, cy + ry)
    if box is None:
        return
    x0, y0, x1, y1 = box
    ys = np.arange(y0, y1)
    src = hy * 0.95 - (ys - y0) / max(y1 - y0, 1) * hy * 0.8  # the sky, upside down
    mirror = reflection(scene, ys, src, rng, ripple=0.5)[:, x0:x1]
    color = mirror * 0.65 + np.array(scene.palette.water, np.float32) * 0.35
    yy, xx = np.mgrid[y0:y1, x0:x1]
    d = np.sqrt(((xx + 0.5 - cx) / rx) ** 2 + ((yy + 0.5 - cy) / ry) ** 2)
    c.blend(box, color, np.clip((1 - d) * min(rx, ry) + 0.5, 0, 1))
    mark_water(scene, "ellipse", (cx - rx, cy - ry, cx + rx, cy + ry))
    light = mix(scene.sky_color(hy * 0.5), (255, 255, 255), 0.4)
    with c.pen(light, 0.35) as pen:  # ripple rings
        for _ in range(rng.integers(1, 4)):
            px, py = cx + rng.uniform(-0.5, 0.5) * rx, cy + rng.uniform(-0.4, 0.4) * ry
            for k in range(1, 4):
                pen.arc(px, py, rx * 0.08 * k, ry * 0.08 * k, 0, 360, scene.u * 1.5)


@renders("pond", stage=SURFACE + 1)
def pond(scene, slot, rng):
    near = slot.layer == "foreground"
    rx = scene.width * (rng.uniform(0.3, 0.42) if near else rng.uniform(0.14, 0.22))
    ry = rx * (0.26 if near else 0.14)
    pool(scene, rng, slot.x, slot.y - ry * (1.0 if near else 0.2), rx, ry)


def water_patch(scene, slot) -> None:
    """Footing for a boat, a lotus or fish that the plan put where there is no water."""
    rng = np.random.default_rng(int(slot.x * 7 + slot.y))
    near = slot.layer == "foreground"
    rx = scene.width * (0.4 if near else 0.3)
    ry = rx * (0.24 if near else 0.13)
    pool(scene, rng, slot.x, slot.y - ry * (0.5 if near else 0.3), rx, ry)


def island(scene, slot, wide: bool = False) -> None:
    """Footing for a house or a tree that stands where the plan put water (for a train or a
    fence, a causeway across the picture)."""
    x = scene.width / 2 if wide else slot.x
    rx = scene.width * 0.7 if wide else slot.size * (0.9 if slot.layer == "foreground" else 0.75)
    ry = slot.size * 0.06 if wide else rx * 0.12
    color = scene.tone(scale(scene.palette.ground_near, 0.8), slot.depth * 0.6)
    with scene.canvas.pen(color) as pen:
        pen.ellipse(x, slot.y + ry * 0.3, rx, ry)
        pen.rect(x - rx * 1.1, slot.y + ry * 0.3, x + rx * 1.1, slot.y + ry * 2, cut=True)
    with scene.canvas.pen(scale(color, 0.6), 0.5) as pen:  # its reflection
        pen.ellipse(x, slot.y + ry * 0.5, rx * 0.95, ry * 0.4)


@renders("ice", stage=SURFACE + 1)
def ice(scene, slot, rng):
    c, p, u = scene.canvas, scene.palette, scene.u
    near = slot.layer == "foreground"
    rx = scene.width * (rng.uniform(0.32, 0.45) if near else 0.2)
    ry = rx * (0.22 if near else 0.12)
    cx, cy = slot.x, slot.y - ry * (1.0 if near else 0.2)
    pale = mix(p.snow, (190, 220, 240), 0.45)
    with c.pen(scale(pale, 0.8)) as pen:
        pen.ellipse(cx, cy + ry * 0.05, rx * 1.03, ry * 1.1)
    box = c._box(cx - rx, cy - ry, cx + rx, cy + ry)
    yy, xx = np.mgrid[box[1] : box[3], box[0] : box[2]]
    d = np.sqrt(((xx + 0.5 - cx) / rx) ** 2 + ((yy + 0.5 - cy) / ry) ** 2)
    shade = value_noise(rng, box[2] - box[0], box[3] - box[1], cells=3, octaves=3)[..., None]
    color = np.array(pale, np.float32) * (0.85 + 0.2 * shade)
    c.blend(box, color, np.clip((1 - d) * min(rx, ry) + 0.5, 0, 1))
    with c.pen(scale(pale, 0.6), 0.8) as pen:  # cracks branching from a few points
        for _ in range(rng.integers(2, 4)):
            x, y = cx + rng.uniform(-0.6, 0.6) * rx, cy + rng.uniform(-0.4, 0.4) * ry
            for _ in range(rng.integers(3, 6)):
                a, pts = rng.uniform(0, 2 * math.pi), [(x, y)]
                for _ in range(4):
                    a += rng.normal(0, 0.4)
                    px, py = pts[-1]
                    pts.append((px + math.cos(a) * rx * 0.1, py + math.sin(a) * ry * 0.18))
                pen.line(pts, u * 1.2)
    with c.pen((255, 255, 255), 0.55) as pen:  # a shine across it
        pen.ellipse(cx - rx * 0.2, cy - ry * 0.25, rx * 0.35, ry * 0.08, angle=-0.08)
