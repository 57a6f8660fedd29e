"""What the adapters read of the configuration, declared here so publishers need not import
the application (bot) that sits above them.

These are structural types: the application's ``bot.config.Config`` satisfies ``Settings``
without naming it, and the application passes its Config in as before. Read-only properties,
so a frozen dataclass fits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable


@runtime_checkable
class PublishSettings(Protocol):
    """The ``[publish]`` keys the adapters read."""

    @property
    def mastodon_url(self) -> str: ...  # the instance, e.g. "https://mastodon.social"

    @property
    def bluesky_handle(self) -> str: ...  # e.g. "auria.bsky.social"


@runtime_checkable
class Settings(Protocol):
    """What an adapter is built with: where sessions live, where the config came from (for
    messages), and the ``[publish]`` section."""

    @property
    def data_dir(self) -> Path: ...

    @property
    def source(self) -> Path | None: ...

    @property
    def publish(self) -> PublishSettings: ...
