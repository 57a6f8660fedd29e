"""Creatures, as silhouettes: birds, insects and animals (people are in people.py).

Bodies are drawn in their own units (height 1, facing right, y up) through a Figure, which
places, scales and mirrors them; the same drawing, flipped and faint, is the reflection of
anything that stands in water.
"""

from __future__ import annotations

import math

import numpy as np

from generator.painter.render.canvas import mix, rounded, saturate, scale
from generator.painter.render.registry import renders

WHITE = (255, 255, 255)


# the motifs painted standing on the ground through standing(): they cast their own shadows
CASTERS = frozenset({"heron", "frog", "cat", "dog", "deer", "horse", "figure", "child", "rabbit", "lizard"})
# Under a low sun whatever stands casts a long shadow towards us, away from the glow: three
# viewers chose it over the small oval under the feet in 22 of 27 pairs ("adds drama and
# depth", "the oval looks like a pedestal").
LOW_SUN_SHADOW = 1.3  # its length, in the caster's heights
LEAST_LEAN = 0.45  # its least slant: px across the picture per px of the caster's height


class Figure:
    """Maps body units (x forward, y up, height 1) to the canvas."""

    def __init__(self, x, base, size, facing=1, mirrored=False):
        self.x, self.base, self.s, self.f = x, base, size, facing
        self.flip = -0.8 if mirrored else 1.0  # a reflection is upside down and shorter

    def p(self, ux, uy):
        return (self.x + ux * self.s * self.f, self.base - uy * self.s * self.flip)

    def pts(self, seq):
        return [self.p(ux, uy) for ux, uy in seq]

    def ellipse(self, pen, ux, uy, rx, ry, angle=0.0):
        x, y = self.p(ux, uy)
        pen.ellipse(
            x,
            y,
            rx * self.s,
            ry * self.s * abs(self.flip),
            angle=-angle * self.f * np.sign(self.flip),
        )

    def stroke(self, pen, seq, w0, w1=None):
        pen.stroke(self.pts(seq), w0 * self.s, (w0 if w1 is None else w1) * self.s)

    def outline(self, pen, seq):
        """A smooth closed contour through the control points seq (body units)."""
        pen.polygon(rounded(self.pts(seq)))


class CastShadow(Figure):
    """The same body laid on the ground towards the viewer, long and leaning, as a low sun
    behind it casts it."""

    def __init__(self, x, base, size, facing, lean, length=1.4):
        super().__init__(x, base, size, facing)
        self.flip, self.lean = -length, lean

    def p(self, ux, uy):
        x, y = super().p(ux, uy)
        return (x + uy * self.s * self.lean, y)


def standing(scene, slot, draw, height, color, rng, facing=None):
    """Draw a body standing on the slot's ground, with its reflection when in water, and
    its long shadow when the poem names a shadow or a low sun casts one."""
    facing = facing or (-slot.side if rng.random() < 0.7 else slot.side)
    c = scene.canvas
    if scene.is_water(slot.x, slot.y + 2):
        with c.pen(scale(color, 0.8), 0.3, within=scene.water) as pen:
            draw(Figure(slot.x, slot.y, height, facing, mirrored=True), pen)
    elif "shadow" in scene.motifs:
        lean = slot.side * -0.5  # towards the middle of the picture
        with c.pen(scale(scene.palette.ground_near, 0.4), 0.6, blur=height * 0.015) as pen:
            draw(CastShadow(slot.x, slot.y, height, facing, lean), pen)
    elif _low_sun_behind(scene, slot):
        # on the ground the shadow runs from the sun through the feet: in the picture, away
        # from the glow's place on the horizon, steeper the nearer the caster stands
        lean = (slot.x - scene.low_sun_x) / (slot.y - scene.horizon) * LOW_SUN_SHADOW
        # never straight down the picture: there the legs' shadows run on below the legs
        # like a second pair ("odd doubled shadows", the wanderer close up, 0 of 4)
        away = 1.0 if lean > 0 or (lean == 0 and slot.side > 0) else -1.0
        lean = away * float(np.clip(abs(lean), LEAST_LEAN, 1.2))
        with c.pen(scale(scene.palette.ground_near, 0.4), 0.55, blur=min(height * 0.015, scene.u * 3)) as pen:
            draw(CastShadow(slot.x, slot.y, height, facing, lean, LOW_SUN_SHADOW), pen)
        with c.pen(scale(scene.palette.ground_near, 0.45), 0.35) as pen:  # the feet on the ground
            pen.ellipse(slot.x, slot.y, height * 0.2, height * 0.02)
    else:
        with c.pen(scale(scene.palette.ground_near, 0.5), 0.45) as pen:
            pen.ellipse(slot.x, slot.y, height * 0.35, height * 0.035)
    with c.pen(color) as pen:
        draw(Figure(slot.x, slot.y, height, facing), pen)
    return facing


