"""The daemon posting each slot to X and Mastodon, through crashes and an outage of one.

As tests/test_daemon_faults.py (the real `auria run` in a subprocess, a real SQLite file,
SIGKILL to the process group, restart), with publish.platforms = ["x", "mastodon"]: the
launcher sends X's traffic to a fake X and https://mastodon.test's to a fake Mastodon
(tests/fake_mastodon.py), both on 127.0.0.1, through the real tweepy and Mastodon.py.
Each test checks the promises per platform: exactly one post on each for the slot, each
recorded posted with its remote id, and no work lost.

A few in-process checks first: the fake Mastodon answers the real adapter as Mastodon would.
"""
from __future__ import annotations

import functools
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from PIL import Image

from bot.config import Config, PublishConfig, load_config
from fake_mastodon import HOST, PUBLIC, TOKEN, FakeMastodon, content_html
from fake_x import FakeX, RedirectAdapter, UnexpectedHost
from publishers import mastodon as mastodon_module
from publishers.base import NeedsHumanError, PermanentError, Post, PublishResult
from publishers.captions import caption
from publishers.mastodon import MastodonPublisher, html_to_text
from state.events import events_for
from state.posts import mark_posted, posts_for, start_sending
from test_daemon_faults import LAUNCHER, ROOT, X_SECRETS, Bot, minute

VERIFY = ("GET", "/api/v1/accounts/verify_credentials")
TIMELINE = ("GET", "/api/v1/accounts/1/statuses")
STATUS_POST = ("POST", "/api/v1/statuses")
MEDIA_POST = ("POST", "/api/v2/media")
INSTANCE = ("GET", "/api/v2/instance/")  # the status length, asked before the caption is cut


class TwoPlatformBot(Bot):
    """Bot with publish.platforms = ["x", "mastodon"] and a fake Mastodon beside the fake X."""

    def __init__(self, tmp_path: Path, x: FakeX, mastodon: FakeMastodon, times: list[datetime]):
        super().__init__(tmp_path, x, times)
        self.mastodon = mastodon
        text = self.config_path.read_text()
        both = text.replace('platforms = ["x"]\n', f'platforms = ["x", "mastodon"]\nmastodon_url = "{PUBLIC}"\n')
        assert both != text, "Bot's config changed: update this replacement"
        self.config_path.write_text(both)
        self.config = load_config(self.config_path)

    def seed(self, slot: datetime) -> int:
        work_id = super().seed(slot)
        mark_posted(self.db, start_sending(self.db, work_id, "mastodon"), "900", f"{PUBLIC}/@auria/900")
        return work_id

    def start(self, **env) -> subprocess.Popen:
        self.runs += 1
        self.log = self.tmp_path / f"daemon-{self.runs}.log"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("AURIA_")}
        full_env.update(X_SECRETS, AURIA_MASTODON_ACCESS_TOKEN=self.mastodon.token, PYTHONPATH=str(ROOT), **env)
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(LAUNCHER), self.fake.base_url, "--mastodon", self.mastodon.base_url,
                 "--config", str(self.config_path), "run"],
                cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self.proc

    def post_state(self, slot: datetime, platform: str = "x") -> str | None:
        work = self.work(slot)
        return posts_for(self.db, work["id"]).get(platform, {}).get("state") if work else None

    def all_posted(self, slot: datetime) -> bool:
        return self.post_state(slot) == "posted" and self.post_state(slot, "mastodon") == "posted"

    def finish(self, slot: datetime) -> dict:
        """Wait for both posts, stop the daemon with SIGTERM, check both promises."""
        self.wait_for("both platforms posted", lambda: self.all_posted(slot), timeout=120)
        self.stop()
        return self.assert_posted_once_each(slot)

    def assert_posted_once_each(self, slot: datetime) -> dict:
        work = self.assert_posted_once(slot, works=2)  # X, and the works and the picture kept
        post = posts_for(self.db, work["id"])["mastodon"]
        statuses = self.mastodon.statuses
        assert len(statuses) == 1, statuses
        [status] = statuses
        assert work["haiku"].split("\n")[0] in status["text"]
        assert status["idempotency_key"] == post["idempotency_key"] and len(post["idempotency_key"]) == 13
        assert (post["state"], post["remote_id"]) == ("posted", status["id"])
        assert post["url"] == f"{PUBLIC}/@auria/{status['id']}"
        [upload] = self.mastodon.uploads
        assert status["media_ids"] == [upload["id"]] and upload["description"] == work["alt_text"]
        assert self.mastodon.calls.count(STATUS_POST) == 1
        assert self.mastodon.errors == []
        return work


