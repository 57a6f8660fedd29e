"""Land: mountains, hills, desert, fields, roads and streets, stones, marks on the ground."""

from __future__ import annotations

import math

import numpy as np

from generator.painter.render.canvas import mix, midpoint_line, saturate, scale, smooth_line
from generator.painter.render.registry import FAR_LAND, MARKS, SURFACE, renders

SAND = (226, 200, 150)
DUST = (176, 156, 124)
SLATE = (84, 104, 134)


def _snowy(scene) -> bool:
    return scene.palette.winter


@renders("mountain", stage=FAR_LAND, wide=True)
def mountain(scene, slot, rng):
    c, p, w, h, hy = scene.canvas, scene.palette, scene.width, scene.height, scene.horizon
    xs = np.arange(w)
    rock = mix(mix(p.ink, SLATE, 0.55), p.foliage, 0.12)
    ranges = [  # (peak, height, spread, depth): the far range first
        (w - slot.x + rng.uniform(-0.2, 0.2) * w, h * rng.uniform(0.1, 0.15), w * 0.8, 0.75),
        (slot.x, h * rng.uniform(0.19, 0.28), w * rng.uniform(0.4, 0.6), 0.4),
    ]
    for i, (px, height, spread, depth) in enumerate(ranges):
        env = np.clip(1 - np.abs(xs - px) / spread, 0, 1) ** 1.2
        rough = midpoint_line(rng, w, 0.58)
        ridge = (
            hy
            + 1
            - height * (0.1 + 0.9 * env * (0.72 + 0.28 * rough))
            - (rough - 0.5) * height * 0.1
        )
        top, foot = scene.tone(rock, depth), scene.tone(rock, min(1, depth + 0.4))
        c.fill_between(ridge, None, hy + 2, colors=(top, foot))
        lit_flank(scene, rng, ridge, px, height, mix(top, p.haze, 0.3), -slot.side)
        if i == 1 and (p.winter or rng.random() < 0.5):
            peak_y = ridge.min()
            line = (
                peak_y
                + height * rng.uniform(0.2, 0.32)
                + (midpoint_line(rng, w, 0.6) - 0.5) * height * 0.15
            )
            c.fill_between(ridge, scene.tone(p.snow, depth * 0.5), np.maximum(line, ridge))


def lit_flank(scene, rng, ridge, px, height, color, side):
    """Light the side of a mountain facing the light: from a wavering spine down from the
    peak, everything on that side is paler."""
    hy = scene.horizon
    peak = int(np.argmin(np.abs(np.arange(len(ridge)) - px) + (ridge - ridge.min()) * 4))
    top = int(ridge[peak])
    box = (0, top, scene.width, int(hy) + 1)
    ys = np.arange(top, int(hy) + 1, dtype=np.float32)[:, None]
    t = (ys - top) / max(hy - top, 1)
    wiggle = np.interp(t[:, 0], np.linspace(0, 1, 9), rng.normal(0, height * 0.08, 9))[:, None]
    spine = peak + side * t * height * rng.uniform(0.3, 0.9) + wiggle
    xs = np.arange(scene.width, dtype=np.float32)[None, :]
    on_side = np.clip((xs - spine) * side / 2 + 0.5, 0, 1)
    inside = np.clip(ys + 1 - ridge[None, :], 0, 1)
    scene.canvas.blend(box, color, on_side * inside * 0.55)


def humps(rng, w, count, width, height) -> np.ndarray:
    """Rolling ground: a sum of soft gaussian humps, one value per column."""
    xs = np.arange(w)
    line = np.zeros(w)
    for _ in range(count):
        cx, sx = rng.uniform(-0.1, 1.1) * w, w * width * rng.uniform(0.6, 1.4)
        line += height * rng.uniform(0.5, 1.0) * np.exp(-(((xs - cx) / sx) ** 2))
    return line


