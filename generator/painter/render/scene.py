"""Compose a scene plan into a picture: background, layout, painting order, finish.

The plan's frame puts the horizon (on a third, low for a sky picture, near the top for a
ground picture) and the main motif: on its third, larger, lower in the frame when seen
close; the other motifs of its layer keep to the other side. Sky motifs live above it; the middle ground
stands on it, small and veiled by haze; the foreground stands in the bottom third, large
and dark. Every random choice comes from a generator derived from (seed, name): the
background's from (seed, "background"), each layer's layout from (seed, "layout:<layer>"),
each motif's from (seed, "<motif>:<layer>"). Adding a motif therefore never changes how
the others are drawn, only where: the horizontal places of a layer's motifs are spread
among them, and the far ridges make way for a motif that shapes the horizon.
"""

from __future__ import annotations

import logging
import math
import zlib
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from generator.painter.motifs import HORIZON_MOTIFS, LAYERS, LIGHTS
from generator.painter.plan import ScenePlan
from generator.painter.render.canvas import (
    Backlight, Canvas, gradient, midpoint_line, mix, scale, smooth_line, value_noise,
)
from generator.painter.render.palette import Palette, make_palette
from generator.painter.render.registry import FOOTING, GROUND, MIDDLE, MODELLED, RENDERERS, STAGES, SURFACE, WIDE

log = logging.getLogger(__name__)

CLOUD_SHADOWS = 0.6  # how far the land's sunlit and shaded patches go to warm and cool
GROUND_PATCHES = 0.1  # how much lighter and darker the ground's sunlit and shaded patches are
# The light gathered on the subject: how much darker the far corners fall, and how much
# lighter the subject's own place is. Three viewers preferred oil pictures lit so in 17 of
# 21 pairs ("a clear light source", "depth"); the 3 losses were one sky picture, where the
# only land is the strip the pool darkens ("muddier"), so a sky picture is left as it is.
POOL, POOL_LIFT = 0.35, 0.08
# A sky with any of these has its weather; without, a day sky gets a few drifting clouds.
SKY_WEATHER = {"clouds", "storm", "rain", "snow", "fog", "aurora", "rainbow", "smoke", "window"}
# An oil painting of a wide view with none of these gets a bough reaching in from a top
# corner: they have branches of their own, are seen indoors, or fill the sky the bough
# would cover. In two blind tests (three viewers each) the bough won 17 of 18 oil pairs at
# dawn and dusk, a silhouette against the glow ("frames the glow", "adds a sense of
# foreground depth"), and 6 of 6 where it shows the season (turned leaves, bare twigs);
# it lost in green daylight, 4 of 12 ("blocks the glowing clouds"), and did no better than chance
# where a light is the subject, 4 of 9 ("the lone glowing lamp is a strong single focal
# point"), or in ink, 5 of 9 ("too dark", "clutters" the empty paper).
NO_BOUGH = {"blossom", "leaves", "tree", "willow", "pine", "bamboo", "window", "storm", "rainbow", "aurora"}
OVERCAST = {"rain", "storm", "fog", "snow"}  # no sun shines through them to cast or rim
# Ink's far ranges: how many times taller than the usual low ridges, and how much less haze
# veils their crests. Three viewers preferred them in 27 of 33 ink pairs ("the rain-veiled
# mountains behind the train", "give the lone bell shelter a setting"); the 6 losses were a
# kite, whose string then ended "in mid-air" against them, and a close-up.
MOUNTAINS, MOUNTAIN_CREST = 2.4, 0.3
# How much of the middle ground's haze veils its subject: a painter keeps the strongest
# contrast for it. Three viewers preferred it in 9 of 9 oil and watercolour pairs ("the dark
# silhouette stands out against the glowing horizon", where "the pale figure fades away"),
# and 5 of 15 in ink, where a darker subject shifts the whole picture's ink ("the darker
# graded sky ... more mood"), so ink keeps the full haze.
SUBJECT_HAZE = 0.4
CLING, CLINGER = 0.5, 0.8  # how far up its trunk a creature on a tree clings, and its size against the trunk
BOUGH_REACH = 0.45  # the share of the height (and, with a margin, of the width) the bough's leaves fill


