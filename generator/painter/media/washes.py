"""Transparent washes and ink lines: what watercolour and sumi-e share.

``glaze`` follows Curtis et al., "Computer-Generated Watercolor" (SIGGRAPH 1997): each wash
dries with pigment pushed to its rim (edge darkening), pigment settles in the paper's
hollows (granulation), wet edges wander (a slight displacement), and layers combine like
coloured glass: a wash multiplies the paper and the washes under it, so a glaze can only
darken. ``crest_lines`` draws the strongest edges again, one line on the crest of each, that
breaks on the paper: a sumi-e painter's contours, a watercolourist's line and wash.
"""
from __future__ import annotations

import numpy as np

from generator.painter.media.strokes import (
    Brush, blurred, blurred_field, draw, gradients, luminance, plan_layer, surface_of, unit_of,
)
from generator.painter.render.canvas import value_noise

WHITE = 244  # target luminance above which the paper is left bare
PALE = 0.2  # how much paler than the picture the first wash is
WANDER = 2.0  # px a wash's edge wanders at 1080 px
LIGHTS = 170  # a light (lightning, a lamp, the moon, a snowflake) no line outlines is at least this bright
GLARE = 45  # and this much brighter than its surroundings (a pale sky is no light)
SPECK = 20  # a small thing this much brighter than its surroundings is a speck no line rings
# and a speck is small against this reach (px at 1080 px; flakes up to about 16 px across):
# with 6, the crest line, sharper than the brush strokes before it, ringed the larger
# snowflakes of a winter night
SPECK_REACH = 10
OVERRUN = 0.04  # how much darker than the picture a wash may leave the paper it runs over
WET = 10.0  # px the first wash spreads on wet paper at 1080 px: skies and grounds as smooth gradients


def glaze(source: np.ndarray, paper: np.ndarray, tooth: np.ndarray, brushes: tuple[Brush, ...],
          rng: np.random.Generator, edge: float, grain: float, white: float = WHITE) -> np.ndarray:
    """Paint ``source`` on ``paper`` in transparent washes, one per brush, light to dark.

    ``edge``: pigment gathered at a wash's rim; ``grain``: pigment caught by the paper's
    ``tooth`` (a relief around 0); ``white``: a stroke lighter than this (luminance) is not
    painted, the paper is left."""
    h, w, _ = source.shape
    unit = unit_of(source)
    sharp = blurred(source, 1.5 * unit)
    result = paper
    for layer, base in enumerate(brushes):
        brush = base.scaled(unit)
        # Light to dark, as a watercolourist works: the first wash aims at a slightly paler
        # picture, so the later glazes still have something to darken at the edges, but
        # near enough that a smooth sky needs no second wash (a second one goes on in patches).
        pale = PALE if layer == 0 else 0.0
        reference = 255 - (255 - blurred(source, brush.blur * brush.radius)) * (1 - pale)
        strokes = plan_layer(reference, result if layer else None, brush, rng)
        # The glaze that turns what is there into the reference, for a stroke of this opacity:
        # under * (1 - a + a * glaze) = target.
        start = strokes.points[:, 0].astype(int)
        under = result[np.clip(start[:, 1], 0, h - 1), np.clip(start[:, 0], 0, w - 1)]
        colour = (strokes.colors / np.maximum(under, 1) - 1 + brush.alpha) / brush.alpha
        keep = (luminance(strokes.colors) < white) & (colour.min(axis=1) < 0.97)
        strokes.points, strokes.lengths = strokes.points[keep], strokes.lengths[keep]
        colour = np.clip(colour[keep], 0, 1) * 255
        # A layer's strokes merge into one wash (drawn opaque into it, so overlaps do not
        # pile up into blotches); the wash's own opacity is the brush's.
        wash = np.zeros((h, w, 4), np.uint8)
        draw(surface_of(wash).getCanvas(), strokes, width_scale=2.0, colors=colour)
        last = layer == len(brushes) - 1
        laid = _lay(result, wash, tooth, rng, unit, brush.alpha, soft=layer == 0, wander=not last,
                    edge=edge, grain=grain)
        # A painter keeps the wash off what must stay light: a wide stroke that runs past a
        # dark shape's edge may darken the paper beside it only a little, or it leaves a grey
        # halo round every figure (viewers: "a smudgy halo that looks like a mistake").
        result = np.maximum(laid, np.minimum(sharp * (1 - OVERRUN), result))
    return result


def _lay(under: np.ndarray, wash: np.ndarray, tooth: np.ndarray, rng: np.random.Generator,
         unit: float, opacity: float, soft: bool, wander: bool, edge: float, grain: float) -> np.ndarray:
    """Dry one wash on the paper: wander, darken its rim, granulate, and multiply it in.

    The last, finest layer is the detail put in with a small brush on dry paper: it stays put.
    """
    if wander:
        wash = _wander(wash, rng, WANDER * unit)
    alpha = wash[..., 3].astype(np.float32) / 255
    colour = wash[..., :3].astype(np.float32) / np.maximum(alpha[..., None], 1e-3)  # unpremultiply
    if soft:  # the first wash goes on wet paper and spreads
        alpha = blurred_field(alpha, WET * unit)
        colour = blurred(colour, WET * unit)
    rim = np.clip(alpha - blurred_field(alpha, 5 * unit), 0, 1) * (0.3 if soft else 1.0)  # a wet wash dries softer
    rim *= _inside(alpha.shape, 15 * unit)  # the picture's edge is not a wash's edge
    depth = 1 - luminance(colour) / 255
    alpha = np.clip((alpha * opacity + edge * rim) * (1 + grain * depth * tooth), 0, 1)
    filtered = 1 - alpha[..., None] * (1 - np.clip(colour, 0, 255) / 255)
    return under * filtered


