"""The gallery: `auria serve` (pages, pictures, JSON API, generation, /healthz, /metrics)
and `auria gallery export DIR`, over stores of works made by tests/gallery_fixtures.py.

The app runs in-process through Starlette's TestClient; one test starts the real server.
"""
from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.cli import main
from bot.config import Config, load_config
from core.errors import AuriaError
from bot.gallery.app import create_app
from bot.gallery.generate import GenerationError
from bot.schedule import slot_id, slots_between
from state.events import record_event
from state.posts import mark_needs_human, mark_posted, mark_retry, start_sending
from state.slots import claim_slot
from state.store import open_store, open_store_readonly
from state.works import get_work, update_work
from gallery_fixtures import POST_URL, SECRET_PATHS, STEP_ORDER, make_gallery_store

with warnings.catch_warnings():  # Starlette would rather have httpx2; httpx is what the tests install
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

REPO = Path(__file__).resolve().parents[1]
TOKEN = "gallery-token-5f2c1e9a"
# Seven works: index 0 is posted on X; failed, awaiting approval and draft ones stay private.
STATUSES = ["ready", "preview", "failed", "ready", "awaiting_approval", "draft", "ready"]
SHOWN_INDEXES = [i for i, s in enumerate(STATUSES) if s in ("ready", "preview")]
HIDDEN_INDEXES = [i for i, s in enumerate(STATUSES) if s not in ("ready", "preview")]


_EMPTY_STORE: list[Path] = []  # a freshly migrated store, copied rather than migrated again per test


@pytest.fixture(scope="session", autouse=True)
def _empty_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("empty") / "auria.db"
    open_store(path).close()
    _EMPTY_STORE[:] = [path]


def make_config(folder: Path, extra: str = "", store: bool = True) -> Config:
    """A config whose data folder is folder/data, posting on X; with an empty store unless
    `store` is False."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "auria.toml"
    path.write_text(f'data_dir = "{folder / "data"}"\n[publish]\nplatforms = ["x"]\n{extra}', encoding="utf-8")
    config = load_config(path)
    if store:
        config.db_path.parent.mkdir(parents=True)
        shutil.copyfile(_EMPTY_STORE[0], config.db_path)
    return config


def client_for(config, **kwargs) -> TestClient:
    app = create_app(config, open_store_readonly(config.db_path), **kwargs)
    return TestClient(app, raise_server_exceptions=False)


def artifact_bytes(config, sha: str, ext: str) -> bytes:
    return (Path(config.data_dir) / "artifacts" / sha[:2] / f"{sha}.{ext}").read_bytes()


def walk(client, url: str) -> list[list[int]]:
    """Follow the API's `next` links from `url`; the ids of each page."""
    pages = []
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.text)
        body = answer.json()
        pages.append([w["id"] for w in body["works"]])
        url = body["next"]
        assert len(pages) < 100, "the next links never end"
    return pages


class Links(HTMLParser):
    """Every link and picture of a page: [(tag, attrs)]."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def images(self) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == "img"]

    def urls(self) -> list[str]:
        return [attrs[name] for tag, attrs in self.tags for name in ("href", "src") if attrs.get(name)]


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakePreview:
    """make_preview(config, seed): writes a preview work as the child process would, with
    its own writable connection; returns its id."""

    def __init__(self, error: Exception | None = None):
        self.seeds: list[int] = []
        self.error = error

    def __call__(self, config, seed: int) -> int:
        self.seeds.append(seed)
        if self.error:
            raise self.error
        return make_gallery_store(config, 1, ["preview"], seed=seed, posted=None)[0]


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    """A store of seven works (four shown) and a client of the app over it, read-only:
    shared by the tests that only read."""
    config = make_config(tmp_path_factory.mktemp("gallery"))
    ids = make_gallery_store(config, len(STATUSES), STATUSES)
    db = open_store_readonly(config.db_path)
    client = TestClient(create_app(config, db, token=TOKEN, make_preview=FakePreview()),
                        raise_server_exceptions=False)
    yield SimpleNamespace(config=config, ids=ids, db=db, client=client,
                          shown=sorted((ids[i] for i in SHOWN_INDEXES), reverse=True),
                          hidden=[ids[i] for i in HIDDEN_INDEXES],
                          works={work_id: get_work(db, work_id) for work_id in ids})
    client.close()
    db.close()


@pytest.fixture(scope="module")
def big_gallery(tmp_path_factory):
    """26 works, every seventh failed: 23 shown, more than one page of the API's default 20."""
    config = make_config(tmp_path_factory.mktemp("big"))
    ids = make_gallery_store(config, 26, {i: "failed" for i in range(3, 26, 7)}, posted=None)
    client = client_for(config)
    shown = sorted((w for i, w in enumerate(ids) if i % 7 != 3), reverse=True)
    yield SimpleNamespace(config=config, ids=ids, client=client, shown=shown)
    client.close()


# Pages.


