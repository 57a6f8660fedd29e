"""The gallery in a real browser: Debian's chromium (Playwright) against `auria serve` over
three works made by the real pipeline."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from browser import chromium_page
from state.store import open_store
from state.works import list_works

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def served(tmp_path, write_config):
    """`auria serve` on a free port over a store of three previews; yields (url, works)."""
    config_path = write_config(f'data_dir = "{tmp_path / "data"}"\n[generator]\ndevice = "cpu"\n'
                               '[publish]\nplatforms = ["x"]\n')
    assert main(["--config", str(config_path), "preview", "--count", "3", "--seed", "11",
                 "--out", str(tmp_path / "preview")]) == 0
    works = list_works(open_store(load_config(config_path).db_path))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = open(tmp_path / "serve.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config_path), "serve", "--port", str(port)],
                              cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError((tmp_path / "serve.log").read_text())
                time.sleep(0.1)
        yield url, works
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
        log.close()


def test_the_gallery_shows_every_work_with_its_picture_haiku_and_alt_text(served, tmp_path):
    url, works = served
    assert len(works) == 3 and all(w["status"] == "preview" for w in works)
    with chromium_page() as page:
        complaints = []
        page.on("console", lambda message: complaints.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: complaints.append(str(error)))
        page.goto(url + "/", wait_until="load")
        _load_every_image(page)  # they load lazily: bring each into view, then wait for it

        images = page.evaluate("""() => [...document.querySelectorAll('article.work img')].map(img => ({
            src: img.getAttribute('src'), alt: img.getAttribute('alt'),
            decoded: img.complete && img.naturalWidth > 0, width: img.naturalWidth, height: img.naturalHeight}))""")
        assert len(images) == 3
        assert all(image["decoded"] for image in images), images
        assert {(i["width"], i["height"]) for i in images} == {(1080, 1350)}
        assert [i["alt"] for i in images] == [w["alt_text"] for w in works]  # newest first, as stored
        text = page.inner_text("main")
        for work in works:
            assert work["haiku"] in text
        screenshot = tmp_path / "gallery.png"
        page.screenshot(path=str(screenshot), full_page=True)
        assert screenshot.stat().st_size > 10_000

        # A work's page: the creative process, step by step, every picture decoded.
        page.click(f"#work-{works[0]['id']} a:text('how it was made')")
        page.wait_for_load_state("load")
        _load_every_image(page)
        assert page.url == f"{url}/works/{works[0]['id']}"
        assert page.eval_on_selector_all(".step h3", "hs => hs.map(h => h.textContent)") == [
            "poet", "painter", "stylist", "finish"]
        pictures = page.evaluate("""() => [...document.images].map(img => img.complete && img.naturalWidth > 0)""")
        assert len(pictures) == 4 and all(pictures)  # the work, and after painter, stylist, finish
        assert works[0]["haiku"].split("\n")[0] in page.inner_text(".single")
        assert complaints == [], "the pages load without a script error or a blocked resource"


def _load_every_image(page) -> None:
    page.evaluate("() => { for (const img of document.images) img.scrollIntoView(); window.scrollTo(0, 0); }")
    try:
        page.wait_for_function("() => [...document.images].every(img => img.complete)", timeout=10_000)
    except Exception:  # noqa: BLE001 - the assertions that follow say which image did not load
        pass
