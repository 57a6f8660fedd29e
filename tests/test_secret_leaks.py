"""Known secrets fed to every command that touches them never appear in any output:
stdout, stderr, logs (DEBUG included), exceptions, the store (works, posts, events) or
the files a dry run writes."""
from __future__ import annotations

import logging

import pytest
import responses

from bot.cli import main
from core.secrets import SECRET_NAMES
from state.store import open_store

SECRETS = {name: f"S3CRET-{name.upper()}-7f3a9c" for name in SECRET_NAMES}
UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


@pytest.fixture
def leaky_world(monkeypatch, write_config, tmp_path):
    for name, value in SECRETS.items():
        monkeypatch.setenv(f"AURIA_{name.upper()}", value)
    config = write_config('data_dir = "data"\n[generator]\ndevice = "cpu"\n[publish]\nplatforms = ["x"]\n')
    return config, tmp_path / "data"


def _everything_written(data_dir, *folders) -> str:
    texts = []
    db = open_store(data_dir / "auria.db")
    for table in ("works", "posts", "events"):
        texts += [str(row) for row in db.query(f"SELECT * FROM {table}")]
    for folder in (data_dir, *folders):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".txt", ".json", ".html", ".toml", ".log", ""):
                texts.append(path.read_text(errors="replace"))
    return "\n".join(texts)


def _assert_clean(*texts):
    blob = "\n".join(texts)
    for name, value in SECRETS.items():
        assert value not in blob, f"the secret {name} leaked"


def test_no_secret_in_any_output_of_post_now_preview_and_checks(leaky_world, capsys, caplog, tmp_path):
    config, data_dir = leaky_world
    caplog.set_level(logging.DEBUG)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        http.post("https://api.x.com/2/media/upload", json=UNAUTHORIZED, status=401)
        http.get("https://api.twitter.com/2/users/me", json=UNAUTHORIZED, status=401)
        assert main(["--config", str(config), "post-now", "--seed", "4"]) == 1
        assert main(["--config", str(config), "accounts", "check"]) == 1
    assert main(["--config", str(config), "preview", "--seed", "5", "--out", str(tmp_path / "preview"),
                 "--haiku", "winter moon / over the city street / a lamp"]) == 0
    assert main(["--config", str(config), "config", "check"]) == 0
    out, err = capsys.readouterr()
    assert "x: needs a human" in out and "secret x_api_key: set" in out
    logs = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    _assert_clean(out, err, logs, _everything_written(data_dir, tmp_path / "preview"))


def test_secrets_in_a_platform_error_body_are_masked(leaky_world, capsys, caplog):
    # A platform that echoes a credential back in its error must not make us print it.
    config, data_dir = leaky_world
    caplog.set_level(logging.DEBUG)
    echo = {"title": "Forbidden", "status": 403, "detail": f"token {SECRETS['x_access_token']} may not post"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        http.post("https://api.x.com/2/media/upload", json={"data": {"id": "77", "media_key": "3_77"}})
        http.post("https://api.x.com/2/media/metadata", json={"data": {"associated_metadata": True}})
        http.post("https://api.twitter.com/2/tweets", json=echo, status=403)
        assert main(["--config", str(config), "post-now", "--seed", "6"]) == 1
    out, err = capsys.readouterr()
    logs = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    _assert_clean(out, err, logs, _everything_written(data_dir))
