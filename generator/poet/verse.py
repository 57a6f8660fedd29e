"""Verse for pretraining: public-domain English poetry -> three-line passages.

A corpus of ~75k haiku is small for a language model to learn English grammar from. The
poet first learns from older public-domain verse (Project Gutenberg anthologies and
books; the model card names them), cut into passages of three consecutive lines of one stanza, so pretraining sees
the same shape of example, with the same syllable conditioning, as fine-tuning does.

`build_verse(src, out)` reads each file with the reader for its kind (Project Gutenberg
books with their header and licence, plain verse, the deepspeare sonnets, which come
lowercased and tokenized and are detokenized here), keeps verse lines (no titles, numbers,
notes or prose), and writes `verse-train.txt` and `verse-valid.txt` in the split format of
the haiku corpus, plus `verse-report.json`.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

from generator.poet.content import find_problem
from generator.poet.corpus import CorpusError, dedup_key, is_english, normalise_line, split_of, write_poems
from generator.poet.syllables import count_line

PASSAGE_LINES = 3
MIN_SYLLABLES, MAX_SYLLABLES = 3, 16
# Project Gutenberg wraps prose at about 70 characters; verse lines are shorter. A stanza
# with a line this long is prose (a preface, notes) or a wrapped long line (Whitman).
MAX_VERSE_CHARS = 64
_GUTENBERG_START = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG", re.M)
_GUTENBERG_END = re.compile(r"^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG", re.M)
_NOT_VERSE = re.compile(r"\d|_|\[|\]|\*|^\W*$|^[^a-z]*$")  # numbers, notes, markup, titles in capitals


def strip_gutenberg(text: str) -> str:
    """The book between Project Gutenberg's START and END lines (all of it when they are absent)."""
    start, end = _GUTENBERG_START.search(text), _GUTENBERG_END.search(text)
    begin = text.index("\n", start.end()) + 1 if start else 0
    return text[begin : end.start() if end else len(text)]


def stanzas(text: str) -> Iterator[list[str]]:
    """Blocks of lines separated by blank lines."""
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        lines = [line.strip() for line in block.split("\n")]
        if any(lines):
            yield [line for line in lines if line]


def read_gutenberg(data: bytes) -> Iterator[list[str]]:
    yield from stanzas(strip_gutenberg(data.decode("utf-8-sig", errors="replace")))


_SPACE_BEFORE = re.compile(r" (?=[,.;:!?)]|'s\b|n't\b|'d\b|'ll\b|'re\b|'ve\b|'m\b)")
_SPACE_AFTER = re.compile(r"(?<=\() ")


def detokenize(line: str) -> str:
    """'o night and death , to whom' -> 'o night and death, to whom'."""
    return _SPACE_AFTER.sub("", _SPACE_BEFORE.sub("", " ".join(line.split())))


def read_tokenized_sonnets(data: bytes) -> Iterator[list[str]]:
    """deepspeare's data.tgz: one sonnet per text line, its verse lines ended by `<eos>`."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            if not member.isfile() or not member.name.endswith(".txt"):
                continue
            for sonnet in archive.extractfile(member).read().decode("utf-8").splitlines():
                lines = [detokenize(part) for part in sonnet.split("<eos>")]
                if any(lines):
                    yield [line for line in lines if line]


VerseReader = Callable[[bytes], Iterator[list[str]]]


def verse_reader_for(name: str) -> VerseReader | None:
    if name.endswith(".tgz") and name.startswith("deepspeare__"):
        return read_tokenized_sonnets
    if name.endswith(".txt") and name.startswith(("gutenberg__", "poem-o-matic__")):
        return read_gutenberg  # poem-o-matic's books have no header; strip_gutenberg keeps all
    return None


def verse_line(line: str) -> str | None:
    """The normalised line when it is a line of English verse we can learn from, else None."""
    if len(line) > MAX_VERSE_CHARS or _NOT_VERSE.search(line):
        return None
    line = normalise_line(line)
    if not is_english([line]) or find_problem(line) or not MIN_SYLLABLES <= count_line(line) <= MAX_SYLLABLES:
        return None
    return line


def passages(stanza: list[str]) -> Iterator[list[str]]:
    """Non-overlapping runs of PASSAGE_LINES consecutive verse lines of a stanza."""
    if any(len(line) > MAX_VERSE_CHARS for line in stanza):
        return
    run: list[str] = []
    for raw in stanza:
        line = verse_line(raw)
        if line is None:
            run = []
            continue
        run.append(line)
        if len(run) == PASSAGE_LINES:
            yield run
            run = []


def build_verse(src: Path, out: Path) -> dict:
    """Read the verse files in `src`, write the passage splits and their report to `out`."""
    src, out = Path(src), Path(out)
    if not src.is_dir():
        raise CorpusError(f"{src}: no such folder")
    report: dict = {"sources": {}, "inputs": {}, "splits": {}}
    seen: set[str] = set()
    splits: dict[str, list[list[str]]] = {"train": [], "valid": []}
    for path in sorted(src.iterdir(), key=lambda p: p.name):
        reader = verse_reader_for(path.name) if path.is_file() else None
        if reader is None:
            continue
        try:
            data = path.read_bytes()
            blocks = list(reader(data))
        except OSError as e:
            raise CorpusError(f"{path}: cannot read ({e.strerror or e})") from e
        except (ValueError, tarfile.TarError, UnicodeDecodeError) as e:
            raise CorpusError(f"{path}: malformed ({e})") from e
        report["inputs"][path.name] = hashlib.sha256(data).hexdigest()
        counts = Counter(lines=sum(map(len, blocks)), stanzas=len(blocks))
        for block in blocks:
            for passage in passages(block):
                key = dedup_key(passage)
                if key in seen:
                    counts["duplicate"] += 1
                    continue
                seen.add(key)
                counts["passages"] += 1
                splits["train" if split_of(key) == "train" else "valid"].append(passage)
        report["sources"][path.stem] = dict(counts)
    if not seen:
        raise CorpusError(f"{src}: no verse passages found (gutenberg__*.txt, poem-o-matic__*.txt, deepspeare__*.tgz)")
    report["splits"] = {name: len(poems) for name, poems in splits.items()}
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, poems in splits.items():
            write_poems(out / f"verse-{name}.txt", poems)
        (out / "verse-report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise CorpusError(f"{out}: cannot write the verse passages ({e.strerror or e})") from e
    return report


def format_verse_report(report: dict) -> str:
    rows = [(name, c.get("lines", 0), c.get("passages", 0)) for name, c in report["sources"].items()]
    width = max(len(r[0]) for r in rows)
    lines = [f"{'verse source':<{width}}  {'lines':>7}  {'passages':>8}"]
    lines += [f"{name:<{width}}  {n:>7}  {p:>8}" for name, n, p in rows]
    lines.append("verse splits: " + ", ".join(f"{k} {v}" for k, v in report["splits"].items()))
    return "\n".join(lines)