def test_the_index_lists_the_shown_works_newest_first_with_haiku_and_pictures(gallery):
    answer = gallery.client.get("/")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    html = answer.text
    positions = [html.index(f'id="work-{work_id}"') for work_id in gallery.shown]
    assert positions == sorted(positions), "newest first"
    for work_id in gallery.hidden:
        assert f'id="work-{work_id}"' not in html
        assert gallery.works[work_id]["haiku"].split("\n")[1] not in html
    images = {img["src"]: img for img in Links(html).images()}
    for work_id in gallery.shown:
        work = gallery.works[work_id]
        for line in work["haiku"].split("\n"):
            assert line in html
        src = f"/artifacts/{work['image_sha256']}.jpg"
        assert images[src]["alt"] == work["alt_text"]
        picture = gallery.client.get(src)
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
        assert picture.content == artifact_bytes(gallery.config, work["image_sha256"], "jpg")
        assert "immutable" in picture.headers["cache-control"]
    assert all(img.get("alt") for img in images.values()), "every picture has alt text"
    assert f'href="{POST_URL}"' in html, "the posted work links to its post"
    assert html.count("preview</span>") == 1


def test_the_index_pages_with_before(gallery):
    newest, *older = gallery.shown
    html = gallery.client.get(f"/?before={newest}").text
    assert f'id="work-{newest}"' not in html
    assert all(f'id="work-{work_id}"' in html for work_id in older)
    assert "No works yet." in gallery.client.get(f"/?before={gallery.shown[-1]}").text


@pytest.mark.parametrize("query", ["before=abc", "before=0", "limit=0", "limit=101", "page=2"])
def test_the_index_refuses_bad_parameters(gallery, query):
    answer = gallery.client.get(f"/?{query}")
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html")
    assert query.split("=")[0] in answer.text


def test_a_work_page_shows_its_steps_in_pipeline_order_with_seeds_seconds_and_pictures(gallery):
    work_id = gallery.ids[0]
    work = gallery.works[work_id]
    answer = gallery.client.get(f"/works/{work_id}")
    assert answer.status_code == 200
    html = answer.text
    positions = [html.index(f"<h3>{step}</h3>") for step in STEP_ORDER]
    assert positions == sorted(positions), "poet, painter, stylist, finish"
    for line in work["haiku"].split("\n"):
        assert line in html
    for name in STEP_ORDER:
        record = work["steps"][name]
        assert f"<td>seed</td><td>{record['seed']}</td>" in html
        assert f"{record['seconds']:.2f}" in html
    images = {img["src"]: img for img in Links(html).images()}
    pictures = [(work["steps"]["painter"]["outputs"]["image"], "png"), (work["steps"]["stylist"]["outputs"]["image"], "png"),
                (work["image_sha256"], "jpg")]
    for sha, ext in pictures:
        src = f"/artifacts/{sha}.{ext}"
        assert src in images and images[src]["alt"]
        picture = gallery.client.get(src)
        assert picture.status_code == 200
        assert picture.headers["content-type"] == {"png": "image/png", "jpg": "image/jpeg"}[ext]
        assert picture.content == artifact_bytes(gallery.config, sha, ext)
    (main,) = [img for img in Links(html).images() if img.get("class") == "main"]
    assert main["src"] == f"/artifacts/{work['image_sha256']}.jpg" and main["alt"] == work["alt_text"]
    assert f'href="{POST_URL}"' in html
    assert "“moon” → moon (sky)" in html


def test_unknown_and_private_work_pages_are_404(gallery):
    for path in ["/works/999", "/works/0", *(f"/works/{work_id}" for work_id in gallery.hidden)]:
        answer = gallery.client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("text/html")
    assert gallery.client.get("/works/abc").status_code == 404


def test_a_work_page_with_a_huge_id_is_404(gallery):
    answer = gallery.client.get("/works/99999999999999999999")
    assert answer.status_code == 404
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_haiku_and_alt_text_are_escaped(tmp_path):
    config = make_config(tmp_path)
    (work_id,) = make_gallery_store(config, 1)
    db = open_store(config.db_path)
    update_work(db, work_id, "edited", haiku="<script>alert(1)</script>\nsecond line\nthird line",
                alt_text='"><img src=x onerror=alert(1)>')
    db.close()
    client = client_for(config)
    for path in ["/", f"/works/{work_id}"]:
        html = client.get(path).text
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert any(img["alt"] == '"><img src=x onerror=alert(1)>' for img in Links(html).images())


# The JSON API.


def test_api_works_lists_the_shown_works_newest_first(gallery):
    answer = gallery.client.get("/api/works")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert [w["id"] for w in body["works"]] == gallery.shown and body["next"] is None
    first = next(w for w in body["works"] if w["id"] == gallery.ids[0])
    work = gallery.works[gallery.ids[0]]
    assert first["haiku"] == work["haiku"].split("\n") and len(first["haiku"]) == 3
    assert first["image"] == f"/artifacts/{work['image_sha256']}.jpg"
    assert first["page"] == f"/works/{work['id']}"
    assert first["posts"] == [{"platform": "x", "state": "posted", "url": POST_URL}]
    assert first["seconds"] == work["timings"]["total"]
    assert {k: first[k] for k in ("shape", "seed", "mood", "style", "alt_text", "status")} == \
        {k: work[k] for k in ("shape", "seed", "mood", "style", "alt_text", "status")}
    assert {w["status"] for w in body["works"]} == {"ready", "preview"}


