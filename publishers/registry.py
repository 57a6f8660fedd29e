"""The adapters by platform name, imported only when used (each pulls in its client library).
Which class is a platform's adapter is its declaration's (publishers/platforms/)."""
from __future__ import annotations

from publishers import platforms
from publishers.base import Publisher


def make_publisher(platform: str, config) -> Publisher:
    return platforms.adapter_class(platform)(config)
