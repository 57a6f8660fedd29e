from publishers.platform import Platform

PLATFORM = Platform(
    name="instagram", title="Instagram", adapter="publishers.instagram:InstagramPublisher", position=2, on_by_default=True,
    caption_limit=2200, max_hashtags=30,
    secrets=("instagram_username", "instagram_password"), public_secrets=("instagram_username",),
)