def test_api_works_default_limit_is_20_and_the_next_links_walk_every_work_once(big_gallery):
    body = big_gallery.client.get("/api/works").json()
    assert [w["id"] for w in body["works"]] == big_gallery.shown[:20]
    assert body["next"] == f"/api/works?limit=20&before={big_gallery.shown[19]}"
    html = big_gallery.client.get("/").text
    assert html.count('class="work"') == 20
    (older,) = [attrs["href"] for tag, attrs in Links(html).tags if attrs.get("rel") == "next"]
    assert older == f"/?before={big_gallery.shown[19]}"
    assert big_gallery.client.get(older).text.count('class="work"') == len(big_gallery.shown) - 20
    for limit in (1, 2, 7, 20, 22, 23, 100):
        pages = walk(big_gallery.client, f"/api/works?limit={limit}")
        assert all(0 < len(page) <= limit for page in pages)
        assert len(pages) == -(-len(big_gallery.shown) // limit)
        assert [w for page in pages for w in page] == big_gallery.shown, f"limit {limit}: each work once, in order"


def test_api_works_before_starts_below_an_id(big_gallery):
    middle = big_gallery.shown[5]
    body = big_gallery.client.get(f"/api/works?before={middle}&limit=3").json()
    assert [w["id"] for w in body["works"]] == big_gallery.shown[6:9]
    hidden = next(w for w in big_gallery.ids if w not in big_gallery.shown)
    body = big_gallery.client.get(f"/api/works?before={hidden}&limit=100").json()
    assert [w["id"] for w in body["works"]] == [w for w in big_gallery.shown if w < hidden]
    assert big_gallery.client.get("/api/works?before=1").json() == {"works": [], "next": None}


@pytest.mark.parametrize("query, name", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("limit=", "limit"), ("limit=1.5", "limit"),
    ("before=-1", "before"), ("before=0", "before"), ("before=x", "before"), ("before=1e3", "before"),
    ("offset=2", "offset"), ("limit=5&page=2", "page"),
])
def test_api_works_refuses_bad_parameters_naming_them(gallery, query, name):
    answer = gallery.client.get(f"/api/works?{query}")
    assert answer.status_code == 400 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert list(body) == ["error"] and name in body["error"]


def test_api_work_detail_has_the_creative_process_without_server_paths(gallery):
    work = gallery.works[gallery.ids[0]]
    answer = gallery.client.get(f"/api/works/{work['id']}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == work["id"] and body["haiku"] == work["haiku"].split("\n")
    assert [s["step"] for s in body["steps"]] == list(STEP_ORDER)
    for step in body["steps"]:
        record = work["steps"][step["step"]]
        assert step["seed"] == record["seed"] and step["seconds"] == record["seconds"]
        assert step["models"] == record["models"] and step["inputs"] == record["inputs"]
        assert step["reused"] is False
        assert {name: out["sha256"] for name, out in step["outputs"].items()} == record["outputs"]
    outputs = {s["step"]: s["outputs"] for s in body["steps"]}
    assert outputs["painter"]["image"]["url"] == f"/artifacts/{work['steps']['painter']['outputs']['image']}.png"
    assert outputs["stylist"]["image"]["url"] == f"/artifacts/{work['steps']['stylist']['outputs']['image']}.png"
    assert outputs["finish"]["image"]["url"] == f"/artifacts/{work['image_sha256']}.jpg"
    assert "url" not in outputs["poet"]["haiku"] and "url" not in outputs["painter"]["plan"]
    assert "url" not in outputs["finish"]["alt_text"], "text artifacts are not served"
    stylist = next(s for s in body["steps"] if s["step"] == "stylist")["params"]
    assert stylist["strength"] == 1.0 and stylist["mood"] == work["mood"]
    assert "painting_path" not in stylist and "painting" not in stylist
    assert "painting_path" not in stylist["style"] and stylist["style"]["painting_id"].startswith("58c")
    assert stylist["references"] == ["hokusai"]
    assert "weights" not in body["params"]["poet"] and "data_dir" not in body["params"]
    assert body["params"]["poet"]["temperature"] == 0.8
    assert body["plan"] == {k: work["plan"][k] for k in ("time_of_day", "season", "placements")}
    assert body["timings"] == work["timings"]
    assert "image_path" not in body and "error" not in body


def test_api_work_unknown_private_and_non_numeric_ids(gallery):
    for work_id in [999, *gallery.hidden]:
        answer = gallery.client.get(f"/api/works/{work_id}")
        assert answer.status_code == 404 and answer.json() == {"error": f"no work {work_id}"}
    for bad in ["abc", "0", "-1", "1.0", "1e3", "9" * 13]:
        answer = gallery.client.get(f"/api/works/{bad}")
        assert answer.status_code == 400, bad
        assert "work id" in answer.json()["error"]


def test_private_works_are_absent_from_every_list(gallery):
    listed = [w for page in walk(gallery.client, "/api/works?limit=1") for w in page]
    assert listed == gallery.shown
    assert not set(listed) & set(gallery.hidden)


# Pictures.


@pytest.mark.parametrize("path", [
    "/artifacts/..%2F..%2Fauria.db", "/artifacts/..%2Fauria.db", "/artifacts/%2e%2e%2f%2e%2e%2fauria.db",
    "/artifacts/auria.db", "/artifacts/notahexname.jpg", "/artifacts/" + "g" * 64 + ".jpg",
    "/artifacts/" + "0" * 64 + ".jpg", "/artifacts/" + "0" * 63 + ".jpg", "/artifacts/" + "0" * 64 + ".jpg.jpg",
    "/artifacts/" + "0" * 64,
])
def test_the_artifacts_route_refuses_path_tricks(gallery, path):
    assert gallery.client.get(path).status_code == 404


def test_the_artifacts_route_serves_only_pictures_under_their_own_extension(gallery):
    work = gallery.works[gallery.ids[0]]
    steps = work["steps"]
    for sha, ext in [(steps["poet"]["outputs"]["haiku"], "txt"), (steps["painter"]["outputs"]["plan"], "json"),
                     (steps["finish"]["outputs"]["alt_text"], "txt")]:
        assert artifact_bytes(gallery.config, sha, ext), "the file is there"
        assert gallery.client.get(f"/artifacts/{sha}.{ext}").status_code == 404
        assert gallery.client.get(f"/artifacts/{sha}.jpg").status_code == 404
    sha = work["image_sha256"]
    assert gallery.client.get(f"/artifacts/{sha}.png").status_code == 404, "the JPEG under the PNG name"
    assert gallery.client.get(f"/artifacts/{sha.upper()}.jpg").status_code == 404
    assert gallery.client.get(f"/artifacts/{sha}.JPG").status_code == 404


# No leaks.


def _capture_serve(config, monkeypatch, **inject) -> dict:
    """Run `auria serve` with uvicorn.run stubbed: the app it would serve, the db it opened,
    the token it read, uvicorn's arguments."""
    import uvicorn

    import bot.gallery.app as gallery_app

    captured: dict = {}
    real = gallery_app.create_app

    def create(config, db, **kwargs):
        captured.update(db=db, token=kwargs.get("token"))
        return real(config, db, **{**kwargs, **inject})

    monkeypatch.setattr(gallery_app, "create_app", create)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: captured.update(app=app, run=kwargs))
    monkeypatch.setattr(gc, "freeze", lambda: None)  # should serve freeze the collector: not pytest's
    assert main(["--config", str(config.source), "serve"]) == 0
    return captured


