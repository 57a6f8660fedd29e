"""Small animals of the ground: a hare sitting up, a lizard basking.

The hare is drawn like the other creatures (creatures.py): a silhouette in body units,
standing on the slot's ground, casting a long shadow when the poem names one or a low sun
casts it. The lizard lies flat, so it is drawn from above and ahead along its spine, with
its own shadow beside it.
"""

from __future__ import annotations

import numpy as np

from generator.painter.render.canvas import mix, scale
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


# The lizard's outline along its spine, from the snout (0) to the tail's tip (1): half-widths
# in body lengths. A wedge of a head, a neck, a full body between the legs, a tail tapering
# over half the length.
LIZARD_WIDTH = ((0.0, 0.004), (0.025, 0.03), (0.07, 0.045), (0.11, 0.033), (0.17, 0.055), (0.3, 0.065),
                (0.42, 0.05), (0.5, 0.034), (0.75, 0.014), (1.0, 0.0))
LIZARD_LEGS = (0.16, 0.41)  # where along the spine the fore and hind legs join
GROUND_TILT = 0.62  # how much the ground's depth is foreshortened: the lizard lies on it


def lizard_outline(x, y, length, facing, phase, upright=False):
    """(outline (n, 2), spine (n, 2), normals (n, 2)) of a lizard lying on the ground seen
    from above and ahead, its body in an S as a resting lizard lies: all in canvas px.
    ``upright``: clinging head up to a tree's trunk, seen flat on."""
    t = np.linspace(0, 1, 90)
    # the S: a sway growing towards the tail, in the ground's depth (foreshortened on screen)
    sway = 0.13 * np.sin(np.pi * 1.7 * t + phase) * (0.35 + t)
    if upright:  # the snout up the trunk, the tail hanging below, the S across the bark
        ground = np.stack([sway * 0.6 * facing, t - 0.45], 1) * length
    else:
        ground = np.stack([facing * (0.45 - t), sway], 1) * length
    tangent = np.gradient(ground, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], 1)
    half = np.interp(t, *zip(*LIZARD_WIDTH)) * length
    tilt = np.array([1.0, 1.0 if upright else GROUND_TILT])
    spine = np.array([x, y]) + ground * tilt
    left, right = spine + normal * half[:, None] * tilt, spine - normal * half[:, None] * tilt
    return np.concatenate([left, right[::-1]]), spine, normal * tilt


LIZARD_FAR_REACH = 0.45  # how far the far legs reach out past the body, of the near ones


def lizard_legs(pen, spine, normal, length, facing, far: bool, upright=False) -> None:
    """The two legs on the far or the near side, sprawled, elbows and knees out, toes
    splayed: the fore feet reach forward, the hind feet back. The far ones are drawn under
    the body (over it, they "sprouted from its back"). ``upright``, on a trunk, all four
    grip the bark out to both sides, and ``far`` draws them all."""
    for k, at in enumerate(LIZARD_LEGS):
        i = int(at * (len(spine) - 1))
        ahead = (np.array([0.0, -1.0]) if upright else np.array([facing, 0.0])) * (1 if k == 0 else -1)
        for side in (-1, 1):
            if upright:
                if not far:
                    continue
            elif (normal[i][1] * side < 0) != far:  # the far side is up the picture
                continue
            # seen from above and ahead the far legs are foreshortened behind the body, only
            # their feet showing past it: drawn as long as the near ones they stood up off
            # its back ("legs sticking up from its back", all four viewers of round 33;
            # foreshortened, three viewers chose it 23 of 27)
            reach = LIZARD_FAR_REACH if far and not upright else 1.0
            hip = spine[i] + normal[i] * side * length * 0.04 * reach
            knee = hip + normal[i] * side * length * 0.065 * reach - ahead * length * 0.012
            foot = knee + ahead * length * 0.05 + normal[i] * side * length * 0.015 * reach
            pen.stroke([tuple(hip), tuple(knee), tuple(foot)], length * 0.032, length * 0.016)
            for spread in (-0.6, 0.0, 0.6):  # toes
                turn = np.array([[np.cos(spread), -np.sin(spread)], [np.sin(spread), np.cos(spread)]])
                toe = foot + turn @ (ahead * length * 0.024)
                pen.stroke([tuple(foot), tuple(toe)], length * 0.009, length * 0.004)