@pytest.fixture
def due(tmp_path):
    """A two-platform bot whose slot passed two minutes ago, yesterday's slot posted on both."""
    with FakeX() as x, FakeMastodon() as mastodon:
        slot = minute(datetime.now(timezone.utc)) - timedelta(minutes=2)
        bot = TwoPlatformBot(tmp_path, x, mastodon, [slot])
        bot.seed(slot - timedelta(days=1))
        yield bot, slot
        if bot.proc and bot.proc.poll() is None:
            bot.kill()


# -- the fake Mastodon against the real adapter, in process ---------------------------------

@pytest.fixture
def publisher(monkeypatch, tmp_path):
    """The real MastodonPublisher, its Mastodon.py session sent to a fake Mastodon."""
    monkeypatch.setenv("AURIA_MASTODON_ACCESS_TOKEN", TOKEN)
    with FakeX() as x, FakeMastodon() as mastodon:
        session = requests.Session()
        session.mount("https://", RedirectAdapter(x.base_url, extra={HOST: mastodon.base_url}))
        monkeypatch.setattr(mastodon_module, "Mastodon", functools.partial(mastodon_module.Mastodon, session=session))
        config = Config(data_dir=tmp_path / "data", publish=PublishConfig(platforms=["mastodon"], mastodon_url=PUBLIC))
        publisher = MastodonPublisher(config)
        publisher.fake, publisher.session = mastodon, session
        yield publisher
        assert mastodon.errors == [] and x.calls == []


def make_post(tmp_path: Path) -> Post:
    lines = ["old pond, still", "a frog's leap into the dusk", "the water answers"]
    path = tmp_path / "work-7.jpg"
    Image.new("RGB", (64, 64), (40, 90, 70)).save(path, "JPEG", quality=90)
    return Post(work_id=7, lines=lines, image_path=path, alt_text="A frog over a pond.",
                caption=caption("mastodon", lines, "Auria", ["haiku", "aiart"]), key="3kq2ahhxylj2a")


def test_the_fake_mastodon_posts_finds_and_honours_the_idempotency_key(publisher, tmp_path):
    post = make_post(tmp_path)
    result = publisher.publish(post)
    [status] = publisher.fake.statuses
    assert result == PublishResult(status["id"], f"{PUBLIC}/@auria/{status['id']}")
    assert status["text"] == post.caption and status["visibility"] == "public"
    assert publisher.find_existing(post) == result
    assert publisher.publish(post) == result, "the same Idempotency-Key: the same status"
    assert len(publisher.fake.statuses) == 1 and len(publisher.fake.uploads) == 2
    assert publisher.fake.keys_replayed == 1
    assert publisher.check() == f"@auria@{HOST}"
    assert publisher.fake.calls[:5] == [INSTANCE, MEDIA_POST, STATUS_POST, VERIFY, TIMELINE]


def test_the_adapter_reads_the_fake_mastodons_status_length(publisher, tmp_path):
    lines = [("an old pond at dusk " * 16).strip(), ("a frog leaps into the dark " * 10).strip(), "splash"]
    post = make_post(tmp_path)
    publisher.fake.max_characters = 1000
    text = caption("mastodon", lines, "Auria", ["haiku"], limit=publisher.caption_limit())
    assert 500 < len(text) <= 1000 and text.startswith("\n".join(lines))
    publisher.publish(Post(post.work_id, lines, post.image_path, post.alt_text, text, post.key))
    assert [s["text"] for s in publisher.fake.statuses] == [text]
    assert publisher.fake.calls.count(INSTANCE) == 1


