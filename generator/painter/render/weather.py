"""Weather and air: rain, snow and wind over the picture, fog and smoke in their layer."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from generator.painter.render.canvas import mix, value_noise
from generator.painter.render.registry import SKY_VEIL, WEATHER, renders

WHITE = (255, 255, 255)


@renders("rain", stage=WEATHER, wide=True)
def rain(scene, slot, rng):
    c, p, w, h, u = scene.canvas, scene.palette, scene.width, scene.height, scene.u
    c.blend((0, 0, w, h), mix(p.haze, (90, 100, 120), 0.5), np.full((h, w), 0.18, np.float32))
    slant = rng.uniform(-0.25, 0.25)
    drop = mix(p.haze, WHITE, 0.5)
    for alpha, count, length, width in ((0.35, 700, 0.03, 1.0), (0.55, 200, 0.06, 1.6)):
        with c.pen(drop, alpha) as pen:
            for _ in range(int(count * w * h / 1.46e6)):
                x, y = rng.uniform(-0.1, 1.1) * w, rng.uniform(0, h)
                dy = h * length * rng.uniform(0.6, 1.2)
                pen.line([(x, y), (x + slant * dy, y + dy)], u * width)
    with c.pen(drop, 0.35) as pen:  # splashes on the ground
        for _ in range(40):
            y = rng.uniform(scene.horizon + (h - scene.horizon) * 0.3, h)
            s = h * 0.012 * (y - scene.horizon) / (h - scene.horizon)
            pen.arc(rng.uniform(0, w), y, s, s * 0.3, 180, 360, u * 1.2)


@renders("snow", stage=WEATHER, wide=True)
def snow(scene, slot, rng):
    c, p, w, h, u = scene.canvas, scene.palette, scene.width, scene.height, scene.u
    flake = mix(p.snow, WHITE, 0.5)
    area = w * h / 1.46e6
    for alpha, count, radius in ((0.6, 500, 2.2), (0.85, 200, 4.0), (0.95, 40, 7.0)):
        with c.pen(flake, alpha, blur=radius * u * 0.25 if radius > 4 else 0) as pen:
            for _ in range(int(count * area) + 5):
                pen.circle(rng.uniform(0, w), rng.uniform(0, h), u * radius * rng.uniform(0.6, 1.2))


def _veil(scene, rng, top, bottom, color, strength):
    """Streaks of mist between top and bottom, thickest in the middle of the band."""
    w = scene.width
    top, bottom = max(0, int(top)), min(scene.height, int(bottom))
    rows = bottom - top
    if rows <= 0:
        return
    small = value_noise(rng, max(8, w // 12), rows, cells=2, octaves=3)
    noise = np.asarray(Image.fromarray(small, "F").resize((w, rows), Image.Resampling.BILINEAR))
    t = np.linspace(0, 1, rows)[:, None]
    band = np.sin(t * math.pi) ** 1.5
    scene.canvas.blend(
        (0, top, w, bottom), color, band * np.clip(noise * 1.3 - 0.1, 0, 1) * strength
    )


@renders("fog", stage="veil", wide=True)
def fog(scene, slot, rng):
    p, h, hy = scene.palette, scene.height, scene.horizon
    color = mix(mix(p.haze, (200, 206, 214), 0.4), WHITE, 0.6 * (1 - p.darkness))
    if slot.layer == "sky":
        _veil(scene, rng, hy * 0.45, hy * 1.05, color, 0.8)
    else:
        _veil(scene, rng, hy - h * 0.14, hy + h * 0.16, color, 0.9)
        _veil(scene, rng, hy - h * 0.03, hy + h * 0.06, color, 0.6)


@renders("wind", stage="veil", wide=True)
def wind(scene, slot, rng):
    c, p, w, h, u = scene.canvas, scene.palette, scene.width, scene.height, scene.u
    band = {"sky": (0.1, 0.85), "middle": (0.85, 1.15), "foreground": (1.2, 1.6)}[slot.layer]
    color = mix(p.haze, WHITE, 0.55)
    direction = -slot.side
    with c.pen(color, 0.7) as pen:
        for _ in range(rng.integers(5, 9)):
            y = scene.horizon * rng.uniform(*band)
            y = min(y, h * 0.97)
            x0 = rng.uniform(-0.2, 0.6) * w
            length = w * rng.uniform(0.3, 0.6)
            t = np.linspace(0, 1, 40)
            xs = x0 + t * length
            ys = y + np.sin(t * math.pi * 1.5 + rng.uniform(0, 3)) * h * 0.02
            # a curl at the end, as in a print's wind lines
            r = h * rng.uniform(0.012, 0.022)
            a = np.linspace(-math.pi / 2, math.pi * 1.3, 16)
            curl = np.stack(
                [xs[-1] + r * np.cos(a) * (1 - a / 8), ys[-1] + r + r * np.sin(a) * (1 - a / 8)], 1
            )
            path = np.concatenate([np.stack([xs, ys], 1), curl[1:]])
            if direction < 0:
                path[:, 0] = w - path[:, 0]
            widths = u * 3.2 * np.sin(np.linspace(0.15, math.pi - 0.15, len(path)))
            pen.stroke(path, 0, 0, widths=widths)
    leaf = list(p.leaves)
    with c.pen(leaf[0]) as pen:  # a few things carried along
        for _ in range(10):
            pen.ellipse(
                rng.uniform(0, w),
                scene.horizon * rng.uniform(*band),
                h * 0.008,
                h * 0.004,
                angle=rng.uniform(0, 3),
            )


@renders("smoke", stage={"sky": SKY_VEIL + 1})
def smoke(scene, slot, rng):
    c, p, h = scene.canvas, scene.palette, scene.height
    color = mix(mix(p.haze, (200, 200, 205), 0.5), WHITE, 0.2 * (1 - p.darkness))
    if slot.layer == "sky":  # a long plume drifting from beyond the horizon
        x0, y0, r0 = slot.x, scene.horizon, h * 0.01
        rise, drift = scene.horizon * 0.6, scene.width * 0.5 * slot.side
    else:  # a wisp from a chimney, a fire, incense
        x0, y0, r0 = slot.x, slot.y - slot.size * 0.15, h * 0.006
        rise, drift = slot.size * 1.6, slot.size * 0.6 * -slot.side
    phase = rng.uniform(0, 6)
    for k, alpha in enumerate((0.55, 0.4, 0.28)):  # denser near where it comes from
        with c.pen(color, alpha, blur=h * 0.004 * (k + 1)) as pen:
            for t in np.linspace(k / 3, (k + 1) / 3, 14):
                x = x0 + drift * t**1.6 + math.sin(t * 9 + phase) * h * 0.015 * t
                pen.circle(x, y0 - rise * t, r0 * (1 + 6 * t))
