"""One interface for every platform, and one error taxonomy.

An adapter turns a stored work into the platform's requests and maps what comes back:
- `validate()`: configuration and credentials are present (a clear error naming what is
  missing otherwise), without touching the network;
- `check()`: one cheap authenticated call, for `auria accounts check`; returns who we are;
- `caption_limit()`: how long a caption may be here (the platform's fixed limit, or what
  the server says: Mastodon's instance), asked before the caption is made; never raises;
- `publish(post) -> PublishResult(remote_id, url)`;
- `find_existing(post) -> PublishResult | None`: our recent posts with the same text, for
  reconciling a post left `sending` by a crash; raises when it cannot tell.
Errors: `RetryableError(retry_after)` (try again later), `PermanentError` (this post will
never go through as it is), `NeedsHumanError` (credentials, a challenge, a ban: a person
must act). The library owns the protocol; the adapter owns the mapping. No message ever
carries a secret.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from core.errors import AuriaError
from publishers.platform import Platform


class PublishError(Exception):
    """A platform refused or failed a call; subclasses say what to do about it."""


class RetryableError(PublishError):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after  # seconds from now, when the platform says


class PermanentError(PublishError):
    pass


class NeedsHumanError(PublishError):
    pass


class NotConfiguredError(AuriaError):
    """A platform is enabled but its settings or secrets are missing."""


@dataclass(frozen=True)
class Post:
    work_id: int
    lines: list[str]  # the haiku
    image_path: Path  # the finished JPEG
    alt_text: str
    caption: str  # already rendered for this platform and within its limits
    key: str = ""  # the post's stored idempotency key (state.posts.new_post_key); "" in a dry run


@dataclass(frozen=True)
class PublishResult:
    remote_id: str
    url: str


class Publisher(ABC):
    platform: Platform  # its declaration (publishers/platforms/)
    name: str  # platform.name

    @abstractmethod
    def validate(self) -> None: ...

    @abstractmethod
    def check(self) -> str: ...

    @abstractmethod
    def publish(self, post: Post) -> PublishResult: ...

    @abstractmethod
    def find_existing(self, post: Post) -> PublishResult | None: ...

    def caption_limit(self) -> int:
        from publishers.captions import LIMITS

        return LIMITS[self.name]

    @classmethod
    def plan_requests(cls, text: str, alt: str, image_name: str, publish: dict) -> dict:
        """The calls `publish` would make for this caption, alt text and image, in order, as
        the dry run writes them (post.json): built from the adapter's own constants and
        payloads, without credentials or the network. `publish` holds the [publish] keys
        (mastodon_url, ...)."""
        raise NotImplementedError(f"{cls.__name__} plans no dry-run requests")
