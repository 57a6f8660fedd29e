"""The adapters by platform name, imported only when used (each pulls in its client library)."""
from __future__ import annotations

from importlib import import_module

from publishers.base import Publisher

ADAPTERS = {
    "x": ("publishers.twitter", "XPublisher"),
    "instagram": ("publishers.instagram", "InstagramPublisher"),
    "mastodon": ("publishers.mastodon", "MastodonPublisher"),
    "bluesky": ("publishers.bluesky", "BlueskyPublisher"),
}


def make_publisher(platform: str, config) -> Publisher:
    module, name = ADAPTERS[platform]
    return getattr(import_module(module), name)(config)
