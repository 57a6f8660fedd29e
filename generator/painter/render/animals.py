"""Small animals of the ground: a hare sitting up, a lizard basking.

Drawn like the other creatures (creatures.py): silhouettes in body units, standing on the
slot's ground, casting the long shadow of a low sun when the poem names a shadow.
"""

from __future__ import annotations

import numpy as np

from generator.painter.render.canvas import mix
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
    """Side on, low to the stone: a long body, splayed legs and a tail that curls."""
    f.ellipse(pen, 0.0, 0.16, 0.3, 0.09, angle=0.05)
    f.ellipse(pen, 0.36, 0.2, 0.11, 0.07, angle=0.15)  # head, raised
    tail = [(-0.26, 0.14), (-0.5, 0.1), (-0.72, 0.05), (-0.9, 0.06), (-1.0, 0.14)]
    f.stroke(pen, tail, 0.12, 0.015)
    for hip, toe in (((0.18, 0.12), (0.3, 0.0)), ((0.14, 0.12), (0.04, 0.0)),
                     ((-0.18, 0.12), (-0.06, 0.0)), ((-0.22, 0.12), (-0.34, 0.0))):
        knee = ((hip[0] + toe[0]) / 2, 0.16)  # elbows up, as a lizard holds them
        f.stroke(pen, [hip, knee, toe], 0.05, 0.025)


@renders("lizard", footing="land")
def lizard(scene, slot, rng):
    p = scene.palette
    height = slot.size * (0.55 if slot.layer == "foreground" else 0.35)
    hide = scene.tone(mix(p.ink, p.lit(tuple(rng.choice([(96, 120, 64), (132, 110, 70)]))), 0.55), slot.depth)
    facing = standing(scene, slot, lizard_body, height, hide, rng)
    f = Figure(slot.x, slot.y, height, facing)
    with scene.canvas.pen(scene.tone(p.lit((220, 200, 120)), slot.depth), 0.5) as pen:  # the sun on its back
        f.stroke(pen, list(zip(np.linspace(-0.22, 0.26, 6), 0.22 + 0.02 * np.sin(np.linspace(0, 3, 6)))), 0.025)