def _plane_noise(rng: np.random.Generator, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Smooth noise in [0, 1] at the points (u, v) of a plane, one random value per unit
    cell blended with smoothstep; two octaves."""
    total = np.zeros(np.broadcast(u, v).shape, np.float32)
    for octave, weight in ((1, 0.7), (2.3, 0.3)):
        grid = rng.random((64, 64), dtype=np.float32)
        gu, gv = u * octave + rng.uniform(0, 64), v * octave + rng.uniform(0, 64)
        iu, iv = np.floor(gu), np.floor(gv)
        fu, fv = gu - iu, gv - iv
        fu, fv = fu * fu * (3 - 2 * fu), fv * fv * (3 - 2 * fv)
        iu, iv = iu.astype(np.int64) % 64, iv.astype(np.int64) % 64
        ju, jv = (iu + 1) % 64, (iv + 1) % 64
        top = grid[iv, iu] * (1 - fu) + grid[iv, ju] * fu
        bottom = grid[jv, iu] * (1 - fu) + grid[jv, ju] * fu
        total += weight * (top * (1 - fv) + bottom * fv)
    return total


def motif_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed % 2**64, zlib.crc32(name.encode("utf-8"))])


@dataclass(frozen=True)
class Slot:
    """Where the layout put one motif."""

    layer: str
    x: float  # horizontal centre, px
    y: float  # the ground it stands on (middle, foreground) or its centre (sky), px
    size: float  # a reference height for things in this layer, px
    depth: float  # 0 for the nearest, 1 at the horizon: how much haze veils it
    side: int  # -1 in the left half, +1 in the right: the edge a branch grows from


class Scene:
    """The canvas, its palette and geometry, and what the plan holds."""

    def __init__(self, plan: ScenePlan, seed: int, size: tuple[int, int], detail: bool = True,
                 ink: bool = False):
        self.plan, self.seed = plan, seed
        # an oil painter's liberties: incidental detail (drifting clouds, far groves, patches,
        # grass, a framing bough) and the light gathered on the subject
        self.detail = detail
        # painted in ink next: far ranges rise out of mist, and the subject keeps the haze of
        # its distance (ink keys its values to the whole picture)
        self.in_ink = ink
        self.focus_at: tuple[float, float] | None = None  # the middle of the main motif, px
        # where a dawn or dusk sun lights the horizon, px, in oil's landscapes under a clear
        # sky: it casts long shadows (creatures.standing) and rims large forms (canvas.Backlight)
        self.low_sun_x: float | None = None
        # the vanishing point's x of a street running away from us, once it is painted: a
        # fence in front of it runs along its kerb, not across it (land.street, built.fence)
        self.street_vx: float | None = None
        # where the poem's one walker stands (x, y of the feet), px, when a road or path runs
        # through the land they stand on: it passes under their feet (land.road)
        self.walker_at: tuple[float, float] | None = None
        # the trunk of each tree painted, (x0, y0, x1, y1) from its foot up, px, and its depth: a
        # creature the poem puts on the tree clings to it (ScenePlan.climber, Scene.on_trunk)
        self.trunks: dict[str, tuple[float, ...]] = {}
        self.clinging = False  # whether the motif being painted clings to a trunk (on_trunk)
        self.width, self.height = size
        self.canvas = Canvas(size)
        self.time, self.season = plan.time_of_day, plan.season
        self.palette: Palette = make_palette(self.time, self.season)
        self.frame = plan.frame
        self.horizon = self.height * self.frame.horizon
        self.motifs = set(plan.motifs())
        self.water = Image.new("L", size)  # where water is, for reflections and footing
        self.lights: list[tuple[float, float, float]] = []  # (x, y, radius) of lamps, fires
        self.sky_lights: list[tuple[float, float]] = []  # (x, y) of the suns and moons painted
        # a kite's bridle (x, y) and size, px, when someone on the ground flies it: the string
        # runs from their hand (sky.fly_kite), not to a point on the horizon
        self.kite_bridle: tuple[float, float, float] | None = None
        self.drawn: set[str] = set()  # shared parts already painted (the sea under waves)
        self.u = min(size) / 1000  # one unit of line width

    def word_for(self, motif: str) -> str | None:
        """The poem's word that named the motif ("leaf" or "leaves"): a renderer may paint
        one thing where the poem names one."""
        return next((p.word for p in self.plan.placements if p.motif == motif), None)

    # -- colour helpers -------------------------------------------------------------
    def tone(self, color, depth: float):
        """color seen through the air at depth (0 near, 1 at the horizon)."""
        return mix(color, self.palette.haze, 0.82 * depth)

    def ink(self, depth: float):
        return self.tone(self.palette.ink, depth)

    def sky_color(self, y: float):
        """The background sky's colour at height y."""
        t = min(1.0, max(0.0, y / self.horizon))
        stops = self.palette.sky
        for (t0, c0), (t1, c1) in zip(stops, stops[1:]):
            if t <= t1:
                return mix(c0, c1, (t - t0) / max(t1 - t0, 1e-9))
        return stops[-1][1]

    def is_water(self, x: float, y: float) -> bool:
        xi = min(self.width - 1, max(0, int(x)))
        yi = min(self.height - 1, max(0, int(y)))
        return self.water.getpixel((xi, yi)) > 127

    # -- background and finish --------------------------------------------------------
    def draw_sky(self, rng: np.random.Generator) -> None:
        c, p, w, hy = self.canvas, self.palette, self.width, self.horizon
        rows = int(math.ceil(hy)) + 2
        dither = rng.random((rows, w, 1), dtype=np.float32) - 0.5  # no banding in smooth skies
        c.put((0, 0, w, rows), gradient(rows, p.sky)[:, None, :] + dither)
        if 0.2 < p.darkness < 0.9:  # the low sun lights the horizon
            sun_x = w * rng.uniform(0.2, 0.8)
            c.glow(sun_x, hy, w * 0.8, p.glow, 0.45, squash=0.45)
            if self.detail and not self.motifs & OVERCAST:
                self.low_sun_x = sun_x
                c.backlight = Backlight(sun_x, hy, mix(p.glow, (255, 255, 255), 0.35), 4.0 * self.u)
        if self.detail and p.darkness < 0.9 and not self.motifs & SKY_WEATHER:
            from generator.painter.render.sky import drifting_clouds

            drifting_clouds(self, motif_rng(self.seed, "drifting clouds"))
        if p.darkness >= 0.9:  # a few faint stars
            with c.pen((255, 255, 245), alpha=0.5) as pen:
                for _ in range(int(40 * w * hy / 1e6) + 5):
                    pen.circle(
                        rng.uniform(0, w), hy * rng.beta(1, 1.6), self.u * rng.uniform(0.8, 1.6)
                    )

    def draw_ground(self, rng: np.random.Generator) -> None:
        c, p, w, h, hy = self.canvas, self.palette, self.width, self.height, self.horizon
        top = int(math.floor(hy))
        colors = gradient(h - top, [(0, p.ground_far), (1, p.ground_near)])
        c.put((0, top, w, h), np.broadcast_to(colors[:, None, :], (h - top, w, 3)))
        # two soft undulations of the ground, nearer ones darker
        for k, y in enumerate((0.3, 0.68)):
            base = hy + (h - hy) * y
            line = base + smooth_line(rng, w, rng.uniform(1, 2)) * h * 0.02
            shade = mix(p.ground_far, p.ground_near, 0.45 + 0.45 * k)
            c.fill_between(line, shade, colors=(shade, mix(shade, p.ground_near, 0.6)))
        if self.detail:
            self.ground_texture(motif_rng(self.seed, "ground texture"), top)
            if CLOUD_SHADOWS and p.darkness < 0.9 and not self.motifs & OVERCAST:
                self.cloud_shadows(motif_rng(self.seed, "cloud shadows"), top)
        if not self.motifs & HORIZON_MOTIFS:
            self.far_ridges(rng)

    def ground_texture(self, rng: np.random.Generator, top: int) -> None:
        """Sunlit and shaded patches over the ground, and a few clumps of grass near the viewer.

        Viewers found the plain gradient ground "dull", "a big flat background"; a painter
        breaks a field into lighter and darker patches, larger and stronger near at hand.
        """
        from generator.painter.render.plants import blades

        c, p, w, h = self.canvas, self.palette, self.width, self.height
        rows = h - top
        if rows <= 0:
            return
        patches = value_noise(rng, w, rows, cells=5, octaves=3) - 0.5
        nearness = np.linspace(0.3, 1.0, rows)[:, None]
        box = (0, top, w, h)
        c.put(box, c.region(box) * (1 + GROUND_PATCHES * 2 * patches * nearness)[..., None])
        if "grass" in self.motifs or self.season == "winter":
            return
        # two or three clumps at the foot of the picture: a near edge the eye looks past
        clumps = int(rng.integers(2, 4))
        per = 9
        x = np.repeat(rng.uniform(0.05, 0.95, clumps) * w, per) + rng.normal(0, w * 0.025, clumps * per)
        y = np.repeat(rng.uniform(0.95, 1.0, clumps) * h, per) + rng.normal(0, h * 0.008, clumps * per)
        tall = h * rng.uniform(0.03, 0.065, clumps * per)
        with c.pen(scale(mix(p.ground_near, p.foliage, 0.6), 1.12)) as pen:  # sunlit: dark ones read as scribbles
            blades(pen, x, y, tall, rng.normal(0, 0.35, len(x)), np.maximum(tall * 0.07, self.u), self.u * 0.4)

    def cloud_shadows(self, rng: np.random.Generator, top: int) -> None:
        """Sunlit land and the shadows of clouds lying across it, as Ruisdael's and Constable's
        plains are painted: broad patches on the ground plane, so they narrow into bands
        towards the horizon; the sunlit ones warmer, the shaded ones cooler, both fading into
        the haze far off."""
        c, p, w, h, hy = self.canvas, self.palette, self.width, self.height, self.horizon
        if h - top <= 0:
            return
        ys = np.arange(top, h, dtype=np.float32)[:, None] + 0.5
        xs = np.arange(w, dtype=np.float32)[None, :] + 0.5
        below = np.maximum(ys - hy, h * 0.004)
        # the ground plane: depth (1 a quarter of the picture below the horizon) and across
        depth = (h * 0.25 / below) * np.ones_like(xs)
        across = (xs - w / 2) / below * (h * 0.25) / w
        shade = _plane_noise(rng, across * 2.2, np.log(depth) * 1.6)
        # soft-edged patches: roughly half the land in sun
        sun = np.clip((shade - 0.5) * 4, -1, 1)
        fade = np.clip(1.4 - np.log1p(depth) * 0.55, 0.15, 1.0)  # far off the air veils them
        region = c.region((0, top, w, h))
        warm = region * np.array(mix(p.sun, p.glow, 0.5), np.float32) / 200
        cool = region * 0.62 + np.array(self.sky_color(0), np.float32) * 0.1
        a = (sun * fade * CLOUD_SHADOWS)[..., None]
        out = np.where(a > 0, region + (warm - region) * a, region + (cool - region) * -a)
        c.put((0, top, w, h), out)

    def far_ridges(self, rng: np.random.Generator) -> None:
        """Two hazy ranges on the horizon: the quiet landscape every scene starts from.

        In ink, a wide view of a subject on the ground has mountains rising out of mist
        behind it instead: taller ranges, dark at the crest and fading into the haze at
        their foot, as in a Chinese or Japanese ink landscape (viewers found the low ranges,
        drawn in ink as a line or two, "a bare scribble", "thin flat lines"). A subject in
        the sky keeps a clear sky.
        """
        c, p, w, h, hy = self.canvas, self.palette, self.width, self.height, self.horizon
        hill = mix(p.ink, p.foliage, 0.35)
        misty = (self.in_ink and self.frame.view == "wide"
                 and self.frame.focus not in self.plan.motifs("sky"))
        for depth, amp in ((0.8, 0.07), (0.62, 0.04)):
            ridge = hy - h * amp * (MOUNTAINS if misty else 1) * (0.25 + midpoint_line(rng, w, 0.45) * 0.75)
            if misty:
                crest = self.tone(hill, depth - MOUNTAIN_CREST)
                c.fill_between(ridge, None, hy + 1, colors=(crest, mix(crest, p.haze, 0.9)))
            else:
                c.fill_between(
                    ridge, None, hy + 1, colors=(self.tone(hill, depth), self.tone(hill, depth + 0.12))
                )
        if self.detail:
            self.far_trees(motif_rng(self.seed, "far trees"))

    def far_trees(self, rng: np.random.Generator) -> None:
        """A few groves and poplars far off on the horizon: the depth of a painted landscape
        (viewers found a plain with only its subject "generic", "a plain composition")."""
        c, p, w, h, hy = self.canvas, self.palette, self.width, self.height, self.horizon
        if self.season == "winter":
            return
        color = self.tone(mix(p.ink, p.foliage, 0.55), 0.55)
        with c.pen(color) as pen:
            for _ in range(int(rng.integers(2, 5))):
                x, size = rng.uniform(0.04, 0.96) * w, h * rng.uniform(0.012, 0.022)
                if rng.random() < 0.35:  # a row of poplars
                    for k in range(int(rng.integers(3, 6))):
                        pen.ellipse(x + k * size * 0.7, hy - size * 1.1, size * 0.28, size * 1.2)
                    continue
                for _ in range(int(rng.integers(3, 7))):  # a grove of round crowns
                    dx, r = rng.normal(0, size * 1.1), size * rng.uniform(0.5, 1.0)
                    pen.circle(x + dx, hy - r * 0.7, r)

    def foot_shade(self, x: float, y: float, half_width: float, half_height: float) -> None:
        """The shade on the ground at the foot of something standing there, drawn under it:
        without it a tree "looks like it floats" and a house is "pasted on" (33 of 36 and 36
        of 36 pairs chose the shade), a pagoda, a bell tower, a pine, a willow and a scarecrow
        "hover" (36 of 36), and a laid table "floats" under a fainter one (36 of 36). None on
        water, which reflects instead."""
        if self.is_water(x, y + 2):
            return
        with self.canvas.pen(scale(self.palette.ground_near, 0.4), 0.6, blur=half_height * 0.4) as pen:
            pen.ellipse(x, y + half_height * 0.12, half_width, half_height)

    def light_pool(self) -> None:
        """Gather the light on the focus and let the rest fall towards shadow, as a painter
        keys a picture to its subject. Without a focus, the light gathers on the horizon."""
        if self.frame.view == "sky":
            return
        w, h = self.width, self.height
        cx, cy = self.focus_at or (w / 2, self.horizon)
        ys = (np.arange(h, dtype=np.float32)[:, None] - cy) / h
        xs = (np.arange(w, dtype=np.float32)[None, :] - cx) / h
        d = np.sqrt(xs * xs + ys * ys) / 0.75  # 1 about as far as a corner from the middle
        light = 1 + POOL_LIFT * np.exp(-((d / 0.25) ** 2)) - POOL * np.clip(d, 0, 1) ** 1.5
        box = (0, 0, w, h)
        self.canvas.put(box, self.canvas.region(box) * light[..., None])

    def bough_side(self, placed: list[tuple[str, Slot]]) -> int | None:
        """The top corner a framing bough comes from, if the picture takes one: away from
        the subject, where the empty space is, and clear of anything painted there (a bird,
        a bell on a high horizon)."""
        if not self.detail or self.frame.view != "wide" or self.frame.focus in LIGHTS or self.motifs & NO_BOUGH:
            return None
        if not (0.2 < self.palette.darkness < 0.9 or self.season in ("autumn", "winter")):
            return None  # a silhouette against a low sun, or the season's mark
        if self.horizon < BOUGH_REACH * 1.1 * self.height:
            return None  # it hangs in the sky, clear of the far land
        side = -self.frame.side
        for motif, slot in placed:
            flat = SURFACE <= STAGES[motif](slot.layer) < MIDDLE and motif != "street"  # roads, water, shadows
            top = slot.y - slot.size * (0.5 if slot.layer == "sky" else 1.0)
            under = (slot.x if side < 0 else self.width - slot.x) < BOUGH_REACH * 1.3 * self.width
            if not (flat or motif in WIDE) and under and top < BOUGH_REACH * self.height:
                return None
        return side

    def has_plumed_grass(self) -> bool:
        """Whether tall plumed grass rises from the foot of the picture: oil's sky pictures
        at dawn, dusk and by night, the light low or the sky dark enough to silhouette it.
        Six viewers preferred it in 47 of 60 pairs ("foreground grass adds depth", "pale
        plumes give the long night texture"); a kite goes without: its string runs down to
        the land the stand stood on ("clean kite line, uncluttered field" without it: 1 of 6)."""
        return (self.detail and self.frame.view == "sky" and self.palette.darkness > 0.2
                and not self.palette.winter and "kite" not in self.motifs)

    # -- layout -------------------------------------------------------------------------
    def layout(self, layer: str, motifs: list[str]) -> dict[str, Slot]:
        rng = motif_rng(self.seed, "layout:" + layer)
        w, h, hy = self.width, self.height, self.horizon
        frame = self.frame
        focus = frame.focus if frame.focus in motifs else None
        placed = [m for m in motifs if m not in WIDE and m != focus]
        n = len(placed)
        if focus:  # the focus on its third; the rest of its layer keep to the other side
            lo, hi = (0.56, 0.9) if frame.side < 0 else (0.1, 0.44)
        else:
            lo, hi = (0.18, 0.82) if layer == "foreground" else (0.1, 0.9)  # big things stay in
        if n == 1 and not focus:
            xs = [rng.choice([0.32, 0.68]) + rng.uniform(-0.05, 0.05)]
        else:
            xs = list((np.arange(n) + 0.5 + rng.uniform(-0.2, 0.2, n)) / max(n, 1))
            xs = [lo + (hi - lo) * x for x in rng.permutation(xs)] if n else []
        slots = {}
        for m in motifs:
            rng = motif_rng(self.seed, f"slot:{m}:{layer}")  # the rest is the motif's own
            if m == focus:
                x = (1 / 3 if frame.side < 0 else 2 / 3) + rng.uniform(-0.03, 0.03)
            else:
                x = xs.pop(0) if m in placed else rng.uniform(0.25, 0.75)
            scale = frame.scale if m == focus else (0.85 if focus else 1.0)
            if layer == "sky":
                y, size, depth = hy * rng.uniform(0.22, 0.5), h * 0.1, 0.3
            elif layer == "middle":
                y, size, depth = hy + h * rng.uniform(0.02, 0.07), h * 0.2, 0.45
                if m == focus and not self.in_ink:
                    depth *= SUBJECT_HAZE
            elif m == focus and frame.view in ("close", "ground"):
                y, size, depth = h * rng.uniform(0.8, 0.88), h * 0.3, 0.0  # up from the edge, whole
            else:
                y, size, depth = h * rng.uniform(0.9, 0.965), h * 0.3, 0.0
            slots[m] = Slot(layer, x * w, y, size * scale, depth, -1 if x < 0.5 else 1)
        if layer == "middle" and "street" in slots:
            # a village street's houses stand on its far side: what shares the middle ground
            # stands on the street in front of them (placed behind, a man stood on the roofs)
            front = slots["street"].y + h * 0.015
            slots = {m: replace(slot, y=max(slot.y, front)) if m != "street" and m not in WIDE else slot
                     for m, slot in slots.items()}
        return slots

    def schedule(self) -> list[tuple[int, str, Slot]]:
        items = []
        for layer in LAYERS:
            motifs = []
            for m in self.plan.motifs(layer):
                if m not in RENDERERS:
                    log.warning("no renderer for motif %r; skipped", m)
                elif m not in motifs:
                    motifs.append(m)
            for i, (m, slot) in enumerate(self.layout(layer, motifs).items()):
                # seen close, the subject is the nearest thing: drawn last of its stage, it
                # is not hidden behind a fence or a wall that runs across the picture (an
                # umbrella lying low behind one was "muddled with the fence")
                near = self.frame.view == "close" and m == self.frame.focus
                items.append((STAGES[m](layer), math.inf if near else slot.y, i, m, slot))
        return [(stage, m, slot) for stage, _, _, m, slot in sorted(items, key=lambda t: t[:3])]

    def walker(self, schedule: list[tuple[int, str, Slot]]) -> tuple[float, float] | None:
        """Where the poem's figure stands, if it stands near at hand in a picture with a road
        and walks there (is not seated at a table). A walker in the grass beside the road was
        "awkward", "a bland composition" (round 44); on the road, three viewers chose it 13 of
        18 times. Far off on the horizon the road would have to swing across the picture to
        reach the walker, and in ink, where a road is drawn as its edges, the figure broke
        the lines ("tangled through her silhouette", 0 of 3): both keep the road's own way."""
        slots = {m: slot for _, m, slot in schedule}
        walker = slots.get("figure")
        if walker is None or "road" not in slots or walker.layer != "foreground" or self.in_ink:
            return None
        return None if self.plan.seated_layer() is not None else (walker.x, walker.y)

    def on_trunk(self, motif: str, slot: Slot) -> Slot | None:
        """The slot of a creature the poem puts on a tree painted already: half-way up its
        trunk, as near as the tree and its size in proportion to the trunk, or None. The
        lizard of "the shadow of a lizard / on the compost tree" lay in the grass beside it,
        "lost in an empty field", "awkward" (round 48: 1.75 of 5)."""
        climber = self.plan.climber()
        if climber is None or climber[0] != motif or climber[1] not in self.trunks:
            return None
        x0, y0, x1, y1, depth = self.trunks[climber[1]]
        t = CLING
        return replace(slot, x=x0 + (x1 - x0) * t, y=y0 + (y1 - y0) * t, size=abs(y0 - y1) * CLINGER, depth=depth,
                       side=1 if x0 < self.width / 2 else -1)

    def afloat(self, slot: Slot) -> bool:
        span = slot.size * 0.3
        return all(self.is_water(slot.x + dx, slot.y) for dx in (-span, 0, span))

    def nearest(self, slot: Slot, water: bool) -> Slot:
        """The slot moved along its row to the nearest water (or land), if any is near."""
        row = np.asarray(
            self.water.crop(
                (
                    0,
                    int(min(slot.y, self.height - 1)),
                    self.width,
                    int(min(slot.y, self.height - 1)) + 1,
                )
            )
        )[0]
        xs = np.flatnonzero((row > 127) == water)
        if len(xs) == 0:
            return slot
        margin = self.width * 0.04  # not on the very edge of a river or a pond
        inner = xs[(xs > xs.min() + margin) & (xs < xs.max() - margin)] if water else xs
        xs = inner if len(inner) else xs
        x = float(xs[np.argmin(np.abs(xs - slot.x))])
        return slot if abs(x - slot.x) > self.width * 0.5 else replace(slot, x=x)

    def draw_footing(self, motif: str, slot: Slot) -> Slot:
        """Make sure what floats is on water and what stands is on land; returns the slot
        the motif should be painted at."""
        from generator.painter.render.water import island, water_patch

        need = FOOTING.get(motif)
        if need == "land" and self.is_water(slot.x, slot.y):
            slot = self.nearest(slot, water=False)
            if self.is_water(slot.x, slot.y):
                island(self, slot, wide=motif in ("train", "fence"))
        elif need == "water" and not self.afloat(slot):
            slot = self.nearest(slot, water=True)
            if not self.is_water(slot.x, slot.y):
                water_patch(self, slot)
        return slot


def paint(plan: ScenePlan, seed: int, size: tuple[int, int] = (1080, 1350), detail: bool = True,
          ink: bool = False) -> Image.Image:
    """Paint the plan: an RGB picture of `size`; the same plan and seed give the same bytes.

    ``detail``: whether the landscape gets its incidental detail (drifting clouds, far
    groves, sunlit patches, grass at the foot, a framing bough) and its light gathered on
    the subject. Oil carries them; in ink and watercolour viewers saw the detail as "odd
    grey blobs" and "stray scribbles", and the empty space is theirs. ``ink``: whether the
    picture will be painted in ink (``Scene.far_ridges``, ``Scene.layout``).
    """
    scene = Scene(plan, seed, size, detail, ink)
    scene.draw_sky(motif_rng(seed, "sky"))
    ground, placed = False, []
    schedule = scene.schedule()
    scene.walker_at = scene.walker(schedule)
    climber = plan.climber()
    if climber is not None and {climber[0], climber[1]} <= {m for _, m, _ in schedule}:
        # the creature on the tree is painted after it, over its bark
        mine = [item for item in schedule if item[1] == climber[0]]
        schedule = [item for item in schedule if item[1] != climber[0]]
        at = max(k for k, item in enumerate(schedule) if item[1] == climber[1])
        schedule[at + 1:at + 1] = mine
    for stage, motif, slot in schedule:
        if stage >= GROUND and not ground:
            scene.draw_ground(motif_rng(seed, "ground"))
            ground = True
        clinging = scene.on_trunk(motif, slot)
        scene.clinging = clinging is not None
        slot = clinging or scene.draw_footing(motif, slot)
        if motif == scene.frame.focus:
            scene.focus_at = (slot.x, slot.y - (0.5 * slot.size if slot.layer != "sky" else 0.0))
        scene.canvas.modelling = motif in MODELLED
        RENDERERS[motif](scene, slot, motif_rng(seed, f"{motif}:{slot.layer}"))
        scene.canvas.modelling = scene.clinging = False
        placed.append((motif, slot))
    if not ground:
        scene.draw_ground(motif_rng(seed, "ground"))
    side = scene.bough_side(placed)
    if side is not None:
        from generator.painter.render.plants import framing_bough

        framing_bough(scene, side, motif_rng(seed, "framing bough"))
    if scene.has_plumed_grass():
        from generator.painter.render.plants import plumed_grass

        plumed_grass(scene, motif_rng(seed, "plumed grass"))
    if detail:
        scene.light_pool()
    return scene.canvas.image
