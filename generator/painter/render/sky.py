"""The sky: sun, moon, stars, clouds, storm, rainbow, aurora, kite."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from generator.painter.render.canvas import mix, smooth_line, value_noise
from generator.painter.render.registry import BACKDROP, renders

WHITE = (255, 255, 255)
GOLD = (255, 206, 96)  # the warm of a painted sun


def _low(scene) -> bool:
    return 0.2 < scene.palette.darkness < 0.9  # dawn and dusk: the sun sits low


@renders("stars", stage=BACKDROP, wide=True)
def stars(scene, slot, rng):
    c, w, hy, u = scene.canvas, scene.width, scene.horizon, scene.u
    seen = max(0.3, scene.palette.darkness)
    if scene.palette.darkness >= 0.9:  # the milky way: a faint diagonal band of noise
        box = (0, 0, w, int(hy))
        noise = value_noise(rng, w, int(hy), cells=5)
        ys, xs = np.mgrid[0 : int(hy), 0:w]
        band = np.exp(
            -((((ys - hy * 0.1) - (xs - w * 0.5) * rng.uniform(-0.8, 0.8)) / (hy * 0.18)) ** 2)
        )
        c.screen(box, (150, 160, 210), band * noise * 0.35)
    n = int(900 * w * hy / 1e6) + 20
    x, y = rng.uniform(0, w, n), hy * rng.beta(1, 1.5, n) * 0.95
    r = u * (0.7 + 2.2 * rng.beta(1, 6, n))
    for alpha, pick in ((0.45 * seen, r < 1.5 * u), (0.95 * seen, r >= 1.5 * u)):
        with c.pen((255, 252, 236), alpha) as pen:
            for xi, yi, ri in zip(x[pick], y[pick], r[pick]):
                pen.circle(xi, yi, ri)
    for i in np.argsort(r)[-6:]:  # the brightest twinkle
        c.glow(x[i], y[i], r[i] * 8, (210, 220, 255), 0.6 * seen)
        with c.pen((255, 255, 250), 0.8 * seen) as pen:
            pen.line([(x[i] - r[i] * 5, y[i]), (x[i] + r[i] * 5, y[i])], u * 0.6)
            pen.line([(x[i], y[i] - r[i] * 5), (x[i], y[i] + r[i] * 5)], u * 0.6)


@renders("sun", stage=BACKDROP + 3)
def sun(scene, slot, rng):
    c, p = scene.canvas, scene.palette
    r = scene.height * rng.uniform(0.045, 0.065)
    y = scene.horizon - r * rng.uniform(0.1, 1.4) if _low(scene) else slot.y
    # Painted warm, as painters paint it: a white disc in a pale sky read to viewers as the moon.
    gold = mix(p.sun, GOLD, 0.55)
    scene.sky_lights.append((slot.x, y))  # a low sun moves off its slot
    c.glow(slot.x, y, r * 10, p.glow, 0.5)
    c.glow(slot.x, y, r * 3.5, gold, 0.7)
    if p.darkness < 0.2:  # a high sun radiates: rays tell it from a full moon at a glance
        with c.pen(mix(gold, WHITE, 0.25), 0.6, blur=r * 0.2) as pen:
            count = int(rng.integers(14, 20))
            for k in range(count):
                a = 2 * math.pi * (k + rng.uniform(-0.2, 0.2)) / count
                reach = r * rng.uniform(2.4, 4.2)
                pen.stroke([(slot.x + math.cos(a) * r * 1.1, y + math.sin(a) * r * 1.1),
                            (slot.x + math.cos(a) * reach, y + math.sin(a) * reach)], r * 0.36, r * 0.04)
    with c.pen(gold) as pen:
        pen.circle(slot.x, y, r)
    with c.pen(mix(gold, WHITE, 0.55), blur=r * 0.25) as pen:  # its hot core
        pen.circle(slot.x, y, r * 0.62)


# A moon the poem names as full and low: the harvest moon rises huge and amber over the land
# (three viewers chose it 6 of 6, "more striking and more clearly a harvest moon").
RISING_MOONS = ("harvest moon", "hunter's moon", "rising moon", "moonrise")
FULL_MOONS = RISING_MOONS + ("full moon",)
# A moon the poem names as thin is thin, whatever the seed would have drawn: a full disc
# under "sickle moon" paints another poem. (A haiku's "new moon" is the first thin crescent.)
THIN_MOONS = ("crescent", "sickle", "new moon", "half moon", "quarter moon", "thin moon", "waxing",
              "waning", "sliver", "fingernail moon")
SETTING = ("sinking", "sinks", "setting", "sets", "goes down")
AMBER = (250, 196, 120)


def _names(said: str, moons: tuple[str, ...]) -> bool:
    """Whether the poem (lower-cased) names one of these moons."""
    return any(name in said for name in moons)


@renders("moon", stage=BACKDROP + 3)
def moon(scene, slot, rng):
    c, p = scene.canvas, scene.palette
    r = scene.height * rng.uniform(0.035, 0.05)
    said = " ".join(scene.plan.lines).lower()
    crescent = (rng.random() < 0.4 or _names(said, THIN_MOONS)) and not _names(said, FULL_MOONS)
    x, y, dark = slot.x, slot.y, p.darkness
    face = mix(mix(scene.sky_color(y), WHITE, 0.75), (246, 242, 222), dark)
    # The subject of the picture, not a coin in its sky: three viewers chose the larger moon
    # 3 of 3 in oil, and 0 of 3 in ink, where a large disc of bare paper is an "oversized glow".
    if scene.frame.focus == "moon" and not scene.in_ink:
        r *= scene.frame.scale
    # A harvest moon hangs low: rising at dusk and by night, setting at dawn, but at dawn
    # only where nothing stands before it: over the thin land of a sky view, or where the
    # poem sets it (three viewers chose it so 6 of 6; set low behind a figure, a barn or a
    # tree, 1 of 12: "the moon is hidden")
    rising = _names(said, RISING_MOONS) and (
        dark >= 0.5 or (dark >= 0.2 and (scene.frame.view == "sky" or _names(said, SETTING))))
    if rising:
        r = scene.height * rng.uniform(0.08, 0.1)
        if dark >= 0.5:  # just over the far hills, which are painted after it and cut its foot
            y = scene.horizon - r * rng.uniform(0.5, 0.9)
            face = mix(AMBER, (255, 236, 200), 0.3 * dark)
        else:  # setting, as large and low, but pale: against dawn's glow an amber disc is
            # darker than the sky round it, and the mood's colours, which spare only lights,
            # turned it green
            y = scene.horizon - r * rng.uniform(1.1, 1.5)
            face = (255, 248, 232)
    scene.sky_lights.append((x, y))  # a low moon moves off its slot
    if rising:
        # a warm glow, and a faint one: a bright halo round so large a disc burnt the
        # horizon to white under oil's swirl round lights
        c.glow(x, y, r * 4, mix(AMBER, p.glow, 0.4), 0.3)
    else:  # a crescent gives a fainter light: under a full moon's glow its dark side was lit away
        c.glow(x, y, r * (4 if crescent else 7), (170, 190, 235) if dark > 0.9 else p.glow,
               (0.5 if crescent else 1.0) * (0.2 + 0.3 * dark))
    with c.pen(face, 1.0 if rising else 0.55 + 0.45 * dark) as pen:  # a low moon outshines its sky
        pen.circle(x, y, r)
        if crescent:
            pen.circle(x + r * 0.5 * -slot.side, y - r * 0.25, r * 0.92, cut=True)
    if not crescent:  # seas on the full moon
        with c.pen(mix(face, (150, 150, 160), 0.25), 0.5, blur=r * 0.08) as pen:
            for _ in range(4):
                a, d = rng.uniform(0, 2 * math.pi), rng.uniform(0, 0.55) * r
                pen.circle(x + d * math.cos(a), y + d * math.sin(a), r * rng.uniform(0.12, 0.3))


def _domes(rng, x, y, length, height):
    """A cloud bank as (cx, cy, r) domes sitting on a flat base line at y."""
    n = max(3, int(length / height * 1.8))
    xs = x + np.sort(rng.uniform(-0.45, 0.45, n)) * length
    arch = 1 - np.abs((np.arange(n) + 0.5) / n - 0.5) * 1.5
    r = height * arch * rng.uniform(0.75, 1.1, n)
    return [(cx, y - ri * 0.4, ri) for cx, ri in zip(xs, r)]


def drifting_clouds(scene, rng) -> None:
    """A few soft, wind-drawn clouds in a sky the poem leaves empty, lit by the hour's light.

    Viewers found the bare gradient of an empty sky "flat", "very little going on": a painter
    gives a landscape's sky its weather. Soft-edged and half-transparent, so they stay behind
    what the poem names, and too light to leave ink in a sumi-e picture.
    """
    c, p, w, hy = scene.canvas, scene.palette, scene.width, scene.horizon
    sunlit = mix(p.sun, WHITE, 0.5) if p.darkness < 0.5 else mix(p.glow, WHITE, 0.3)
    for _ in range(rng.integers(3, 6)):
        y = hy * rng.uniform(0.12, 0.8)
        base = scene.sky_color(y)
        length = w * rng.uniform(0.3, 0.7)
        thick = hy * rng.uniform(0.03, 0.07) * (0.6 + 0.6 * y / hy)  # nearer the horizon, deeper
        x = rng.uniform(0.0, 1.0) * w
        puffs = [(x + rng.uniform(-0.5, 0.5) * length, y + rng.uniform(-0.5, 0.5) * thick,
                  length * rng.uniform(0.12, 0.3), thick * rng.uniform(0.5, 1.0)) for _ in range(5)]
        with c.pen(mix(base, mix(p.ink, p.glow, 0.5), 0.18), 0.35, blur=thick * 0.5) as pen:
            for px, py, rx, ry in puffs:  # the shaded underside
                pen.ellipse(px, py + ry * 0.45, rx, ry * 0.7)
        with c.pen(mix(base, sunlit, 0.6 - 0.3 * p.darkness), 0.6, blur=thick * 0.35) as pen:
            for px, py, rx, ry in puffs:
                pen.ellipse(px, py, rx, ry * 0.8)


@renders("clouds", stage=BACKDROP + 5, wide=True)
def clouds(scene, slot, rng):
    c, p, w, hy = scene.canvas, scene.palette, scene.width, scene.horizon
    sunlit = mix(p.sun, WHITE, 0.4) if p.darkness < 0.9 else (150, 160, 196)
    for k in range(rng.integers(3, 7)):
        y = hy * rng.uniform(0.1, 0.85)
        base = scene.sky_color(y)
        light = mix(base, sunlit, 0.75 - 0.35 * p.darkness)
        shade = mix(base, mix(p.ink, p.glow, 0.5), 0.22)
        x = rng.uniform(-0.05, 1.05) * w
        if rng.random() < 0.4:  # a long thin streak, lit from below at dawn and dusk
            length, thick = w * rng.uniform(0.35, 0.8), hy * rng.uniform(0.008, 0.018)
            with c.pen(light, 0.8) as pen:
                pen.ellipse(x, y, length / 2, thick)
                pen.ellipse(
                    x + length * rng.uniform(-0.3, 0.3), y + thick * 1.6, length * 0.3, thick * 0.7
                )
            continue
        length = w * rng.uniform(0.25, 0.5) * (1.2 - y / hy * 0.5)
        height = length * rng.uniform(0.1, 0.15)
        domes = _domes(rng, x, y, length, height)
        for color, lift, shrink in ((shade, 0.0, 1.0), (light, 0.22, 0.9)):
            with c.pen(color) as pen:  # a shaded cloud, then its lit top: a two-tone print cloud
                top = y - height * lift
                for cx, cy, r in domes:
                    pen.circle(cx, cy - height * lift, r * shrink)
                bottom = top + height * 0.12
                cap = height * 0.22
                pen.rect(domes[0][0], bottom - cap * 2, domes[-1][0], bottom)
                pen.circle(domes[0][0], bottom - cap, cap)
                pen.circle(domes[-1][0], bottom - cap, cap)
                pen.rect(
                    domes[0][0] - height * 2,
                    bottom,
                    domes[-1][0] + height * 2,
                    y + height * 2,
                    cut=True,
                )


@renders("storm", stage=BACKDROP + 6, wide=True)
def storm(scene, slot, rng):
    c, w, hy, u = scene.canvas, scene.width, scene.horizon, scene.u
    rows = int(hy) + 1
    box = (0, 0, w, rows)
    noise = value_noise(rng, w, rows, cells=4)
    fall = np.clip(1.1 - np.linspace(0, 1, rows) ** 1.5, 0, 1)[:, None]
    alpha = np.clip((noise * 0.6 + 0.55) * fall, 0, 0.92)
    dark = mix(scene.palette.ink, (90, 96, 110), 0.45)
    # banks of cloud lying along the horizon (noise stretched three times as wide as it is
    # tall), lit and shaded smoothly: cut at one level of the noise, the cloud was flat
    # "blotches", "smeared clouds" (round 44). Drawn from a child of the storm's generator,
    # which leaves the bolt where it was.
    banks = value_noise(rng.spawn(1)[0], max(2, w // 3), rows, cells=3)
    banks = np.asarray(Image.fromarray(banks).resize((w, rows), Image.Resampling.BICUBIC))
    lit = np.clip((banks - 0.35) / 0.4, 0, 1)[..., None]
    lit = lit * lit * (3 - 2 * lit)  # smoothstep
    belly, top = np.array(dark, np.float32), np.array(mix(dark, WHITE, 0.2), np.float32)
    shade = belly + (top - belly) * lit
    c.blend(box, shade, alpha)
    # lightning: a bolt of many short jagged steps from the cloud base to the horizon, thick
    # where it leaves the cloud and thinning as it falls, with forks and a glow round it.
    # (A few long straight strokes of one width read as a white "Z" drawn on the sky; three
    # viewers chose this bolt 9 of 9, "more vivid and dramatic", "lights the sky".)
    bolt = _bolt(rng, slot.x, hy * rng.uniform(0.25, 0.4), hy, w * 0.014, hy * 0.035)
    forks = []
    for start in rng.choice(np.arange(2, max(3, len(bolt) - 3)), size=2, replace=False):
        x, y = bolt[start]
        branch = _bolt(rng, x, y, min(hy, y + hy * rng.uniform(0.15, 0.3)), w * 0.012, hy * 0.03,
                       drift=w * 0.012 * rng.choice((-1, 1)))
        forks.append((branch, 1 - start / len(bolt)))
    mid = bolt[len(bolt) // 2]
    c.glow(mid[0], mid[1], hy * 0.5, (200, 210, 255), 0.35)
    with c.pen((215, 225, 255), 0.55, blur=u * 7) as pen:  # the air lit round the bolt
        pen.line(bolt, u * 12)
    with c.pen((250, 250, 255)) as pen:
        pen.stroke(bolt, u * 7, u * 2)
        for branch, share in forks:
            pen.stroke(branch, u * 3.5 * share + u, u * 0.6)


def _bolt(rng, x, y, bottom, jitter, step, drift=0.0) -> list[tuple[float, float]]:
    """A jagged path of short steps down from (x, y) to bottom, wandering by jitter each step."""
    points = [(x, y)]
    while y < bottom:
        x, y = x + drift + rng.normal(0, jitter), y + step * rng.uniform(0.5, 1.3)
        points.append((x, min(y, bottom)))
    return points


@renders("rainbow", stage=BACKDROP + 2)
def rainbow(scene, slot, rng):
    c, w, hy = scene.canvas, scene.width, scene.horizon
    radius = w * rng.uniform(0.42, 0.6)
    band = radius * 0.09
    cx, cy = slot.x, hy + radius * rng.uniform(0.05, 0.3)
    top = max(0, int(cy - radius - band))
    box = (0, top, w, int(hy) + 1)
    ys, xs = np.mgrid[top : box[3], 0:w]
    t = (np.hypot(xs - cx, ys - cy) - (radius - band)) / band  # 0 violet (inside) .. 1 red
    colors = np.array(
        [
            (148, 90, 200),
            (80, 110, 230),
            (70, 180, 220),
            (90, 200, 110),
            (250, 230, 90),
            (250, 160, 60),
            (230, 70, 60),
        ],
        dtype=np.float32,
    )
    idx = np.clip(t, 0, 1) * 6
    lo = np.floor(idx).astype(int).clip(0, 5)
    f = (idx - lo)[..., None]
    rgb = colors[lo] * (1 - f) + colors[lo + 1] * f
    alpha = np.clip(np.minimum(t, 1 - t) * 8, 0, 1) * 0.45 * (1 - 0.6 * scene.palette.darkness)
    c.blend(box, rgb, alpha)


@renders("aurora", stage=BACKDROP + 1, wide=True)
def aurora(scene, slot, rng):
    c, w, hy = scene.canvas, scene.width, scene.horizon
    rows = int(hy * 0.85)
    box = (0, 0, w, rows)
    ys = np.arange(rows, dtype=np.float32)[:, None]
    light = np.zeros((rows, w), np.float32)
    for k in range(2):
        base = hy * rng.uniform(0.4, 0.65) + smooth_line(rng, w, rng.uniform(1.5, 3)) * hy * 0.12
        rays = 0.45 + 0.55 * value_noise(rng, w, 1, cells=40, octaves=2)[0]
        above = np.exp(-np.clip(base - ys, 0, None) / (hy * rng.uniform(0.15, 0.3)))
        below = np.exp(-np.clip(ys - base, 0, None) / (hy * 0.015))
        light = np.maximum(light, above * below * rays * (1 - 0.35 * k))
    green, violet = np.array((80, 255, 170), np.float32), np.array((170, 90, 230), np.float32)
    height = np.clip((ys / rows) * 1.6 - 0.2, 0, 1)[..., None]
    rgb = violet * (1 - height) + green * height
    c.screen(box, rgb, light * 0.8)


def _string(bridle, end, sag: float) -> list[tuple[float, float]]:
    """A kite's string from its bridle down to ``end``, sagging by ``sag`` px in the middle."""
    return [(bridle[0] + (end[0] - bridle[0]) * t, bridle[1] + (end[1] - bridle[1]) * t + math.sin(t * math.pi) * sag)
            for t in np.linspace(0, 1, 16)]


