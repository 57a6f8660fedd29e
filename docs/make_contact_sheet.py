"""Make docs/contact-sheet.jpg: 12 works by the shipped defaults, each picture with its haiku.

    python docs/make_contact_sheet.py [--seed 1] [--out docs/contact-sheet.jpg]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.config import Config
from generator.pipeline import Job, make_works
from state.store import open_store
from state.works import WorkStatus

TILE = (360, 450)
CAPTION = 120
COLUMNS = 4


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--out", default=str(Path(__file__).parent / "contact-sheet.jpg"))
    args = parser.parse_args()
    config = Config(data_dir=Path(tempfile.mkdtemp(prefix="auria-sheet-")))
    works = make_works(config, open_store(config.db_path), [Job(seed=args.seed + k) for k in range(args.count)])
    rows = -(-len(works) // COLUMNS)
    sheet = Image.new("RGB", (COLUMNS * TILE[0], rows * (TILE[1] + CAPTION)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=12)
    for k, work in enumerate(works):
        x, y = (k % COLUMNS) * TILE[0], (k // COLUMNS) * (TILE[1] + CAPTION)
        if work["status"] == WorkStatus.FAILED:
            draw.text((x + 12, y + 12), f"failed: {work['error']}", fill="red", font=small)
            continue
        sheet.paste(Image.open(work["image_path"]).resize(TILE, Image.LANCZOS), (x, y))
        for n, line in enumerate(work["haiku"].split("\n")):
            draw.text((x + 12, y + TILE[1] + 8 + 20 * n), line, fill="black", font=font)
        draw.text((x + 12, y + TILE[1] + 72), f"seed {work['seed']} · {work['mood']} · {work['style']}"[:60],
                  fill="#666", font=small)
    sheet.save(args.out, quality=85, optimize=True)
    print(f"{args.out}: {len(works)} works")
    for work in works:
        motifs = ", ".join(p["motif"] for p in (work["plan"] or {}).get("placements", []))
        print(f"seed {work['seed']}: {work['haiku']!r} -> {motifs} | {work['mood']} | {work['style']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
