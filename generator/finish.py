"""The last step: the picture as platforms take it, and words for those who cannot see it."""
from __future__ import annotations

import io
import struct

from PIL import Image, ImageCms, ImageOps



def _srgb_profile() -> bytes:
    """An sRGB ICC profile with fixed bytes: LittleCMS stamps the creation time into the
    header (bytes 24-35) and derives the profile ID (84-99) from it, which would make every
    JPEG differ. A fixed date and a zero ID ("not computed", allowed by ICC.1) keep works
    reproducible byte for byte."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
    profile[84:100] = bytes(16)
    return bytes(profile)


_SRGB_PROFILE = _srgb_profile()


def encode_jpeg(image: Image.Image, size: tuple[int, int], max_bytes: int) -> tuple[bytes, int]:
    """An sRGB-tagged baseline JPEG of exactly `size` (cropped to its aspect, never stretched),
    at the best quality that fits in max_bytes. Returns the bytes and the quality used."""
    if image.size != size:
        image = ImageOps.fit(image, size, Image.LANCZOS)
    image = image.convert("RGB")
    for quality in (92, 88, 84, 80, 75, 70, 60, 50):
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality, optimize=True, icc_profile=_SRGB_PROFILE)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue(), quality
    raise ValueError(f"the picture does not fit in {max_bytes} bytes even at JPEG quality 50")


def alt_text(plan, medium: str, style: str, mood: str) -> str:
    """'A watercolour of the moon in the sky over a pond, on the left, at night, in pale blue-grey
    and cream, mood: sadness'. The medium is named first: it is what a viewer sees first."""
    from generator.painter.media import NAMES
    from generator.painter.planner import describe

    name = NAMES.get(medium, "a painting")
    return f"{name[0].upper()}{name[1:]} of {describe(plan)}, in {style}, mood: {mood}"