@renders("hills", stage=FAR_LAND, wide=True)
def hills(scene, slot, rng):
    c, p, w, h, hy = scene.canvas, scene.palette, scene.width, scene.height, scene.horizon
    green = mix(p.foliage, p.ground_far, 0.4)
    bands = ((hy + h * 0.01, 0.11, 0.75), (hy + h * 0.05, 0.09, 0.5), (hy + h * 0.12, 0.08, 0.25))
    for k, (base, lift, depth) in enumerate(bands):
        line = base - humps(rng, w, 4, 0.25, h * lift) - h * 0.01
        color = scene.tone(scale(green, 1.05 - 0.1 * k), depth)
        c.fill_between(line, None, colors=(color, mix(color, p.ground_near, 0.7)))
        with c.pen(scene.tone(scale(p.foliage, 0.7), depth)) as pen:  # round trees dotting the hill
            for _ in range(rng.integers(2, 7)):
                x = rng.uniform(0, w - 1)
                r = h * 0.008 * (1 + k)
                y = line[int(x)] + r * 0.4  # on the crest, where the next hill cannot hide it
                pen.ellipse(x, y - r * 1.6, r, r * 1.2)
                pen.rect(x - r * 0.14, y - r, x + r * 0.14, y)


@renders("desert", stage=SURFACE, wide=True)
def desert(scene, slot, rng):
    c, p = scene.canvas, scene.palette
    w, h, hy, u = scene.width, scene.height, scene.horizon, scene.u
    sand = saturate(p.lit(SAND), 1.1)
    xs = np.arange(w)
    for k in range(4):
        t = k / 3
        base = hy + h * 0.01 + (h - hy) * 0.6 * t**1.3
        amp = h * (0.035 + 0.035 * t)
        period = w / rng.uniform(0.8, 1.6)
        wave = np.abs(np.sin((xs + rng.uniform(0, period)) / period * math.pi))
        crest = base - amp * (1 - wave) ** 1.6 - amp * 0.3 * smooth_line(rng, w, 1.5)
        color = scene.tone(scale(sand, 1.03 - 0.08 * t), 0.45 * (1 - t))
        shade = mix(scale(color, 0.72), p.ink, 0.06)
        c.fill_between(crest, None, colors=(color, mix(color, shade, 0.5)))
        lee = np.convolve(np.clip(np.gradient(crest) * slot.side * 6, 0, 1), np.ones(9) / 9, "same")
        c.fill_between(crest, shade, crest + lee * amp * 1.4, alpha=0.85)
        with c.pen(mix(color, (255, 255, 255), 0.35), 0.7) as pen:
            pen.line(np.stack([xs[::6], crest[::6]], 1), u * 1.5)


@renders("field", stage=SURFACE, wide=True)
def field(scene, slot, rng):
    c, p, w, h, hy = scene.canvas, scene.palette, scene.width, scene.height, scene.horizon
    crops = {
        "spring": (150, 196, 96),
        "summer": (110, 160, 60),
        "autumn": (222, 178, 82),
        "winter": (236, 238, 244),
        "none": (176, 180, 90),
    }[scene.season if scene.season in ("spring", "summer", "autumn", "winter") else "none"]
    light = p.lit(saturate(crops, 1.05))
    dark = scale(light, 0.72) if not _snowy(scene) else mix(light, p.lit((120, 110, 100)), 0.5)
    if scene.in_ink:
        dark = mix(light, dark, 0.6)
    top = int(hy + (h - hy) * (0.05 if slot.layer == "middle" else 0.15))
    ys, xs = np.mgrid[top:h, 0:w].astype(np.float32)
    rows = (xs - slot.x) / (ys - hy + 2) * rng.uniform(5, 8)
    # in ink the furrows are lines drawn across the bare ground, where half-and-half bands
    # read as "distracting stripes", "busy" (round 47's kite-flyer)
    stripe = (np.sin(rows * math.pi) > (0.6 if _snowy(scene) or scene.in_ink else -0.1)).astype(np.float32)
    t = ((ys - top) / (h - top))[..., None]
    color = (
        np.array(light, np.float32) * (1 - stripe[..., None])
        + np.array(dark, np.float32) * stripe[..., None]
    )
    color = color * (1 - 0.3 * (1 - t)) + np.array(p.haze, np.float32) * 0.3 * (1 - t)
    edge = np.clip((ys - top) / 3, 0, 1)
    c.blend((0, top, w, h), color, edge)
    hedge = scene.tone(scale(p.foliage, 0.7), 0.45)  # a hedge along the field's far edge
    line = top - h * 0.008 * (1 + smooth_line(rng, w, 6))
    c.fill_between(line, hedge, top + 2)


