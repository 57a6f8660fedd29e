"""The browser helper works: headless chromium loads a page served on loopback (under the
`no_network` guard), decodes its image and takes a screenshot."""
from __future__ import annotations

import base64
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

import browser

browser_page = browser.browser_page  # the helper's fixture, used by name below

ALT = "A red square, eight pixels by six."
TEXT = "moonlight on the snow"


def page_html() -> bytes:
    png = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(png, format="PNG")
    data = base64.b64encode(png.getvalue()).decode("ascii")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>stand-in</title></head><body>"
        f"<img id='art' alt='{ALT}' src='data:image/png;base64,{data}'>"
        f"<p id='poem'>{TEXT}</p></body></html>"
    ).encode("utf-8")


@pytest.fixture
def served_url():
    body = page_html()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body) if self.path == "/" else 0))
            self.end_headers()
            if self.path == "/":
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_chromium_loads_a_local_page_and_takes_a_screenshot(browser_page, served_url, tmp_path):
    page = browser_page
    page.goto(served_url)

    assert page.viewport_size == {"width": 1280, "height": 900}
    assert page.evaluate("document.getElementById('art').complete")
    assert page.evaluate("document.getElementById('art').naturalWidth") == 8
    assert page.get_attribute("#art", "alt") == ALT
    assert page.inner_text("#poem") == TEXT

    shot = tmp_path / "page.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 0
    with Image.open(shot) as image:
        assert image.size == (1280, 900)
