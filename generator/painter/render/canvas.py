"""Drawing primitives: anti-aliased shapes, gradients, glows, fractal lines and noise.

Shapes are drawn with a Pen: it records them, then draws them all at once on a
supersampled mask of just their bounding box and pastes one colour through it. Shapes of
one pen never double their alpha where they overlap, so a silhouette made of many parts
stays flat, like a cut-paper print. Gradients, glows and curve fills work on numpy arrays
of the region they touch; nothing loops over pixels in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

Color = tuple[int, int, int]
SUPERSAMPLE = 2


def mix(a: Color, b: Color, t: float) -> Color:
    t = min(1.0, max(0.0, t))
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def scale(color: Color, k) -> Color:
    ks = k if isinstance(k, tuple) else (k, k, k)
    return tuple(int(min(255, max(0, round(c * f)))) for c, f in zip(color, ks))


def saturate(color: Color, k: float) -> Color:
    grey = sum(color) / 3
    return tuple(int(min(255, max(0, round(grey + (c - grey) * k)))) for c in color)


def gradient(height: int, stops) -> np.ndarray:
    """(height, 3) float array running through stops [(t, color), ...], t from 0 to 1."""
    t = np.linspace(0.0, 1.0, max(height, 1))
    ts = [s for s, _ in stops]
    return np.stack([np.interp(t, ts, [c[i] for _, c in stops]) for i in range(3)], axis=1)


def ellipse_points(cx, cy, rx, ry, angle=0.0, n=28, start=0.0, end=2 * math.pi) -> np.ndarray:
    t = np.linspace(start, end, n)
    x, y = rx * np.cos(t), ry * np.sin(t)
    ca, sa = math.cos(angle), math.sin(angle)
    return np.stack([cx + x * ca - y * sa, cy + x * sa + y * ca], axis=1)


def rounded(points, steps: int = 8) -> np.ndarray:
    """A closed smooth outline through points (a Catmull-Rom curve): a body's contour drawn
    from a few control points, with no corners."""
    p = np.asarray(points, dtype=float)
    p0, p1, p2, p3 = np.roll(p, 1, axis=0), p, np.roll(p, -1, axis=0), np.roll(p, -2, axis=0)
    t = np.linspace(0, 1, steps, endpoint=False)[None, :, None]
    t2, t3 = t * t, t * t * t
    curve = 0.5 * ((2 * p1[:, None]) + (p2 - p0)[:, None] * t + (2 * p0 - 5 * p1 + 4 * p2 - p3)[:, None] * t2
                   + (3 * p1 - p0 - 3 * p2 + p3)[:, None] * t3)
    return curve.reshape(-1, 2)


def tapered(points, w0: float, w1: float, widths=None) -> np.ndarray:
    """Outline of a stroke along points whose width goes from w0 to w1 (a blade, a branch),
    or follows widths, one per point."""
    p = np.asarray(points, dtype=float)
    d = np.gradient(p, axis=0)
    n = np.stack([-d[:, 1], d[:, 0]], axis=1)
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)
    w = (np.linspace(w0, w1, len(p)) if widths is None else np.asarray(widths, float))[:, None] / 2
    return np.concatenate([p + n * w, (p - n * w)[::-1]])


def midpoint_line(rng: np.random.Generator, n: int, roughness: float = 0.55, levels: int = 9):
    """A fractal ridge by midpoint displacement, resampled to n values in [0, 1]."""
    m = 2**levels
    y = np.zeros(m + 1)
    y[[0, m]] = rng.uniform(-0.5, 0.5, 2)
    step, amp = m, 1.0
    while step > 1:
        half = step // 2
        mids = np.arange(half, m, step)
        y[mids] = (y[mids - half] + y[mids + half]) / 2 + rng.uniform(-amp, amp, len(mids))
        step, amp = half, amp * roughness
    y = (y - y.min()) / max(np.ptp(y), 1e-9)
    return np.interp(np.linspace(0, m, n), np.arange(m + 1), y)


def smooth_line(rng: np.random.Generator, n: int, waves: float = 3.0) -> np.ndarray:
    """A gentle rolling line in [-1, 1]: a few sines of random phase."""
    x = np.linspace(0, 2 * math.pi, n)
    y = np.zeros(n)
    for k in range(1, 4):
        y += np.sin(x * waves * k / 2 + rng.uniform(0, 2 * math.pi)) / k
    return y / 1.84


def value_noise(rng: np.random.Generator, width: int, height: int, cells: int = 6, octaves=4):
    """Smooth fractal noise in [0, 1], (height, width); bicubic-upsampled random grids."""
    total = np.zeros((height, width), dtype=np.float32)
    amp, norm = 1.0, 0.0
    for o in range(octaves):
        gw = cells * 2**o + 2
        gh = max(2, int(round(gw * height / max(width, 1))) + 2)
        grid = Image.fromarray(rng.random((gh, gw), dtype=np.float32), mode="F")
        total += amp * np.asarray(grid.resize((width, height), Image.Resampling.BICUBIC))
        norm += amp
        amp *= 0.5
    total /= norm
    lo, hi = float(total.min()), float(total.max())
    return (total - lo) / max(hi - lo, 1e-6)


class Canvas:
    """The picture being painted (an RGB PIL image) and ways to paint on it."""

    def __init__(self, size: tuple[int, int], color: Color = (0, 0, 0)):
        self.image = Image.new("RGB", size, color)
        self.width, self.height = size
        self.modelling = False  # whether opaque shapes are modelled as rounded, lit forms
        self.backlight: Backlight | None = None  # a low sun behind what is modelled
        self.clip: Image.Image | None = None  # an "L" mask of the canvas' size every pen paints within

    def pen(self, color: Color, alpha: float = 1.0, blur: float = 0.0, within=None) -> "Pen":
        """A pen; within (an "L" image of the canvas' size) limits where it paints."""
        return Pen(self, color, alpha, blur, within)

    def _box(self, x0, y0, x1, y1):
        x0, y0 = max(0, int(math.floor(x0))), max(0, int(math.floor(y0)))
        x1, y1 = min(self.width, int(math.ceil(x1))), min(self.height, int(math.ceil(y1)))
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def region(self, box) -> np.ndarray:
        return np.asarray(self.image.crop(box), dtype=np.float32)

    def put(self, box, array: np.ndarray) -> None:
        img = Image.fromarray(np.clip(array + 0.5, 0, 255).astype(np.uint8), "RGB")
        self.image.paste(img, box[:2])

    def blend(self, box, color, alpha: np.ndarray) -> None:
        """Paint color (RGB tuple or (h, w, 3) array) over box with per-pixel alpha."""
        a = np.clip(alpha, 0, 1)[..., None]
        self.put(box, self.region(box) * (1 - a) + np.asarray(color, dtype=np.float32) * a)

    def screen(self, box, color, alpha: np.ndarray) -> None:
        """Add light: screen blend, so glows brighten without clipping to flat white."""
        light = np.asarray(color, dtype=np.float32) * np.clip(alpha, 0, 1)[..., None]
        img = self.region(box)
        self.put(box, img + light - img * light / 255.0)

    def glow(self, cx, cy, radius, color: Color, strength=1.0, squash=1.0) -> None:
        box = self._box(cx - radius, cy - radius * squash, cx + radius, cy + radius * squash)
        if box is None or radius <= 0:
            return
        ys = (np.arange(box[1], box[3]) + 0.5 - cy)[:, None] / squash
        xs = (np.arange(box[0], box[2]) + 0.5 - cx)[None, :]
        d2 = (xs * xs + ys * ys) / (radius * radius)
        a = strength * np.clip((np.exp(-4.5 * d2) - math.exp(-4.5)) / (1 - math.exp(-4.5)), 0, 1)
        self.screen(box, color, a)

    def fill_between(self, top, color, bottom=None, x0: int = 0, alpha=1.0, colors=None):
        """Fill below the curve top (one y per column from x0) down to bottom (a curve, a
        number, or the canvas' foot). Edges are anti-aliased by exact row coverage.
        colors=(c_top, c_bottom) fills a vertical gradient instead of one color."""
        top = np.asarray(top, dtype=np.float32)
        n = len(top)
        bot = (
            np.full(n, self.height, np.float32)
            if bottom is None
            else np.broadcast_to(np.asarray(bottom, dtype=np.float32), (n,))
        )
        x1 = min(self.width, x0 + n)
        lo, hi = max(0, x0), x1
        if hi <= lo:
            return
        top, bot = top[lo - x0 : hi - x0], bot[lo - x0 : hi - x0]
        y0 = max(0, int(math.floor(top.min())))
        y1 = min(self.height, int(math.ceil(bot.max())))
        if y1 <= y0:
            return
        rows = np.arange(y0, y1, dtype=np.float32)[:, None]
        cover = np.clip(rows + 1 - top[None, :], 0, 1) * np.clip(bot[None, :] - rows, 0, 1)
        mask = Image.fromarray((cover * (255 * alpha) + 0.5).astype(np.uint8), "L")
        if colors is None:
            self.image.paste(color, (lo, y0), mask)
        else:
            g = gradient(y1 - y0, [(0, colors[0]), (1, colors[1])]).astype(np.uint8)
            fill = Image.fromarray(np.repeat(g[:, None, :], hi - lo, axis=1), "RGB")
            self.image.paste(fill, (lo, y0), mask)


class Pen:
    """Shapes in one colour: recorded, then drawn together when the with-block ends."""

    def __init__(self, canvas: Canvas, color: Color, alpha=1.0, blur=0.0, within=None):
        self.canvas, self.color, self.alpha, self.blur = canvas, tuple(color), alpha, blur
        self.within = within
        self.ops: list[tuple[str, np.ndarray, float, bool, tuple]] = []

    def __enter__(self) -> "Pen":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.draw()

    def polygon(self, points, cut=False) -> None:
        self.ops.append(("polygon", np.asarray(points, dtype=float).reshape(-1, 2), 0, cut, ()))

    def ellipse(self, cx, cy, rx, ry, angle=0.0, cut=False) -> None:
        rx, ry = abs(rx), abs(ry)
        if angle:
            self.polygon(ellipse_points(cx, cy, rx, ry, angle), cut)
        else:
            box = np.array([[cx - rx, cy - ry], [cx + rx, cy + ry]])
            self.ops.append(("ellipse", box, 0, cut, ()))

    def circle(self, cx, cy, r, cut=False) -> None:
        self.ellipse(cx, cy, r, r, cut=cut)

    def rect(self, x0, y0, x1, y1, cut=False) -> None:
        self.polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], cut)

    def line(self, points, width, cut=False) -> None:
        self.ops.append(("line", np.asarray(points, dtype=float).reshape(-1, 2), width, cut, ()))

    def stroke(self, points, w0, w1, cut=False, widths=None) -> None:
        self.polygon(tapered(points, w0, w1, widths), cut)

    def arc(self, cx, cy, rx, ry, start, end, width) -> None:
        box = np.array([[cx - abs(rx), cy - abs(ry)], [cx + abs(rx), cy + abs(ry)]])
        self.ops.append(("arc", box, width, False, (start, end)))

    def draw(self) -> None:
        if not self.ops:
            return
        pts = np.concatenate([p for _, p, _, _, _ in self.ops])
        pad = max(w for _, _, w, _, _ in self.ops) / 2 + 2 + 3 * self.blur
        box = self.canvas._box(
            pts[:, 0].min() - pad,
            pts[:, 1].min() - pad,
            pts[:, 0].max() + pad,
            pts[:, 1].max() + pad,
        )
        if box is None:
            return
        s = SUPERSAMPLE
        x0, y0, x1, y1 = box
        mask = Image.new("L", ((x1 - x0) * s, (y1 - y0) * s))
        draw = ImageDraw.Draw(mask)
        value = int(round(255 * self.alpha))
        origin = np.array([x0, y0], dtype=float)
        for kind, p, width, cut, extra in self.ops:
            fill = 0 if cut else value
            q = ((p - origin) * s).ravel().tolist()
            if kind == "polygon":
                if len(q) >= 6:
                    draw.polygon(q, fill=fill)
            elif kind == "ellipse":
                draw.ellipse(q, fill=fill)
            elif kind == "line":
                draw.line(q, fill=fill, width=max(1, round(width * s)), joint="curve")
            else:
                draw.arc(q, extra[0], extra[1], fill=fill, width=max(1, round(width * s)))
        mask = mask.reduce(s)
        if self.blur:
            mask = mask.filter(ImageFilter.GaussianBlur(self.blur))
        for within in (self.within, self.canvas.clip):
            if within is not None:
                mask = ImageChops.multiply(mask, within.crop(box))
        modelled = (_modelled(self.color, mask, self.canvas.backlight, (x0, y0))
                    if self.canvas.modelling and self.blur == 0 and self.alpha >= 0.99 else None)
        self.canvas.image.paste(self.color if modelled is None else modelled, (x0, y0), mask)