def _perspective_path(scene, slot, rng, bottom_width):
    """Left and right edges, per row from the horizon down, of a path winding towards slot.x;
    it passes under the feet of the walker who stands in the picture (Scene.walker_at)."""
    w, h, hy = scene.width, scene.height, scene.horizon
    ys = np.arange(int(hy), h, dtype=np.float32)
    t = np.clip((ys - hy) / (h - hy), 0, 1)
    end, bends = w * rng.uniform(0.35, 0.65), rng.uniform(1, 2)

    def winding(t):  # how far the path swings off its straight line at depth t
        return np.sin(t * math.pi * bends) * w * 0.12 * t

    if scene.walker_at is not None:
        # the near end that takes the path through the walker's feet (x, y), winding as it
        # would (straightened to reach them, the path was "stiff", "a wedge": 12 of 21 pairs)
        x, y = scene.walker_at
        tw = float(np.clip((y - hy) / (h - hy), 0.05, 1))
        end = float(np.clip(slot.x + (x - slot.x - winding(tw)) / tw, -0.15 * w, 1.15 * w))
    centre = slot.x + (end - slot.x) * t + winding(t)
    half = w * (0.002 + bottom_width / 2 * t**1.1)
    return ys, centre - half, centre + half


@renders("road", stage=SURFACE + 3)
def road(scene, slot, rng):
    c, p, w = scene.canvas, scene.palette, scene.width
    ys, left, right = _perspective_path(
        scene, slot, rng, 0.55 if slot.layer == "foreground" else 0.3
    )
    surface = p.snow if _snowy(scene) else p.lit(DUST)
    points = np.concatenate([np.stack([left, ys], 1), np.stack([right, ys], 1)[::-1]])
    with c.pen(scale(surface, 0.8)) as pen:
        pen.polygon(points)
    with c.pen(surface) as pen:
        inner = np.concatenate(
            [
                np.stack([left + (right - left) * 0.06, ys], 1),
                np.stack([right - (right - left) * 0.06, ys], 1)[::-1],
            ]
        )
        pen.polygon(inner)
    with c.pen(scale(surface, 0.82), 0.7) as pen:  # wheel ruts
        for f in (0.3, 0.7):
            rut = np.stack([left + (right - left) * f, ys], 1)[::4]
            pen.polygon(
                np.concatenate(
                    [rut, (rut + [[w * 0.012, 0]] * np.linspace(0.1, 1, len(rut))[:, None])[::-1]]
                )
            )
    if scene.detail and slot.layer == "foreground" and scene.frame.view == "wide" and scene.motifs <= AVENUE_COMPANY:
        avenue(scene, ys, left, right, rng)


# A road alone on the land is lined with poplars in oil, an avenue running to the horizon (as
# Hobbema's at Middelharnis): viewers called the bare road through a field "generic", "a
# stock composition". People may walk it; anything else standing on the land has its place.
# Three viewers chose the avenue 12 of 12 along a road in the foreground of a wide view, and
# 1 of 15 along the narrow road of the middle ground or through furrowed fields ("the road
# running alone to the horizon fits 'goes on without me'", "the trees crowd the road").
# Its trees are slender, feathered poplars: three viewers chose them over ellipses on sticks
# 27 of 27 ("the smooth ovals look clip-art-like", "lollipop trees"); their shadows laid across
# the road away from the sun, 9 of 27 ("ghostly shadow streaks"), so they cast none.
AVENUE_COMPANY = frozenset({"road", "figure", "grass", "sun", "moon", "stars", "clouds", "kite", "crow",
                            "geese", "sparrow", "wind"})
