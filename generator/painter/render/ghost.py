"""A ghost: a pale figure without feet that drifts above the ground, as the yurei of Japanese
prints do, its long dark hair streaming behind it, its hands hanging, its robe trailing into nothing.

It is painted half-transparent and glowing, so the landscape shows through it: the one
figure in the vocabulary that is not a silhouette.
"""

from __future__ import annotations

import math

import numpy as np

from PIL import Image

from generator.painter.render.canvas import mix, rounded
from generator.painter.render.creatures import Figure
from generator.painter.render.registry import renders

# the robe's outline in body units (x forward, y up, height 1), a smooth contour through
# these points: narrow shoulders, the body widening as it falls, the hem trailing behind
ROBE = [(-0.07, 0.78), (0.07, 0.78), (0.14, 0.6), (0.18, 0.36), (0.2, 0.16), (0.1, 0.06),
        (-0.02, 0.1), (-0.16, 0.04), (-0.34, 0.0), (-0.5, 0.05), (-0.3, 0.16), (-0.18, 0.4), (-0.13, 0.62)]
# a sleeve hanging from the arm held forward: shoulder, wrist, the sleeve's drooping lower edge
SLEEVE = [(0.04, 0.74), (0.22, 0.66), (0.31, 0.62), (0.29, 0.55), (0.2, 0.47), (0.1, 0.5), (0.02, 0.6)]
GROUND_LIGHT = 1.1  # of its height: how far its light reaches over the ground beneath it
SOLID_ABOVE, GONE_BELOW = 0.5, 0.02  # body units: the robe fades out between these heights


@renders("ghost")
def ghost(scene, slot, rng):
    c, p = scene.canvas, scene.palette
    near = slot.layer == "foreground"
    height = slot.size * (0.95 if near else 0.55)
    facing = -slot.side if rng.random() < 0.7 else slot.side
    lift = height * rng.uniform(0.1, 0.2) if slot.layer != "sky" else -height * 0.5
    f = Figure(slot.x, slot.y - lift, height, facing)
    pale = mix((236, 242, 255), p.lit((236, 242, 255)), 0.3)  # it gives light, it is not lit
    cx, cy = f.p(0.0, 0.5)
    if slot.layer != "sky" and not scene.in_ink and not scene.is_water(slot.x, slot.y):
        # the light it gives lies on the ground beneath it, a pool flattened by perspective
        # (ink paints its light as the paper left bare, and the pool came out as grey washes)
        c.glow(slot.x, slot.y - lift * 0.5, height * GROUND_LIGHT, pale, 0.1 + 0.3 * p.darkness, squash=0.3)
    c.glow(cx, cy, height * 0.5, mix(pale, p.haze, 0.3), 0.3 + 0.35 * p.darkness)
    sway = rng.uniform(-0.04, 0.04)
    robe = rounded(f.pts([(x + sway * (1 - y), y) for x, y in ROBE]))
    _fading(c, robe, pale, f, height)  # solid at the breast, dissolving into nothing at the hem
    with c.pen(pale, 0.88, blur=height * 0.004) as pen:
        pen.polygon(rounded(f.pts(SLEEVE)))  # the near sleeve; the far arm is hidden behind it
        f.ellipse(pen, 0.02, 0.86, 0.055, 0.072)  # the face
        for dx in (0.0, 0.025):  # hands hanging limp from the wrist
            f.stroke(pen, [(0.29 + dx, 0.6), (0.33 + dx, 0.53)], 0.025, 0.008)
    with c.pen(scene.ink(0.1), 0.85) as pen:  # long black hair from the crown, down the back
        f.ellipse(pen, -0.02, 0.905, 0.06, 0.045)  # the crown; the face stays pale
        for k in np.linspace(-1, 1, 7):
            # behind the head and down the back: hair hung over the face and down the front
            # of the robe read as "a dark slab", the body "awkward"
            t = np.linspace(0, 1, 12)
            pen.stroke(f.pts(list(zip(-0.03 + k * 0.03 - t * (0.1 + 0.04 * (1 + k)) + 0.015 * np.sin(t * math.pi * 2),
                                      0.92 - t * (0.34 + 0.05 * abs(k))))), height * 0.03, height * 0.008)


def _fading(c, outline: np.ndarray, color, f: Figure, height: float) -> None:
    """The robe painted over the canvas, opaque above SOLID_ABOVE and fading to nothing at
    GONE_BELOW: cut off at one height and painted fainter below it, the hem's edge read as a
    step, the ghost as "a clumsy blob" (three viewers chose this robe 30 of 30 times, "one
    flowing line", where the old was "a stiff trapezoid with a seam")."""
    rows = (f.base - (np.arange(c.height, dtype=np.float32) + 0.5)) / height  # body units up from the feet
    fade = np.clip((rows - GONE_BELOW) / (SOLID_ABOVE - GONE_BELOW), 0, 1) ** 1.3
    strength = np.round(255 * (0.12 + 0.76 * fade) / 0.88).astype(np.uint8)
    within = Image.fromarray(np.repeat(strength[:, None], c.width, axis=1), "L")  # the pen's alpha, row by row
    with c.pen(color, 0.88, within=within) as pen:
        pen.polygon(outline)
