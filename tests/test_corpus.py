import hashlib
import json
from pathlib import Path

import pytest

from core.errors import AuriaError
from generator.poet.corpus import (
    DROP_REASONS,
    CorpusError,
    RawPoem,
    build_corpus,
    dedup_key,
    drop_reason,
    format_report,
    is_english,
    load_split,
    normalise_line,
    normalise_poem,
    load_registers,
    read_blank_line_separated,
    read_sballas,
    read_scraper_csv,
    read_scraper_txt,
    read_slash_csv,
    read_tempslibres,
    reader_for,
    register_of,
    registers_path,
    split_of,
)

SCRAPER_CSV = (
    "winter rain \\ the old dog sleeps \\ by the door\r\n"
    '"spring wind, again \\ the kite pulls \\ at my hand"\r\n'
    '"a long night \\ the moon \\ over the \r\nquiet lake"\r\n'
    "It s late \\ I m still here \\ with the moon"
)
# Windows-1252 bytes, as in the real file: the em dash is 0x97, the apostrophe 0x92.
TEMPSLIBRES = (
    ",0,1,2,3,4,5,6,7,8,haiku,lang\r\n"
    '0,a,b,c,,,,,,,"summer rain \u2014\r\nthe cat\u2019s bowl\r\nfills slowly",en\r\n'
    '1,a,b,c,,,,,,,"pluie d\'\u00e9t\u00e9\r\nle bol du chat\r\nse remplit",fr\r\n'
).encode("cp1252")


def _poems(path: Path):
    """The poems of a split file; a tiny corpus may leave a split empty."""
    return load_split(path) if path.read_text() else []


@pytest.fixture
def raw(tmp_path):
    """A raw folder with one small file in each format, plus a README the builder skips."""
    src = tmp_path / "raw"
    src.mkdir()
    (src / "SOURCES.md").write_text("# notes\n")
    (src / "haiku-scraper__daily.csv").write_bytes(SCRAPER_CSV.encode())
    (src / "haiku-scraper__hsa.txt").write_text(
        '"hush" she says / the snow / keeps falling\n'
        "morning fog \\ the ferry horn \\ far away\n"
        "first frost / the garden path / white with light\n"
    )
    (src / "haikurnn__haikuzao.txt").write_text(
        "a skein of birds\ntwines across the sky\nthe northbound train departs\n\n\n"
        "  \nen haut des cuisses\ndans l'espace sous le slip\nun morceau de mer\n\n"
    )
    (src / "haikurnn__sballas8.csv").write_bytes(
        b'"autumn sky?\nswaying wheat field\nshaping the wind\n"\r\n'
        b'"the frogs\ni couldn?t save\nin the pool\n"\r\n'
    )
    (src / "haikurnn__tempslibres.csv").write_bytes(TEMPSLIBRES)
    return src


# --- readers ---------------------------------------------------------------------------


def test_scraper_csv_reader_handles_quotes_crlf_and_embedded_newlines():
    poems = [p.lines for p in read_scraper_csv(SCRAPER_CSV.encode())]
    assert len(poems) == 4
    assert [normalise_poem(p) for p in poems] == [
        ["winter rain", "the old dog sleeps", "by the door"],
        ["spring wind, again", "the kite pulls", "at my hand"],
        ["a long night", "the moon", "over the quiet lake"],
        ["It's late", "I'm still here", "with the moon"],  # apostrophes the scraper lost
    ]


def test_scraper_txt_reader_keeps_quotes_and_splits_on_slash_or_backslash():
    data = b'"hush" she says / the snow / keeps falling\nfog \\ horn \\ far away\nlast line / kept /\n\n'
    poems = [normalise_poem(p.lines) for p in read_scraper_txt(data)]
    assert poems == [
        ['"hush" she says', "the snow", "keeps falling"],
        ["fog", "horn", "far away"],
        ["last line", "kept"],  # a trailing separator adds no line
    ]


def test_sballas_reader_reads_multiline_fields_and_repairs_question_marks():
    data = (
        b'"autumn sky?\nswaying wheat field\nshaping the wind\n"\r\n'
        b'"christmas eve? -\nthe fiddlers? tune\ni don?t know why?\n"\r\n'
    )
    poems = [normalise_poem(p.lines) for p in read_sballas(data)]
    assert poems == [
        ["autumn sky -", "swaying wheat field", "shaping the wind"],
        ["christmas eve -", "the fiddlers' tune", "i don't know why?"],  # a last-line "?" is a question
    ]