AVENUE_NEAREST = 0.78  # how far down the picture (0 the horizon, 1 the foot) the nearest trees stand


def avenue(scene, ys, left, right, rng) -> None:
    """Poplars along both edges of the road, each pair smaller towards the vanishing point."""
    p, h, hy = scene.palette, scene.height, scene.horizon
    t, spots = AVENUE_NEAREST * rng.uniform(0.9, 1.0), []
    while t > 0.03:
        spots.append(t)
        t *= rng.uniform(0.66, 0.74)
    for t in reversed(spots):  # the far ones first
        i = min(len(ys) - 1, int(t * (h - hy)))
        y, gap = float(ys[i]), float(right[i] - left[i])
        for x in (left[i] - gap * 0.35 - scene.u * 2, right[i] + gap * 0.35 + scene.u * 2):
            crown = scene.tone(mix(p.ink, p.foliage, 0.5 + rng.uniform(-0.06, 0.06)), 1 - t)
            _poplar(scene, x, y, h * 0.62 * t, crown, 1 - t, rng)


def _poplar_profile(tall: float, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """(s, half-width) up a poplar's crown, s 0 at its foot to 1 at its tip: a slender
    flame, widest a third of the way up and drawn to a point (an ellipse on a stick read
    as "lollipop trees")."""
    s = np.linspace(0, 1, n)
    return s, tall * 0.1 * np.sin(math.pi * s**0.62) ** 0.75 * (1 - 0.2 * s)


POPLAR_FOOT = 0.14  # of its height: where the crown starts above the ground


def _poplar(scene, x, y, tall, crown, depth, rng) -> None:
    """One Lombardy poplar: a short trunk and a flame of foliage, lit on the side towards
    the light and feathered with leaf strokes when near enough to show them."""
    c, p = scene.canvas, scene.palette
    s, half = _poplar_profile(tall)
    half = half * (1 + 0.09 * smooth_line(rng, len(s), 7))  # the foliage's ragged edge
    sway = tall * 0.015 * rng.uniform(-1, 1) * s**2
    ys = y - tall * (POPLAR_FOOT + (1 - POPLAR_FOOT) * s)
    outline = np.concatenate([np.stack([x - half + sway, ys], 1), np.stack([x + half + sway, ys], 1)[::-1]])
    with c.pen(scene.tone(mix(p.ink, p.lit((92, 72, 62)), 0.5), depth)) as pen:
        pen.stroke([(x, y), (x, y - tall * 0.3)], tall * 0.04, tall * 0.025)
    c.modelling = True  # a rounded, lit body of leaves
    with c.pen(crown) as pen:
        pen.polygon(outline)
    c.modelling = False
    if tall < scene.height * 0.08:  # far off, a poplar is one shape
        return
    # leaf strokes, lighter on the side towards the light (the upper left), darker away
    strokes = {-1: [], 1: []}
    for _ in range(int(tall / (scene.u * 9))):
        k = int(rng.integers(2, len(s) - 2))
        side = -1 if rng.random() < 0.5 else 1
        px, py = x + sway[k] + side * half[k] * rng.uniform(0.15, 0.95), ys[k]
        length = tall * rng.uniform(0.035, 0.06)
        strokes[side].append(([(px, py), (px + side * length * 0.3, py - length)], length))
    for side, color in ((-1, mix(crown, p.lit((190, 200, 110)), 0.35)), (1, scale(crown, 0.7))):
        with c.pen(color, 0.7) as pen:
            for points, length in strokes[side]:
                pen.stroke(points, length * 0.32, length * 0.05)


# Under rain, or where an umbrella lies, the street is wet: the sky's light lies along it,
# brightest towards the horizon. Dry, a close street's asphalt was "a heavy dark road that
# swallows the frame", "murky darks" (round 31); three viewers chose the wet street 30 of 30
# ("the glowing reflection on the wet road makes the drizzle feel real").
WET = frozenset({"umbrella", "rain", "storm"})
SHEEN = 0.8  # how much of the sky's light the wet road gives back at the horizon


def wet_sheen(scene, vx: float, spread: float) -> None:
    """The sky's light on a wet street: a soft wedge down the road from the vanishing point,
    fading towards the viewer and towards the kerbs."""
    w, h, hy = scene.width, scene.height, int(scene.horizon)
    box = scene.canvas._box(0, hy, w, h)
    if box is None:
        return
    ys = np.arange(box[1], box[3], dtype=np.float32)[:, None]
    xs = np.arange(box[0], box[2], dtype=np.float32)[None, :]
    t = np.clip((ys - hy) / max(h - hy, 1), 0, 1)
    half = 2 + spread * 0.8 * t
    across = np.clip(1 - np.abs(xs - vx) / half, 0, 1) ** 1.5
    alpha = SHEEN * (1 - t) ** 0.8 * across
    light = mix(scene.sky_color(scene.horizon * 0.9), (255, 255, 255), 0.15)
    scene.canvas.blend(box, light, alpha)


STREET_SPREAD = 0.9  # of the width: how far either side of its vanishing point the street meets the picture's foot


@renders("street", stage=SURFACE + 3)
def street(scene, slot, rng):
    """A street running away from us between rows of buildings (in the middle distance,
    a village street across the picture)."""
    if slot.layer != "foreground":
        return village_street(scene, slot, rng)
    c, p = scene.canvas, scene.palette
    w, h, hy, u = scene.width, scene.height, scene.horizon, scene.u
    vx = slot.x
    night = p.darkness > 0.4
    wall = scene.tone(mix(p.ink, (110, 100, 96), 0.4), 0.15)
    asphalt = p.lit((92, 92, 100))
    spread = w * STREET_SPREAD
    scene.street_vx = vx
    with c.pen(asphalt) as pen:
        pen.polygon([(vx - 2, hy), (vx + 2, hy), (vx + spread, h), (vx - spread, h)])
    if scene.motifs & WET:
        wet_sheen(scene, vx, spread)
    # a pavement from the kerb to the foot of the walls, each side: left as bare ground, the
    # gap read as a bright green or yellow wedge between street and houses; three viewers
    # chose the pavement 15 of 18 times ("makes the street scene more finished"). Not in ink,
    # where the bare paper is the pavement and the kerb only added lines (1 of 12).
    pavement = scene.tone(p.lit((168, 162, 152)), 0.1)
    ts = np.linspace(0, 1, 24)
    for side in (() if scene.in_ink else (-1, 1)):
        # the walls' feet, as the rows of buildings below place them
        feet = [(vx + side * (u * 4 + spread * 1.1 * t), hy + (h - hy) * t * 0.75) for t in ts]
        with c.pen(pavement) as pen:
            pen.polygon([(vx, hy)] + feet + [(feet[-1][0], h), (vx + side * spread, h)])
        with c.pen(scale(pavement, 0.7)) as pen:  # the kerb
            pen.stroke([(vx, hy), (vx + side * spread, h)], u * 0.5, u * 6)
    with c.pen(p.lit((200, 196, 180)), 0.8) as pen:  # centre line, dashes shrinking away
        for k in range(9):
            t0, t1 = (k / 9) ** 2, ((k + 0.5) / 9) ** 2
            pen.polygon(
                [
                    (vx - u * 3 * t0 * 4, hy + (h - hy) * t0),
                    (vx + u * 3 * t0 * 4, hy + (h - hy) * t0),
                    (vx + u * 3 * t1 * 4, hy + (h - hy) * t1),
                    (vx - u * 3 * t1 * 4, hy + (h - hy) * t1),
                ]
            )
    for side in (-1, 1):  # rows of buildings shrinking toward the vanishing point
        x_edge = lambda t: vx + side * (u * 4 + spread * 1.1 * t)  # noqa: E731
        t = 1.0
        while t > 0.04:
            t_next = t * rng.uniform(0.6, 0.8)
            xa, xb = x_edge(t), x_edge(t_next)
            base_a, base_b = hy + (h - hy) * t * 0.75, hy + (h - hy) * t_next * 0.75
            height = h * rng.uniform(0.3, 0.6)
            top_a, top_b = base_a - height * t, base_b - height * t_next
            tone = scene.tone(wall, (1 - t) * 0.7)
            with c.pen(tone) as pen:
                pen.polygon([(xa, top_a), (xb, top_b), (xb, base_b), (xa, base_a)])
                if t == 1.0:  # the nearest wall runs out of the picture
                    pen.polygon(
                        [
                            (xa, top_a),
                            (xa + side * w, top_a - height * 0.3),
                            (xa + side * w, h),
                            (xa, h),
                        ]
                    )
            window = mix(p.lamp, (255, 240, 200), 0.3) if night else scale(tone, 0.7)
            with c.pen(window, 0.9) as pen:
                for fx in (0.2, 0.5, 0.8):
                    for fy in (0.2, 0.45, 0.7):
                        if night and rng.random() < 0.35:
                            continue
                        x = xa + (xb - xa) * fx
                        base, top = base_a + (base_b - base_a) * fx, top_a + (top_b - top_a) * fx
                        y = top + (base - top) * fy
                        s = (t + (t_next - t) * fx) * h * 0.03
                        pen.rect(x - s * 0.4, y - s * 0.6, x + s * 0.4, y + s * 0.6)
            t = t_next


def village_street(scene, slot, rng):
    """A row of small houses along a street in the middle distance."""
    c, p, w, h = scene.canvas, scene.palette, scene.width, scene.height
    night = p.darkness > 0.4
    y = slot.y
    with c.pen(scene.tone(p.lit((120, 116, 110)), slot.depth)) as pen:
        pen.rect(0, y - h * 0.004, w, y + h * 0.02)
    x = rng.uniform(-40, 0)
    while x < w:
        width = w * rng.uniform(0.07, 0.12)
        height = h * rng.uniform(0.045, 0.07)
        wall = scene.tone(
            p.lit(tuple(rng.choice([(226, 214, 190), (200, 184, 160), (170, 150, 130)]))),
            slot.depth,
        )
        roof = scene.tone(mix(p.ink, p.lit((90, 80, 80)), 0.4), slot.depth)
        with c.pen(wall) as pen:
            pen.rect(x, y - height, x + width, y)
        with c.pen(roof) as pen:
            pen.polygon(
                [
                    (x - width * 0.06, y - height),
                    (x + width * 0.5, y - height - width * 0.35),
                    (x + width * 1.06, y - height),
                ]
            )
        with c.pen(mix(p.lamp, (255, 240, 200), 0.3) if night else scale(wall, 0.6)) as pen:
            pen.rect(x + width * 0.2, y - height * 0.7, x + width * 0.4, y - height * 0.35)
            if rng.random() < 0.6:
                pen.rect(x + width * 0.6, y - height * 0.7, x + width * 0.8, y - height * 0.35)
        with c.pen(scene.tone(p.lit((100, 70, 50)), slot.depth)) as pen:  # a shop curtain or door
            pen.rect(x + width * 0.45, y - height * 0.3, x + width * 0.58, y)
        x += width * rng.uniform(1.02, 1.25)
    if night:
        c.glow(slot.x, y - h * 0.03, w * 0.4, p.lamp, 0.3, squash=0.3)


@renders("stone", stage={"middle": 40, "foreground": 60}, footing="land", modelled=True)
def stone(scene, slot, rng):
    c, p = scene.canvas, scene.palette
    grey = scene.tone(p.lit((128, 124, 118)), slot.depth)
    moss = scene.tone(mix(p.foliage, (128, 124, 118), 0.4), slot.depth)
    s = slot.size * (0.3 if slot.layer == "foreground" else 0.25)
    for i, (dx, r) in enumerate(((0.0, 1.0), (-0.9, 0.55), (0.85, 0.45))):
        x, rw, rh = (
            slot.x + dx * s * slot.side,
            s * r * rng.uniform(0.9, 1.2),
            s * r * rng.uniform(0.55, 0.8),
        )
        base = slot.y + (i > 0) * s * 0.05
        a = np.linspace(math.pi, 2 * math.pi, 14)
        bumps = 1 + rng.uniform(-0.08, 0.08, 14)
        outline = np.stack([x + np.cos(a) * rw * bumps, base + np.sin(a) * rh * 2 * bumps], 1)
        with c.pen(scale(grey, 0.75)) as pen:
            pen.polygon(outline)
        with c.pen(grey) as pen:  # the lit top
            pen.polygon(
                np.stack(
                    [
                        x + np.cos(a) * rw * 0.85 - rw * 0.08 * slot.side,
                        base - rh * 0.25 + np.sin(a) * rh * 1.6,
                    ],
                    1,
                )
            )
        if scene.season in ("spring", "summer") or (scene.season == "none" and i == 0):
            with c.pen(moss, 0.9) as pen:
                pen.ellipse(x, base - rh * 1.7, rw * 0.5, rh * 0.3)
        if _snowy(scene):
            with c.pen(p.snow) as pen:
                pen.ellipse(x, base - rh * 1.85, rw * 0.7, rh * 0.35)
    with c.pen(scale(p.ground_near, 0.5), 0.5) as pen:  # contact shadow
        pen.ellipse(slot.x, slot.y + s * 0.04, s * 1.8, s * 0.1)


@renders("footprints", stage=MARKS)
def footprints(scene, slot, rng):
    c, p, w, h, hy = scene.canvas, scene.palette, scene.width, scene.height, scene.horizon
    ground = scene.canvas.image.getpixel((int(slot.x), int(min(h - 1, slot.y))))
    print_color = mix(ground, (60, 70, 110) if _snowy(scene) else p.ink, 0.35)
    end = slot.x + rng.uniform(-0.3, 0.3) * w
    bend = rng.uniform(-1, 1) * w * 0.15
    with c.pen(print_color, 0.8) as pen:
        for k in range(16):
            t = 1 - k / 16  # 1 at the bottom of the picture
            y = hy + (h - hy) * (0.12 + 0.88 * t**1.5)
            x = end + (slot.x - end) * t + math.sin(t * math.pi) * bend
            size = h * 0.022 * t**1.5 + 1
            x += (1 if k % 2 else -1) * size * 0.7
            pen.ellipse(x, y, size * 0.4, size * 0.75 * 0.5 * (1 + t))
            pen.ellipse(x, y - size * 1.05 * (1 + t) * 0.5, size * 0.32, size * 0.3 * (1 + t) * 0.5)


@renders("shadow", stage=MARKS + 1)
def shadow(scene, slot, rng):
    """Someone standing in low light, and the long shadow they cast towards us; when the
    poem names a creature, the shadow is that creature's own (creatures.standing)."""
    from generator.painter.render.creatures import CASTERS, Figure
    from generator.painter.render.people import STAFF_HAND, traveller
    from generator.painter.render.sky import fly_kite

    if scene.motifs & CASTERS:
        return

    c, p, h, hy = scene.canvas, scene.palette, scene.height, scene.horizon
    near = slot.layer == "foreground"
    base = hy + (h - hy) * (0.3 if near else 0.1)
    height = h * (0.2 if near else 0.12)
    lean = -slot.side * rng.uniform(0.15, 0.45)
    length = (h - base) * 1.1
    t = np.linspace(0, 1, 12)
    # width along the body from the feet to the head: legs, robe, shoulders, neck, hat
    profile = np.interp(
        t, [0, 0.25, 0.35, 0.7, 0.78, 0.85, 0.95, 1.0], [0.1, 0.16, 0.34, 0.3, 0.14, 0.5, 0.3, 0.05]
    )
    axis = np.stack([slot.x + lean * length * t, base + length * t], 1)
    with c.pen(scale(p.ground_near, 0.45), 0.6, blur=scene.u) as pen:
        pen.stroke(axis, 0, 0, widths=profile * height * 1.3)
    walker = Figure(slot.x, base, height, 1 if lean > 0 else -1)
    with c.pen(scene.ink(0.2 if near else 0.4)) as pen:
        traveller(walker, pen, hat=True, staff=True)
    fly_kite(scene, walker.p(*STAFF_HAND))
