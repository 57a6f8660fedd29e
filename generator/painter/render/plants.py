"""Plants: trees by recursive branching, pine, willow, bamboo, forest, blossom and leaves
as branches and falling particles, grass, flowers, reeds, lotus."""

from __future__ import annotations

import math

import numpy as np

from generator.painter.render.canvas import mix, saturate, scale, smooth_line
from generator.painter.render.registry import FAR_LAND, FRONT, renders

BARK = (92, 72, 62)
WHITE = (255, 255, 255)


def grow(rng, x, y, angle, length, width, depth, spread=0.55, shrink=0.74, droop=0.0, upright=0.25):
    """Recursive branching: (segments, tips); a segment is (x0, y0, x1, y1, w0, w1).
    Each branch forks in two (sometimes three); upright pulls them back towards vertical,
    droop bends them towards the ground."""
    segments, tips = [], []

    def branch(x, y, angle, length, width, depth):
        angle += upright * (math.pi / 2 - angle) - droop * math.cos(angle)
        x1, y1 = x + math.cos(angle) * length, y - math.sin(angle) * length
        segments.append((x, y, x1, y1, width, width * 0.72))
        if depth == 0:
            tips.append((x1, y1))
            return
        split = rng.uniform(0.3, 0.7)
        for a in (angle + spread * split, angle - spread * (1 - split)):
            branch(
                x1,
                y1,
                a + rng.normal(0, 0.1),
                length * shrink * rng.uniform(0.8, 1.1),
                width * 0.7,
                depth - 1,
            )
        if rng.random() < 0.3:
            branch(
                x1, y1, angle + rng.normal(0, 0.15), length * shrink * 0.8, width * 0.6, depth - 1
            )

    branch(x, y, angle, length, width, depth)
    return segments, tips


def draw_wood(canvas, color, segments) -> None:
    with canvas.pen(color) as pen:
        for x0, y0, x1, y1, w0, w1 in segments:
            pen.stroke([(x0, y0), (x1, y1)], w0, w1)
            pen.circle(x1, y1, w1 / 2)


def leafy(rng, x, y, r, n: int = 36) -> np.ndarray:
    """The outline of a clump of leaves round (x, y): a circle whose edge breaks into small
    irregular lobes, as foliage does (perfect circles read as "blobby" clip-art)."""
    a = np.linspace(0, 2 * math.pi, n, endpoint=False)
    edge = (0.9 + 0.07 * np.sin(7 * a + rng.uniform(0, 6.3)) + 0.05 * np.sin(13 * a + rng.uniform(0, 6.3))
            + rng.normal(0, 0.03, n))
    return np.stack([x + r * edge * np.cos(a), y + r * edge * np.sin(a)], 1)


def draw_crown(canvas, rng, tips, radius, dark, light, snow=None, painterly: bool = False) -> None:
    """Foliage as clumps at the branch tips: a dark mass, a lit one above it. ``painterly``
    (oil): each clump's edge broken into leaves (``leafy``), with touches of light along its
    upper left and of shade in its lower right. Three viewers chose such crowns in oil 22 of
    24 times ("dappled foliage reads as real leaves", where round clumps were "flat cartoon
    cloud blobs"), and in ink 4 of 9 ("stray specks"): ink keeps its round clumps."""
    def clump(pen, x, y, r):
        if painterly:
            pen.polygon(leafy(rng, x, y, r))
        else:
            pen.circle(x, y, r)

    spots = [
        (
            x + rng.normal(0, radius * 0.3),
            y + rng.normal(0, radius * 0.3),
            radius * rng.uniform(0.6, 1.1),
        )
        for x, y in tips
    ]
    with canvas.pen(dark) as pen:
        for x, y, r in spots:
            clump(pen, x, y, r)
    with canvas.pen(light) as pen:
        for x, y, r in spots[::2]:
            clump(pen, x - r * 0.25, y - r * 0.35, r * 0.7)
    if painterly:
        # light towards the upper left, where the scene's light comes from; shade away from it
        for color, toward, count, alpha in ((mix(light, WHITE, 0.2), math.atan2(-0.8, -0.6), 3, 0.8),
                                            (scale(dark, 0.85), math.atan2(0.8, 0.6), 1, 0.6)):
            with canvas.pen(color, alpha) as pen:
                for x, y, r in spots:
                    for _ in range(count):
                        a = toward + rng.normal(0, 0.7)
                        d = r * rng.uniform(0.45, 0.85)
                        pen.ellipse(x + d * math.cos(a), y + d * math.sin(a), r * rng.uniform(0.14, 0.22),
                                    r * rng.uniform(0.08, 0.12), angle=rng.uniform(0, math.pi))
    if snow:
        with canvas.pen(snow) as pen:
            for x, y, r in spots[::3]:
                pen.ellipse(x - r * 0.2, y - r * 0.6, r * 0.6, r * 0.3)


def flower_dots(canvas, rng, points, radius, color, center=None) -> None:
    """Five-petalled flowers (a ring of dots) at points."""
    with canvas.pen(color) as pen:
        for x, y in points:
            a0 = rng.uniform(0, 2 * math.pi)
            for k in range(5):
                a = a0 + k * 2 * math.pi / 5
                pen.circle(
                    x + math.cos(a) * radius * 0.55, y + math.sin(a) * radius * 0.55, radius * 0.5
                )
    if center:
        with canvas.pen(center) as pen:
            for x, y in points:
                pen.circle(x, y, radius * 0.22)