def test_blank_line_reader_splits_on_blank_lines_with_stray_whitespace():
    data = b"a\r\nb\r\nc\r\n\r\n \t\r\nd\ne\nf\n\n\n"
    assert [p.lines for p in read_blank_line_separated(data)] == [["a", "b", "c"], ["d", "e", "f"]]


def test_tempslibres_reader_decodes_windows_1252_and_reads_lang():
    poems = list(read_tempslibres(TEMPSLIBRES))
    assert [p.lang for p in poems] == ["en", "fr"]
    assert normalise_poem(poems[0].lines) == ["summer rain -", "the cat's bowl", "fills slowly"]
    assert normalise_poem(poems[1].lines)[0] == "pluie d'été"


def test_tempslibres_reader_rejects_missing_columns():
    with pytest.raises(ValueError):
        list(read_tempslibres(b"a,b\r\n1,2\r\n"))


def test_reader_dispatch_by_file_name():
    assert reader_for("haiku-scraper__reddit_haiku.csv") is read_scraper_csv
    assert reader_for("haiku-scraper__hsa_haiku.txt") is read_scraper_txt
    assert reader_for("haikurnn__sballas8.csv") is read_sballas
    assert reader_for("haikurnn__haikuzao.txt") is read_blank_line_separated
    assert reader_for("haikurnn__tempslibres.csv") is read_tempslibres
    assert reader_for("notgnoshi-research__haiku.txt") is read_blank_line_separated
    assert reader_for("poe-m__reddit_haiku.csv") is read_slash_csv
    for name in ("SOURCES.md", "haikurnn__other.csv", "haiku-scraper__x.json", "notes.txt"):
        assert reader_for(name) is None


# --- normalisation and checks ----------------------------------------------------------


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("  snow\u00a0 falls   softly ", "snow falls softly"),
        ("\u2018dear\u2019 \u201cfriend\u201d", "'dear' \"friend\""),
        ("spring rain\u2014the door", "spring rain - the door"),
        ("spring rain \u2013 ", "spring rain -"),
        ("Memorial Day --", "Memorial Day -"),
        ("again---and again", "again - and again"),
        ("young and happy-", "young and happy -"),
        ("- on the ground", "- on the ground"),
        ("snow-covered well-worn path", "snow-covered well-worn path"),
        ("wait\u2026", "wait..."),
        ("spindrift . . . I go", "spindrift ... I go"),
        ("city \u200b\u200bat night", "city at night"),
        ("ＦＵＬＬ moon", "FULL moon"),
        ("Basho's Frog", "Basho's Frog"),
    ],
)
def test_normalise_line(raw, clean):
    assert normalise_line(raw) == clean


def test_normalise_poem_drops_empty_lines():
    assert normalise_poem(["  ", "a", "", " b ", "\u200b"]) == ["a", "b"]


def test_dedup_key_ignores_case_and_punctuation():
    assert dedup_key(["Winter rain -", "the old dog's bed..."]) == "winter rain the old dog s bed"
    assert dedup_key(["WINTER RAIN", "The old dog s bed!"]) == "winter rain the old dog s bed"


def test_is_english():
    assert is_english(["winter rain", "the old dog sleeps", "by the door"])
    assert is_english(["skyscraper", "a window-washer squeegees", "the thunderhead"])  # rare words
    assert is_english(["trees", "miniaturizing", "me"])  # one unknown word in a short poem
    assert not is_english(["de son fauteuil roulant", "l'enfant ne voit par la fenêtre", "que le ciel"])
    assert not is_english(["giorni più brevi", "nella cesta dei cachi", "un grillo morto"])
    assert not is_english(["jizo bon", "akora mo sodachi", "furu chochin"])
    assert not is_english(["700 000", "42"])


