from publishers.platform import Platform

PLATFORM = Platform(
    name="bluesky", title="Bluesky", adapter="publishers.bluesky:BlueskyPublisher", position=4,
    caption_limit=300, count="graphemes",
    secrets=("bluesky_app_password",),
    config_keys={"bluesky_handle": "text"},  # e.g. "auria.bsky.social"
)
