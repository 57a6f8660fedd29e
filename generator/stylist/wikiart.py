"""WikiArt Emotions: read its annotation TSVs and register the user's images under their emotions.

The dataset (Mohammad and Kiritchenko, LREC 2018) may not be redistributed, so Auria ships
none of it: the user downloads the TSVs and the images, names each image by its ID (any of
.jpg, .jpeg, .png, in IMAGES_DIR or a folder below it) and runs
``auria styles import WikiArt-Emotions-Ag4.tsv IMAGES_DIR``.

A TSV has one header line and one painting per line, fields separated by tabs. The columns
read here, by name (others, such as the URL columns, are ignored): ``ID, Style, Category,
Artist, Title, Year`` and the 20 ``ImageOnly: <emotion>`` columns. A painting's emotions
are those of the ImageOnly annotations: the stylist uses the picture, never its title, and
the ``Art (image+title)`` and ``TitleOnly`` answers were influenced by the title. A value
counts when it is at least ``min_agreement`` (default 0.4): the 0/1 values of the Ag3, Ag4
and Ag5 files are taken as they are, and in the All file (the proportion of annotators who
chose the emotion) 0.4 selects what the Ag4 file does, at least 4 of 10 annotators, the
agreement level the authors recommend.
"""
from __future__ import annotations

import hashlib
import html
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import AuriaError
from generator.stylist.moods import EMOTIONS
from state.paintings import upsert_painting

log = logging.getLogger("auria.stylist")

BASE_COLUMNS = ("ID", "Style", "Category", "Artist", "Title", "Year")
IMAGE_COLUMNS = tuple(f"ImageOnly: {emotion}" for emotion in EMOTIONS)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")  # in order of preference when an ID has several
MIN_AGREEMENT = 0.4


@dataclass(frozen=True)
class PaintingAnnotation:
    id: str
    style: str
    category: str
    artist: str
    title: str
    year: str
    emotions: tuple[str, ...]  # in EMOTIONS order
    line: int  # where it is in the TSV, for messages


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    vectors: int = 0  # style vectors computed or found in the cache
    no_emotion: list[str] = field(default_factory=list)  # IDs whose image evokes none above the agreement
    missing: list[str] = field(default_factory=list)  # IDs without an image in IMAGES_DIR
    unreadable: list[str] = field(default_factory=list)  # image files that are not images
    by_emotion: dict[str, int] = field(default_factory=dict)  # among the paintings registered now

    @property
    def registered(self) -> int:
        return self.added + self.updated + self.unchanged

    def summary(self) -> str:
        lines = [
            f"{self.rows} annotations: {self.registered} paintings registered "
            f"({self.added} new, {self.updated} updated, {self.unchanged} unchanged)",
            f"skipped: {len(self.missing)} without an image, {len(self.unreadable)} unreadable images, "
            f"{len(self.no_emotion)} without an emotion",
        ]
        if self.vectors:
            lines.append(f"style vectors ready: {self.vectors}")
        if self.by_emotion:
            counts = ", ".join(f"{e} {n}" for e, n in sorted(self.by_emotion.items(), key=lambda x: (-x[1], x[0])))
            lines.append(f"by emotion: {counts}")
        return "\n".join(lines)