def _forbidden(config, secrets: list[str]) -> list[str]:
    return [str(config.data_dir), str(Path(config.data_dir).resolve()), str(config.source.parent), *SECRET_PATHS,
            "image_path", "painting_path", *secrets]


def _assert_clean(where: str, data, forbidden: list[str]) -> None:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    for bad in forbidden:
        assert bad not in text, f"{where} shows {bad!r}"


def test_no_answer_or_exported_file_shows_a_server_path_or_a_secret(tmp_path, monkeypatch, capsys):
    x_key = "x-api-key-0b7d3f11"
    monkeypatch.setenv("AURIA_GALLERY_TOKEN", TOKEN)
    monkeypatch.setenv("AURIA_X_API_KEY", x_key)
    config = make_config(tmp_path / "site")
    ids = make_gallery_store(config, len(STATUSES), STATUSES)
    failing = FakePreview(GenerationError(f"{config.data_dir}/artifacts: cannot write; token {TOKEN} key {x_key}"))
    served = _capture_serve(config, monkeypatch, make_preview=FakePreview())
    assert served["token"] == TOKEN
    client = TestClient(served["app"], raise_server_exceptions=False)
    forbidden = _forbidden(config, [TOKEN, x_key])

    answers = []
    paths = ["/", "/?before=abc", "/?limit=0", f"/?before={ids[-1]}", "/works/999", "/works/abc", "/api/works",
             "/api/works?limit=1", "/api/works?limit=abc", "/api/works?secret=1", "/api/works/abc", "/api/works/999",
             "/healthz", "/metrics", "/nowhere", "/artifacts/..%2F..%2Fauria.db", "/artifacts/" + "0" * 64 + ".jpg"]
    paths += [f"/works/{work_id}" for work_id in ids] + [f"/api/works/{work_id}" for work_id in ids]
    for path in paths:
        answers.append((path, client.get(path)))
    for _, answer in list(answers):
        if answer.headers.get("content-type") == "application/json" and "steps" in answer.json():
            urls = [o["url"] for s in answer.json()["steps"] for o in s["outputs"].values() if "url" in o]
            answers += [(url, client.get(url)) for url in urls]
    for headers, body in [({}, None), ({"Authorization": "Bearer wrong"}, None), ({"Authorization": f"Basic {TOKEN}"}, None),
                          ({"Authorization": f"Bearer {TOKEN}"}, "not json"),
                          ({"Authorization": f"Bearer {TOKEN}"}, '{"seed": "x"}'),
                          ({"Authorization": f"Bearer {TOKEN}"}, '{"seed": 42}')]:
        answers.append(("POST /api/generate", client.post("/api/generate", headers=headers, content=body)))
    assert answers[-1][1].status_code == 201
    answers.append(("Location", client.get(answers[-1][1].headers["location"])))
    failing_client = TestClient(create_app(config, served["db"], token=TOKEN, make_preview=failing),
                                raise_server_exceptions=False)
    answers.append(("POST /api/generate (failing)", failing_client.post("/api/generate", headers={"Authorization": f"Bearer {TOKEN}"})))
    assert answers[-1][1].status_code == 500
    for where, answer in answers:
        _assert_clean(where, answer.content, forbidden)
        _assert_clean(f"{where} headers", json.dumps(dict(answer.headers)), forbidden)
    assert {a.status_code for _, a in answers} >= {200, 201, 400, 401, 404, 500}

    out = tmp_path / "export"
    assert main(["--config", str(config.source), "gallery", "export", str(out)]) == 0
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in files) and any(p.suffix == ".jpg" for p in files)
    for path in files:
        _assert_clean(str(path.relative_to(out)), path.read_bytes(), forbidden)
    capsys.readouterr()