def falling(scene, rng, count, box, colors, size, shape="petal") -> None:
    """Petals or leaves drifting down inside box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    for color in colors:
        with scene.canvas.pen(color) as pen:
            for _ in range(count // len(colors)):
                x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
                s = size * rng.uniform(0.6, 1.3)
                a = rng.uniform(0, math.pi)
                if shape == "maple":
                    t = np.linspace(0, 2 * math.pi, 30)
                    r = s * (0.65 + 0.35 * np.abs(np.cos(t * 2.5)))
                    pen.polygon(np.stack([x + r * np.cos(t + a), y + r * np.sin(t + a)], 1))
                else:
                    pen.ellipse(x, y, s, s * (0.5 if shape == "petal" else 0.4), angle=a)


def tree_colors(scene, depth):
    p = scene.palette
    bark = scene.tone(mix(p.ink, p.lit(BARK), 0.5), depth * 0.6)
    leaf = scene.tone(p.foliage, depth)
    return bark, scale(leaf, 0.78), mix(leaf, p.lit((250, 245, 210)), 0.18)


CLIMBED = 2.2  # how much larger a tree is painted when the poem puts a creature on it


@renders("tree", footing="land", modelled=True)
def tree(scene, slot, rng, bloom=None):
    c, p = scene.canvas, scene.palette
    height = slot.size * (1.7 if slot.layer == "foreground" else 1.3) * rng.uniform(0.85, 1.1)
    if (scene.plan.climber() or (None, None))[1] == "tree":
        height *= CLIMBED  # seen close, so what clings to its trunk is seen
    bark, dark, light = tree_colors(scene, slot.depth)
    if bloom:
        dark, light = scene.tone(scale(bloom, 0.86), slot.depth), scene.tone(
            mix(bloom, WHITE, 0.35), slot.depth
        )
    segments, tips = grow(
        rng,
        slot.x,
        slot.y,
        math.pi / 2 + rng.normal(0, 0.08),
        height * 0.34,
        height * 0.07,
        6,
        spread=0.95,
        shrink=0.76,
        upright=0.12,
    )
    bare = p.winter and not bloom
    scene.trunks["tree"] = (*segments[0][:4], slot.depth)  # where a creature the poem puts on the tree clings (Scene.on_trunk)
    if slot.layer != "sky":  # standing in its own shade: "the tree looks like it floats" without
        spread = max(height * 0.3, slot.size * 0.2)
        scene.foot_shade(slot.x, slot.y, spread, spread * 0.16)
    draw_wood(c, bark, segments)
    if bare:
        with c.pen(p.snow) as pen:  # snow resting on the upper side of branches
            for x0, y0, x1, y1, w0, w1 in segments[: len(segments) // 2]:
                if abs(y1 - y0) < abs(x1 - x0) * 1.5:
                    pen.line([(x0, y0 - w0 * 0.5), (x1, y1 - w1 * 0.5)], max(w1 * 0.5, scene.u))
        return
    tx, ty = np.array(tips).T
    with c.pen(dark) as pen:  # the body of the crown, so it reads as one mass
        rx = max(tx.max() - tx.min(), height * 0.4) * 0.4
        cx, cy = tx.mean(), ty.min() + rx * 0.55
        pen.ellipse(cx, cy, rx, rx * 0.6)
        if scene.detail:  # in oil its underside broken into clumps: a smooth rim read as "blobby"
            for a in np.linspace(0.1, math.pi - 0.1, 7) + rng.normal(0, 0.08, 7):
                pen.polygon(leafy(rng, cx + rx * 0.92 * math.cos(a), cy + rx * 0.55 * math.sin(a),
                                  height * 0.1 * rng.uniform(0.6, 0.9)))
    draw_crown(c, rng, tips, height * 0.1, dark, light, painterly=scene.detail)
    if scene.season == "autumn" or bloom:
        colors = [bloom] if bloom else list(p.leaves)
        falling(
            scene,
            rng,
            24,
            (slot.x - height * 0.5, slot.y - height * 0.6, slot.x + height * 0.5, slot.y),
            colors,
            height * 0.012,
            "petal" if bloom else "leaf",
        )


@renders("willow", footing="land", modelled=True)
def willow(scene, slot, rng):
    c, p, u = scene.canvas, scene.palette, scene.u
    height = slot.size * (1.8 if slot.layer == "foreground" else 1.35)
    bark, dark, light = tree_colors(scene, slot.depth)
    fronds = scene.tone(saturate(mix(p.foliage, (200, 220, 120), 0.35), 1.1), slot.depth)
    segments, tips = grow(
        rng,
        slot.x,
        slot.y,
        math.pi / 2 + rng.normal(0, 0.1),
        height * 0.35,
        height * 0.07,
        4,
        spread=1.0,
        shrink=0.72,
    )
    scene.foot_shade(slot.x, slot.y, height * 0.3, height * 0.05)
    draw_wood(c, bark, segments)
    if p.winter:
        fronds = scene.tone(mix(p.lit((160, 150, 110)), p.snow, 0.2), slot.depth)
    for color, n in ((scale(fronds, 0.78), 3), (fronds, 2)):
        with c.pen(color) as pen:
            for x, y in tips:
                for _ in range(n):
                    fall = height * rng.uniform(0.35, 0.7)
                    sway = rng.uniform(-0.1, 0.1) * height
                    xs = x + rng.normal(0, height * 0.04)
                    t = np.linspace(0, 1, 12)
                    strand = np.stack(
                        [
                            xs + sway * t**2 + np.sin(t * 3) * height * 0.02 * (1 - t),
                            y - height * 0.04 * np.sin(t * math.pi) + fall * t,
                        ],
                        1,
                    )
                    pen.stroke(strand, u * 2.5 * (1 - slot.depth * 0.5), u * 0.8)


@renders("pine", footing="land", modelled=True)
def pine(scene, slot, rng):
    c, p = scene.canvas, scene.palette
    height = slot.size * (1.7 if slot.layer == "foreground" else 1.5)
    bark = scene.tone(mix(p.ink, p.lit((110, 80, 70)), 0.45), slot.depth)
    needles = scene.tone(scale(saturate(mix(p.foliage, (40, 90, 70), 0.6), 1.1), 0.9), slot.depth)
    lean = rng.uniform(0.15, 0.35) * -slot.side
    t = np.linspace(0, 1, 12)
    trunk = np.stack(
        [slot.x + lean * height * (t**1.6) + np.sin(t * 4) * height * 0.03, slot.y - height * t], 1
    )
    scene.foot_shade(slot.x, slot.y, height * 0.22, height * 0.035)
    with c.pen(bark) as pen:
        pen.stroke(trunk, height * 0.06, height * 0.015)
    pads = []
    for k, f in enumerate(np.sort(rng.uniform(0.35, 1.0, 5))):
        x, y = trunk[int(f * 11)]
        side = (-1) ** k
        reach = height * rng.uniform(0.2, 0.34) * (1.1 - f * 0.5)
        with c.pen(bark) as pen:
            pen.stroke(
                [
                    (x, y),
                    (x + side * reach * 0.6, y - height * 0.03),
                    (x + side * reach, y - height * 0.02),
                ],
                height * 0.02,
                height * 0.008,
            )
        pads.append((x + side * reach, y - height * 0.03, reach * 0.8))
    pads.append((trunk[-1][0], trunk[-1][1], height * 0.14))
    for color, dy, shrink in (
        (scale(needles, 0.8), 0.0, 1.0),
        (mix(needles, p.lit((170, 200, 150)), 0.15), -0.25, 0.75),
    ):
        with c.pen(color) as pen:
            for x, y, r in pads:  # flat cloud-like pads of needles
                for j in range(4):
                    pen.ellipse(
                        x + (j - 1.5) * r * 0.35,
                        y + dy * r * 0.4 - abs(j - 1.5) * -r * 0.05,
                        r * 0.45 * shrink,
                        r * 0.26 * shrink,
                    )
    if p.winter:
        with c.pen(p.snow) as pen:
            for x, y, r in pads:
                pen.ellipse(x, y - r * 0.18, r * 0.7, r * 0.1)


@renders("bamboo", footing="land", modelled=True)
def bamboo(scene, slot, rng):
    c, p = scene.canvas, scene.palette
    height = slot.size * (2.6 if slot.layer == "foreground" else 2.0)
    green = scene.tone(saturate(p.lit((120, 168, 84)), 1.05), slot.depth)
    leaf = scene.tone(scale(saturate(p.foliage, 1.1), 0.9), slot.depth)
    for k in range(rng.integers(4, 8)):
        x = slot.x + rng.normal(0, slot.size * 0.25)
        width = slot.size * rng.uniform(0.035, 0.06)
        top = slot.y - height * rng.uniform(0.7, 1.0)
        lean = rng.normal(0, 0.04) * height
        shade = scale(green, rng.uniform(0.75, 1.0))
        joints = np.linspace(slot.y, top, rng.integers(6, 10))
        with c.pen(shade) as pen:
            pen.polygon(
                [
                    (x - width / 2, slot.y),
                    (x + width / 2, slot.y),
                    (x + lean + width * 0.4, top),
                    (x + lean - width * 0.4, top),
                ]
            )
        with c.pen(scale(shade, 0.65)) as pen:
            for y in joints[1:-1]:
                f = (slot.y - y) / height
                pen.rect(
                    x + lean * f - width * 0.55,
                    y - width * 0.12,
                    x + lean * f + width * 0.55,
                    y + width * 0.12,
                )
        with c.pen(leaf) as pen:  # sprays of narrow leaves from the upper joints
            for y in joints[len(joints) // 2 :]:
                f = (slot.y - y) / height
                bx = x + lean * f
                for _ in range(rng.integers(2, 5)):
                    a = rng.choice([-1, 1]) * rng.uniform(0.2, 1.1)
                    length = slot.size * rng.uniform(0.18, 0.3)
                    tip = (bx + math.sin(a) * length, y + length * 0.35 * rng.uniform(0.2, 1))
                    pen.polygon(
                        [
                            (bx, y),
                            ((bx + tip[0]) / 2, (y + tip[1]) / 2 - width * 0.6),
                            tip,
                            ((bx + tip[0]) / 2, (y + tip[1]) / 2 + width * 0.3),
                        ]
                    )


def conifer(pen, rng, x, base, height, width, tiers=4):
    """A spruce in silhouette: a narrow cone whose two edges are each a ragged run of
    drooping branch tips, grown on their own, notched only shallowly between them, up to a
    short leader. (Few deep-notched tiers, mirror-symmetric, read as "stamped", "mechanical"
    spires, a fence of chess pieces; many drooping tiers notched to half their width and
    ending in a long bare spike, as "pagoda-like trees" in three of four round-36 viewings.)
    ``tiers``: how coarse the branching is, 3 (few long boughs) to 5 (many short ones)."""
    lean = rng.normal(0, 0.025) * height  # the leader is rarely plumb
    count = tiers * 4  # branch tips on each side

    def side(sign: int) -> list[tuple[float, float]]:
        # the tips' heights, unevenly spaced, from the lowest bough to just under the leader
        rise = np.sort(rng.uniform(0.0, 0.94, count))
        rise[0], rise[-1] = 0.0, rng.uniform(0.9, 0.95)  # boughs from the foot to under the leader
        points = []
        for k, f in enumerate(rise):
            y = base - height * f
            half = width / 2 * (1 - f) ** 0.85 * rng.uniform(0.75, 1.1)  # a cone, a little bellied
            shift = x + lean * f
            droop = height * rng.uniform(0.01, 0.03) * (1 - f)  # a bough's tip hangs below its root
            next_f = rise[k + 1] if k + 1 < count else 0.96
            notch = base - height * (f + next_f) / 2  # where the next bough grows out of the cone
            points += [(shift + sign * half, y + droop),
                       (shift + sign * half * rng.uniform(0.4, 0.65), notch)]
        return points

    pen.polygon(side(-1) + [(x + lean, base - height)] + side(1)[::-1])


@renders("forest", stage=FAR_LAND + 1, wide=True)
def forest(scene, slot, rng):
    c, p, w, h, hy = scene.canvas, scene.palette, scene.width, scene.height, scene.horizon
    green = mix(p.ink, p.foliage, 0.45)
    subject = scene.frame.focus == "forest"
    grow = scene.frame.scale if subject else 1.0  # the subject: nearer, taller
    ranks = [(0.7, 0.07 * grow, hy), (0.45, 0.11 * grow, hy + h * 0.02), (0.25, 0.15 * grow, hy + h * 0.05)]
    if subject:  # and a rank near enough to walk into, so the woods fill the middle of the picture
        ranks.append((0.08, 0.26 * grow, hy + h * 0.28))
    if scene.in_ink:
        # the farthest rank is too pale to take ink: only its outlines were drawn, as "stray
        # squiggles" between the trees of the next
        ranks = ranks[1:]
        _veil_glow(scene, hy - ranks[0][1] * h * 1.3, hy + h * 0.02)
    for depth, size, y in ranks:
        color = scene.tone(green, depth)
        # the rank rises and falls along its length, its trees in groves of unequal height
        # and spacing: evenly spaced spires of one height read as "a fence"
        along, swell = np.linspace(0, w, 64), 1 + 0.28 * smooth_line(rng, 64, rng.uniform(1.5, 3.0))

        def rise(x: float) -> float:
            return float(np.interp(x, along, swell))

        with c.pen(color) as pen:
            x = rng.uniform(-20, 0)
            # the rank's dark mass reaches over its trees' lowest tiers: left open, the gaps
            # between neighbouring tiers read as a row of bright diamonds ("glitchy"; "white
            # blobs under the near trees" of the subject's widely spaced near rank)
            xs = np.linspace(0, w, 48)
            pen.polygon([(0, y + h * 0.02)] + [(px, y - size * h * 0.4 * rise(px)) for px in xs] + [(w, y + h * 0.02)])
            while x < w + 20:
                height = size * h * rise(x) * rng.uniform(0.7, 1.2)
                conifer(pen, rng, x, y + h * 0.01, height, height * rng.uniform(0.36, 0.48), int(rng.integers(3, 6)))
                # now and then a clearing, but not in ink: through it the far ranks' small
                # trees showed as "glitchy fragments" and "stray squiggles" (0 of 9)
                clearing = rng.random() < 0.12 and not scene.in_ink
                x += height * (rng.uniform(0.45, 0.7) if clearing else rng.uniform(0.14, 0.3))
        if p.winter:
            with c.pen(scene.tone(p.snow, depth * 0.7), 0.8) as pen:
                pen.rect(0, y + h * 0.004, w, y + h * 0.02)
        mist(scene, y + h * 0.02, size * h * 0.55, 1.0 if depth < 0.1 else MIST)


def _veil_glow(scene, top: float, foot: float) -> None:
    """Haze over the sky's low band behind the far trees, thickening down to their feet. In
    ink a dawn or dusk glow seen between the far spires keeps the vermilion accent, and came
    out as a row of red streaks and squiggles along the woods' crest."""
    box = scene.canvas._box(0, top, scene.width, foot)
    if box is None:
        return
    y = (np.arange(box[1], box[3], dtype=np.float32)[:, None] + 0.5 - top) / max(foot - top, 1)
    grey = (sum(scene.palette.haze) / 3,) * 3
    scene.canvas.blend(box, mix(scene.palette.haze, grey, 0.8), np.broadcast_to(np.clip(y, 0, 1) ** 0.7 * 0.95, (len(y), box[2] - box[0])))


