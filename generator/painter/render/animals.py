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
    """Side on, low to the ground: one smooth contour from the blunt snout over the arched
    back to a long tapering tail, and splayed legs with the elbows out, set inside the body
    (legs stroked from the belly's edge left spikes under it)."""
    f.outline(pen, [(0.5, 0.075), (0.43, 0.125), (0.34, 0.145), (0.26, 0.14), (0.15, 0.19), (0.0, 0.205),
                    (-0.16, 0.18), (-0.28, 0.135), (-0.5, 0.092), (-0.75, 0.07), (-0.99, 0.056),
                    (-0.75, 0.056), (-0.5, 0.06), (-0.28, 0.066), (-0.1, 0.05), (0.1, 0.052),
                    (0.27, 0.07), (0.42, 0.062)])
    for hip, elbow, foot in (((0.16, 0.09), (0.23, 0.05), (0.27, 0.005)), ((0.12, 0.09), (0.06, 0.045), (0.03, 0.005)),
                             ((-0.13, 0.09), (-0.07, 0.045), (-0.03, 0.005)), ((-0.18, 0.09), (-0.26, 0.045), (-0.31, 0.005))):
        f.stroke(pen, [hip, elbow, foot], 0.06, 0.03)
        for spread in (-0.03, 0.0, 0.03):  # splayed toes
            f.stroke(pen, [foot, (foot[0] + spread + 0.02, 0.0)], 0.012, 0.004)


@renders("lizard", footing="land", modelled=True)
def lizard(scene, slot, rng):
    p = scene.palette
    height = slot.size * (0.55 if slot.layer == "foreground" else 0.35)
    hide = scene.tone(mix(p.ink, p.lit(tuple(rng.choice([(96, 120, 64), (132, 110, 70)]))), 0.55), slot.depth)
    # the modelling lights its back; a painted stripe of sun on it read as an odd orange band
    standing(scene, slot, lizard_body, height, hide, rng)
