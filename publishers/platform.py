"""What a platform is, declared once: ``Platform(name, title, ...)``.

Each platform has one declaration, a module in ``publishers/platforms/`` holding
``PLATFORM = Platform(...)`` (a light module: the adapter it names pulls in its client
library, the declaration pulls in nothing). Everything else that needs to know the
platforms reads ``publishers.platforms``: the configuration (platform names, the
``[publish]`` keys a platform reads), the secrets (``core.secrets`` learns each platform's
secret names from it), the captions (limit, how the platform counts, hashtags), the
adapter registry, the gallery's display names and the dry run (which asks the adapter,
``plan_requests``, for the requests it would make).
"""
from __future__ import annotations

from dataclasses import dataclass, field

COUNTS = ("characters", "graphemes", "weighted")  # how a platform counts a caption's length


@dataclass(frozen=True)
class Platform:
    name: str  # as in [publish] platforms and the store: "x"
    title: str  # as people read it: "X"
    adapter: str  # "module:Class" of its Publisher, imported only when used
    caption_limit: int  # the longest caption, counted as `count` says
    count: str = "characters"  # one of COUNTS: characters, graphemes (Bluesky), weighted (X's twitter-text)
    max_hashtags: int = 30
    secrets: tuple[str, ...] = ()  # secret names, read with core.secrets.get_secret
    public_secrets: tuple[str, ...] = ()  # those of `secrets` that are no credential (a username): any length
    # The [publish] keys only this platform reads: name -> kind ("instance_url" or "text"), default "".
    config_keys: dict[str, str] = field(default_factory=dict)
    on_by_default: bool = False  # in [publish] platforms when the config file names none
    position: int = 100  # where it comes in lists (config messages, `config check`)

    def __post_init__(self):
        if self.count not in COUNTS:
            raise ValueError(f"platform {self.name}: count must be one of {', '.join(COUNTS)}, got {self.count!r}")
        if not set(self.public_secrets) <= set(self.secrets):
            raise ValueError(f"platform {self.name}: public_secrets must be among its secrets")

    def __hash__(self):
        return hash(self.name)