MIST = 0.6  # how much of the haze veils the foot of a rank of trees


def mist(scene, foot: float, height: float, thickness: float = MIST) -> None:
    """Haze lying over the foot of a rank of trees, thickest at the ground: each rank stands
    out of the mist in front of the next, as the ranks of an ink-painted forest do; the
    nearest rank's foot is lost in it wholly, or its edge on the open ground is a hard line."""
    box = scene.canvas._box(0, foot - height, scene.width, foot + height * 0.4)
    if box is None:
        return
    y = (np.arange(box[1], box[3], dtype=np.float32)[:, None] + 0.5 - foot) / height
    veil = np.where(y < 0, np.clip(1 + y, 0, 1) ** 1.6, np.exp(-(y / 0.15) ** 2))  # and it thins out over the ground
    # in the far field's own colour, so the trees' feet dissolve into the ground they stand on
    scene.canvas.blend(box, mix(scene.palette.haze, scene.palette.ground_far, 0.7),
                       np.broadcast_to(thickness * veil, (len(y), box[2] - box[0])))


@renders("blossom", stage={"sky": FRONT, "foreground": FRONT}, modelled=True)
def blossom(scene, slot, rng):
    p = scene.palette
    bloom = saturate(p.bloom, 1.1)
    if slot.layer == "middle":
        return tree(scene, slot, rng, bloom=bloom)
    segments, tips = corner_branch(scene, slot.side, rng)
    points = [
        (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f)
        for x0, y0, x1, y1, *_ in segments[2:]
        for f in (0.4, 1.0)
    ]
    r = scene.height * 0.013
    flower_dots(scene.canvas, rng, points, r, bloom, center=scale(bloom, 0.7))
    flower_dots(scene.canvas, rng, points[::3], r * 0.7, mix(bloom, WHITE, 0.5))
    falling(
        scene, rng, 60, (0, 0, scene.width, scene.height), [bloom, mix(bloom, WHITE, 0.4)], r * 0.55
    )