def _low_sun_behind(scene, slot) -> bool:
    """Whether a dawn or dusk sun low on the horizon lights the slot's ground from behind:
    in oil's landscapes (``Scene.detail``), on land below the horizon, under a clear sky."""
    return scene.detail and scene.low_sun_x is not None and slot.y > scene.horizon + 2


def flier(pen, x, y, s, flap, facing=1):
    """A bird in flight: two bent, tapering wings from a small body."""
    for side in (-1, 1):
        pen.stroke(
            [
                (x, y),
                (x + side * s * 0.45, y - s * 0.28 * flap),
                (x + side * s, y - s * 0.05 * flap + s * 0.12),
            ],
            s * 0.2,
            s * 0.02,
        )
    pen.ellipse(x + facing * s * 0.05, y + s * 0.03, s * 0.22, s * 0.075)
    pen.circle(x + facing * s * 0.25, y - s * 0.0, s * 0.07)


def flock(scene, slot, rng, count, size, color, spread):
    with scene.canvas.pen(color) as pen:
        for _ in range(count):
            s = size * rng.uniform(0.6, 1.1)
            flier(
                pen,
                slot.x + rng.normal(0, spread),
                slot.y + rng.normal(0, spread * 0.4),
                s,
                rng.uniform(-0.6, 1.0),
            )


def perch(scene, slot, rng, y, color):
    """A bare branch reaching in from the nearer edge, to perch on."""
    end = slot.x - slot.side * slot.size * 0.4
    edge = scene.width * (1.02 if slot.side > 0 else -0.02)
    t = np.linspace(0, 1, 10)[:, None]
    pts = np.concatenate(
        [edge + (end - edge) * t, y + np.sin(t * 3) * slot.size * 0.03 - t * slot.size * 0.05], 1
    )
    with scene.canvas.pen(color) as pen:
        pen.stroke(pts, slot.size * 0.06, slot.size * 0.02)
        twig = pts[6]
        pen.stroke(
            [twig, (twig[0] + slot.side * slot.size * 0.1, twig[1] - slot.size * 0.2)],
            slot.size * 0.025,
            slot.size * 0.005,
        )
    stand = int(np.argmin(np.abs(pts[:, 0] - slot.x)))
    return float(pts[stand, 0]), float(pts[stand, 1])  # where a bird stands


def crow_perched(f, pen):
    f.ellipse(pen, 0, 0.5, 0.32, 0.17, angle=0.45)
    pen.polygon(f.pts([(-0.2, 0.42), (-0.58, 0.12), (-0.46, 0.06), (-0.1, 0.32)]))  # tail
    f.ellipse(pen, 0.24, 0.78, 0.13, 0.12)
    pen.polygon(f.pts([(0.3, 0.83), (0.52, 0.76), (0.3, 0.72)]))  # beak
    f.stroke(pen, [(0.02, 0.35), (0.04, 0.0)], 0.025)
    f.stroke(pen, [(0.1, 0.36), (0.12, 0.0)], 0.025)


@renders("crow", modelled=True)
def crow(scene, slot, rng):
    color = scene.ink(slot.depth * 0.6)
    if slot.layer == "sky":
        return flock(
            scene, slot, rng, rng.integers(2, 6), scene.height * 0.04, color, scene.width * 0.12
        )
    if slot.layer == "middle":
        return flock(
            scene, slot, rng, rng.integers(2, 4), scene.height * 0.028, color, scene.width * 0.08
        )
    branch_y = scene.horizon * rng.uniform(0.5, 0.75)
    x, y = perch(scene, slot, rng, branch_y, scene.ink(0.05))
    with scene.canvas.pen(color) as pen:
        crow_perched(Figure(x, y, slot.size * 0.45, -slot.side), pen)


def heron_body(f, pen):
    f.stroke(pen, [(-0.02, 0.5), (0.0, 0.0)], 0.018)
    f.stroke(pen, [(0.04, 0.5), (0.08, 0.22), (0.02, 0.0)], 0.018)
    f.ellipse(pen, 0, 0.55, 0.2, 0.09, angle=-0.35)
    pen.polygon(f.pts([(-0.15, 0.6), (-0.32, 0.42), (-0.12, 0.5)]))  # tail plumes
    f.stroke(pen, [(0.14, 0.6), (0.22, 0.72), (0.14, 0.82), (0.2, 0.93)], 0.06, 0.035)
    f.ellipse(pen, 0.22, 0.94, 0.05, 0.035)
    pen.polygon(f.pts([(0.24, 0.96), (0.42, 0.925), (0.24, 0.915)]))  # the long bill