# Generation.


def _generate(client, token=TOKEN, body=None, headers=None):
    if headers is None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/generate", headers=headers, content=body)


def test_generate_needs_the_bearer_token(tmp_path):
    config = make_config(tmp_path)
    make_gallery_store(config, 1)
    fake = FakePreview()
    client = client_for(config, token=TOKEN, make_preview=fake)
    for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {TOKEN}x"},
                    {"Authorization": f"Bearer {TOKEN[:-1]}"}, {"Authorization": "Bearer"},
                    {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Token {TOKEN}"},
                    {"Authorization": TOKEN}, {"X-Token": TOKEN}]:
        answer = client.post("/api/generate", headers=headers, json={"seed": 1})
        assert answer.status_code == 401, headers
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert "error" in answer.json() and TOKEN not in answer.text
    assert client.get("/api/generate").status_code == 405
    assert fake.seeds == [], "nothing was made"


def test_generate_is_off_without_a_token(tmp_path):
    config = make_config(tmp_path)
    make_gallery_store(config, 1)
    fake = FakePreview()
    client = client_for(config, token=None, make_preview=fake)
    for token in (TOKEN, None):
        answer = _generate(client, token)
        assert answer.status_code == 503 and "error" in answer.json()
    assert fake.seeds == []


def test_generate_makes_a_preview_work_and_answers_201_with_its_location(tmp_path):
    config = make_config(tmp_path)
    make_gallery_store(config, 2)
    fake = FakePreview()
    client = client_for(config, token=TOKEN, make_preview=fake)
    answer = _generate(client, body='{"seed": 42}', headers={"Authorization": f"bearer {TOKEN}",
                                                             "Content-Type": "application/json"})
    assert answer.status_code == 201, answer.text
    assert fake.seeds == [42]
    body = answer.json()
    assert body["id"] == 3 and body["status"] == "preview" and body["seed"] == 42
    assert [s["step"] for s in body["steps"]] == list(STEP_ORDER)
    assert answer.headers["location"] == "/api/works/3"
    assert client.get(answer.headers["location"]).json() == body
    assert client.get("/api/works").json()["works"][0]["id"] == 3
    answer = _generate(client)  # no body: a random seed
    assert answer.status_code == 201 and answer.json()["id"] == 4
    assert 0 <= fake.seeds[-1] < 2**31 and answer.json()["seed"] == fake.seeds[-1]
    assert _generate(client, body="{}").status_code == 201
    assert _generate(client, body=" \n").status_code == 201


@pytest.mark.parametrize("body", ["not json", "seed=42", '{"seed": "x"}', '{"seed": 42, "mood": "joyful"}', "[42]", "42",
                                  "null", '{"seed": true}', '{"seed": -1}', f'{{"seed": {2**31}}}', '{"seed": 4.5}',
                                  '{"seed": null}'])
def test_generate_refuses_a_bad_body(tmp_path, body):
    config = make_config(tmp_path)
    make_gallery_store(config, 1)
    fake = FakePreview()
    client = client_for(config, token=TOKEN, make_preview=fake)
    answer = _generate(client, body=body)
    assert answer.status_code == 400 and answer.headers["content-type"] == "application/json"
    assert list(answer.json()) == ["error"] and "seed" in answer.json()["error"]
    assert fake.seeds == []


def test_generate_is_rate_limited_per_hour(tmp_path):
    config = make_config(tmp_path, "[gallery]\ngenerate_per_hour = 2\n")
    make_gallery_store(config, 1)
    clock, fake = FakeClock(1000.0), FakePreview()
    client = client_for(config, token=TOKEN, make_preview=fake, clock=clock)
    for _ in range(3):  # refused requests do not count
        assert _generate(client, token="wrong").status_code == 401
        assert _generate(client, body="nope").status_code == 400
    assert _generate(client).status_code == 201
    clock.now += 10
    assert _generate(client).status_code == 201
    clock.now += 10
    answer = _generate(client)
    assert answer.status_code == 429 and "error" in answer.json()
    assert 3579 <= int(answer.headers["retry-after"]) <= 3601
    assert len(fake.seeds) == 2, "the third was not made"
    clock.now = 1000.0 + 3600.5  # an hour after the first, not yet after the second
    assert _generate(client).status_code == 201
    answer = _generate(client)
    assert answer.status_code == 429 and 1 <= int(answer.headers["retry-after"]) <= 11
    clock.now = 1010.0 + 3601
    assert _generate(client).status_code == 201
    assert len(fake.seeds) == 4


def test_generate_per_hour_0_turns_generation_off(tmp_path):
    config = make_config(tmp_path, "[gallery]\ngenerate_per_hour = 0\n")
    make_gallery_store(config, 1)
    fake = FakePreview()
    client = client_for(config, token=TOKEN, make_preview=fake, clock=FakeClock())
    answer = _generate(client)
    assert answer.status_code == 503 and "generate_per_hour is 0" in answer.json()["error"]
    assert fake.seeds == []