@pytest.mark.parametrize(
    "poem, reason",
    [
        (RawPoem([" ", "\u200b"]), "empty"),
        (RawPoem(["l'ombre", "de son piercing au menton", "marque midi"]), "not english"),
        (RawPoem(["summer rain", "the cat sleeps", "all day"], lang="fr"), "not english"),
        (RawPoem(["winter rain", "the old dog sleeps"]), "not three lines"),
        (RawPoem(["winter rain", "...", "the old dog sleeps"]), "not three lines"),
        (RawPoem(["winter rain", "the old dog sleeps", "by the door", "all day"]), "not three lines"),
        (RawPoem(["winter rain", "the old dog sleeps " * 4, "by the door"]), "too long"),
        (RawPoem(["the cold winter rain keeps falling on the quiet old town"] * 3), "too long"),  # 170 chars
        (RawPoem(["winter rain", "the old dog sleeps", "@someone by the door"]), "content"),
        (RawPoem(["winter rain", "the old dog sleeps", "see www.example.com"]), "content"),
        (RawPoem(["winter rain", "the old dog sleeps", "by the door"], lang="en"), None),
    ],
)
def test_drop_reasons(poem, reason):
    assert drop_reason(poem, normalise_poem(poem.lines)) == reason


def test_split_of_is_a_stable_hash_split():
    keys = [f"poem number {i}" for i in range(3000)]
    splits = [split_of(k) for k in keys]
    assert splits == [split_of(k) for k in keys]
    assert {s: splits.count(s) / len(keys) for s in ("train", "valid", "test")} == pytest.approx(
        {"train": 0.90, "valid": 0.05, "test": 0.05}, abs=0.02
    )


# --- the build -------------------------------------------------------------------------


def test_build_writes_splits_and_report(raw, tmp_path):
    out = tmp_path / "out" / "corpus"  # parents are created
    report = build_corpus(raw, out)

    kept = []
    for name in ("train", "valid", "test"):
        text = (out / f"{name}.txt").read_text(encoding="utf-8")
        assert text == "" or (text.endswith("\n") and not text.endswith("\n\n"))
        for poem in _poems(out / f"{name}.txt"):
            assert split_of(dedup_key(poem)) == name
            kept.append(poem)
    assert ["summer rain -", "the cat's bowl", "fills slowly"] in kept
    assert ["autumn sky -", "swaying wheat field", "shaping the wind"] in kept
    assert ["It's late", "I'm still here", "with the moon"] in kept
    assert len(kept) == report.total().kept == sum(report.splits.values()) == 11

    assert report.skipped == ["SOURCES.md"]
    assert list(report.sources) == [  # sorted by file name
        "haiku-scraper__daily",
        "haiku-scraper__hsa",
        "haikurnn__haikuzao",
        "haikurnn__sballas8",
        "haikurnn__tempslibres",
    ]
    zao = report.sources["haikurnn__haikuzao"]
    assert (zao.read, zao.dropped["not english"], zao.kept) == (2, 1, 1)
    temps = report.sources["haikurnn__tempslibres"]
    assert (temps.read, temps.dropped["not english"], temps.kept) == (2, 1, 1)

    saved = json.loads((out / "report.json").read_text())
    assert saved["splits"] == report.splits
    assert saved["sources"]["haikurnn__haikuzao"] == {
        "read": 2, "dropped": {r: int(r == "not english") for r in DROP_REASONS}, "kept": 1,
    }
    assert saved["total"]["kept"] == len(kept)
    assert saved["inputs"]["haikurnn__tempslibres.csv"] == hashlib.sha256(TEMPSLIBRES).hexdigest()
    assert set(saved["inputs"]) == {p.name for p in raw.iterdir()} - {"SOURCES.md"}


def test_every_read_poem_is_kept_or_dropped_for_one_reason(raw, tmp_path):
    report = build_corpus(raw, tmp_path / "out")
    for counts in [*report.sources.values(), report.total()]:
        assert counts.read == counts.kept + sum(counts.dropped.values())
        assert set(counts.dropped) <= set(DROP_REASONS)


def test_report_counts_each_drop_reason(tmp_path):
    src = tmp_path / "raw"
    src.mkdir()
    long_line = "the cold winter rain keeps falling on the quiet old town"
    (src / "haiku-scraper__mixed.txt").write_text(
        " \\ \\ \n"
        "de son fauteuil roulant \\ l'enfant ne voit par la fenetre \\ que le ciel\n"
        "winter rain \\ the old dog sleeps\n"
        f"{long_line} \\ {long_line} \\ {long_line}\n"
        "winter rain \\ the old dog sleeps \\ @someone by the door\n"
        "first frost \\ the garden path \\ white with light\n"
        "First frost - \\ the garden path \\ white with light.\n",
        encoding="utf-8",
    )
    counts = build_corpus(src, tmp_path / "out").sources["haiku-scraper__mixed"]
    assert (counts.read, counts.kept) == (7, 1)
    assert counts.to_json()["dropped"] == dict.fromkeys(DROP_REASONS, 1)