def fly_kite(scene, hand: tuple[float, float]) -> None:
    """The string of the picture's kite, from the bridle down to the ``hand`` that holds it."""
    if scene.kite_bridle is None:
        return
    x, y, size = scene.kite_bridle
    scene.kite_bridle = None  # one hand holds it
    # held, it is drawn taut and dark enough to carry down across the land to the hand: as
    # faint as a far one it was lost in ink's furrows short of the walker
    with scene.canvas.pen(scene.ink(0.1), 0.9) as pen:
        pen.line(_string((x, y), hand, size * 0.4), scene.u * 1.6)


@renders("kite", modelled=True)
def kite(scene, slot, rng):
    c, u = scene.canvas, scene.u
    s = scene.height * rng.uniform(0.045, 0.065)
    x, y, tilt = slot.x, slot.y, rng.uniform(-0.35, 0.35)
    ca, sa = math.cos(tilt), math.sin(tilt)

    def at(dx, dy):
        return (x + dx * ca - dy * sa, y + dx * sa + dy * ca)

    top, right, bottom, left = (
        at(0, -s),
        at(s * 0.7, -s * 0.2),
        at(0, s * 1.2),
        at(-s * 0.7, -s * 0.2),
    )
    colors = [(220, 60, 50), (250, 200, 70)]
    rng.shuffle(colors)
    # the string sags down to someone far away, or to the hand of the one on the ground who
    # flies it (a string ending on the horizon beside the walker: "the kite string doesn't
    # reach the figure", round 38), then the tail waves behind
    tail = [
        (bottom[0] + math.sin(t * 3 + 1) * s * 0.3 * (t / 6 + 0.3), bottom[1] + t * s * 0.5)
        for t in np.linspace(0, 6, 20)
    ]
    from generator.painter.render.people import flies_kite

    held = flies_kite(scene)
    with c.pen(scene.ink(0.3), 0.7) as pen:
        if held:
            scene.kite_bridle = (bottom[0], bottom[1], s)
        else:
            pen.line(_string(bottom, (x - slot.side * scene.width * 0.35, scene.horizon), s), u * 1.2)
        pen.line(tail, u * 1.5)
    with c.pen(scene.palette.lit(colors[0])) as pen:
        pen.polygon([top, right, bottom, left])
    with c.pen(scene.palette.lit(colors[1])) as pen:
        pen.polygon([top, right, (x, y - s * 0.2 * ca)])
        pen.polygon([bottom, left, (x, y - s * 0.2 * ca)])
        for t in (1.5, 3.0, 4.5):  # bows on the tail
            bx, by = tail[int(t / 6 * 19)]
            pen.polygon(
                [
                    (bx - s * 0.15, by - s * 0.08),
                    (bx + s * 0.15, by + s * 0.08),
                    (bx + s * 0.15, by - s * 0.08),
                    (bx - s * 0.15, by + s * 0.08),
                ]
            )
    with c.pen(scene.ink(0.2), 0.8) as pen:
        pen.line([top, bottom], u * 1.2)
        pen.line([left, right], u * 1.2)