def read_annotations(tsv_path: str | Path, min_agreement: float = MIN_AGREEMENT) -> list[PaintingAnnotation]:
    """Every annotation in the file; a malformed file is an AuriaError naming the line."""
    path = Path(tsv_path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise AuriaError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AuriaError(f"{path}: is a folder, not a TSV file") from None
    except OSError as e:
        raise AuriaError(f"{path}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError as e:
        line = e.object.count(b"\n", 0, e.start) + 1
        raise AuriaError(f"{path}: line {line}: not UTF-8 text") from None

    if not text.strip():
        raise AuriaError(f"{path}: the file is empty (a WikiArt Emotions TSV starts with its header: ID, Style, ...)")
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    header = [name.strip() for name in lines[0].split("\t")] if lines else []
    missing = [name for name in BASE_COLUMNS + IMAGE_COLUMNS if name not in header]
    if missing:
        shown = ", ".join(repr(m) for m in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise AuriaError(
            f"{path}: line 1: not a WikiArt Emotions header; missing columns {shown} "
            "(the header starts ID, Style, Category, Artist, Title, Year, ...)"
        )
    column = {name: header.index(name) for name in BASE_COLUMNS + IMAGE_COLUMNS}

    annotations = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            raise AuriaError(
                f"{path}: line {number}: expected {len(header)} tab-separated fields like the header, "
                f"found {len(fields)}"
            )
        painting_id = fields[column["ID"]].strip()
        if not painting_id:
            raise AuriaError(f"{path}: line {number}: the ID is empty")
        if painting_id in (".", "..") or "/" in painting_id or "\\" in painting_id:
            raise AuriaError(f"{path}: line {number}: ID {painting_id!r} cannot name an image file")
        emotions = []
        for emotion, name in zip(EMOTIONS, IMAGE_COLUMNS):
            raw = fields[column[name]].strip()
            try:
                value = float(raw)
            except ValueError:
                value = math.nan
            if not 0 <= value <= 1:  # also false for NaN
                raise AuriaError(
                    f"{path}: line {number}: column {name!r} must be a number from 0 to 1, got {raw!r}"
                )
            if value >= min_agreement:
                emotions.append(emotion)
        base = {name: _clean(fields[column[name]]) for name in BASE_COLUMNS}
        annotations.append(
            PaintingAnnotation(
                id=painting_id, style=base["Style"], category=base["Category"], artist=base["Artist"],
                title=base["Title"], year=base["Year"], emotions=tuple(emotions), line=number,
            )
        )
    return annotations


def find_images(images_dir: str | Path) -> dict[str, Path]:
    """Image files under ``images_dir`` by ID (the file name without its suffix)."""
    folder = Path(images_dir)
    if not folder.is_dir():
        raise AuriaError(f"{folder}: not a folder of images")
    rank = {suffix: n for n, suffix in enumerate(IMAGE_SUFFIXES)}
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        suffix = path.suffix.lower()
        if suffix in rank and path.is_file():
            best = found.get(path.stem)
            if best is None or rank[suffix] < rank[best.suffix.lower()]:
                found[path.stem] = path
    return found


def import_paintings(
    db,
    tsv: str | Path,
    images_dir: str | Path,
    stylist=None,
    cache_dir: str | Path | None = None,
    min_agreement: float = MIN_AGREEMENT,
) -> ImportReport:
    """Register each annotated painting whose image is in ``images_dir`` under its emotions.

    Unreadable images are skipped with a warning; re-importing the same files changes
    nothing. With a ``stylist`` (and its ``cache_dir``), each painting's style vector is
    computed now, so the daily run never waits for it.
    """
    from generator.stylist.network import open_image

    if stylist is not None and cache_dir is None:
        raise ValueError("a stylist needs a cache_dir for the style vectors")
    annotations = read_annotations(tsv, min_agreement)
    images = find_images(images_dir)
    report = ImportReport(rows=len(annotations))
    for n, note in enumerate(annotations, start=1):
        if n % 500 == 0:
            log.info("styles import: %d of %d annotations", n, len(annotations))
        if not note.emotions:
            report.no_emotion.append(note.id)
            continue
        image_path = images.get(note.id)
        if image_path is None:
            report.missing.append(note.id)
            continue
        try:
            data = image_path.read_bytes()
            open_image(image_path, data)
        except (OSError, AuriaError) as e:
            log.warning("styles import: skipping %s (ID %s): %s", image_path, note.id, _reason(e))
            report.unreadable.append(str(image_path))
            continue
        outcome = upsert_painting(
            db, id=note.id, title=note.title or None, artist=note.artist or None, year=note.year or None,
            style=note.style or None, image_path=str(image_path.resolve()),
            image_sha256=hashlib.sha256(data).hexdigest(), emotions=note.emotions,
        )
        setattr(report, outcome, getattr(report, outcome) + 1)
        for emotion in note.emotions:
            report.by_emotion[emotion] = report.by_emotion.get(emotion, 0) + 1
        if stylist is not None:
            stylist.style_vector(image_path, cache_dir)
            report.vectors += 1
    if report.missing:
        log.info("styles import: no image for %d IDs, e.g. %s", len(report.missing), ", ".join(report.missing[:5]))
    return report


def _clean(field: str) -> str:
    """A text field as a reader should see it: the dataset carries HTML escapes
    ("Prud&#39;hon") and quotes wrapped around some titles, which would reach the alt text."""
    text = html.unescape(field.strip())
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].replace('""', '"').strip()
    return text


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return f"cannot read: {error.strerror or error}"
    return str(error).split(": ", 1)[-1]  # the path is already in the message
