"""Posting a stored work: `sending` before the call, then one recorded outcome per platform."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.config import PublishConfig
from publishers.base import NeedsHumanError, PermanentError, Publisher, PublishResult, RetryableError
from publishers.posting import post_work
from state.events import events_for
from state.posts import posts_for
from state.store import open_store
from state.works import add_work, get_work


class Recording(Publisher):
    """A publisher whose outcome the test sets; it records the posts it was given."""

    def __init__(self, name, outcome):
        self.name, self.outcome, self.sent = name, outcome, []

    def validate(self):
        pass

    def check(self):
        return "@auria"

    def publish(self, post):
        self.sent.append(post)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome

    def find_existing(self, post):
        return None


@pytest.fixture
def store(tmp_path):
    db = open_store(tmp_path / "auria.db")
    work_id = add_work(db, haiku="an old pond\na frog jumps in\nthe sound of water", shape="5-7-5", seed=1,
                       params={}, models={}, status="ready", image_path=tmp_path / "w.jpg", alt_text="A painting")
    return db, get_work(db, work_id)


def test_each_outcome_lands_in_its_state(store):
    db, work = store
    publishers = [
        Recording("x", PublishResult("1850", "https://x.com/auria/status/1850")),
        Recording("instagram", RetryableError("instagram: please wait a few minutes", retry_after=600)),
        Recording("mastodon", PermanentError("mastodon: 422 the file is too large")),
        Recording("bluesky", NeedsHumanError("bluesky: 401 the app password was rejected")),
    ]
    outcomes = post_work(db, work, publishers, PublishConfig(signature="Auria", hashtags=["haiku"]))
    posts = posts_for(db, work["id"])
    assert {p: posts[p]["state"] for p in posts} == {
        "x": "posted", "instagram": "retry", "mastodon": "failed", "bluesky": "needs_human"}
    assert posts["x"]["remote_id"] == "1850" and posts["x"]["url"].endswith("/1850")
    wait = datetime.fromisoformat(posts["instagram"]["next_attempt_at"]) - datetime.now(timezone.utc)
    assert 590 <= wait.total_seconds() <= 600
    assert posts["mastodon"]["error"] == "mastodon: 422 the file is too large"
    assert outcomes["x"] == "posted: https://x.com/auria/status/1850"
    assert all(p["attempts"] == 1 for p in posts.values())
    kinds = [e["kind"] for e in events_for(db, work["id"])]
    assert kinds.count("post_sending") == 4 and "post_posted" in kinds and "post_needs_human" in kinds
    sent = publishers[0].sent[0]
    assert sent.caption == "an old pond\na frog jumps in\nthe sound of water\n\n— Auria\n\n#haiku"
    assert sent.alt_text == "A painting" and sent.work_id == work["id"]


def test_a_posted_or_stuck_post_is_never_sent_again(store):
    db, work = store
    x = Recording("x", PublishResult("1", "https://x.com/a/status/1"))
    human = Recording("bluesky", NeedsHumanError("challenge"))
    post_work(db, work, [x, human], PublishConfig())
    again = post_work(db, work, [x, human], PublishConfig())
    assert len(x.sent) == 1 and len(human.sent) == 1
    assert again["x"].startswith("skipped") and again["bluesky"].startswith("skipped")


def test_a_retry_is_sent_again_and_counts_attempts(store):
    db, work = store
    flaky = Recording("x", RetryableError("x: 503"))
    post_work(db, work, [flaky], PublishConfig())
    flaky.outcome = PublishResult("7", "https://x.com/a/status/7")
    post_work(db, work, [flaky], PublishConfig())
    post = posts_for(db, work["id"])["x"]
    assert post["state"] == "posted" and post["attempts"] == 2 and post["error"] is None


def test_a_retry_first_looks_for_the_post_on_the_platform(store):
    db, work = store

    class LostAnswer(Recording):
        def find_existing(self, post):
            return PublishResult("9", "https://x.com/a/status/9")

    lost = LostAnswer("x", RetryableError("x: read timeout"))
    post_work(db, work, [lost], PublishConfig())
    post_work(db, work, [lost], PublishConfig())
    post = posts_for(db, work["id"])["x"]
    assert post["state"] == "posted" and post["remote_id"] == "9"
    assert len(lost.sent) == 1, "found on the platform: not sent a second time"


def test_a_crash_mid_call_leaves_the_post_sending(store):
    db, work = store

    class Crash(Recording):
        def publish(self, post):
            raise KeyboardInterrupt  # the process dies mid-call

    with pytest.raises(KeyboardInterrupt):
        post_work(db, work, [Crash("x", None)], PublishConfig())
    assert posts_for(db, work["id"])["x"]["state"] == "sending"


def test_retries_back_off_exponentially_then_give_up(store):
    from publishers.posting import retry_delay

    publish = PublishConfig()
    assert retry_delay(1, 42, publish) == 42
    first, third = retry_delay(1, None, publish), retry_delay(3, None, publish)
    assert 240 <= first <= 360 and 960 <= third <= 1440
    assert retry_delay(30, None, publish) <= 6 * 3600 * 1.2
    quick = PublishConfig(retry_first_minutes=0.5, retry_max_hours=0.01)
    assert 24 <= retry_delay(1, None, quick) <= 36 and retry_delay(9, None, quick) <= 36 * 1.2
    db, work = store
    down = Recording("x", RetryableError("x: 503"))
    for _ in range(publish.retry_attempts):
        post_work(db, work, [down], publish)
    post = posts_for(db, work["id"])["x"]
    assert post["state"] == "failed" and post["error"].startswith(f"gave up after {publish.retry_attempts} attempts")


def test_each_post_has_its_own_key_stored_before_the_first_send_and_kept_through_retries(tmp_path):
    from state.posts import TID_PATTERN

    keys = []
    for folder in ("one", "two"):  # two stores: the same work id, the same platform
        db = open_store(tmp_path / folder / "auria.db")
        work_id = add_work(db, haiku="an old pond\na frog jumps in\nthe sound of water", shape="5-7-5", seed=1,
                           params={}, models={}, status="ready", image_path=tmp_path / "w.jpg", alt_text="A painting")
        work = get_work(db, work_id)
        publisher = Recording("mastodon", RetryableError("mastodon: 503"))
        post_work(db, work, [publisher], PublishConfig())
        stored = posts_for(db, work_id)["mastodon"]["idempotency_key"]
        assert publisher.sent[0].key == stored and TID_PATTERN.match(stored)
        publisher.outcome = PublishResult("9", "https://example.social/@auria/9")
        post_work(db, work, [publisher], PublishConfig())  # the retry
        assert publisher.sent[1].key == stored, "the same key on the retry"
        assert posts_for(db, work_id)["mastodon"]["idempotency_key"] == stored
        keys.append(stored)
    assert work_id == 1 and keys[0] != keys[1], "work ids repeat across stores; keys never"


def test_no_exception_leaves_a_post_sending(store):
    db, work = store
    broken = Recording("mastodon", KeyError("status"))  # an adapter's bug, not a platform's answer
    outcomes = post_work(db, work, [broken], PublishConfig())
    post = posts_for(db, work["id"])["mastodon"]
    assert post["state"] == "needs_human" and "unexpected KeyError" in post["error"]
    assert outcomes["mastodon"].startswith("needs a human: unexpected KeyError")