@renders("heron", modelled=True)
def heron(scene, slot, rng):
    p = scene.palette
    white = scene.tone(mix(p.snow, (200, 205, 210), 0.25), slot.depth)
    height = slot.size * (1.0 if slot.layer == "foreground" else 0.95)
    facing = standing(scene, slot, heron_body, height, white, rng)
    with scene.canvas.pen(scene.ink(slot.depth)) as pen:  # dark crest and eye
        f = Figure(slot.x, slot.y, height, facing)
        pen.stroke([f.p(0.2, 0.96), f.p(0.08, 0.99)], height * 0.012, height * 0.003)
        x, y = f.p(0.23, 0.945)
        pen.circle(x, y, height * 0.008)


@renders("geese", modelled=True)
def geese(scene, slot, rng):
    color = scene.ink(0.35)
    n = int(rng.integers(3, 6))
    s = scene.height * 0.022
    gap = s * 1.8
    with scene.canvas.pen(color) as pen:
        for k in range(-n, n + 1):
            x = slot.x - slot.side * abs(k) * gap * 1.3  # a V: both arms trail behind the leader
            y = slot.y + k * gap * 0.55
            flier(pen, x, y, s * (1 - abs(k) * 0.04), 0.8 * math.sin(k * 1.7), slot.side)


def swallow_shape(pen, x, y, s, facing, flap):
    for side in (-1, 1):
        pen.stroke(
            [
                (x, y),
                (x - facing * s * 0.2, y + side * s * 0.35 - s * 0.1 * flap),
                (x - facing * s * 0.55, y + side * s * 0.7),
            ],
            s * 0.18,
            s * 0.01,
        )
    pen.ellipse(x, y, s * 0.28, s * 0.08)
    for side in (-1, 1):  # the forked tail
        pen.stroke(
            [(x - facing * s * 0.2, y), (x - facing * s * 0.62, y + side * s * 0.14)],
            s * 0.07,
            s * 0.01,
        )
    pen.circle(x + facing * s * 0.26, y - s * 0.01, s * 0.08)


@renders("swallow", modelled=True)
def swallow(scene, slot, rng):
    s = scene.height * (0.05 if slot.layer == "sky" else 0.035)
    facing = slot.side
    with scene.canvas.pen(scene.ink(slot.depth * 0.4)) as pen:
        for k in range(rng.integers(2, 5)):
            swallow_shape(
                pen,
                slot.x + rng.normal(0, s * 2.5),
                slot.y + rng.normal(0, s * 1.5),
                s * rng.uniform(0.7, 1.1),
                facing,
                rng.uniform(-1, 1),
            )


def sparrow_body(f, pen):
    f.ellipse(pen, 0, 0.45, 0.34, 0.26, angle=0.25)
    f.ellipse(pen, 0.27, 0.72, 0.17, 0.16)
    pen.polygon(f.pts([(-0.25, 0.45), (-0.62, 0.35), (-0.58, 0.26), (-0.2, 0.32)]))
    pen.polygon(f.pts([(0.42, 0.76), (0.54, 0.71), (0.41, 0.67)]))
    f.stroke(pen, [(0.02, 0.22), (0.0, 0.0)], 0.03)
    f.stroke(pen, [(0.1, 0.22), (0.1, 0.0)], 0.03)


@renders("sparrow", modelled=True)
def sparrow(scene, slot, rng):
    p = scene.palette
    brown = scene.tone(p.lit((150, 108, 70)), slot.depth)
    if slot.layer == "sky":
        return flock(
            scene,
            slot,
            rng,
            rng.integers(4, 9),
            scene.height * 0.014,
            scene.ink(0.3),
            scene.width * 0.1,
        )
    if slot.layer == "foreground":
        x, y = perch(scene, slot, rng, scene.horizon * rng.uniform(0.55, 0.8), scene.ink(0.05))
        height = slot.size * 0.35
    else:
        x, y, height = slot.x, slot.y, slot.size * 0.18
    f = Figure(x, y, height, -slot.side)
    with scene.canvas.pen(brown) as pen:
        sparrow_body(f, pen)
    with scene.canvas.pen(mix(brown, p.lit((240, 230, 210)), 0.6)) as pen:  # pale cheek and belly
        f.ellipse(pen, 0.3, 0.67, 0.08, 0.06)
        f.ellipse(pen, 0.08, 0.36, 0.2, 0.12, angle=0.2)
    with scene.canvas.pen(scale(brown, 0.45)) as pen:  # cap, wing stripes, eye
        f.ellipse(pen, 0.25, 0.8, 0.13, 0.07)
        f.stroke(pen, [(-0.2, 0.55), (0.12, 0.5)], 0.05, 0.02)
        x, yy = f.p(0.34, 0.74)
        pen.circle(x, yy, height * 0.025)


def insect_wings(scene, x, y, s, colors, rng):
    upper, lower = colors
    tilt = rng.uniform(-0.4, 0.4)
    for color, parts in (
        (upper, ((-1, -0.35, 0.5, 0.32), (1, -0.35, 0.5, 0.32))),
        (lower, ((-1, 0.3, 0.36, 0.26), (1, 0.3, 0.36, 0.26))),
    ):
        with scene.canvas.pen(color) as pen:
            for side, dy, rx, ry in parts:
                pen.ellipse(
                    x + side * s * rx * 0.9, y + dy * s, s * rx, s * ry, angle=tilt + side * 0.5
                )


