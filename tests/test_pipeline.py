"""The generator pipeline end to end: real child processes, real store, real artifacts."""
from __future__ import annotations

import hashlib
import io
import json
import os

import pytest
from PIL import Image

from bot.config import load_config
from generator.artifacts import ArtifactStore
from generator.pipeline import make_work
from state.events import events_for
from state.store import open_store
from state.works import get_work, list_works

POND = ["an old silent pond", "a frog jumps into the pond", "splash! silence again"]


@pytest.fixture
def config(write_config, tmp_path):
    def make(data_dir="data", extra=""):
        path = write_config(f'data_dir = "{data_dir}"\n[poet]\ncandidates = 32\n[generator]\ndevice = "cpu"\ntimeout = 120\n{extra}',
                            name=f"auria-{data_dir}.toml")
        return load_config(path)

    return make


def _sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_a_work_is_complete_and_stored(config):
    cfg = config()
    db = open_store(cfg.db_path)
    work = make_work(cfg, db, seed=11, haiku=POND)
    assert work["status"] == "preview" and work["error"] is None
    assert work["haiku"] == "\n".join(POND)
    assert set(work["steps"]) == {"poet", "painter", "stylist", "finish"}
    for name, record in work["steps"].items():
        assert record["seed"] == 11 and record["seconds"] >= 0 and record["reused"] is False
    image = Image.open(work["image_path"])
    assert image.format == "JPEG" and image.size == (1080, 1350)
    assert image.info.get("icc_profile"), "the JPEG is tagged sRGB"
    assert _sha(work["image_path"]) == work["image_sha256"]
    assert open(work["image_path"], "rb").read().__len__() <= 1_500_000
    medium = work["steps"]["stylist"]["params"]["medium"]
    assert medium in ("oil", "watercolour", "sumi-e")
    assert work["steps"]["painter"]["params"]["detail"] is (medium == "oil"), "the painter knew the medium"
    assert work["steps"]["stylist"]["params"]["halo"] is False, "no light in the pond's poem to swirl round"
    named = {"oil": "An oil painting of ", "watercolour": "A watercolour of ", "sumi-e": "A sumi-e ink painting of "}
    assert work["alt_text"].startswith(named[medium]) and f"mood: {work['mood']}" in work["alt_text"]
    motifs = {p["motif"] for p in work["plan"]["placements"]}
    assert {"pond", "frog"} <= motifs
    # every step's output is in the artifact store under its hash
    store = ArtifactStore(cfg.data_dir)
    finish = work["steps"]["finish"]["outputs"]
    assert store.get(finish["alt_text"], "txt").decode() == work["alt_text"]
    assert work["steps"]["painter"]["models"], "the painter records its word-vector file hash"
    assert work["steps"]["stylist"]["models"], "the stylist records its style-network file hashes"
    kinds = [e["kind"] for e in events_for(db, work["id"])]
    assert kinds == ["work_created", "work_generated"]


def test_the_same_seed_gives_the_same_bytes(config):
    works = []
    for data_dir in ("one", "two"):
        cfg = config(data_dir)
        works.append(make_work(cfg, open_store(cfg.db_path), seed=5, haiku=POND))
    a, b = works
    assert a["image_sha256"] == b["image_sha256"]
    for step in ("poet", "painter", "stylist", "finish"):
        assert a["steps"][step]["outputs"] == b["steps"][step]["outputs"]
    assert (a["mood"], a["style"], a["alt_text"]) == (b["mood"], b["style"], b["alt_text"])


def test_the_poet_writes_the_haiku_when_none_is_given(config):
    cfg = config()
    db = open_store(cfg.db_path)
    work = make_work(cfg, db, seed=3)
    assert work["status"] == "preview"
    assert len(work["haiku"].split("\n")) == 3
    poet = work["steps"]["poet"]
    assert {"poet.safetensors", "novelty.safetensors", "critic.safetensors"} <= set(poet["models"])
    assert poet["params"]["register"] == "literary" and poet["params"]["candidates"] == cfg.poet.candidates
    choice = poet["choice"]  # how the haiku was chosen among its candidates
    assert choice["candidates"] == cfg.poet.candidates and 1 <= choice["passed"] <= choice["candidates"]
    assert 1 <= choice["rank"] <= choice["candidates"] and isinstance(choice["critic"], float)