def corner_branch(scene, side, rng):
    """A branch reaching into the picture from the top corner on ``side`` (-1 left, +1
    right), as in a hanging-scroll print."""
    x = -scene.width * 0.02 if side < 0 else scene.width * 1.02
    y = scene.height * rng.uniform(0.05, 0.25)
    angle = rng.uniform(-0.35, 0.05) if side < 0 else math.pi - rng.uniform(-0.35, 0.05)
    segments, tips = grow(
        rng,
        x,
        y,
        angle,
        scene.width * 0.22,
        scene.height * 0.022,
        4,
        spread=0.9,
        shrink=0.7,
        droop=0.1,
        upright=0.0,
    )
    draw_wood(
        scene.canvas,
        scene.tone(mix(scene.palette.ink, scene.palette.lit(BARK), 0.35), 0.05),
        segments,
    )
    return segments, tips


def framing_bough(scene, side: int, rng) -> None:
    """A leafy bough reaching in from a top corner, near and dark: the painter's old device
    (a repoussoir) that frames a wide view and sets the distance behind it. Bare in winter;
    in autumn some of its leaves have turned."""
    p = scene.palette
    segments, _ = corner_branch(scene, side, rng)
    if p.winter:
        return
    colors = [scene.tone(scale(mix(p.ink, p.foliage, 0.55), 0.85), 0.0), mix(p.ink, p.foliage, 0.8)]
    if scene.season == "autumn":
        colors = colors[:1] + list(p.leaves)[:2]
    size = scene.height * 0.016
    leaves = []  # along the outer three quarters of the bough, alternately either side of the twig
    for x0, y0, x1, y1, _, _ in segments[len(segments) // 4:]:
        heading, length = math.atan2(y1 - y0, x1 - x0), math.hypot(x1 - x0, y1 - y0)
        for k in range(max(1, int(length / (size * 1.6)))):
            f, s = rng.uniform(0.2, 1.0), size * rng.uniform(0.7, 1.2)
            a = heading + (1 if k % 2 else -1) * rng.uniform(0.5, 1.0) + 0.3  # hanging a little
            x, y = x0 + (x1 - x0) * f + math.cos(a) * s, y0 + (y1 - y0) * f + math.sin(a) * s
            leaves.append((int(rng.integers(len(colors))), x, y, s, a))
    for k, color in enumerate(colors):
        with scene.canvas.pen(color) as pen:
            for _, x, y, s, a in (leaf for leaf in leaves if leaf[0] == k):
                pen.ellipse(x, y, s, s * 0.38, angle=a)


def plumed_grass(scene, rng) -> None:
    """Tall plumed grass (susuki, pampas) rising dark from the foot of a sky picture, its
    plumes lit from behind: the moon-viewing print's foreground. A sky picture was the
    light over a thin strip of land, "little going on", "little to hold the eye". The stand
    keeps clear of a low moon or sun: with a plume before the harvest moon and a stand over
    the setting sun, three viewers chose the picture without it ("unobstructed")."""
    c, p, w, h, u = scene.canvas, scene.palette, scene.width, scene.height, scene.u
    dark = scene.tone(mix(p.ink, p.foliage, 0.3), 0.0)
    lit = mix(mix(p.glow, WHITE, 0.35), dark, 0.25)
    wind = rng.choice((-1, 1)) * rng.uniform(0.05, 0.18)  # the whole stand leans one way
    lights = [x for x, y in scene.sky_lights if y > h * 0.55]  # low enough for the stand to cover
    if lights:  # the stand in the widest space the lights leave, reckoning an edge as half
        edges = [-w * 0.5] + sorted(lights) + [w * 1.5]
        left, right = max(zip(edges, edges[1:]), key=lambda gap: gap[1] - gap[0])
        centre = min(max((left + right) / 2, w * 0.1), w * 0.9)
    else:
        centre = w * (0.5 - 0.3 * scene.frame.side)  # away from the subject

    def clear(xs, margin):  # which of xs stand clear of the lights
        return np.all([np.abs(xs - x) > margin for x in lights], axis=0) if lights else np.ones(len(xs), bool)

    count = int(rng.integers(11, 17))
    xs = np.clip(centre + rng.normal(0, w * 0.22, count), -0.05 * w, 1.05 * w)
    nearness = 1 - np.abs(xs - centre) / w  # shorter away from the stand's middle
    tall = h * rng.uniform(0.14, 0.36, count) * (0.55 + 0.45 * nearness)
    base = h * rng.uniform(1.0, 1.03, count)
    bend = wind + rng.normal(0, 0.05, count)
    keep = clear(xs, w * 0.1) & clear(xs + bend * tall, w * 0.18)  # its foot and its plume
    xs, tall, base, bend = xs[keep], tall[keep], base[keep], bend[keep]
    # a tuft of arching leaves at the foot of the stand
    leaves = int(rng.integers(30, 45))
    lx = np.clip(centre + rng.normal(0, w * 0.25, leaves), -0.05 * w, 1.05 * w)
    ly, lt = h * rng.uniform(1.0, 1.03, leaves), h * rng.uniform(0.07, 0.16, leaves)
    lean = wind * 2 + rng.normal(0, 0.3, leaves)
    keep = clear(lx, w * 0.1)
    with c.pen(dark) as pen:
        blades(pen, lx[keep], ly[keep], lt[keep], lean[keep], np.maximum(lt[keep] * 0.08, u), u * 0.4)
        tips = []
        for x, y0, t, b in zip(xs, base, tall, bend):
            k = np.linspace(0, 1, 9)[:, None]
            stem = np.concatenate([x + b * t * k**2, y0 - t * k], 1)
            pen.stroke(stem, u * 2.6, u * 1.2)
            tips.append((stem[-1, 0], stem[-1, 1], b))
    # each plume a spray of spikelets along the stem's nodding top, drooping with the wind:
    # dark against the sky, their silver catching the light behind them
    sprays = []
    for x, y, bend in tips:
        length = h * rng.uniform(0.08, 0.12)
        axis = np.array([math.sin(bend * 3), 1.0])  # from the tip down and along the wind
        for f in np.linspace(0.05, 1, 18):
            origin = np.array([x, y]) + axis * length * f * 0.7
            reach = length * 0.45 * math.sin(math.pi * min(1.0, 0.25 + f * 0.75))  # fullest mid-plume
            a = math.pi / 2 - bend * 5 + rng.normal(0, 0.5)  # mostly down, blown aside
            end = origin + reach * np.array([math.cos(a), math.sin(a)]) * [1.0, 0.8]
            mid = (origin + end) / 2 + rng.normal(0, reach * 0.12, 2)
            sprays.append((origin, mid, end))
    for color, alpha, width in ((dark, 1.0, 2.6), (lit, 0.55, 1.6)):
        with c.pen(color, alpha) as pen:
            for origin, mid, end in sprays:
                pen.stroke([origin, mid, end], u * width, u * 0.5)


@renders("leaves", stage={"sky": FRONT, "foreground": FRONT}, modelled=True)
def leaves(scene, slot, rng):
    p, w, h = scene.palette, scene.width, scene.height
    shape = "maple" if scene.season in ("autumn", "none") else "leaf"
    colors = list(p.leaves)
    if scene.word_for("leaves") in SINGLE_LEAF:
        return single_leaf(scene, slot, rng, shape, colors)
    if slot.layer == "sky":
        segments, tips = corner_branch(scene, slot.side, rng)
        falling(
            scene,
            rng,
            40,
            (
                min(t[0] for t in tips) - 30,
                min(t[1] for t in tips) - 30,
                max(t[0] for t in tips) + 30,
                max(t[1] for t in tips) + 30,
            ),
            colors,
            h * 0.02,
            shape,
        )
        falling(scene, rng, 30, (0, 0, w, h), colors, h * 0.014, shape)
    elif slot.layer == "middle":
        falling(
            scene,
            rng,
            50,
            (slot.x - w * 0.3, scene.horizon - h * 0.15, slot.x + w * 0.3, slot.y + h * 0.05),
            [scene.tone(col, 0.3) for col in colors],
            h * 0.01,
            shape,
        )
    else:  # a drift of leaves on the ground and more falling
        falling(
            scene,
            rng,
            50,
            (slot.x - w * 0.35, slot.y - h * 0.05, slot.x + w * 0.35, h),
            colors,
            h * 0.022,
            shape,
        )
        falling(scene, rng, 30, (0, scene.horizon, w, h), colors, h * 0.02, shape)


# "a single leaf", "the last leaf": the poem names one, and a cloud of fifty is not it
SINGLE_LEAF = frozenset({"leaf"})


def single_leaf(scene, slot, rng, shape, colors) -> None:
    """One large leaf turning in the air, in the open space on its slot's side, its stem
    trailing: a haiku's one leaf is its subject, not a scatter of confetti."""
    w, h, hy = scene.width, scene.height, scene.horizon
    size = h * (0.055 if slot.layer == "foreground" else 0.042)
    x = float(np.clip(slot.x + rng.normal(0, w * 0.05), w * 0.15, w * 0.85))
    if slot.layer == "sky":
        y = hy * rng.uniform(0.35, 0.6)
    elif slot.layer == "middle":
        y = hy - h * rng.uniform(0.0, 0.05)  # against the dark of what stands on the horizon
    else:
        y = h * rng.uniform(0.62, 0.74)
    color = saturate(max(colors, key=lambda c: max(c) - min(c)), 1.15)  # the most vivid of the season's
    angle = rng.uniform(0.3, 1.2) * rng.choice((-1, 1))
    with scene.canvas.pen(color) as pen:
        if shape == "maple":  # five pointed lobes, the one over the stem the longest
            t = np.linspace(0, 2 * math.pi, 151)[:-1]
            peak = 1 - np.abs(2 * ((t * 5 / (2 * math.pi) + 0.5) % 1) - 1)  # 1 at a lobe's tip, 0 at a notch
            r = size * (0.5 + 0.5 * peak**0.9) * (1 + 0.12 * np.cos(t))
            a = t + angle - math.pi / 2
            pen.polygon(np.stack([x + r * np.cos(a), y + r * np.sin(a)], 1))
        else:
            pen.ellipse(x, y, size, size * 0.42, angle=angle)
    vein = scale(color, 0.6)
    with scene.canvas.pen(vein) as pen:  # the stem, out from the base of the blade
        a = angle + math.pi / 2  # the stem leaves the base, opposite the longest lobe
        base = (x + math.cos(a) * size * 0.2, y + math.sin(a) * size * 0.2)
        tip = (x + math.cos(a) * size * 1.15, y + math.sin(a) * size * 1.15)
        pen.stroke([base, ((base[0] + tip[0]) / 2 + size * 0.08, (base[1] + tip[1]) / 2), tip],
                   size * 0.07, size * 0.03)
        if shape == "maple":  # a vein out to each lobe
            veins = [(angle - math.pi / 2 + (k - 2) * 2 * math.pi / 5, size * 0.7) for k in range(5)]
        else:  # the midrib
            veins = [(angle, size * 0.85)]
        for b, reach in veins:
            pen.stroke([(x, y), (x + math.cos(b) * reach, y + math.sin(b) * reach)], size * 0.04, size * 0.01)


def blades(pen, x, y, height, lean, width, tip) -> None:
    """Many curved, tapering blades at once (arrays x, y, height, lean, width)."""
    t = np.linspace(0, 1, 7)
    px = x[:, None] + lean[:, None] * t**2 * height[:, None]
    py = y[:, None] - t * height[:, None]
    dx, dy = np.gradient(px, axis=1), np.gradient(py, axis=1)
    norm = np.maximum(np.hypot(dx, dy), 1e-9)
    half = (width[:, None] + (tip - width[:, None]) * t) / 2
    nx, ny = -dy / norm * half, dx / norm * half
    outline = np.concatenate(
        [np.stack([px + nx, py + ny], 2), np.stack([px - nx, py - ny], 2)[:, ::-1]], 1
    )
    for poly in outline:
        pen.polygon(poly)


@renders("grass", wide=True)
def grass(scene, slot, rng):
    c, p = scene.canvas, scene.palette
    w, h, hy, u = scene.width, scene.height, scene.horizon, scene.u
    near = slot.layer == "foreground"
    blade = {"autumn": (200, 170, 90), "winter": (170, 150, 110)}.get(scene.season)
    blade = p.lit(blade) if blade else p.foliage
    top, bottom = (h * 0.8, h * 1.02) if near else (hy + h * 0.01, hy + (h - hy) * 0.45)
    for shade in (0.7, 0.85, 1.0):
        tufts = 45 if near else 70
        y = np.sort(rng.uniform(top, bottom, tufts))
        tall = h * (0.12 if near else 0.11) * (y - hy) / (h - hy)
        x = rng.uniform(-10, w + 10, tufts)
        per = 6
        x, y, tall = np.repeat(x, per), np.repeat(y, per), np.repeat(tall, per)
        height = tall * rng.uniform(0.5, 1.2, len(x))
        with c.pen(scale(blade, shade)) as pen:
            blades(
                pen, x, y, height, rng.normal(0, 0.35, len(x)), np.maximum(tall * 0.06, u), u * 0.4
            )
    if scene.season == "autumn" and near:  # pampas plumes
        plumes = [
            (rng.uniform(0, w), rng.uniform(top - h * 0.14, top - h * 0.06), rng.normal(0, 0.25))
            for _ in range(7)
        ]
        with c.pen(scale(blade, 0.8)) as pen:
            for x, y, a in plumes:
                pen.stroke([(x, y), (x - math.sin(a) * h * 0.2, y + h * 0.2)], u * 3, u * 4)
        with c.pen(mix(p.lit((240, 228, 200)), p.haze, 0.2), 0.9) as pen:
            for x, y, a in plumes:
                pen.ellipse(x + math.sin(a) * h * 0.04, y - h * 0.04, h * 0.011, h * 0.045, angle=a)


@renders("flowers", modelled=True)
def flowers(scene, slot, rng):
    c, p, h, u = scene.canvas, scene.palette, scene.height, scene.u
    near = slot.layer == "foreground"
    palette = {
        "spring": [(250, 190, 210), (255, 240, 140), (255, 255, 255)],
        "summer": [(230, 60, 60), (255, 210, 60), (90, 110, 220)],
        "autumn": [(250, 170, 40), (220, 90, 40), (255, 230, 120)],
        "winter": [(210, 40, 60), (255, 255, 255)],
    }.get(scene.season, [(250, 200, 220), (255, 230, 120), (200, 120, 220)])
    stem = scene.tone(scale(p.foliage, 0.8), slot.depth)
    spread = scene.width * (0.3 if near else 0.2)
    size = h * (0.018 if near else 0.006)
    heads = []
    for _ in range(45 if near else 30):
        x = slot.x + rng.normal(0, spread * 0.5)
        y = slot.y + rng.uniform(-0.1, 0.04) * (h * 0.3 if near else h * 0.15)
        top = y - h * (rng.uniform(0.03, 0.1) if near else 0.01)
        heads.append((x + rng.normal(0, size), top, y))
    with c.pen(stem) as pen:
        for x, top, y in heads:
            pen.line([(x, y), (x, top)], u * (2 if near else 1))
            if near:
                pen.ellipse(x + size * 0.7, (top + y) / 2, size * 0.7, size * 0.25, angle=-0.5)
    for k, color in enumerate(palette):
        pts = [(x, top) for x, top, _ in heads[k :: len(palette)]]
        flower_dots(
            c,
            rng,
            pts,
            size * rng.uniform(0.9, 1.2),
            scene.tone(p.lit(color), slot.depth),
            center=scene.tone(p.lit((250, 200, 60)), slot.depth) if near else None,
        )


@renders("reeds", footing=None, modelled=True)
def reeds(scene, slot, rng):
    c, p, u = scene.canvas, scene.palette, scene.u
    height = slot.size * (1.3 if slot.layer == "foreground" else 0.8)
    stalk = scene.tone(mix(p.foliage, p.lit((150, 140, 80)), 0.5), slot.depth)
    head = scene.tone(p.lit((110, 72, 48)), slot.depth)
    tops = []
    with c.pen(stalk) as pen:
        for _ in range(rng.integers(12, 20)):
            x = slot.x + rng.normal(0, slot.size * 0.2)
            tall = height * rng.uniform(0.5, 1.05)
            lean = rng.normal(0, 0.12) * tall
            t = np.linspace(0, 1, 8)[:, None]
            pts = np.concatenate([x + lean * t**2, slot.y - tall * t], 1)
            if rng.random() < 0.45:  # a leaf blade, bending over
                pen.stroke(
                    np.concatenate(
                        [
                            x + lean * 1.6 * t**1.5 + rng.choice([-1, 1]) * tall * 0.15 * t**2,
                            slot.y - tall * 0.8 * t,
                        ],
                        1,
                    ),
                    slot.size * 0.03,
                    u * 0.5,
                )
            else:
                pen.stroke(pts, slot.size * 0.014, u * 0.8)
                tops.append(pts[-2])
    with c.pen(head) as pen:
        for x, y in tops:
            pen.ellipse(x, y + height * 0.02, slot.size * 0.022, height * 0.055)


@renders("lotus", footing="water", modelled=True)
def lotus(scene, slot, rng):
    c, p = scene.canvas, scene.palette
    s = slot.size * (0.55 if slot.layer == "foreground" else 0.4)
    pad = scene.tone(saturate(mix(p.foliage, p.lit((70, 130, 70)), 0.5), 1.1), slot.depth)
    pink = scene.tone(p.lit((246, 160, 190)), slot.depth)
    for _ in range(rng.integers(3, 6)):
        x, y = slot.x + rng.normal(0, s * 0.9), slot.y - s * 0.2 + rng.normal(0, s * 0.12)
        r = s * rng.uniform(0.25, 0.45)
        notch = rng.uniform(0, 360)
        with c.pen(scale(pad, 0.8)) as pen:
            pen.ellipse(x, y + r * 0.05, r, r * 0.3)
        with c.pen(pad) as pen:
            pen.ellipse(x, y, r * 0.94, r * 0.27)
            pen.polygon(
                [
                    (x, y),
                    (
                        x + math.cos(math.radians(notch)) * r,
                        y + math.sin(math.radians(notch)) * r * 0.3,
                    ),
                    (
                        x + math.cos(math.radians(notch + 25)) * r,
                        y + math.sin(math.radians(notch + 25)) * r * 0.3,
                    ),
                ],
                cut=True,
            )
    for k in range(rng.integers(1, 3)):
        x, y = slot.x + (k - 0.5) * s * 0.9 + rng.normal(0, s * 0.1), slot.y - s * 0.3
        with c.pen(scale(pad, 0.7)) as pen:
            pen.line([(x, y), (x, y - s * 0.2)], scene.u * 2)
        for color, shrink in ((scale(pink, 0.85), 1.0), (mix(pink, WHITE, 0.35), 0.7)):
            with c.pen(color) as pen:  # a fan of pointed petals
                for a in np.linspace(-1.1, 1.1, 5):
                    tip = (
                        x + math.sin(a) * s * 0.42 * shrink,
                        y - s * 0.2 - math.cos(a) * s * 0.45 * shrink,
                    )
                    base = (x, y - s * 0.18)
                    mid = ((tip[0] + base[0]) / 2, (tip[1] + base[1]) / 2)
                    nx, ny = (tip[1] - base[1]) * 0.28, -(tip[0] - base[0]) * 0.28
                    pen.polygon([base, (mid[0] + nx, mid[1] + ny), tip, (mid[0] - nx, mid[1] - ny)])