def edge_distance(shape: tuple[int, int]) -> np.ndarray:
    """(h, w): each pixel's distance in px to the nearest edge of the picture."""
    h, w = shape
    ys = np.minimum(np.arange(h), np.arange(h)[::-1])[:, None]
    xs = np.minimum(np.arange(w), np.arange(w)[::-1])[None, :]
    return np.minimum(ys, xs)


def _inside(shape: tuple[int, int], margin: float) -> np.ndarray:
    """1 inside the picture, falling to 0 over ``margin`` px towards its edges."""
    return np.clip(edge_distance(shape) / max(margin, 1.0), 0, 1).astype(np.float32)


def _wander(wash: np.ndarray, rng: np.random.Generator, reach: float) -> np.ndarray:
    """The wash shifted by a smooth random field, so its edges wobble as wet paint's do."""
    h, w, _ = wash.shape
    dx = (value_noise(rng, w, h, cells=5, octaves=3) - 0.5) * 2 * reach
    dy = (value_noise(rng, w, h, cells=5, octaves=3) - 0.5) * 2 * reach
    ys, xs = np.mgrid[0:h, 0:w]
    sx = np.clip((xs + dx).astype(int), 0, w - 1)
    sy = np.clip((ys + dy).astype(int), 0, h - 1)
    return wash[sy, sx]


def crest_lines(result: np.ndarray, picture: np.ndarray, fibres: np.ndarray, rng: np.random.Generator,
                unit: float, ink: np.ndarray, width: float, lights: bool = False, least: float = 3.0) -> np.ndarray:
    """``ink`` drawn over ``result`` in one line along the crest of each strong edge of
    ``picture``, swelling and thinning as a brush is pressed and lifted, broken by the
    paper's relief (``fibres``); ``width``: the line's spread either side of the crest, px
    at 1080 px. ``lights``: whether large lights are outlined too (ink has no other way to
    show a white thing); small ones (a pale leaf, a star) never are. ``least``: the weakest
    edge that gets a line (luminance per px): a picture with few strong edges otherwise
    outlines its faint ones, a storm's clouds.

    Short curved strokes laid along the edges made a rank of trees "noisy, chaotic
    squiggles", a table's dishes "garbled marks" and a figure's pen line "heavy brown
    blotches"; three viewers preferred the crest line in 12 of 12 ink pairs ("clean,
    deliberate", "legible objects") and 14 of 18 watercolour pairs.
    """
    edges, gx, gy = line_edges(picture, unit, lights, 2 * unit)
    lo = max(float(np.percentile(edges, 91)), least)  # the strongest 9% of the edges, fading in
    hi = max(float(np.percentile(edges, 98.5)), lo + 1.0)
    line = np.clip((edges - lo) / (hi - lo), 0, 1) * crest(edges, gx, gy)
    h, w = line.shape
    pressure = 0.6 + 0.8 * value_noise(rng, w, h, cells=40, octaves=2)
    spread = max(width * unit, 0.6)  # a line a pixel or two wide however small the picture
    line = blurred_field(np.clip(line * pressure, 0, 1), spread)
    alpha = np.clip(line * 2.2 * spread, 0, 1) * np.clip(0.7 + 1.2 * fibres, 0, 1) * 0.9
    return result * (1 - alpha[..., None]) + ink * alpha[..., None]


def line_edges(picture: np.ndarray, unit: float, lights: bool, soften: float):
    """(edge strength, gx, gy) of a picture's shapes, with the lights and specks that no
    line may ring taken out."""
    lum = luminance(picture)
    gx, gy = gradients(blurred(lum, soften))
    # edges of shapes, not of specks: rain, stars and snow are left to the washes; and not
    # around lights, things much brighter than what is around them: a line on both sides of
    # a lightning bolt turns it into a dark stick, and snowflakes into brown rings
    edges = np.hypot(gx, gy)
    above = lum - blurred(lum, 20 * unit)  # how much brighter than what is round it
    glare = (lum > LIGHTS) & (above > GLARE)
    # a speck is a small bright thing: brighter than a wide neighbourhood (against a narrow
    # one, only the rim of a large pale thing is brighter, and that thin rim read as specks)
    bright = lum - blurred(lum, 4 * SPECK_REACH * unit) > SPECK
    specks = bright & (blurred_field(bright.astype(np.float32), SPECK_REACH * unit) < 0.35)  # snowflakes, stars, pale leaves
    if lights:  # only the large ones: a ring round every pale leaf or snowflake read as bubbles
        glare &= blurred_field(glare.astype(np.float32), 8 * unit) >= 0.5
        skip = specks & ~glare
    else:
        skip = glare | specks
    # kept well clear of a light: lines drawn just beside a lightning bolt made it a furry stick
    edges *= blurred_field(skip.astype(np.float32), 8 * unit) <= 0.02
    return edges, gx, gy


def crest(edges: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """1 where the edge strength is a maximum across the edge (along its gradient), else 0:
    the middle of each edge, one pixel wide."""
    angle = np.mod(np.arctan2(gy, gx), np.pi)
    sector = np.round(angle / (np.pi / 4)).astype(np.int8) % 4
    padded = np.pad(edges, 1, mode="edge")
    h, w = edges.shape
    found = np.zeros_like(edges)
    for k, (dy, dx) in enumerate(((0, 1), (1, 1), (1, 0), (1, -1))):
        ahead = padded[1 + dy: 1 + dy + h, 1 + dx: 1 + dx + w]
        behind = padded[1 - dy: 1 - dy + h, 1 - dx: 1 - dx + w]
        found = np.where((sector == k) & (edges >= ahead) & (edges >= behind), 1.0, found)
    return found