@renders("butterfly", modelled=True)
def butterfly(scene, slot, rng):
    p = scene.palette
    s = slot.size * (0.2 if slot.layer == "foreground" else 0.12)
    base = [(250, 200, 60), (250, 140, 50), (240, 240, 230), (110, 150, 230)]
    for k in range(rng.integers(1, 4)):
        x = slot.x + rng.normal(0, slot.size * 0.3)
        y = slot.y - slot.size * rng.uniform(0.35, 1.0)
        color = scene.tone(p.lit(base[rng.integers(len(base))]), slot.depth)
        ss = s * rng.uniform(0.6, 1.0)
        insect_wings(scene, x, y, ss, (color, mix(color, (255, 255, 255), 0.2)), rng)
        with scene.canvas.pen(scene.ink(slot.depth)) as pen:
            pen.ellipse(x, y, ss * 0.05, ss * 0.32)
            pen.line([(x, y - ss * 0.3), (x - ss * 0.2, y - ss * 0.6)], scene.u)
            pen.line([(x, y - ss * 0.3), (x + ss * 0.2, y - ss * 0.6)], scene.u)
        with scene.canvas.pen(scale(color, 0.5), 0.8) as pen:
            pen.circle(x - ss * 0.5, y - ss * 0.4, ss * 0.07)
            pen.circle(x + ss * 0.5, y - ss * 0.4, ss * 0.07)


@renders("dragonfly", modelled=True)
def dragonfly(scene, slot, rng):
    p = scene.palette
    s = slot.size * (0.45 if slot.layer == "foreground" else 0.28)
    body = scene.tone(
        p.lit(tuple(rng.choice([(50, 100, 200), (200, 60, 50), (60, 150, 110)]))), slot.depth
    )
    wing = mix(scene.sky_color(scene.horizon * 0.6), WHITE, 0.65)
    for _ in range(rng.integers(1, 3)):
        x, y = slot.x + rng.normal(0, slot.size * 0.3), slot.y - slot.size * rng.uniform(0.5, 1.1)
        ss = s * rng.uniform(0.7, 1.0)
        a = rng.uniform(-0.6, 0.6)  # seen from above, heading this way
        ca, sa = math.cos(a), math.sin(a)
        at = lambda dx, dy: (x + dx * ca - dy * sa, y + dx * sa + dy * ca)  # noqa: E731
        with scene.canvas.pen(wing, 0.7) as pen:  # two pairs of long narrow wings
            for dy, tilt in ((-0.08, -0.12), (0.04, 0.15)):
                for side in (-1, 1):
                    cx, cy = at(side * ss * 0.26, dy * ss)
                    pen.ellipse(cx, cy, ss * 0.26, ss * 0.055, angle=a + side * tilt)
        with scene.canvas.pen(scale(wing, 0.8), 0.8) as pen:
            for dy in (-0.08, 0.04):
                pen.line([at(-ss * 0.5, dy * ss), at(ss * 0.5, dy * ss)], scene.u * 0.8)
        with scene.canvas.pen(body) as pen:  # head with big eyes, thorax, the long thin tail
            pen.stroke([at(0, -0.02 * ss), at(0, 0.62 * ss)], ss * 0.05, ss * 0.025)
            cx, cy = at(0, -0.06 * ss)
            pen.ellipse(cx, cy, ss * 0.045, ss * 0.08, angle=a)
            for side in (-1, 1):
                ex, ey = at(side * ss * 0.04, -0.17 * ss)
                pen.circle(ex, ey, ss * 0.045)


@renders("fireflies")
def fireflies(scene, slot, rng):
    c, w, h = scene.canvas, scene.width, scene.height
    glow = (200, 255, 120)
    strength = 0.35 + 0.6 * scene.palette.darkness
    top = scene.horizon - h * 0.08 if slot.layer == "middle" else scene.horizon + h * 0.05
    for _ in range(int(rng.integers(30, 60))):
        x = np.clip(slot.x + rng.normal(0, w * 0.22), 0, w)
        y = rng.uniform(top, min(h, slot.y + h * 0.03))
        r = h * rng.uniform(0.003, 0.006)
        c.glow(x, y, r * 7, glow, strength * 0.8)
        with c.pen((250, 255, 200), min(1.0, strength + 0.2)) as pen:
            pen.circle(x, y, r)