def test_the_fake_mastodon_refuses_a_status_over_its_length(publisher, tmp_path):
    post = make_post(tmp_path)
    publisher._max_characters = 1000  # what a stale look-up would say
    long = Post(post.work_id, post.lines, post.image_path, post.alt_text, "a " * 300, post.key)
    with pytest.raises(PermanentError, match="HTTP 422.*character limit of 500 exceeded"):
        publisher.publish(long)


def test_the_fake_mastodon_renders_html_as_mastodon_does():
    content = content_html("a frog's leap\n<splash>\n\n— Auria\n\n#haiku #aiart")
    assert content.startswith("<p>a frog&#39;s leap<br />&lt;splash&gt;</p><p>— Auria</p><p><a href=")
    assert html_to_text(content) == "a frog's leap\n<splash>\n\n— Auria\n\n#haiku #aiart"


def test_the_fake_mastodon_refuses_a_wrong_token_and_other_hosts_stay_refused(publisher, tmp_path, monkeypatch):
    monkeypatch.setenv("AURIA_MASTODON_ACCESS_TOKEN", "not-the-token")
    with pytest.raises(NeedsHumanError, match="HTTP 401.*The access token is invalid"):
        publisher.publish(make_post(tmp_path))
    # The look-up's 401 leaves the limit at 500 (logged); the upload's is the error.
    assert publisher.fake.uploads == [] and publisher.fake.calls == [INSTANCE, MEDIA_POST]
    with pytest.raises(UnexpectedHost, match="api.x.com, api.twitter.com and mastodon.test are faked"):
        publisher.session.get("https://mastodon.social/api/v1/instance")


# -- the daemon ---------------------------------------------------------------------------

def test_killed_after_x_accepted_before_mastodon_the_restart_finds_x_and_posts_mastodon_once(due):
    bot, slot = due
    bot.kill_during(bot.fake, "/2/tweets", after_commit=True)
    assert len(bot.fake.tweets) == 1 and bot.post_state(slot) == "sending"
    assert bot.mastodon.calls == [] and bot.post_state(slot, "mastodon") is None
    bot.start()
    bot.finish(slot)
    assert len(bot.fake.uploads) == 1 and bot.fake.calls.count(("POST", "/2/tweets")) == 1, "X found, not posted again"
    assert "recovered work 2 on x: posted" in bot.logged()


def test_mastodon_down_x_posts_at_once_and_mastodon_is_retried_until_it_is_up(due):
    bot, slot = due
    bot.mastodon.stop()  # connection refused
    bot.start()

    def mastodon_retries() -> list[str]:
        work = bot.work(slot)
        return [e["detail"]["error"] for e in events_for(bot.db, work["id"])
                if e["kind"] == "post_retry" and e["detail"]["platform"] == "mastodon"] if work else []

    bot.wait_for("X posted, Mastodon retried twice",
                 lambda: bot.post_state(slot) == "posted" and len(mastodon_retries()) >= 2)
    x_calls = bot.fake.calls
    bot.mastodon.start()
    work = bot.finish(slot)
    assert bot.fake.calls == x_calls, "X was never called again"
    assert posts_for(bot.db, work["id"])["x"]["attempts"] == 1
    errors = mastodon_retries()
    assert errors[0].startswith("mastodon: media upload failed") and "Connection refused" in errors[0]
    assert all("Could not complete request" in e for e in errors), errors  # Mastodon.py's network error
    # Before each resend the retry asked the length and looked for the status: the last look,
    # with the server up, found none.
    assert bot.mastodon.calls[:4] == [INSTANCE, VERIFY, TIMELINE, MEDIA_POST]


def test_killed_after_mastodon_accepted_the_status_the_restart_finds_it(due):
    bot, slot = due
    bot.kill_during(bot.mastodon, "/api/v1/statuses", after_commit=True)
    assert len(bot.mastodon.statuses) == 1 and bot.post_state(slot, "mastodon") == "sending"
    assert bot.post_state(slot) == "posted"
    x_calls = bot.fake.calls
    bot.start()
    bot.finish(slot)
    assert bot.mastodon.calls[-2:] == [VERIFY, TIMELINE], "found via the account's statuses"
    assert bot.fake.calls == x_calls
    assert "recovered work 2 on mastodon: posted" in bot.logged()
