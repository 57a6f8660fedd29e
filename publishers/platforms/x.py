from publishers.platform import Platform

PLATFORM = Platform(
    name="x", title="X", adapter="publishers.twitter:XPublisher", position=1, on_by_default=True,
    caption_limit=280, count="weighted",
    secrets=("x_api_key", "x_api_secret", "x_access_token", "x_access_token_secret"),
)
