"""Small animals of the ground: a hare sitting up, a lizard basking.

Drawn like the other creatures (creatures.py): silhouettes in body units, standing on the
slot's ground, casting a long shadow when the poem names one or a low sun casts it.
"""

from __future__ import annotations

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


@renders("rabbit", footing="land", modelled=True)
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
    """Side on and flat to the ground: a wedge of a head on a short neck, a long low body,
    a tail tapering to a point along the ground, and four sprawled legs, elbows and knees
    out, the hind feet turned back. (Arched high on straight legs it read as "an awkward
    animal", "an anteater"; three viewers chose the flat one 6 of 9, "reads as a lizard".)"""
    f.outline(pen, [(0.5, 0.04), (0.47, 0.07), (0.41, 0.092), (0.35, 0.09), (0.3, 0.08), (0.2, 0.098),
                    (0.05, 0.11), (-0.1, 0.102), (-0.22, 0.08), (-0.45, 0.05), (-0.72, 0.028), (-1.0, 0.012),
                    (-0.72, 0.01), (-0.45, 0.018), (-0.22, 0.035), (-0.05, 0.038), (0.12, 0.04),
                    (0.26, 0.045), (0.34, 0.046), (0.43, 0.034)])
    # front legs: upper arm down from the shoulder, forearm bent forward to the foot
    # hind legs: thigh forward and down to the knee, shin back to a foot pointing back
    for joints in (((0.21, 0.065), (0.28, 0.055), (0.3, 0.0)), ((0.16, 0.06), (0.11, 0.05), (0.13, 0.0)),
                   ((-0.09, 0.065), (-0.0, 0.06), (-0.05, 0.0)), ((-0.15, 0.06), (-0.24, 0.055), (-0.21, 0.0))):
        f.stroke(pen, list(joints), 0.06, 0.03)
        foot = joints[-1]
        ahead = 1 if joints[1][0] > joints[0][0] else -1
        for spread in (-0.035, 0.0, 0.035):  # splayed toes
            f.stroke(pen, [foot, (foot[0] + spread + ahead * 0.02, 0.0)], 0.01, 0.004)


@renders("lizard", footing="land", modelled=True)
def lizard(scene, slot, rng):
    p = scene.palette
    height = slot.size * (0.75 if slot.layer == "foreground" else 0.48)  # a flat body: long for its height
    hide = scene.tone(mix(p.ink, p.lit(tuple(rng.choice([(96, 120, 64), (132, 110, 70)]))), 0.55), slot.depth)
    # the modelling lights its back; a painted stripe of sun on it read as an odd orange band
    standing(scene, slot, lizard_body, height, hide, rng)
