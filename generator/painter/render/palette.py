"""Colours of a scene from its time of day and season.

The time of day sets the sky, the light (a multiplier on every local colour), the ink of
silhouettes and how dark it is; the season sets the ground, foliage, blossom and falling
leaves, and tints or desaturates the sky.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.painter.render.canvas import Color, mix, saturate, scale

TIMES = {
    # a soft blue overhead warming to peach and gold at the horizon, and a golden light: as a
    # violet fading to pink, dawn read "cold", "a purple cast", "heavy", and once the styles'
    # colours went half-way over it, "muddy" (28 of 36 pairs chose the warmer dawn)
    "dawn": dict(
        sky=(
            (0.0, (92, 116, 168)),
            (0.5, (212, 166, 172)),
            (0.85, (250, 198, 160)),
            (1.0, (255, 224, 170)),
        ),
        sun=(255, 228, 176),
        glow=(255, 192, 130),
        light=(1.0, 0.9, 0.8),
        ink=(58, 46, 74),
        darkness=0.3,
    ),
    "day": dict(
        sky=((0.0, (58, 122, 196)), (0.55, (120, 176, 222)), (1.0, (216, 234, 240))),
        sun=(255, 252, 236),
        glow=(255, 246, 214),
        light=(1.0, 1.0, 1.0),
        ink=(34, 48, 58),
        darkness=0.0,
    ),
    "dusk": dict(
        sky=(
            (0.0, (44, 38, 92)),
            (0.45, (150, 74, 116)),
            (0.8, (236, 126, 86)),
            (1.0, (252, 188, 108)),
        ),
        sun=(255, 206, 120),
        glow=(255, 140, 72),
        light=(0.8, 0.6, 0.58),
        ink=(34, 20, 40),
        darkness=0.55,
    ),
    "night": dict(
        sky=((0.0, (6, 10, 28)), (0.6, (18, 30, 66)), (1.0, (40, 60, 104))),
        sun=(244, 240, 222),
        glow=(150, 172, 226),
        light=(0.24, 0.29, 0.44),
        ink=(6, 8, 18),
        darkness=1.0,
    ),
}

SEASONS = {
    "spring": dict(
        ground=(150, 190, 110),
        foliage=(118, 172, 92),
        bloom=(250, 192, 212),
        leaves=((244, 184, 206), (252, 220, 230), (140, 190, 100)),
        tint=(255, 214, 232),
        tint_amount=0.08,
        saturation=1.0,
    ),
    "summer": dict(
        ground=(196, 180, 86),
        foliage=(46, 116, 62),
        bloom=(250, 176, 196),
        leaves=((70, 150, 70), (110, 170, 80)),
        tint=(120, 190, 255),
        tint_amount=0.05,
        saturation=1.18,
    ),
    "autumn": dict(
        ground=(192, 150, 80),
        foliage=(204, 92, 42),
        bloom=(244, 204, 214),
        leaves=((214, 80, 38), (234, 150, 44), (168, 56, 40), (196, 120, 50)),
        tint=(240, 180, 110),
        tint_amount=0.1,
        saturation=1.0,
    ),
    "winter": dict(
        ground=(234, 238, 246),
        foliage=(64, 92, 86),
        bloom=(232, 110, 140),
        leaves=((150, 110, 80), (120, 90, 70)),
        tint=(220, 230, 245),
        tint_amount=0.15,
        saturation=0.6,
    ),
    "none": dict(
        ground=(138, 164, 112),
        foliage=(84, 128, 80),
        bloom=(246, 198, 214),
        leaves=((200, 120, 60), (120, 156, 84), (226, 170, 70)),
        tint=(255, 255, 255),
        tint_amount=0.0,
        saturation=1.0,
    ),
}


@dataclass(frozen=True)
class Palette:
    sky: tuple[tuple[float, Color], ...]  # stops from the top (0) to the horizon (1)
    sun: Color  # the disc of the sun (or the moon at night)
    glow: Color  # light around it, and along the horizon at dawn and dusk
    haze: Color  # the air at the horizon: far things fade into it
    ground_far: Color
    ground_near: Color
    ink: Color  # the darkest silhouettes
    foliage: Color
    bloom: Color
    leaves: tuple[Color, ...]
    water: Color
    lamp: Color  # warm artificial light
    snow: Color  # white, as lit now
    light: tuple[float, float, float]
    darkness: float  # 0 in daylight, 1 at night
    winter: bool

    def lit(self, color: Color) -> Color:
        """A local colour under this light."""
        return scale(color, self.light)


def make_palette(time_of_day: str, season: str) -> Palette:
    t = TIMES.get(time_of_day, TIMES["day"])
    s = SEASONS.get(season, SEASONS["none"])
    sky = tuple(
        (p, saturate(mix(c, s["tint"], s["tint_amount"]), s["saturation"])) for p, c in t["sky"]
    )
    light = t["light"]
    haze = mix(sky[-1][1], (255, 255, 255), 0.1 * (1 - t["darkness"]))
    ground = scale(saturate(s["ground"], s["saturation"]), light)
    lit = lambda c: scale(saturate(c, s["saturation"]), light)  # noqa: E731
    water = mix(scale(sky[0][1], 0.85), sky[-1][1], 0.35)
    return Palette(
        sky=sky,
        sun=t["sun"],
        glow=t["glow"],
        haze=haze,
        ground_far=mix(ground, haze, 0.4),
        ground_near=scale(ground, 0.82),
        ink=t["ink"],
        foliage=lit(s["foliage"]),
        bloom=lit(s["bloom"]),
        leaves=tuple(lit(c) for c in s["leaves"]),
        water=water,
        lamp=(255, 196, 110),
        snow=scale((246, 248, 252), light),
        light=light,
        darkness=t["darkness"],
        winter=season == "winter",
    )