@renders("moth", modelled=True)
def moth(scene, slot, rng):
    c, p = scene.canvas, scene.palette
    near = [light for light in scene.lights if light[1] < scene.height]
    x, y = (
        (near[0][0], near[0][1]) if near else (slot.x, slot.y - slot.size * rng.uniform(0.5, 0.9))
    )
    if not near:
        c.glow(x, y, slot.size * 0.35, mix(p.lamp, WHITE, 0.4), 0.25 + 0.3 * p.darkness)
    pale = scene.tone(p.lit((222, 208, 180)), slot.depth) if p.darkness < 0.5 else (214, 204, 184)
    for k in range(rng.integers(1, 4)):
        s = slot.size * (0.25 if slot.layer == "foreground" else 0.15) * rng.uniform(0.7, 1.0)
        a = rng.uniform(0, 2 * math.pi)
        mx, my = x + math.cos(a) * s * rng.uniform(1.2, 3), y + math.sin(a) * s * rng.uniform(
            1.2, 2
        )
        tilt = rng.uniform(-0.5, 0.5)
        with c.pen(pale) as pen:
            for side in (-1, 1):  # broad triangular forewings, rounded hindwings
                pen.polygon(
                    [
                        (mx, my - s * 0.2),
                        (mx + side * s * 0.95, my - s * 0.05 + tilt * s * side * 0.3),
                        (mx + side * s * 0.55, my + s * 0.35),
                    ]
                )
                pen.ellipse(mx + side * s * 0.3, my + s * 0.3, s * 0.3, s * 0.22)
        with c.pen(scale(pale, 0.55)) as pen:
            pen.ellipse(mx, my + s * 0.1, s * 0.08, s * 0.35)
            pen.line([(mx, my - s * 0.2), (mx - s * 0.3, my - s * 0.55)], scene.u)
            pen.line([(mx, my - s * 0.2), (mx + s * 0.3, my - s * 0.55)], scene.u)


def frog_body(f, pen):
    f.ellipse(pen, 0, 0.35, 0.42, 0.3, angle=0.15)
    f.ellipse(pen, 0.3, 0.55, 0.22, 0.17)
    f.ellipse(pen, 0.28, 0.74, 0.09, 0.09)
    f.ellipse(pen, -0.15, 0.2, 0.3, 0.14, angle=-0.3)  # folded hind leg
    f.stroke(pen, [(0.3, 0.35), (0.38, 0.1), (0.45, 0.0)], 0.08, 0.04)


@renders("frog", modelled=True)
def frog(scene, slot, rng):
    p = scene.palette
    green = scene.tone(saturate(p.lit((96, 150, 70)), 1.1), slot.depth)
    height = slot.size * 0.45
    if scene.is_water(slot.x, slot.y):  # on a lily pad
        with scene.canvas.pen(scene.tone(scale(p.foliage, 0.8), slot.depth)) as pen:
            pen.ellipse(slot.x, slot.y, height * 1.1, height * 0.25)
    facing = standing(scene, slot, frog_body, height, green, rng)
    f = Figure(slot.x, slot.y, height, facing)
    with scene.canvas.pen(mix(green, p.lit((240, 230, 160)), 0.5)) as pen:
        f.ellipse(pen, 0.1, 0.3, 0.28, 0.12)
    with scene.canvas.pen(scene.ink(slot.depth)) as pen:
        x, y = f.p(0.3, 0.75)
        pen.circle(x, y, height * 0.045)
        pen.line([f.p(0.35, 0.5), f.p(0.5, 0.47)], height * 0.015)


@renders("fish", footing="water", modelled=True)
def fish(scene, slot, rng):
    p = scene.palette
    s = slot.size * (0.22 if slot.layer == "foreground" else 0.14)
    for k in range(rng.integers(2, 4)):
        x, y = slot.x + rng.normal(0, s * 1.2), slot.y - s * 0.4 + rng.normal(0, s * 0.25)
        a = rng.uniform(-0.5, 0.5) + (math.pi if rng.random() < 0.5 else 0)
        ca, sa = math.cos(a), math.sin(a) * 0.4  # seen from above, flattened by perspective
        along = lambda d, o: (
            x + ca * d * s - sa * o * s,
            y + sa * d * s + ca * o * s * 0.4,
        )  # noqa: E731
        orange, white = scene.tone(p.lit((242, 110, 40)), slot.depth), scene.tone(
            p.lit((248, 244, 236)), slot.depth
        )
        with scene.canvas.pen(white) as pen:  # a koi: tapering body, fanned tail, side fins
            pen.polygon(
                [
                    along(0.5, 0),
                    along(0.3, 0.16),
                    along(-0.2, 0.12),
                    along(-0.5, 0.03),
                    along(-0.5, -0.03),
                    along(-0.2, -0.12),
                    along(0.3, -0.16),
                ]
            )
            pen.polygon([along(-0.45, 0), along(-0.78, 0.2), along(-0.7, 0), along(-0.78, -0.2)])
        with scene.canvas.pen(orange) as pen:
            pen.polygon(
                [
                    along(0.45, 0),
                    along(0.3, 0.13),
                    along(0.05, 0.1),
                    along(0.1, -0.1),
                    along(0.3, -0.13),
                ]
            )
            pen.polygon(
                [along(-0.1, 0.1), along(-0.35, 0.07), along(-0.3, -0.08), along(-0.05, -0.09)]
            )
            pen.polygon([along(0.2, 0.12), along(0.05, 0.35), along(0.05, 0.12)])
            pen.polygon([along(0.2, -0.12), along(0.05, -0.35), along(0.05, -0.12)])


