"""Small animals of the ground: a hare sitting up, a lizard basking.

Drawn like the other creatures (creatures.py): silhouettes in body units, standing on the
slot's ground, casting a long shadow when the poem names one or a low sun casts it.
"""

from __future__ import annotations

import numpy as np

from generator.painter.render.canvas import mix
from generator.painter.render.creatures import Figure, standing
from generator.painter.render.registry import renders


# the ears in body units: from the crown up and back to a rounded tip
EARS = (((0.12, 0.74), (0.09, 0.9), (0.04, 1.05)), ((0.18, 0.75), (0.2, 0.9), (0.18, 1.05)))


def hare_body(f, pen):
    """Sitting up, side on: one smooth contour from the nose over the round head, down the
    curved back to the full haunch and along the long hind foot, up the chest; and long
    ears shaped like leaves, wide in the middle and rounded at the tip. (Ellipses with
    ears as straight sticks read as "stiff" and "flat"; three viewers chose this one 14 of 15,
    once its ears stood tall and apart, where ears leaning back together "merged".)"""
    f.outline(pen, [(0.37, 0.63), (0.33, 0.7), (0.25, 0.76), (0.15, 0.77), (0.08, 0.72), (0.04, 0.63),
                    (-0.08, 0.55), (-0.22, 0.47), (-0.33, 0.34), (-0.38, 0.19), (-0.34, 0.06), (-0.22, 0.0),
                    (0.0, 0.0), (0.2, 0.0), (0.22, 0.03), (0.14, 0.06), (0.18, 0.2), (0.22, 0.38),
                    (0.24, 0.52), (0.29, 0.57), (0.34, 0.59)])
    f.stroke(pen, [(0.2, 0.3), (0.22, 0.12), (0.24, 0.01)], 0.065, 0.05)  # the foreleg, straight down
    f.ellipse(pen, 0.25, 0.015, 0.05, 0.018)  # its paw
    for ear in EARS:
        t = np.linspace(0, 1, 14)
        spine = _curve(f.pts(ear), t)
        pen.stroke(spine, 0, 0, widths=f.s * 0.085 * np.sin(np.pi * np.clip(t * 0.92 + 0.08, 0, 1)) ** 0.6)
    f.ellipse(pen, -0.39, 0.24, 0.06, 0.06)  # scut


def _curve(points, t):
    """The quadratic Bezier through three points' control polygon at parameters t: (n, 2)."""
    (x0, y0), (x1, y1), (x2, y2) = points
    t = t[:, None]
    return (1 - t) ** 2 * np.array([x0, y0]) + 2 * (1 - t) * t * np.array([x1, y1]) + t**2 * np.array([x2, y2])


@renders("rabbit", footing="land", modelled=True)
def rabbit(scene, slot, rng):
    p = scene.palette
    height = slot.size * (0.42 if slot.layer == "foreground" else 0.3)
    fur = scene.tone(mix(p.ink, p.lit((150, 120, 90)), 0.5), slot.depth)
    facing = standing(scene, slot, hare_body, height, fur, rng)
    if p.darkness < 0.6:  # the light catches the inside of an ear
        f = Figure(slot.x, slot.y, height, facing)
        with scene.canvas.pen(mix(fur, scene.tone(p.lit((214, 160, 150)), slot.depth), 0.5), 0.6) as pen:
            pen.stroke(_curve(f.pts(EARS[1]), np.linspace(0.25, 0.8, 10)), f.s * 0.02, f.s * 0.008)


def lizard_body(f, pen):
    """Side on and flat to the ground: a wedge of a head on a short neck, a long low body,
    a tail tapering to a point along the ground, and four sprawled legs, elbows and knees
    out, the hind feet turned back. (Arched high on straight legs it read as "an awkward
    animal", "an anteater"; three viewers chose the flat one 6 of 9, "reads as a lizard".)"""
    f.outline(pen, [_alive(x, y) for x, y in (
        (0.5, 0.04), (0.47, 0.07), (0.41, 0.092), (0.35, 0.09), (0.3, 0.08), (0.2, 0.098),
        (0.05, 0.11), (-0.1, 0.102), (-0.22, 0.08), (-0.45, 0.05), (-0.72, 0.028), (-1.0, 0.012),
        (-0.72, 0.01), (-0.45, 0.018), (-0.22, 0.035), (-0.05, 0.038), (0.12, 0.04),
        (0.26, 0.045), (0.34, 0.046), (0.43, 0.034))])
    # front legs: upper arm down from the shoulder, forearm bent forward to the foot
    # hind legs: thigh forward and down to the knee, shin back to a foot pointing back
    for joints in (((0.21, 0.065), (0.28, 0.055), (0.3, 0.0)), ((0.16, 0.06), (0.11, 0.05), (0.13, 0.0)),
                   ((-0.09, 0.065), (-0.0, 0.06), (-0.05, 0.0)), ((-0.15, 0.06), (-0.24, 0.055), (-0.21, 0.0))):
        f.stroke(pen, list(joints), 0.06, 0.03)
        foot = joints[-1]
        ahead = 1 if joints[1][0] > joints[0][0] else -1
        for spread in (-0.035, 0.0, 0.035):  # splayed toes
            f.stroke(pen, [foot, (foot[0] + spread + ahead * 0.02, 0.0)], 0.01, 0.004)


def _alive(x: float, y: float) -> tuple[float, float]:
    """A point of the lizard's outline with its head raised off the ground and its tail's
    tip curling up: laid out straight, it read as "a stiff plank" (1 of 4 in round 25's Part
    C); three viewers chose it so 8 of 9, "the lifted head gives it more life"."""
    head = max(0.0, x - 0.2) * 0.3  # the head and neck lift from the shoulders
    tail = max(0.0, -0.55 - x) ** 2 * 0.35  # the tail's last third curls up
    return x, y + head + tail


@renders("lizard", footing="land", modelled=True)
def lizard(scene, slot, rng):
    p = scene.palette
    height = slot.size * (0.75 if slot.layer == "foreground" else 0.48)  # a flat body: long for its height
    hide = scene.tone(mix(p.ink, p.lit(tuple(rng.choice([(96, 120, 64), (132, 110, 70)]))), 0.55), slot.depth)
    # the modelling lights its back; a painted stripe of sun on it read as an odd orange band
    standing(scene, slot, lizard_body, height, hide, rng)
