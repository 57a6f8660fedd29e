from publishers.platform import Platform

PLATFORM = Platform(
    name="mastodon", title="Mastodon", adapter="publishers.mastodon:MastodonPublisher", position=3,
    caption_limit=500,  # the default; the adapter reads the instance's own
    secrets=("mastodon_access_token",),
    config_keys={"mastodon_url": "instance_url"},  # the instance, e.g. "https://mastodon.social"
)