def cat_body(f, pen):
    f.ellipse(pen, -0.05, 0.27, 0.27, 0.28)
    f.ellipse(pen, 0.1, 0.45, 0.16, 0.26, angle=-0.2)
    f.ellipse(pen, 0.16, 0.76, 0.15, 0.13)
    pen.polygon(f.pts([(0.04, 0.84), (0.07, 1.0), (0.15, 0.88)]))
    pen.polygon(f.pts([(0.18, 0.88), (0.27, 1.0), (0.29, 0.83)]))
    f.stroke(pen, [(0.16, 0.4), (0.2, 0.0)], 0.07, 0.06)
    f.stroke(
        pen, [(-0.22, 0.04), (0.02, -0.01), (0.28, 0.02), (0.36, 0.09)], 0.07, 0.04
    )  # tail round the paws


@renders("cat", footing="land", modelled=True)
def cat(scene, slot, rng):
    height = slot.size * 0.5
    color = scene.tone(mix(scene.palette.ink, scene.palette.lit((70, 62, 60)), 0.4), slot.depth)
    facing = standing(scene, slot, cat_body, height, color, rng)
    if scene.palette.darkness > 0.5:  # eyes catch the light
        f = Figure(slot.x, slot.y, height, facing)
        x, y = f.p(0.24, 0.78)
        scene.canvas.glow(x, y, height * 0.06, (230, 240, 120), 0.9)


def hind_leg(f, pen, hip, stifle, hock, foot, w0, w1):
    """A hind leg bent the way a four-footed animal's is: forward at the stifle, back at the
    hock, down to the foot.

    The dog, the deer and the horse were an ellipse on four sticks ("looks like a stool",
    "stiff table legs"); drawn as one contour from muzzle to rump on jointed legs, viewers
    chose them in 31 of 36 pairs ("the dog reads as a dog, not a table").
    """
    (hx, hy), (sx, sy) = hip, stifle  # the thigh, heavy under the haunch, rounded
    f.ellipse(pen, (hx + sx) / 2, (hy + sy) / 2, math.hypot(sx - hx, sy - hy) / 2 + w0 * 0.4, w0 * 0.9,
              angle=math.atan2(sy - hy, sx - hx))
    f.stroke(pen, [stifle, hock, foot], w0 * 0.8, w1)


def dog_body(f, pen):
    """Side on, one smooth contour from the muzzle over the back to the rump; the legs
    jointed, the tail raised."""
    f.stroke(pen, [(-0.37, 0.6), (-0.48, 0.7), (-0.52, 0.83)], 0.055, 0.018)  # tail
    f.stroke(pen, [(0.2, 0.46), (0.21, 0.22), (0.22, 0.025)], 0.07, 0.045)  # far legs
    hind_leg(f, pen, (-0.24, 0.52), (-0.2, 0.4), (-0.29, 0.16), (-0.26, 0.025), 0.1, 0.042)
    f.outline(pen, [(0.3, 0.42), (0.35, 0.56), (0.42, 0.7), (0.52, 0.72), (0.64, 0.73), (0.68, 0.78),
                    (0.62, 0.83), (0.53, 0.86), (0.46, 0.91), (0.39, 0.87), (0.34, 0.78), (0.22, 0.68),
                    (0.0, 0.655), (-0.28, 0.665), (-0.38, 0.6), (-0.4, 0.5), (-0.32, 0.42), (-0.12, 0.45),
                    (0.1, 0.42)])
    pen.polygon(f.pts([(0.39, 0.86), (0.42, 1.0), (0.47, 0.89)]))  # the ear pricked
    f.stroke(pen, [(0.28, 0.46), (0.29, 0.22), (0.31, 0.025)], 0.075, 0.045)
    hind_leg(f, pen, (-0.31, 0.52), (-0.27, 0.4), (-0.36, 0.16), (-0.33, 0.025), 0.11, 0.045)
    for x in (0.23, 0.32, -0.23, -0.32):  # paws
        f.ellipse(pen, x + 0.015, 0.018, 0.035, 0.02)


@renders("dog", footing="land", modelled=True)
def dog(scene, slot, rng):
    color = scene.tone(mix(scene.palette.ink, scene.palette.lit((150, 110, 70)), 0.55), slot.depth)
    standing(scene, slot, dog_body, slot.size * 0.45, color, rng)