def test_a_failed_generation_is_500_with_a_generic_message(tmp_path, caplog):
    config = make_config(tmp_path)
    make_gallery_store(config, 1)
    detail = f"work 2 failed: stylist: cannot read {config.data_dir}/artifacts/ab/x.png"
    fake = FakePreview(GenerationError(detail))
    client = client_for(config, token=TOKEN, make_preview=fake)
    with caplog.at_level("ERROR", logger="auria.gallery"):
        answer = _generate(client, body='{"seed": 7}')
    assert answer.status_code == 500 and answer.headers["content-type"] == "application/json"
    assert list(answer.json()) == ["error"]
    assert "cannot read" not in answer.text and str(config.data_dir) not in answer.text and "stylist" not in answer.text
    assert detail in caplog.text, "the details go to the server's log"
    assert fake.seeds == [7]
    fake.error = None
    assert _generate(client).status_code == 201, "the next request works"


# The store is read-only.


def test_the_readonly_store_refuses_writes(tmp_path):
    config = make_config(tmp_path)
    make_gallery_store(config, 1)
    db = open_store_readonly(config.db_path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("INSERT INTO events (at, kind) VALUES ('2026-01-01T00:00:00+00:00', 'x')")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("UPDATE works SET status = 'failed'")
    assert get_work(db, 1)["status"] == "ready"


def test_a_missing_store_is_an_error_naming_it(tmp_path):
    path = tmp_path / "data" / "auria.db"
    with pytest.raises(AuriaError, match="no store yet") as error:
        open_store_readonly(path)
    assert str(path) in str(error.value)
    assert not path.parent.exists(), "reading creates nothing"


def test_serve_opens_the_store_read_only(tmp_path, monkeypatch):
    config = make_config(tmp_path)
    make_gallery_store(config, 2)
    served = _capture_serve(config, monkeypatch)
    assert served["run"]["host"] == "127.0.0.1" and served["run"]["port"] == 8080
    assert served["token"] is None
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        served["db"].execute("DELETE FROM works")
    client = TestClient(served["app"])
    assert [w["id"] for w in client.get("/api/works").json()["works"]] == [2, 1]


def test_serve_without_a_store_exits_2_with_one_line(tmp_path, capsys):
    config = make_config(tmp_path, store=False)
    assert main(["--config", str(config.source), "serve"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("auria: error: ") and err.count("\n") == 1 and "no store yet" in err
    assert str(config.db_path) in err and "Traceback" not in err
    assert not Path(config.data_dir).exists()
    assert main(["--config", str(config.source), "gallery", "export", str(tmp_path / "out")]) == 2
    assert "no store yet" in capsys.readouterr().err


def test_serve_refuses_a_bad_port(tmp_path, capsys):
    config = make_config(tmp_path)
    make_gallery_store(config, 1)
    assert main(["--config", str(config.source), "serve", "--port", "0"]) == 2
    assert "--port" in capsys.readouterr().err


# /healthz.


def _health_config(tmp_path):
    """One slot a day, about five hours ago; overdue after one hour."""
    now = datetime.now(timezone.utc)
    at = (now - timedelta(hours=5)).strftime("%H:%M")
    config = make_config(tmp_path, f'[schedule]\ntimes = ["{at}"]\ngrace_hours = 1\n')
    slot = slots_between(config.schedule.times, config.timezone, now - timedelta(days=2), now)[-1]
    return config, slot_id(slot)


def _daemon_started(db, days_ago: float) -> None:
    event_id = record_event(db, "daemon_started", None, pid=1)
    at = (datetime.now(timezone.utc) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    with db.atomic():
        db.execute("UPDATE events SET at = ? WHERE id = ?", [at, event_id])


def test_healthz_is_ok_when_no_slot_is_owed(tmp_path):
    config, _ = _health_config(tmp_path)
    make_gallery_store(config, 2)
    answer = client_for(config).get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "problems": []}


def test_healthz_is_ok_when_the_latest_slot_is_posted_and_503_when_it_is_overdue(tmp_path):
    config, sid = _health_config(tmp_path)
    make_gallery_store(config, 1, posted=None)
    db = open_store(config.db_path)
    _daemon_started(db, 2)
    client = client_for(config)
    answer = client.get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unhealthy" and len(body["problems"]) == 1
    assert body["problems"][0].startswith(f"slot {sid} is overdue: not posted on x ")

    work_id, _ = claim_slot(db, sid)
    update_work(db, work_id, "work_generated", status="ready", haiku="a\nb\nc")
    assert client.get("/healthz").status_code == 503, "made but not posted"
    mark_posted(db, start_sending(db, work_id, "x"), "9", "https://x.com/auria_bot/status/9")
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "problems": []}
    db.close()


def test_healthz_is_503_when_a_post_needs_a_human(tmp_path):
    config = make_config(tmp_path)
    ids = make_gallery_store(config, 2, posted=None)
    client = client_for(config)
    assert client.get("/healthz").status_code == 200
    db = open_store(config.db_path)
    mark_needs_human(db, start_sending(db, ids[1], "x"), "x: HTTP 401 Unauthorized (credentials rejected)")
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unhealthy", "problems": [
        f"work {ids[1]} on x needs a human: x: HTTP 401 Unauthorized (credentials rejected)"]}
    session = config.data_dir / "instagram-session.json"
    mark_needs_human(db, start_sending(db, ids[0], "instagram"), f"instagram: {session} is unreadable; see /etc/auria")
    problems = client.get("/healthz").json()["problems"]
    assert f"work {ids[0]} on instagram needs a human: instagram: <data>/instagram-session.json is unreadable; " \
           "see <path>" in problems
    assert str(config.data_dir) not in str(problems)
    db.close()