LIGHT = (-0.6, -0.8)  # the scene's light, from the upper left
MODEL = 0.22  # how far a form's lit side is lighter and its far side darker than its colour
THINNEST = 6.0  # px: thinner shapes (a blade, a line, a star) stay flat
# Against a low sun a large form's contour is lit. Three viewers chose the rim 28 of 45
# times: on figures, a dog and a rabbit ("the glowing rim light gives depth"), not on a
# spider or a far figure ("sharper spider and web"), so small forms keep their crisp edge;
# kept off thin parts too, 27 of 39 ("rim-lit figures", where a rimmed hat brim had read
# as "stray trailing tassels").
RIM = 0.9  # how much of the light's colour the rim takes at the very edge
RIMMED = 15.0  # px: the least thickness of a form that gets a rim


@dataclass(frozen=True)
class Backlight:
    """A low sun behind the scene, at (x, y) px on the canvas: it rims what it lights."""

    x: float
    y: float
    color: Color
    width: float  # px: how far into a form its rim reaches


def _modelled(color: Color, mask: Image.Image, backlight: Backlight | None = None,
              origin: tuple[int, int] = (0, 0)) -> Image.Image | None:
    """The pen's colour modelled as a rounded form lit from the upper left, or None if flat.

    The shape's own mask, blurred in proportion to its thickness, is a height field: its
    slopes face towards or away from the light, so a flat cut-out turns into a body with a
    lit side and a shadow side, as a painter models it; thin shapes are left flat. A
    backlight rims a large form's contour (``_rimmed``).
    """
    a = np.asarray(mask, dtype=np.float32) / 255
    area = float(a.sum())
    if area < 40:
        return None
    gy, gx = np.gradient(a)
    perimeter = float(np.hypot(gx, gy).sum())
    thickness = 2 * area / max(perimeter, 1e-6)
    if thickness < THINNEST:
        return None
    sigma = 0.45 * thickness
    height = np.asarray(Image.fromarray((a * 255).astype(np.uint8), "L").filter(
        ImageFilter.GaussianBlur(sigma)), dtype=np.float32) / 255
    hy, hx = np.gradient(height)
    facing = -(hx * LIGHT[0] + hy * LIGHT[1]) * sigma * 2.5  # about -1..1
    facing = np.clip(facing, -1, 1)[..., None]
    base = np.asarray(color, dtype=np.float32)
    lit = base + (255 - base) * MODEL * np.clip(facing, 0, 1) + 18 * MODEL * np.clip(facing, 0, 1)
    shaded = lit * (1 - MODEL * np.clip(-facing, 0, 1))
    if backlight is not None and thickness >= RIMMED:
        shaded = _rimmed(shaded, a, backlight, origin)
    return Image.fromarray(np.clip(shaded + 0.5, 0, 255).astype(np.uint8), "RGB")


