"""A contact sheet of every motif, each alone in its home layer, for looking at them.

    python -m generator.painter.render.sheet docs/motifs.jpg

Lights and night things are shown at night, blossom at dawn in spring, and so on, so each
is seen in the light it is usually painted in.
"""

from __future__ import annotations

import sys

from PIL import Image, ImageDraw, ImageFont

from generator.painter.motifs import LAYERS, MOTIFS
from generator.painter.plan import Placement, ScenePlan
from generator.painter.render.scene import paint

TIME = {m: "night" for m in "moon stars aurora fireflies lamp candle lantern city moth".split()}
TIME |= {m: "dusk" for m in "sun crow geese fire bell temple street window smoke".split()}
TIME |= {m: "dawn" for m in "blossom mountain river boat fog heron kite".split()}
SEASON = {m: "winter" for m in "snow ice footprints".split()}
SEASON |= {m: "autumn" for m in "leaves scarecrow field grass".split()}
SEASON |= {m: "spring" for m in "blossom flowers willow".split()}
SEASON |= {m: "summer" for m in "lotus dragonfly fireflies butterfly".split()}


def contact_sheet(tile=(270, 338), columns=10, seed=3) -> Image.Image:
    w, h = tile
    label = 18
    rows = -(-len(MOTIFS) // columns)
    sheet = Image.new("RGB", (columns * w, rows * (h + label)), (24, 24, 28))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=13)
    for i, (motif, (layer, _)) in enumerate(MOTIFS.items()):
        time_of_day, season = TIME.get(motif, "day"), SEASON.get(motif, "none")
        plan = ScenePlan(
            lines=[motif],
            placements=[Placement(motif, layer, LAYERS.index(layer), motif, "lexicon")],
            time_of_day=time_of_day,
            season=season,
        )
        x, y = (i % columns) * w, (i // columns) * (h + label)
        sheet.paste(paint(plan, seed, tile), (x, y))
        caption = f"{motif} ({layer}, {time_of_day}" + (f", {season})" if season != "none" else ")")
        draw.text((x + 5, y + h + 2), caption, fill=(225, 225, 225), font=font)
    return sheet


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "motifs.jpg"
    contact_sheet().save(out, quality=88)
