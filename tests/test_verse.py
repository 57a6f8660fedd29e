"""Verse for pretraining: Gutenberg books, plain verse and tokenized sonnets -> passages."""
import io
import json
import tarfile

import pytest

from generator.poet.corpus import CorpusError, load_split
from generator.poet.verse import (
    build_verse,
    detokenize,
    format_verse_report,
    passages,
    read_tokenized_sonnets,
    strip_gutenberg,
    verse_line,
    verse_reader_for,
)

BOOK = """The Project Gutenberg EBook of Verse, by Somebody

This eBook is for the use of anyone anywhere at no cost and with
almost no restrictions whatsoever.  You may copy it, give it away or

*** START OF THIS PROJECT GUTENBERG EBOOK VERSE ***

CONTENTS

I. TO THE EVENING STAR

Star of the evening, gentle and serene,
Thou lookest down upon the quiet green,
And all the fields are silver with thy light,
The shepherd folds his flock and bids good night.

This is a preface in prose, wrapped at seventy characters as Gutenberg wraps
its prose, which goes on for a while and says nothing a poem would say at all.
It should never become a passage of verse for the poet to learn from here.

II. 1820

The river runs beside the mill,
[Footnote 3: a note.]
The wind is soft upon the hill,
The swallows skim the water clear,
And summer evening draws us near.

*** END OF THIS PROJECT GUTENBERG EBOOK VERSE ***

This and all associated files of various formats will be found in the licence.
"""


def sonnets_tgz(*sonnets: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = ("\n".join(sonnets) + "\n").encode()
        info = tarfile.TarInfo("sonnet_train.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_strip_gutenberg_keeps_the_book_only():
    book = strip_gutenberg(BOOK)
    assert "START OF" not in book and "END OF" not in book and "licence" not in book and "eBook" not in book
    assert "Star of the evening" in book
    assert strip_gutenberg("just verse\nno header\n") == "just verse\nno header\n"


def test_detokenize():
    assert detokenize("o night and death , to whom we grudged him then") == "o night and death, to whom we grudged him then"
    assert detokenize("when in man 's sight he stood not yet undone") == "when in man's sight he stood not yet undone"
    assert detokenize("i do n't know ; who can tell ?") == "i don't know; who can tell?"


def test_tokenized_sonnets_are_read_line_by_line():
    data = sonnets_tgz("o night and death , to whom we grudged him then <eos> when in man 's sight he stood <eos>")
    assert list(read_tokenized_sonnets(data)) == [["o night and death, to whom we grudged him then", "when in man's sight he stood"]]


@pytest.mark.parametrize(
    "line, kept",
    [
        ("Star of the evening, gentle and serene,", "Star of the evening, gentle and serene,"),
        ("I. TO THE EVENING STAR", None),  # a title in capitals
        ("II. 1820", None),
        ("[Footnote 3: a note.]", None),
        ("Quand le soleil se couche sur la mer", None),  # not English
        ("Go", None),  # too short to learn a line from
        ("which goes on for a while and says nothing a poem would say at all, really", None),  # prose length
    ],
)
def test_verse_line(line, kept):
    assert verse_line(line) == kept


def test_passages_are_runs_of_three_verse_lines():
    stanza = [
        "The river runs beside the mill,", "[Footnote 3: a note.]", "The wind is soft upon the hill,",
        "The swallows skim the water clear,", "And summer evening draws us near.", "The bells ring out across the lea,",
    ]
    assert list(passages(stanza)) == [[
        "The wind is soft upon the hill,", "The swallows skim the water clear,", "And summer evening draws us near.",
    ]]
    prose = ["short line of verse here", "x" * 80, "another short line of verse", "and one more line of verse"]
    assert list(passages(prose)) == []  # a stanza with a prose-length line is not verse


def test_build_verse_writes_passages_and_report(tmp_path):
    src = tmp_path / "poetry"
    src.mkdir()
    (src / "gutenberg__1_verse.txt").write_text(BOOK)
    (src / "deepspeare__sonnets.tgz").write_bytes(sonnets_tgz(
        "the gray sea and the long black land <eos> and the yellow half - moon large and low <eos> "
        "and the startled little waves that leap <eos>"
    ))
    (src / "SOURCES.md").write_text("# notes\n")
    report = build_verse(src, tmp_path / "out")
    assert report["sources"]["gutenberg__1_verse"]["passages"] == 2
    assert report["sources"]["deepspeare__sonnets"]["passages"] == 1
    files = [tmp_path / "out" / f"verse-{name}.txt" for name in ("train", "valid")]
    poems = [p for path in files if path.read_text() for p in load_split(path)]  # a split may be empty
    assert ["Star of the evening, gentle and serene,", "Thou lookest down upon the quiet green,",
            "And all the fields are silver with thy light,"] in poems
    assert len(poems) == sum(report["splits"].values()) == 3
    assert json.loads((tmp_path / "out" / "verse-report.json").read_text()) == report
    assert "gutenberg__1_verse" in format_verse_report(report)
    build_verse(src, tmp_path / "again")
    for name in ("verse-train.txt", "verse-valid.txt"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


def test_reader_dispatch():
    assert verse_reader_for("deepspeare__gutenberg_sonnets.tgz") is read_tokenized_sonnets
    assert verse_reader_for("gutenberg__12242_dickinson_poems.txt") is not None
    assert verse_reader_for("poem-o-matic__1105.txt") is not None
    assert verse_reader_for("SOURCES.md") is None and verse_reader_for("haikurnn__x.txt") is None


def test_verse_errors_are_one_line(tmp_path):
    with pytest.raises(CorpusError, match="no such folder"):
        build_verse(tmp_path / "nowhere", tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no verse passages found"):
        build_verse(tmp_path / "empty", tmp_path / "out")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "deepspeare__x.tgz").write_bytes(b"not a tar file")
    with pytest.raises(CorpusError, match=r"deepspeare__x.tgz: malformed") as info:
        build_verse(tmp_path / "bad", tmp_path / "out")
    assert "\n" not in str(info.value)