def test_duplicates_across_sources_are_dropped_from_the_later_source(tmp_path):
    src = tmp_path / "raw"
    src.mkdir()
    (src / "haiku-scraper__a.txt").write_text("winter rain \\ the old dog sleeps \\ by the door\n")
    (src / "haiku-scraper__b.txt").write_text(
        "Winter rain - \\ The old dog sleeps... \\ by the door!\n"
        "first frost \\ the garden path \\ white with light\n"
        "first frost \\ the garden path \\ white with light\n"
    )
    (src / "haikurnn__haikuzao.txt").write_text("winter rain\nthe old dog sleeps\nby the door\n")
    report = build_corpus(src, tmp_path / "out")
    assert [(c.kept, c.dropped["duplicate"]) for c in report.sources.values()] == [(1, 0), (1, 2), (0, 1)]
    kept = [p for name in ("train", "valid", "test") for p in _poems(tmp_path / "out" / f"{name}.txt")]
    assert ["winter rain", "the old dog sleeps", "by the door"] in kept  # the first one read wins


def test_same_input_gives_identical_files(raw, tmp_path):
    build_corpus(raw, tmp_path / "one")
    build_corpus(raw, tmp_path / "two")
    for name in ("train.txt", "valid.txt", "test.txt", "report.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_format_report_has_a_row_per_source_a_total_and_the_splits(raw, tmp_path):
    report = build_corpus(raw, tmp_path / "out")
    text = format_report(report)
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["source", "register", "read"] and lines[0].split()[-1] == "kept"
    assert all(reason in lines[0] for reason in DROP_REASONS)
    for name, counts in report.sources.items():
        row = next(line for line in lines if line.startswith(name + " "))
        assert row.split()[1] == register_of(name)
        assert row.split()[2] == str(counts.read) and row.split()[-1] == str(counts.kept)
    total = next(line for line in lines if line.startswith("total"))
    assert total.split()[-1] == str(report.total().kept)
    assert f"train {report.splits['train']}" in text and "SOURCES.md" in text


# --- the journals, r/haiku and registers ------------------------------------------------

POE_M = (
    ",id,processed_title,ups,keywords\r\n"
    "0,1020ac,There's nothing inside/There is nothing outside me/I search on in hope.,5,\"[('inside', 0.5)]\"\r\n"
    '1,107cob,"From whole we crumble, slow/Forever lost to chaos/Never one again",1,[]\r\n'
    "2,109a51,,3,[]\r\n"
)


def test_slash_csv_reader_reads_the_title_column():
    poems = list(read_slash_csv(POE_M.encode()))
    assert [p.lines for p in poems] == [
        ["There's nothing inside", "There is nothing outside me", "I search on in hope."],
        ["From whole we crumble, slow", "Forever lost to chaos", "Never one again"],
    ]
    with pytest.raises(ValueError, match="processed_title"):
        list(read_slash_csv(b"a,b\r\n1,2\r\n"))


def test_registers_by_source():
    for name in ("notgnoshi-research__haiku", "haiku-scraper__herons_nest", "haikurnn__tempslibres", "haikurnn__sballas8"):
        assert register_of(name) == "literary"
    for name in ("poe-m__reddit_haiku", "haiku-scraper__reddit_haiku", "haiku-scraper__twitter_haiku"):
        assert register_of(name) == "social"


def test_new_sources_keep_register_and_the_old_test_split(raw, tmp_path):
    before = build_corpus(raw, tmp_path / "before")
    (raw / "notgnoshi-research__haiku.txt").write_text(
        "sun-bleached billboard\nthe gravel road ends\nat peaches\n\nflute notes\nfluttering\npetals\n\n"
        "watermelon flesh\ndeep in summer\n\nwinter rain\nthe old dog sleeps\nby the door\n"
    )
    (raw / "poe-m__reddit_haiku.csv").write_bytes(POE_M.encode())
    after = build_corpus(raw, tmp_path / "after")
    notgnoshi = after.sources["notgnoshi-research__haiku"]
    assert (notgnoshi.read, notgnoshi.kept, notgnoshi.dropped["not three lines"]) == (4, 2, 1)
    assert notgnoshi.dropped["duplicate"] == 1  # the winter rain is haiku-scraper's
    assert after.sources["poe-m__reddit_haiku"].kept == 2
    for split in ("train", "valid", "test"):
        old = _poems(tmp_path / "before" / f"{split}.txt")
        new = _poems(tmp_path / "after" / f"{split}.txt")
        assert all(poem in new for poem in old)  # a poem never moves to another split
        registers = load_registers(tmp_path / "after" / f"{split}.txt", len(new))
        origins = registers_path(tmp_path / "after" / f"{split}.txt").read_text().splitlines()
        for poem, register, origin in zip(new, registers, origins):
            assert origin.split("\t")[0] == register == register_of(origin.split("\t")[1])
            if poem[0] == "There's nothing inside":
                assert origin == "social\tpoe-m__reddit_haiku"
    assert sum(before.splits.values()) + 4 == sum(after.splits.values())


def test_load_registers_without_or_with_a_broken_file(tmp_path):
    split = tmp_path / "train.txt"
    assert load_registers(split, 3) == ["literary"] * 3  # a corpus built before registers
    registers_path(split).write_text("literary\ta\nsocial\tb\n")
    assert load_registers(split, 2) == ["literary", "social"]
    with pytest.raises(CorpusError, match="malformed, expected 3 lines"):
        load_registers(split, 3)
    registers_path(split).write_text("verse\ta\n")
    with pytest.raises(CorpusError, match="literary/social"):
        load_registers(split, 1)


# --- load_split ------------------------------------------------------------------------


def test_load_split_round_trip(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("a b\nc d\ne f\n\ng h\ni j\nk l\n", encoding="utf-8")
    assert load_split(path) == [["a b", "c d", "e f"], ["g h", "i j", "k l"]]


@pytest.mark.parametrize(
    "content, problem",
    [
        (None, "no such file"),
        ("", "empty"),
        ("\n", "empty"),
        ("a\nb\n\nc\nd\ne\n", "malformed, poem 1 has 2 lines"),
    ],
)
def test_load_split_errors(tmp_path, content, problem):
    path = tmp_path / "valid.txt"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CorpusError, match=problem) as e:
        load_split(path)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


# --- errors ----------------------------------------------------------------------------


def test_corpus_error_is_an_auria_error():
    assert issubclass(CorpusError, AuriaError)


def test_missing_src(tmp_path):
    with pytest.raises(CorpusError, match="no such folder"):
        build_corpus(tmp_path / "nope", tmp_path / "out")


def test_src_is_a_file(tmp_path):
    (tmp_path / "file.csv").write_text("x")
    with pytest.raises(CorpusError, match="not a folder"):
        build_corpus(tmp_path / "file.csv", tmp_path / "out")


def test_src_without_corpus_files(tmp_path):
    src = tmp_path / "raw"
    src.mkdir()
    (src / "SOURCES.md").write_text("# notes\n")
    with pytest.raises(CorpusError, match="no recognised corpus files"):
        build_corpus(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_src_with_no_kept_poems(tmp_path):
    src = tmp_path / "raw"
    src.mkdir()
    (src / "haiku-scraper__x.txt").write_text("only one line\nde son fauteuil \\ que le ciel \\ la mer\n")
    with pytest.raises(CorpusError, match="no poem survived"):
        build_corpus(src, tmp_path / "out")


def test_unreadable_file(raw, tmp_path, monkeypatch):
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "haikurnn__sballas8.csv":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(CorpusError, match="haikurnn__sballas8.csv: cannot read"):
        build_corpus(raw, tmp_path / "out")


def test_unreadable_folder(raw, tmp_path, monkeypatch):
    def iterdir(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", iterdir)
    with pytest.raises(CorpusError, match="cannot read the folder"):
        build_corpus(raw, tmp_path / "out")


def test_malformed_file(raw, tmp_path):
    (raw / "haiku-scraper__daily.csv").write_bytes(b"\xff\xfe not utf-8 \\ at all \\ here\n")
    with pytest.raises(CorpusError, match="haiku-scraper__daily.csv: malformed"):
        build_corpus(raw, tmp_path / "out")