def _rimmed(paint: np.ndarray, a: np.ndarray, light: Backlight, origin: tuple[int, int]) -> np.ndarray:
    """A form against a low sun, its contour lit: a band just inside the edge takes the
    light's colour, most on the side that faces the sun, some all round, none underneath."""
    ys, xs = np.nonzero(a > 0.5)
    if len(xs) == 0:
        return paint
    toward = np.array([light.x - origin[0] - xs.mean(), light.y - origin[1] - ys.mean()], np.float32)
    toward /= max(float(np.hypot(*toward)), 1e-6)
    shape = Image.fromarray((a * 255).astype(np.uint8), "L")
    soft = np.asarray(shape.filter(ImageFilter.GaussianBlur(light.width)), dtype=np.float32) / 255
    band = np.clip((a - soft) * 2.5, 0, 1) * a  # inside the shape, near its edge
    # only where the form is thick: a rimmed hat brim, ear or neck read as "stray strings"
    body = np.asarray(shape.filter(ImageFilter.GaussianBlur(RIMMED / 2)), dtype=np.float32) / 255
    band *= np.clip((body - 0.35) / 0.15, 0, 1)
    gy, gx = np.gradient(soft)
    slope = np.hypot(gx, gy) + 1e-6
    outward_x, outward_y = -gx / slope, -gy / slope
    facing = np.clip(0.35 + 0.65 * (outward_x * toward[0] + outward_y * toward[1]), 0, 1) * (slope > 1e-3)
    not_under = np.clip(0.6 - 0.8 * outward_y, 0, 1)  # feet and bellies face the ground
    weight = (RIM * band * facing ** 0.8 * not_under)[..., None]
    return paint * (1 - weight) + np.asarray(light.color, np.float32) * weight