# /metrics.


def test_metrics_in_prometheus_text_format(tmp_path):
    config = make_config(tmp_path)
    ids = make_gallery_store(config, 5, ["ready", "preview", "failed", "ready", "awaiting_approval"])
    db = open_store(config.db_path)
    mark_retry(db, start_sending(db, ids[1], "x"), "x: HTTP 503", "2099-01-01T00:00:00+00:00")
    mark_needs_human(db, start_sending(db, ids[3], "instagram"), "Instagram: challenge")
    totals = [get_work(db, work_id)["timings"]["total"] for work_id in ids]
    db.close()
    answer = client_for(config).get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}

    works = {s.labels["status"]: s.value for s in families["auria_works"].samples}
    assert families["auria_works"].type == "gauge"
    assert works == {"ready": 2, "preview": 1, "failed": 1, "awaiting_approval": 1}
    posts = {(s.labels["platform"], s.labels["state"]): s.value for s in families["auria_posts"].samples}
    assert posts == {("x", "posted"): 1, ("x", "retry"): 1, ("instagram", "needs_human"): 1}
    (last,) = families["auria_last_post_timestamp_seconds"].samples
    assert last.labels == {"platform": "x"} and abs(last.value - time.time()) < 120

    histogram = families["auria_generation_seconds"]
    assert histogram.type == "histogram"
    samples = {(s.name, s.labels.get("le")): s.value for s in histogram.samples}
    assert samples[("auria_generation_seconds_count", None)] == len(totals)
    assert samples[("auria_generation_seconds_sum", None)] == pytest.approx(sum(totals))
    assert samples[("auria_generation_seconds_bucket", "+Inf")] == len(totals)
    for (name, le), value in samples.items():
        if name.endswith("_bucket") and le != "+Inf":
            assert value == sum(t <= float(le) for t in totals), le
    assert samples[("auria_generation_seconds_bucket", "5")] not in (0, len(totals)), "the totals span buckets"


def test_metrics_of_an_empty_store(tmp_path):
    config = make_config(tmp_path)
    open_store(config.db_path).close()
    answer = client_for(config).get("/metrics")
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    assert families["auria_works"].samples == [] and families["auria_posts"].samples == []
    samples = {s.name: s.value for s in families["auria_generation_seconds"].samples}
    assert samples["auria_generation_seconds_count"] == 0 and samples["auria_generation_seconds_sum"] == 0


# Headers.


def test_every_answer_has_the_security_headers(gallery):
    work = gallery.works[gallery.ids[0]]
    for method, path in [("GET", "/"), ("GET", f"/works/{work['id']}"), ("GET", f"/artifacts/{work['image_sha256']}.jpg"),
                         ("GET", "/api/works"), ("GET", f"/api/works/{work['id']}"), ("GET", "/api/works?limit=0"),
                         ("GET", "/api/works/999"), ("GET", "/healthz"), ("GET", "/metrics"), ("GET", "/nowhere"),
                         ("POST", "/api/generate"), ("GET", "/works/999")]:
        answer = gallery.client.request(method, path)
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert "default-src 'none'" in answer.headers["content-security-policy"], path
        assert answer.headers["x-frame-options"] == "DENY", path
        assert "server" not in answer.headers or "uvicorn" not in answer.headers["server"]


# The static export.


