"""Small animals of the ground: a hare sitting up, a lizard basking.

Drawn like the other creatures (creatures.py): silhouettes in body units, standing on the
slot's ground, casting the long shadow of a low sun when the poem names a shadow.
"""

from __future__ import annotations

import numpy as np

from generator.painter.render.canvas import mix, tapered
from generator.painter.render.creatures import Figure, standing
from generator.painter.render.registry import renders


def hare_body(f, pen):
    f.ellipse(pen, -0.1, 0.26, 0.3, 0.25, angle=0.25)  # haunch
    f.ellipse(pen, 0.08, 0.4, 0.17, 0.27, angle=-0.35)  # chest, sitting up
    f.ellipse(pen, 0.22, 0.66, 0.13, 0.1, angle=-0.2)  # head
    f.ellipse(pen, 0.33, 0.62, 0.06, 0.045)  # muzzle
    f.stroke(pen, [(0.14, 0.72), (0.06, 0.88), (0.0, 1.0)], 0.07, 0.035)  # ears laid back
    f.stroke(pen, [(0.19, 0.74), (0.16, 0.9), (0.12, 1.0)], 0.06, 0.03)
    f.stroke(pen, [(0.16, 0.28), (0.2, 0.02)], 0.055, 0.05)  # forelegs
    f.stroke(pen, [(0.1, 0.28), (0.12, 0.02)], 0.05, 0.045)
    f.ellipse(pen, 0.04, 0.03, 0.3, 0.04)  # the long hind foot
    f.ellipse(pen, -0.38, 0.3, 0.07, 0.07)  # scut


@renders("rabbit", footing="land")
def rabbit(scene, slot, rng):
    p = scene.palette
    height = slot.size * (0.42 if slot.layer == "foreground" else 0.3)
    fur = scene.tone(mix(p.ink, p.lit((150, 120, 90)), 0.5), slot.depth)
    facing = standing(scene, slot, hare_body, height, fur, rng)
    if p.darkness < 0.6:  # the light catches the inside of an ear
        f = Figure(slot.x, slot.y, height, facing)
        with scene.canvas.pen(scene.tone(p.lit((214, 160, 150)), slot.depth), 0.7) as pen:
            f.stroke(pen, [(0.15, 0.76), (0.1, 0.86), (0.05, 0.95)], 0.025, 0.01)


def lizard_body(f, pen):
    """Side on, low to the stone: one long tapering body from the snout to a tail that
    curls, and splayed legs with the elbows up."""
    t = np.linspace(0, 1, 24)
    spine = list(zip(0.48 - 1.45 * t, 0.1 + 0.04 * np.sin(t * np.pi * 1.6) + 0.04 * np.exp(-((t - 0.05) / 0.08) ** 2)))
    # snout, head, neck, the full belly, then the tail thinning to a point
    widths = np.interp(t, [0, 0.05, 0.12, 0.16, 0.3, 0.45, 0.55, 1.0], [0.04, 0.12, 0.13, 0.1, 0.19, 0.16, 0.09, 0.008])
    pen.polygon(tapered(f.pts(spine), 0, 0, widths=widths * f.s))
    for hip, toe in (((0.24, 0.07), (0.38, 0.0)), ((0.2, 0.07), (0.08, 0.0)),
                     ((-0.14, 0.07), (0.0, 0.0)), ((-0.18, 0.07), (-0.34, 0.0))):
        knee = ((hip[0] + toe[0]) / 2, 0.1)  # elbows up, as a lizard holds them
        f.stroke(pen, [hip, knee, toe], 0.065, 0.035)
        f.ellipse(pen, toe[0], 0.01, 0.035, 0.012)  # splayed toes


@renders("lizard", footing="land")
def lizard(scene, slot, rng):
    p = scene.palette
    height = slot.size * (0.55 if slot.layer == "foreground" else 0.35)
    hide = scene.tone(mix(p.ink, p.lit(tuple(rng.choice([(96, 120, 64), (132, 110, 70)]))), 0.55), slot.depth)
    # the modelling lights its back; a painted stripe of sun on it read as an odd orange band
    standing(scene, slot, lizard_body, height, hide, rng)
