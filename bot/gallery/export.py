"""`auria gallery export DIR`: the gallery as static files, for any static host.

    DIR/index.html, DIR/before-ID.html      the pages of works, newest first
    DIR/works/ID.html                        one per work, with its creative process
    DIR/artifacts/SHA.jpg|png                the pictures (copied once: named by content)
    DIR/api/works.json, DIR/api/works/ID.json  the API's answers, as files

Every link is relative, so the folder works from any address or straight from disk.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from bot.gallery import pages
from bot.gallery.public import Urls, detail, page_of_works, shown_work, summaries

PAGE_SIZE = 48


class StaticUrls(Urls):
    """Links between the exported files, from a page `depth` folders below DIR."""

    def __init__(self, depth: int = 0):
        self.prefix = "../" * depth

    def work(self, work_id: int) -> str:
        return f"{self.prefix}works/{work_id}.html"

    def artifact(self, sha256: str, ext: str) -> str:
        return f"{self.prefix}artifacts/{sha256}.{ext}"

    def index(self, before: int | None = None) -> str:
        return f"{self.prefix}index.html" if before is None else f"{self.prefix}before-{before}.html"


def export_gallery(config, db, out: Path) -> dict[str, int]:
    """Write the gallery under `out`; returns counts of what was written."""
    top, below = StaticUrls(0), StaticUrls(1)
    counts = {"pages": 0, "works": 0, "pictures": 0}
    everything, before = [], None
    while True:
        rows, next_before = page_of_works(db, PAGE_SIZE, before)
        listed = summaries(db, rows, top)
        page = pages.index_page(listed, top, top.index(next_before) if next_before else None)
        _write(out / Path(top.index(before)), page)
        counts["pages"] += 1
        for row in rows:
            work = shown_work(db, row["id"])
            shown = detail(db, work, below)
            _write(out / "works" / f"{work['id']}.html", pages.work_page(shown, below))
            _write(out / "api" / "works" / f"{work['id']}.json", json.dumps(detail(db, work, top), indent=1))
            counts["pictures"] += _copy_pictures(config, shown, out)
            counts["works"] += 1
        everything += listed
        if next_before is None:
            break
        before = next_before
    _write(out / "api" / "works.json", json.dumps({"works": everything, "next": None}, indent=1))
    return counts


def _copy_pictures(config, shown: dict, out: Path) -> int:
    """Copy the work's pictures (final and per step) that are not there yet."""
    names = {Path(shown["image"]).name} | {Path(o["url"]).name for step in shown["steps"]
                                          for o in step["outputs"].values() if "url" in o}
    copied = 0
    for name in sorted(names):
        target = out / "artifacts" / name
        source = Path(config.data_dir) / "artifacts" / name[:2] / name
        if not target.exists() and source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied += 1
    return copied


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