def test_export_writes_pages_pictures_and_json_whose_links_resolve(tmp_path, monkeypatch, capsys):
    import bot.gallery.export as export

    monkeypatch.setattr(export, "PAGE_SIZE", 2)  # so the index has pages too
    config = make_config(tmp_path / "site")
    ids = make_gallery_store(config, len(STATUSES), STATUSES)
    shown = sorted((ids[i] for i in SHOWN_INDEXES), reverse=True)
    hidden = [ids[i] for i in HIDDEN_INDEXES]
    out = tmp_path / "export"
    assert main(["--config", str(config.source), "gallery", "export", str(out)]) == 0
    assert capsys.readouterr().out.strip().startswith(f"{out}: {len(shown)} works on 2 pages")

    assert (out / "index.html").is_file() and (out / f"before-{shown[1]}.html").is_file()
    assert (out / "api" / "works.json").is_file()
    for work_id in shown:
        assert (out / "works" / f"{work_id}.html").is_file() and (out / "api" / "works" / f"{work_id}.json").is_file()
    for work_id in hidden:
        assert not (out / "works" / f"{work_id}.html").exists() and not (out / "api" / "works" / f"{work_id}.json").exists()

    root = out.resolve()
    pictures_linked = set()
    for page in out.rglob("*.html"):
        for url in Links(page.read_text(encoding="utf-8")).urls():
            if url == "data:,":  # the empty favicon: no request for /favicon.ico
                continue
            if url.startswith(("https://", "http://")):
                assert url == POST_URL, f"{page.name}: {url}"
                continue
            assert not url.startswith(("/", "#", "?")), f"{page.name}: {url} is not relative to the file"
            target = (page.parent / url).resolve()
            assert target.is_relative_to(root) and target.is_file(), f"{page.relative_to(out)}: {url} does not resolve"
            if target.parent == root / "artifacts":
                pictures_linked.add(target.name)
    shipped = {p.name for p in (out / "artifacts").iterdir()}
    assert pictures_linked == shipped, "every picture copied is used, every one used is copied"
    reader = open_store_readonly(config.db_path)
    works = {work_id: get_work(reader, work_id) for work_id in ids}
    reader.close()
    for work_id in shown:
        sha = works[work_id]["image_sha256"]
        assert (out / "artifacts" / f"{sha}.jpg").read_bytes() == artifact_bytes(config, sha, "jpg")
        assert f"{works[work_id]['steps']['painter']['outputs']['image']}.png" in shipped
    for work_id in hidden:
        assert f"{works[work_id]['image_sha256']}.jpg" not in shipped, "a private work's picture is not exported"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="before-{shown[1]}.html"' in index

    listing = json.loads((out / "api" / "works.json").read_text(encoding="utf-8"))
    assert [w["id"] for w in listing["works"]] == shown and listing["next"] is None
    detail = json.loads((out / "api" / "works" / f"{ids[0]}.json").read_text(encoding="utf-8"))
    assert [s["step"] for s in detail["steps"]] == list(STEP_ORDER)
    assert detail["image"] == f"artifacts/{works[ids[0]]['image_sha256']}.jpg"
    forbidden = [str(config.data_dir), *SECRET_PATHS, "image_path", "painting_path"]
    for path in (out / "api").rglob("*.json"):
        _assert_clean(str(path), path.read_text(encoding="utf-8"), forbidden)

    assert main(["--config", str(config.source), "gallery", "export", str(out)]) == 0, "again, over itself"
    assert "0 pictures copied" in capsys.readouterr().out


# The real server.


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_auria_serve_answers_over_http_and_stops_on_sigterm(tmp_path):
    config = make_config(tmp_path)
    ids = make_gallery_store(config, 3)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config.source), "serve", "--port", str(port)],
                              cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never through a proxy
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with opener.open(f"{base}/healthz", timeout=2) as answer:
                    assert answer.status == 200 and json.load(answer)["status"] == "ok"
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not answer within 30 s"
                time.sleep(0.05)
        with opener.open(f"{base}/api/works", timeout=5) as answer:
            assert answer.status == 200 and answer.headers["X-Content-Type-Options"] == "nosniff"
            works = json.load(answer)["works"]
        assert [w["id"] for w in works] == sorted(ids, reverse=True)
        with opener.open(f"{base}{works[0]['image']}", timeout=5) as answer:
            assert answer.headers["Content-Type"] == "image/jpeg"
            assert answer.read() == artifact_bytes(config, works[0]["image"].split("/")[-1][:-4], "jpg")
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(urllib.request.Request(f"{base}/api/generate", data=b"", method="POST"), timeout=5)
        assert refused.value.code == 503, "no gallery_token: generation is off"
    finally:
        server.send_signal(signal.SIGTERM)
        started = time.monotonic()
        try:
            code = server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            raise
        log.close()
    assert time.monotonic() - started < 5, "it stops promptly"
    assert code in (0, -signal.SIGTERM), code
    output = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in output and "Shutting down" in output


def test_healthz_masks_a_secret_in_a_stored_error(tmp_path, monkeypatch):
    token = "mastodon-token-0123456789"
    monkeypatch.setenv("AURIA_MASTODON_ACCESS_TOKEN", token)
    config = make_config(tmp_path)
    ids = make_gallery_store(config, 1, posted=None)
    db = open_store(config.db_path)
    mark_needs_human(db, start_sending(db, ids[0], "x"), f"x: rejected header 'Bearer {token}'")
    answer = client_for(config).get("/healthz")
    assert token not in answer.text and "Bearer ***" in answer.text


def test_only_https_post_urls_become_links_and_exported_pages_carry_a_csp(tmp_path):
    config = make_config(tmp_path)
    ids = make_gallery_store(config, 2, posted=None)
    db = open_store(config.db_path)
    mark_posted(db, start_sending(db, ids[0], "x"), "1", "javascript:alert(document.domain)")
    mark_posted(db, start_sending(db, ids[1], "x"), "2", "https://x.com/auria_bot/status/2")
    db.close()
    client = client_for(config)
    page = client.get("/").text
    assert "javascript:" not in page and 'href="https://x.com/auria_bot/status/2"' in page
    assert client.get(f"/api/works/{ids[0]}").json()["posts"][0]["url"] is None
    out = tmp_path / "export"
    assert main(["--config", str(config.source), "gallery", "export", str(out)]) == 0
    exported = (out / "index.html").read_text()
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'' in exported


def test_a_500_carries_the_security_headers(tmp_path, monkeypatch):
    import bot.gallery.app

    config = make_config(tmp_path)
    make_gallery_store(config, 1)

    def broken(db):
        raise RuntimeError("the metrics broke")

    monkeypatch.setattr(bot.gallery.app, "metrics_text", broken)
    answer = client_for(config).get("/metrics")
    assert answer.status_code == 500 and answer.json() == {"error": "internal error (the server's log says why)"}
    assert answer.headers["x-frame-options"] == "DENY" and "default-src 'none'" in answer.headers["content-security-policy"]
