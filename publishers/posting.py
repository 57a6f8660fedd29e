"""Posting a stored work to each enabled platform, recording every outcome.

For each platform not yet posted for this work: mark the post `sending`, call the
adapter, then store the remote id and URL (`posted`), or the error: `retry` with the next
attempt time, `failed` for good, or `needs_human`. The retries themselves are the daemon's.
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path

from publishers.base import NeedsHumanError, PermanentError, Post, Publisher, RetryableError
from publishers.captions import DEFAULT_TEMPLATE, caption
from state.posts import PostState, mark_failed, mark_needs_human, mark_posted, mark_retry, start_sending

log = logging.getLogger("auria.publish")


class Outcome(StrEnum):
    """What posting a work on one platform came to: the post's state afterwards, or
    SKIPPED when it was not sent (posted already, in flight, or waiting for a human)."""

    POSTED = PostState.POSTED.value
    RETRY = PostState.RETRY.value
    FAILED = PostState.FAILED.value
    NEEDS_HUMAN = PostState.NEEDS_HUMAN.value
    SKIPPED = "skipped"


class PostOutcome(str):
    """One platform's outcome. Callers compare ``kind`` (an ``Outcome``) or ``posted``; the
    string itself is the operator's line ("posted: URL", "retry at TIME: error", ...) that
    the commands print and the log shows."""

    __slots__ = ("kind",)

    def __new__(cls, kind: Outcome, line: str) -> PostOutcome:
        outcome = super().__new__(cls, line)
        outcome.kind = kind
        return outcome

    @property
    def posted(self) -> bool:
        return self.kind is Outcome.POSTED

    def __repr__(self) -> str:
        return f"PostOutcome({self.kind.name}, {str.__repr__(self)})"


def all_posted(outcomes: dict[str, PostOutcome]) -> bool:
    """Whether every platform's outcome is posted (the commands' exit code 0)."""
    return all(outcome.posted for outcome in outcomes.values())


def backoff_seconds(attempts: int, publish_config) -> float:
    """The wait after `attempts` failed tries: publish.retry_first_minutes, doubling each
    time, up to retry_max_hours."""
    first, most = publish_config.retry_first_minutes * 60, publish_config.retry_max_hours * 3600
    return min(first * 2 ** (attempts - 1), most)


def retry_delay(attempts: int, retry_after: float | None, publish_config) -> float:
    """Seconds until a post's next try: the platform's word when it gives one, else the
    backoff with ±20% jitter, so a recovering platform is not hit by every retry at once."""
    if retry_after:
        return retry_after
    return backoff_seconds(attempts, publish_config) * random.uniform(0.8, 1.2)


def post_for(platform: str, work: dict, publish_config, key: str = "", limit: int | None = None) -> Post:
    """The Post for `platform`, its caption within `limit` (the publisher's caption_limit();
    the platform's fixed limit when not given)."""
    lines = work["haiku"].split("\n")
    text = caption(platform, lines, publish_config.signature, publish_config.hashtags,
                   publish_config.templates.get(platform, DEFAULT_TEMPLATE), limit)
    return Post(work_id=work["id"], lines=lines, image_path=Path(work["image_path"]), alt_text=work["alt_text"],
                caption=text, key=key)


def post_work(db, work: dict, publishers: list[Publisher], publish_config) -> dict[str, PostOutcome]:
    """Post `work` with each publisher; returns platform -> its outcome."""
    outcomes = {}
    for publisher in publishers:
        # The caption is made before the post is marked sending: nothing that can fail on
        # our side may run between `sending` and the platform's answer.
        post = post_for(publisher.name, work, publish_config, limit=publisher.caption_limit())
        row = start_sending(db, work["id"], publisher.name)
        if row is None:
            outcomes[publisher.name] = PostOutcome(
                Outcome.SKIPPED, "skipped (already posted, in flight, or waiting for a human)")
            continue
        started = time.perf_counter()
        post = replace(post, key=row["idempotency_key"] or "")
        try:
            # A retry may follow a call whose answer was lost after the platform accepted it:
            # look for the post before sending it again.
            found = publisher.find_existing(post) if row["previous_state"] == PostState.RETRY else None
            result = found or publisher.publish(post)
        except RetryableError as error:
            if row["attempts"] >= publish_config.retry_attempts:
                mark_failed(db, row, f"gave up after {row['attempts']} attempts: {error}")
                outcomes[publisher.name] = PostOutcome(Outcome.FAILED,
                                                       f"failed after {row['attempts']} attempts: {error}")
            else:
                delay = retry_delay(row["attempts"], error.retry_after, publish_config)
                when = (datetime.now(timezone.utc) + timedelta(seconds=delay)).isoformat(timespec="seconds")
                mark_retry(db, row, str(error), when)
                outcomes[publisher.name] = PostOutcome(Outcome.RETRY, f"retry at {when}: {error}")
        except PermanentError as error:
            mark_failed(db, row, str(error))
            outcomes[publisher.name] = PostOutcome(Outcome.FAILED, f"failed: {error}")
        except NeedsHumanError as error:
            mark_needs_human(db, row, str(error))
            outcomes[publisher.name] = PostOutcome(Outcome.NEEDS_HUMAN, f"needs a human: {error}")
        except Exception as error:  # an adapter's bug must not leave the post `sending` for ever
            log.exception("work %d: %s raised", work["id"], publisher.name)
            mark_needs_human(db, row, f"{publisher.name}: unexpected {type(error).__name__}: {error}")
            outcomes[publisher.name] = PostOutcome(Outcome.NEEDS_HUMAN,
                                                   f"needs a human: unexpected {type(error).__name__}: {error}")
        else:
            mark_posted(db, row, result.remote_id, result.url)
            outcomes[publisher.name] = PostOutcome(Outcome.POSTED, f"posted: {result.url}")
        level = logging.INFO if outcomes[publisher.name].posted else logging.WARNING
        log.log(level, "work %d: %s %s (%.1f s)", work["id"], publisher.name, outcomes[publisher.name],
                time.perf_counter() - started)
    return outcomes