def test_remake_from_the_stylist_keeps_the_earlier_steps(config):
    cfg = config()
    db = open_store(cfg.db_path)
    first = make_work(cfg, db, seed=8, haiku=POND, mood="sadness")
    again = make_work(cfg, db, seed=8, remake_of=first["id"], from_step="stylist", mood="sadness")
    other = make_work(cfg, db, seed=8, remake_of=first["id"], from_step="stylist", mood="happiness")
    for work in (again, other):
        assert work["id"] != first["id"] and work["haiku"] == first["haiku"]
        for step in ("poet", "painter"):
            assert work["steps"][step]["reused"] is True
            assert work["steps"][step]["outputs"] == first["steps"][step]["outputs"]
            assert work["steps"][step]["seconds"] == first["steps"][step]["seconds"]
        assert work["steps"]["stylist"]["reused"] is False
    assert again["image_sha256"] == first["image_sha256"], "same inputs, same bytes"
    assert other["mood"] == "happiness" and other["image_sha256"] != first["image_sha256"]
    assert [e["kind"] for e in events_for(db, again["id"])][:2] == ["work_created", "remade_from"]


def test_remake_needs_the_artifacts(config):
    cfg = config()
    db = open_store(cfg.db_path)
    first = make_work(cfg, db, seed=9, haiku=POND)
    painter_png = ArtifactStore(cfg.data_dir).path(first["steps"]["painter"]["outputs"]["image"], "png")
    painter_png.unlink()
    work = make_work(cfg, db, seed=9, remake_of=first["id"], from_step="stylist")
    assert work["status"] == "failed" and "artifact missing" in work["error"]


def test_a_hanging_step_is_killed_at_the_timeout_and_the_work_marked_failed(config, monkeypatch):
    cfg = config()
    db = open_store(cfg.db_path)
    done = make_work(cfg, db, seed=1, haiku=POND)
    cfg.generator.timeout = 3
    monkeypatch.setenv("AURIA_FAULT", "hang:painter")
    hung = make_work(cfg, db, seed=2, haiku=POND)
    assert hung["status"] == "failed"
    assert hung["error"] == "generation timed out after 3 s; the generator process was killed"
    assert [e["kind"] for e in events_for(db, hung["id"])] == ["work_created", "generation_failed"]
    # the store is intact: the earlier work is untouched and the database still works
    assert get_work(db, done["id"]) == done
    assert [w["id"] for w in list_works(db)] == [hung["id"], done["id"]]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_crashing_step_marks_the_work_failed(config, monkeypatch):
    cfg = config()
    db = open_store(cfg.db_path)
    monkeypatch.setenv("AURIA_FAULT", "crash:stylist")
    work = make_work(cfg, db, seed=2, haiku=POND)
    assert work["status"] == "failed" and "exited with code 70" in work["error"]


def test_a_haiku_not_in_shape_is_painted_with_a_warning(config):
    cfg = config()
    work = make_work(cfg, open_store(cfg.db_path), seed=4, haiku=["winter moon", "over the city street", "a lamp"])
    assert work["status"] == "preview"
    assert work["steps"]["poet"]["warnings"] == ["the given haiku is 3-6-2, not 5-7-5"]


def test_plan_and_steps_are_json_in_the_store(config):
    cfg = config()
    db = open_store(cfg.db_path)
    work = make_work(cfg, db, seed=6, haiku=POND)
    raw = db.execute("SELECT plan, steps FROM works WHERE id = ?", [work["id"]]).fetchone()
    assert json.loads(raw[0])["lines"] == POND
    assert json.loads(raw[1])["finish"]["outputs"]["image"] == work["image_sha256"]
    image = Image.open(io.BytesIO(open(work["image_path"], "rb").read()))
    assert image.mode == "RGB"