def deer_body(f, pen):
    """A stag side on, its head up: a long neck, slender legs bent at the hock, antlers."""
    f.stroke(pen, [(0.21, 0.48), (0.22, 0.24), (0.23, 0.02)], 0.04, 0.02)  # far legs
    hind_leg(f, pen, (-0.22, 0.54), (-0.18, 0.43), (-0.27, 0.2), (-0.25, 0.02), 0.07, 0.02)
    f.outline(pen, [(0.27, 0.46), (0.32, 0.6), (0.38, 0.78), (0.45, 0.9), (0.55, 0.93), (0.62, 0.95),
                    (0.61, 0.99), (0.52, 1.03), (0.45, 1.05), (0.4, 1.0), (0.34, 0.9), (0.24, 0.72),
                    (0.12, 0.66), (-0.1, 0.655), (-0.28, 0.68), (-0.35, 0.62), (-0.36, 0.52),
                    (-0.28, 0.45), (-0.05, 0.47), (0.15, 0.45)])
    pen.polygon(f.pts([(0.42, 1.02), (0.33, 1.1), (0.45, 1.05)]))  # ear
    f.stroke(pen, [(0.28, 0.48), (0.29, 0.24), (0.3, 0.02)], 0.045, 0.02)
    hind_leg(f, pen, (-0.29, 0.55), (-0.25, 0.43), (-0.34, 0.2), (-0.32, 0.02), 0.075, 0.02)
    pen.polygon(f.pts([(-0.35, 0.64), (-0.4, 0.6), (-0.35, 0.58)]))  # scut
    for side in (0, 1):  # antlers
        dx = -0.04 * side
        f.stroke(pen, [(0.47 + dx, 1.04), (0.42 + dx, 1.18), (0.46 + dx, 1.34)], 0.02, 0.008)
        f.stroke(pen, [(0.43 + dx, 1.16), (0.33 + dx, 1.25)], 0.015, 0.006)
        f.stroke(pen, [(0.45 + dx, 1.26), (0.53 + dx, 1.35)], 0.013, 0.005)


@renders("deer", modelled=True)
def deer(scene, slot, rng):
    color = scene.tone(mix(scene.palette.ink, scene.palette.lit((160, 110, 70)), 0.5), slot.depth)
    height = slot.size * (0.55 if slot.layer == "foreground" else 0.7)
    standing(scene, slot, deer_body, height, color, rng)


def horse_body(f, pen):
    """A horse side on: the arched neck and long head, a deep chest, the legs jointed,
    the tail falling."""
    f.stroke(pen, [(-0.41, 0.66), (-0.47, 0.6), (-0.5, 0.45), (-0.49, 0.27)], 0.08, 0.03)  # tail
    f.stroke(pen, [(0.22, 0.46), (0.23, 0.24), (0.22, 0.03)], 0.075, 0.035)  # far legs
    hind_leg(f, pen, (-0.26, 0.52), (-0.22, 0.4), (-0.3, 0.18), (-0.28, 0.03), 0.11, 0.035)
    f.outline(pen, [(0.33, 0.43), (0.4, 0.58), (0.47, 0.74), (0.54, 0.84), (0.62, 0.82), (0.75, 0.71),
                    (0.8, 0.74), (0.77, 0.81), (0.64, 0.95), (0.57, 1.02), (0.5, 1.0), (0.42, 0.92),
                    (0.3, 0.77), (0.2, 0.71), (0.0, 0.665), (-0.3, 0.7), (-0.42, 0.63), (-0.44, 0.5),
                    (-0.34, 0.43), (0.0, 0.42), (0.22, 0.41)])
    pen.polygon(f.pts([(0.54, 1.0), (0.53, 1.09), (0.58, 1.01)]))  # ear
    f.stroke(pen, [(0.3, 0.46), (0.31, 0.24), (0.32, 0.03)], 0.08, 0.035)
    hind_leg(f, pen, (-0.33, 0.53), (-0.29, 0.41), (-0.38, 0.18), (-0.36, 0.03), 0.12, 0.035)
    for x in (0.23, 0.33, -0.25, -0.34):  # hooves
        f.ellipse(pen, x, 0.02, 0.03, 0.022)


@renders("horse", modelled=True)
def horse(scene, slot, rng):
    color = scene.tone(mix(scene.palette.ink, scene.palette.lit((120, 80, 56)), 0.45), slot.depth)
    height = slot.size * (0.6 if slot.layer == "foreground" else 0.75)
    standing(scene, slot, horse_body, height, color, rng)


