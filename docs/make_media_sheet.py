"""Make docs/media.jpg: one plan in every medium, beside the underpainting it is painted from.

Each row is one haiku and seed through the real pipeline: the painter's underpainting (the
composed scene), then the same work with `painter.medium` set to oil, watercolour and sumi-e.

    python docs/make_media_sheet.py [--out docs/media.jpg]
"""
from __future__ import annotations

import argparse
import io
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.config import Config, PainterConfig, StylistConfig
from generator.artifacts import ArtifactStore
from generator.painter.media import MEDIA
from generator.pipeline import make_work
from state.store import open_store

TILE = (360, 450)
LABEL = 30
POEMS = (
    (["autumn dusk", "the mountain path winds on", "a lantern glows"], 3, "anticipation"),
    (["winter moon", "a crow on the bare branch", "snow on the old fence"], 1, "sadness"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).parent / "media.jpg"))
    args = parser.parse_args()
    columns = ("underpainting",) + MEDIA
    sheet = Image.new("RGB", (len(columns) * TILE[0], len(POEMS) * (TILE[1] + LABEL)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=15)
    folder = Path(tempfile.mkdtemp(prefix="auria-media-"))
    for row, (haiku, seed, mood) in enumerate(POEMS):
        y = row * (TILE[1] + LABEL)
        for column, medium in enumerate(MEDIA, start=1):
            config = Config(data_dir=folder / medium, painter=PainterConfig(medium=medium),
                            stylist=StylistConfig(mood=mood))
            work = make_work(config, open_store(config.db_path), seed=seed, haiku=haiku)
            if column == 1:  # the underpainting is the same for every medium: the painter's output
                store = ArtifactStore(config.data_dir)
                png = store.get(work["steps"]["painter"]["outputs"]["image"], "png")
                _paste(sheet, Image.open(io.BytesIO(png)), 0, y)
            _paste(sheet, Image.open(work["image_path"]), column * TILE[0], y)
            print(f"{' / '.join(haiku)} | {medium}: {work['alt_text']}")
        for column, name in enumerate(columns):
            draw.text((column * TILE[0] + 12, y + TILE[1] + 7), name if row else f"{name}", fill="#333", font=font)
    sheet.save(args.out, quality=86, optimize=True)
    print(f"{args.out}: {len(POEMS)} plans in {len(MEDIA)} media")
    return 0


def _paste(sheet: Image.Image, image: Image.Image, x: int, y: int) -> None:
    sheet.paste(image.convert("RGB").resize(TILE, Image.LANCZOS), (x, y))


if __name__ == "__main__":
    raise SystemExit(main())