def test_an_imported_painting_for_the_mood_styles_the_work(config, tmp_path):
    from state.paintings import upsert_painting

    cfg = config(extra='[painter]\nmedium = "oil"\n')  # oil paints over the network's strokes
    db = open_store(cfg.db_path)
    painting = tmp_path / "58c6237dedc2c.jpg"
    Image.radial_gradient("L").resize((200, 160)).convert("RGB").save(painting)
    upsert_painting(db, id="58c6237dedc2c", image_path=str(painting), image_sha256=_sha(painting),
                    emotions=["sadness"], title="Rain", artist="Someone", year="1910")
    work = make_work(cfg, db, seed=12, haiku=POND, mood="sadness")
    style = work["steps"]["stylist"]["params"]["style"]
    assert work["status"] == "preview" and style["kind"] == "painting"
    assert style["painting_id"] == "58c6237dedc2c"
    assert "Rain" in work["alt_text"] and "Someone" in work["alt_text"]
    assert "arbitrary_transform.onnx" in work["steps"]["stylist"]["models"]
    # the painting's style vector was computed once and cached in the data folder
    assert list((cfg.data_dir / "cache" / "style-vectors").rglob("*.npy"))


@pytest.mark.parametrize("fault, reason", [
    ("error:finish", "the finish step failed: ValueError: injected fault at finish"),
    ("enospc:painter", "the painter step failed: OSError: No space left on device"),
])
def test_an_unforeseen_step_error_reaches_the_stored_reason(config, monkeypatch, fault, reason):
    monkeypatch.setenv("AURIA_FAULT", fault)
    cfg = config()
    db = open_store(cfg.db_path)
    work = make_work(cfg, db, seed=4, haiku=POND)
    assert work["status"] == "failed"
    assert work["error"] == reason, "not 'exited with code 1': the child's own error"
    [failure] = [e for e in events_for(db, work["id"]) if e["kind"] == "generation_failed"]
    assert failure["detail"]["error"] == reason


def test_the_generation_child_gets_no_secrets(monkeypatch, tmp_path):
    from generator.pipeline import _without_secrets

    environ = {"AURIA_X_API_KEY": "k" * 20, "AURIA_MASTODON_ACCESS_TOKEN": "t" * 20, "CREDENTIALS_DIRECTORY": "/run/c",
               "AURIA_FAULT": "crash:poet", "AURIA_CONFIG": "/etc/auria.toml", "PATH": "/usr/bin"}
    assert _without_secrets(environ) == {"AURIA_FAULT": "crash:poet", "AURIA_CONFIG": "/etc/auria.toml", "PATH": "/usr/bin"}


def test_a_work_left_generating_by_a_killed_command_is_failed_with_the_reason(config, tmp_path):
    import subprocess
    import sys

    from state.works import add_work

    cfg = config()
    db = open_store(cfg.db_path)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # a process that has exited
    killed = add_work(db, haiku="", shape="5-7-5", seed=1, params={}, models=None, status="generating",
                      generator_pid=dead_pid)
    running = add_work(db, haiku="", shape="5-7-5", seed=2, params={}, models=None, status="generating",
                       generator_pid=os.getpid())  # another command, still making it
    slot_work = add_work(db, haiku="", shape="5-7-5", seed=3, params={}, models=None, status="generating",
                         slot="2026-11-25T09:00+00:00", generator_pid=dead_pid)  # the daemon's to finish
    made = make_work(cfg, db, seed=5, haiku=POND)  # the next command looks first
    assert made["status"] == "preview"
    failed = get_work(db, killed)
    assert failed["status"] == "failed"
    assert failed["error"] == f"generation was interrupted: the process making it (pid {dead_pid}) is gone"
    assert get_work(db, running)["status"] == "generating"
    assert get_work(db, slot_work)["status"] == "generating"