@renders("cricket", footing="land", modelled=True)
def cricket(scene, slot, rng):
    p, u = scene.palette, scene.u
    s = slot.size * 0.5
    x, y = slot.x, slot.y - s * 0.2
    blade = scene.tone(scale(p.foliage, 0.85), slot.depth)
    with scene.canvas.pen(blade) as pen:  # the blade of grass it sits on
        pen.stroke(
            [
                (x - s * 0.6, slot.y + s * 0.2),
                (x - s * 0.2, y + s * 0.1),
                (x + s * 0.9, y - s * 0.3),
            ],
            s * 0.08,
            u,
        )
    color = scene.tone(p.lit((86, 70, 40)), slot.depth)
    f = Figure(x, y, s, slot.side)
    with scene.canvas.pen(color) as pen:
        f.ellipse(pen, 0, 0.12, 0.4, 0.11, angle=0.15)
        f.ellipse(pen, 0.4, 0.18, 0.09, 0.08)
        f.stroke(
            pen, [(-0.15, 0.12), (0.05, 0.42), (-0.35, 0.02)], 0.05, 0.02
        )  # the big jumping leg
        f.stroke(pen, [(0.2, 0.06), (0.28, -0.05)], 0.02)
        f.stroke(pen, [(0.3, 0.07), (0.4, -0.04)], 0.02)
        f.stroke(pen, [(0.46, 0.23), (0.7, 0.5), (0.95, 0.55)], 0.012, 0.004)
        f.stroke(pen, [(0.45, 0.22), (0.8, 0.38), (1.05, 0.36)], 0.012, 0.004)


@renders("snail", footing="land", modelled=True)
def snail(scene, slot, rng):
    p = scene.palette
    s = slot.size * 0.4
    f = Figure(slot.x, slot.y, s, -slot.side)
    body = scene.tone(p.lit((176, 160, 130)), slot.depth)
    shell = scene.tone(p.lit((168, 110, 60)), slot.depth)
    with scene.canvas.pen(mix(p.snow, scene.sky_color(0), 0.3), 0.35) as pen:  # the shining trail
        pen.stroke([f.p(-2.2, 0.0), f.p(-0.4, 0.02)], s * 0.01, s * 0.07)
    with scene.canvas.pen(body) as pen:
        pen.polygon(
            f.pts(
                [(-0.55, 0.0), (0.55, 0.0), (0.62, 0.25), (0.48, 0.32), (0.35, 0.12), (-0.5, 0.08)]
            )
        )
        f.stroke(pen, [(0.5, 0.28), (0.56, 0.55)], 0.03, 0.015)
        f.stroke(pen, [(0.56, 0.25), (0.7, 0.48)], 0.03, 0.015)
    with scene.canvas.pen(shell) as pen:
        f.ellipse(pen, -0.08, 0.38, 0.4, 0.36)
    t = np.linspace(0, 4 * math.pi, 60)
    r = 0.36 * (1 - t / (4.6 * math.pi))
    with scene.canvas.pen(scale(shell, 0.6)) as pen:
        pen.line(
            [f.p(-0.08 + ri * math.cos(ti), 0.38 + ri * math.sin(ti)) for ri, ti in zip(r, t)],
            s * 0.04,
        )


@renders("spider", modelled=True)
def spider(scene, slot, rng):
    c, p, u = scene.canvas, scene.palette, scene.u
    r = slot.size * (0.55 if slot.layer == "foreground" else 0.3)
    cx, cy = slot.x, slot.y - r * 1.3
    behind = c.image.getpixel(
        (int(min(max(cx, 0), scene.width - 1)), int(min(max(cy, 0), scene.height - 1)))
    )
    light = sum(behind) / 3 > 150  # silver threads on the dark, grey ones on the light
    thread = scale(behind, 0.55) if light else mix(p.snow, (255, 255, 255), 0.5)
    spokes = np.sort(rng.uniform(0, 2 * math.pi, 14))
    reach = r * rng.uniform(0.8, 1.1, len(spokes))
    with c.pen(thread, 0.75) as pen:
        for a, length in zip(spokes, reach):
            pen.line(
                [(cx, cy), (cx + math.cos(a) * length * 1.15, cy + math.sin(a) * length * 1.15)],
                u * 1.5,
            )
        for k in range(3, 16):  # the sticky spiral, sagging a little between spokes
            f = k / 16
            ring = [
                (cx + math.cos(a) * length * f, cy + math.sin(a) * length * f)
                for a, length in zip(spokes, reach)
            ]
            pen.line(ring + ring[:1], u * 1.2)
    with c.pen((255, 255, 255), 0.9) as pen:  # dew
        for _ in range(14):
            k = rng.integers(len(spokes))
            f = rng.uniform(0.2, 1)
            pen.circle(
                cx + math.cos(spokes[k]) * reach[k] * f,
                cy + math.sin(spokes[k]) * reach[k] * f,
                u * 2,
            )
    s = r * 0.08
    with c.pen(scene.ink(0)) as pen:
        pen.ellipse(cx, cy + s * 0.6, s * 0.7, s)
        pen.circle(cx, cy - s * 0.5, s * 0.5)
        for side in (-1, 1):
            for k in range(4):
                a = (k - 1.5) * 0.45
                pen.line(
                    [
                        (cx, cy),
                        (cx + side * s * 1.4, cy + (a - 0.5) * s * 1.5),
                        (cx + side * s * 2, cy + a * s * 2.5),
                    ],
                    u * 1.2,
                )
