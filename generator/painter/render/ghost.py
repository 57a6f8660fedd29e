"""A ghost: a pale figure without feet that drifts above the ground, as the yurei of Japanese
prints do, its long dark hair streaming behind it, its hands hanging, its robe trailing into nothing.

It is painted half-transparent and glowing, so the landscape shows through it: the one
figure in the vocabulary that is not a silhouette.
"""

from __future__ import annotations

import math

import numpy as np

from generator.painter.render.canvas import mix
from generator.painter.render.creatures import Figure
from generator.painter.render.registry import renders

# the robe's outline in body units (x forward, y up, height 1), shoulders to trailing hem
ROBE = [(-0.12, 0.77), (0.12, 0.77), (0.2, 0.45), (0.24, 0.14), (0.14, 0.06), (0.04, 0.1),
        (-0.06, 0.03), (-0.18, 0.08), (-0.34, 0.0), (-0.46, 0.06), (-0.26, 0.2), (-0.17, 0.5)]


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
    c.glow(cx, cy, height * 0.5, mix(pale, p.haze, 0.3), 0.3 + 0.35 * p.darkness)
    sway = rng.uniform(-0.04, 0.04)
    robe = [(x + sway * (1 - y), y) for x, y in ROBE]
    with c.pen(pale, 0.38, blur=height * 0.02) as pen:  # the trailing hem, fainter
        pen.polygon(f.pts([(x, y) for x, y in robe if y < 0.5] + [(-0.2, 0.5), (0.2, 0.5)]))
    with c.pen(pale, 0.88, blur=height * 0.004) as pen:
        pen.polygon(f.pts([(x, max(y, 0.3)) for x, y in robe]))
        f.ellipse(pen, 0.02, 0.86, 0.065, 0.075)
        for side in (-1, 1):  # arms held forward, hands hanging from the wrist
            f.stroke(pen, [(0.02 * side, 0.72), (0.2, 0.62), (0.3, 0.6)], 0.05, 0.04)
            f.stroke(pen, [(0.3, 0.6), (0.33, 0.52)], 0.035, 0.01)
    with c.pen(scene.ink(0.1), 0.85) as pen:  # long black hair streaming back from the crown
        f.ellipse(pen, -0.015, 0.9, 0.065, 0.05)  # the crown of the head; the face stays pale
        for k in np.linspace(-1, 1, 7):
            # behind the head and down the back: hair hung over the face and down the front
            # of the robe read as "a dark slab", the body "awkward"
            t = np.linspace(0, 1, 12)
            pen.stroke(f.pts(list(zip(-0.03 + k * 0.03 - t * (0.1 + 0.04 * (1 + k)) + 0.015 * np.sin(t * math.pi * 2),
                                      0.92 - t * (0.3 + 0.05 * abs(k))))), height * 0.03, height * 0.008)
