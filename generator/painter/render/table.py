"""A table laid for a meal: a cloth, bowls and a light, seen from a little above.

The motif of dinners, suppers and breakfasts, and of the people round them: a table
stands for the household as a house stands for home. When the poem's people share its
layer they sit behind it, and the figure paints it with them (people.at_table).
"""

from __future__ import annotations

import math

import numpy as np

from generator.painter.render.built import shine, window_light
from generator.painter.render.canvas import mix, scale
from generator.painter.render.registry import renders

CLOTH = (236, 230, 214)
WOOD = (112, 78, 52)
GLAZES = ((88, 118, 110), (180, 92, 62), (222, 214, 196), (70, 86, 130))


TOP, DEEP = 0.42, 0.14  # of its size: the height of the table top's front edge, how far it recedes


def far_edge(y: float, s: float) -> float:
    """The y of the far edge of the top of a table of size s standing at y."""
    return y - s * (TOP + DEEP)


@renders("table", footing="land")
def table(scene, slot, rng):
    if scene.plan.seated_layer() == slot.layer:
        return  # the people of the poem sit at it, and the figure paints them there (people.at_table)
    laid_table(scene, slot.x, slot.y, slot.size * (1.15 if slot.layer == "foreground" else 0.7), slot.depth, rng)


def laid_table(scene, x, y, s, depth, rng, long_cloth=False, glow=1.0) -> float:
    """The table standing at (x, y) px, s its size; a long cloth falls to the floor, and its
    light shines with glow's strength and reach. The y of its top's far edge."""
    c, p = scene.canvas, scene.palette
    top = y - s * TOP  # the table top's front edge
    front, back, deep = s * 0.62, s * 0.5, s * DEEP  # half widths, and how far it recedes
    wood = scene.tone(mix(p.ink, p.lit(WOOD), 0.5), depth)
    cloth = scene.tone(p.lit(CLOTH), depth)
    scene.foot_shade(x, y, front * 1.05, s * 0.05)  # its shadow on the floor
    if not long_cloth:
        with c.pen(wood) as pen:
            for dx in (-front * 0.85, front * 0.85):
                pen.rect(x + dx - s * 0.025, top, x + dx + s * 0.025, y)
    with c.pen(cloth) as pen:  # the cloth over the top, and its fall over the front edge
        pen.polygon([(x - front, top), (x + front, top), (x + back, top - deep), (x - back, top - deep)])
        hem = np.linspace(-front, front, 13)
        fall = (y - top if long_cloth else s * 0.14) + s * 0.015 * np.sin(hem / front * 9 + rng.uniform(0, 6))
        pen.polygon([(x - front, top)] + [(x + hx, top + d) for hx, d in zip(hem, fall)] + [(x + front, top)])
    with c.pen(scale(cloth, 0.82)) as pen:
        pen.rect(x - front, top, x + front, top + s * 0.012)
    seats = rng.permutation(np.linspace(-0.7, 0.7, 4))[: rng.integers(2, 4)]
    for k, t in enumerate(sorted(seats)):  # bowls and plates along the middle of the cloth
        bx, by = x + t * back, top - deep * 0.5
        glaze = scene.tone(p.lit(GLAZES[int(rng.integers(len(GLAZES)))]), depth)
        with c.pen(scale(cloth, 0.88)) as pen:
            pen.ellipse(bx, by + s * 0.01, s * 0.11, s * 0.03)  # the plate
        with c.pen(glaze) as pen:  # the bowl on it
            arc = np.linspace(0, math.pi, 16)
            pen.polygon([(bx - s * 0.07 * math.cos(a), by - s * 0.02 + s * 0.06 * math.sin(a)) for a in arc])
        with c.pen(scale(glaze, 0.7)) as pen:
            pen.ellipse(bx, by - s * 0.02, s * 0.07, s * 0.016)
    lx = x + rng.choice((-1, 1)) * back * 0.15
    ly = top - deep * 0.55
    shine(scene, lx, ly - s * 0.16, s * 0.9 * glow, glow)  # the light the meal is eaten by
    with c.pen(scene.tone(mix(p.ink, p.lit((200, 180, 140)), 0.4), depth)) as pen:
        pen.rect(lx - s * 0.012, ly - s * 0.14, lx + s * 0.012, ly)
        pen.ellipse(lx, ly, s * 0.04, s * 0.01)
    with c.pen(window_light(scene) if p.darkness > 0.3 else (255, 214, 140)) as pen:
        pen.ellipse(lx, ly - s * 0.165, s * 0.012, s * 0.028)
    return far_edge(y, s)
