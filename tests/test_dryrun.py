"""Captions, the dry-run publisher, and `auria preview` / `post-now --dry-run` / `remake`."""
from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from PIL import Image

from bot.cli import main
from state.store import open_store
from state.works import list_works

POND = "an old silent pond / a frog jumps into the pond / splash! silence again"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.text = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def cfg_file(write_config):
    return write_config('data_dir = "data"\n[generator]\ndevice = "cpu"\n[publish]\nsignature = "Auria"\n')


def test_preview_writes_every_platform_post_and_an_index(cfg_file, tmp_path, capsys):
    out = tmp_path / "preview"
    code = main(["--config", str(cfg_file), "preview", "--out", str(out), "--seed", "21", "--haiku", POND])
    assert code == 0
    printed = capsys.readouterr().out
    assert "an old silent pond" in printed and f"preview: {out / 'index.html'}" in printed
    works = list_works(open_store(tmp_path / "data" / "auria.db"))
    assert len(works) == 1 and works[0]["status"] == "preview"
    folder = out / f"work-{works[0]['id']}"
    assert Image.open(folder / "image.jpg").size == (1080, 1350)
    assert (folder / "alt.txt").read_text().strip() == works[0]["alt_text"]
    for platform in ("x", "instagram"):
        assert (folder / f"caption-{platform}.txt").read_text().startswith("an old silent pond\n")
    post = json.loads((folder / "post.json").read_text())
    x = post["platforms"]["x"]["requests"]
    assert x["1_media_upload"]["url"] == "https://api.x.com/2/media/upload"
    assert x["1_media_upload"]["multipart"]["media_category"] == "tweet_image"
    assert x["2_media_metadata"]["json"]["metadata"]["alt_text"]["text"] == works[0]["alt_text"]
    assert x["3_create_tweet"]["json"]["text"] == post["platforms"]["x"]["caption"]
    ig = post["platforms"]["instagram"]["requests"]["1_photo_upload"]
    assert ig["extra_data"]["custom_accessibility_caption"] == works[0]["alt_text"]
    page = _Page()
    page.feed((out / "index.html").read_text())
    assert len(page.images) == 2 and all(img["alt"] == works[0]["alt_text"] for img in page.images)
    assert all((out / img["src"]).is_file() for img in page.images)
    assert "splash! silence again" in "".join(page.text)


def test_preview_medium_paints_in_that_medium_and_says_so(cfg_file, tmp_path, capsys):
    out = tmp_path / "ink"
    assert main(["--config", str(cfg_file), "preview", "--out", str(out), "--seed", "5", "--haiku", POND,
                 "--medium", "sumi-e"]) == 0
    assert ", sumi-e, ink and wash on rice paper)" in capsys.readouterr().out
    work = list_works(open_store(tmp_path / "data" / "auria.db"))[0]
    assert work["alt_text"].startswith("A sumi-e ink painting of ")
    assert main(["--config", str(cfg_file), "preview", "--medium", "fresco"]) == 2
    assert "invalid choice: 'fresco'" in capsys.readouterr().err


def test_preview_count_makes_distinct_works_from_consecutive_seeds(cfg_file, tmp_path):
    out = tmp_path / "p"
    assert main(["--config", str(cfg_file), "preview", "--out", str(out), "--seed", "40", "--count", "2", "--haiku", POND]) == 0
    works = list_works(open_store(tmp_path / "data" / "auria.db"))
    assert sorted(w["seed"] for w in works) == [40, 41]
    assert works[0]["image_sha256"] != works[1]["image_sha256"]


def test_post_now_needs_credentials_or_dry_run_and_writes_to_the_data_dir(cfg_file, tmp_path, capsys):
    assert main(["--config", str(cfg_file), "post-now"]) == 2  # no X credentials: nothing is made
    err = capsys.readouterr().err
    assert err.startswith("auria: error: ") and "AURIA_X_API_KEY" in err
    assert list_works(open_store(tmp_path / "data" / "auria.db")) == []
    assert main(["--config", str(cfg_file), "post-now", "--dry-run", "--seed", "3"]) == 0
    work = list_works(open_store(tmp_path / "data" / "auria.db"))[0]
    assert (tmp_path / "data" / "dry-run" / f"work-{work['id']}" / "index.html").is_file()
    assert (tmp_path / "data" / "dry-run" / f"work-{work['id']}" / f"work-{work['id']}" / "post.json").is_file()


def test_remake_from_a_step_on_the_command_line(cfg_file, tmp_path, capsys):
    assert main(["--config", str(cfg_file), "preview", "--out", str(tmp_path / "a"), "--seed", "5", "--haiku", POND,
                 "--mood", "sadness"]) == 0
    first = list_works(open_store(tmp_path / "data" / "auria.db"))[0]
    assert main(["--config", str(cfg_file), "remake", str(first["id"]), "--from-step", "stylist", "--mood", "fear"]) == 0
    second = list_works(open_store(tmp_path / "data" / "auria.db"))[0]
    assert second["mood"] == "fear" and second["haiku"] == first["haiku"]
    assert second["steps"]["painter"]["reused"] is True
    assert main(["--config", str(cfg_file), "remake", "999", "--from-step", "stylist"]) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["preview", "--count", "0"], "--count must be at least 1"),
        (["preview", "--haiku", " / / "], "--haiku needs 1 to 5 lines"),
        (["preview", "--mood", "glee"], "unknown mood 'glee'"),
    ],
)
def test_bad_preview_arguments_are_one_line_errors(cfg_file, capsys, args, message):
    assert main(["--config", str(cfg_file), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("auria: error: ") and message in err and err.count("\n") == 1