@renders("lizard", footing="land", modelled=True)
def lizard(scene, slot, rng):
    """A lizard basking flat on the ground, seen from above and ahead, in an S. (Side on, on
    its legs, it read as "stiff", "stick-like", "too many legs" in four viewings.)"""
    p, c = scene.palette, scene.canvas
    length = slot.size * (1.1 if slot.layer == "foreground" else 0.7)
    hide = scene.tone(mix(p.ink, p.lit(tuple(rng.choice([(96, 120, 64), (132, 110, 70)]))), 0.55), slot.depth)
    facing = -slot.side if rng.random() < 0.7 else slot.side
    # the whole of it in the picture, the snout 0.45 lengths ahead of its middle and the tail
    # 0.55 behind: shorter where its slot is near the edge, then moved in only what is left
    # (moved the whole way, it crawled into the trunk of the tree beside it)
    margin = scene.width * 0.03
    behind, ahead = (0.55, 0.45) if facing > 0 else (0.45, 0.55)
    room = min((slot.x - margin) / behind, (scene.width - margin - slot.x) / ahead)
    upright = scene.clinging  # on the trunk of the tree the poem puts it on (Scene.on_trunk)
    if upright:
        length, x, y = slot.size, slot.x, slot.y
    else:
        length = max(min(length, room), 0.7 * length)
        x = float(np.clip(slot.x, margin + length * behind, scene.width - margin - length * ahead))
        y = slot.y - length * 0.05
    outline, spine, normal = lizard_outline(x, y, length, facing, rng.uniform(-0.4, 0.4), upright)
    named = "shadow" in scene.motifs  # "the shadow of a lizard": its long shadow is the picture
    middle = spine.mean(axis=0)
    if upright:  # its shadow on the bark beside it, away from the light
        from generator.painter.render.plants import tree_colors

        stretch, cast = np.array([1.05, 1.05]), np.array([length * (0.09 if named else 0.04), length * 0.03])
        shade, strength = scale(tree_colors(scene, 0.0)[0], 0.45), 0.7
    else:
        stretch = np.array([1.25, 1.6]) if named else np.array([1.0, 1.0])
        cast = np.array([length * (0.12 if named else 0.03) * slot.side, length * (0.1 if named else 0.025)])
        shade, strength = scale(p.ground_near, 0.4), 0.6 if named else 0.5
    with c.pen(shade, strength, blur=length * 0.01) as pen:
        pen.polygon(middle + (outline - middle) * stretch + cast)
        for far in (True, False):
            lizard_legs(pen, middle + (spine - middle) * stretch + cast, normal * stretch, length * 1.1, facing, far,
                        upright)
    with c.pen(hide) as pen:
        lizard_legs(pen, spine, normal, length, facing, far=True, upright=upright)
    with c.pen(hide) as pen:
        pen.polygon(outline)
        lizard_legs(pen, spine, normal, length, facing, far=False, upright=upright)
    if scene.detail:
        _blotches(c, rng, spine, normal, length, scale(hide, 0.62))
    with c.pen(scale(hide, 0.5)) as pen:  # the eyes, one each side of the head
        i = int(0.06 * (len(spine) - 1))
        for side in (-1, 1):
            ex, ey = spine[i] + normal[i] * side * length * 0.02
            pen.circle(ex, ey, length * 0.006)


def _blotches(canvas, rng, spine, normal, length, color) -> None:
    """Two rows of dark blotches down a lizard's back, the way most lizards are marked. In oil
    three viewers chose them 6 of 6 times ("mottled markings stand out from the pale field",
    where the plain hide "fades into the ground"); in ink 1 of 6 ("the plain ink silhouette
    suits the sparse sumi-e style"; "stamped-on ovals"), so oil alone (``Scene.detail``)."""
    half = np.interp(np.linspace(0, 1, len(spine)), *zip(*LIZARD_WIDTH)) * length
    with canvas.pen(color) as pen:
        for t in np.linspace(0.15, 0.62, 9):
            for side in (-1, 1):
                i = int(np.clip(t + rng.normal(0, 0.012), 0, 1) * (len(spine) - 1))
                size = half[i] * rng.uniform(0.2, 0.3)
                bx, by = spine[i] + normal[i] * side * half[i] * rng.uniform(0.3, 0.5)
                pen.ellipse(bx, by, size, size * 0.7 * GROUND_TILT, angle=float(np.arctan2(normal[i][0], -normal[i][1])))
