"""The painter's hand: the composed scene painted again in a medium, with brush strokes.

The scene renderers make an underpainting (flat shapes in the mood's colours); a medium
paints it again with Hertzmann's curved strokes (strokes.py) on its own ground (paper.py):
oil with impasto (oil.py), watercolour washes (watercolour.py) or sumi-e ink (sumie.py).
Every random choice comes from the work's seed, so a seed gives the same bytes.
"""
from __future__ import annotations

import zlib

from core.errors import AuriaError

MEDIA = ("oil", "watercolour", "sumi-e")
# How the alt text and the diffusion prompt name each medium.
NAMES = {"oil": "an oil painting", "watercolour": "a watercolour", "sumi-e": "a sumi-e ink painting"}
# What watercolour is for: water, weather, air and blossom, where a wash that runs and
# blooms is the thing itself. Six blind viewings rated it lowest (2.0-2.75 of 5) for
# houses, trees and figures on bare land, which oil or ink paint better.
WATERCOLOUR_SUBJECTS = frozenset({"rain", "snow", "fog", "clouds", "rainbow", "storm", "sea", "waves",
                                  "river", "pond", "shore", "lotus", "reeds", "willow", "blossom",
                                  "flowers", "heron", "geese", "boat", "bridge", "fish", "butterfly"})
MEDIUM_SETTINGS = ("auto",) + MEDIA  # painter.medium: "auto" takes the mood's medium
# The long side the brushwork is done at; the result is scaled to the post's size. 1080 px
# strokes look the same scaled to 1350 and take two thirds of the time and memory.
WORK_SIDE = 1080


def work_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size the brushwork is done at for a picture of ``size``."""
    scale = min(1.0, WORK_SIDE / max(size))
    return round(size[0] * scale), round(size[1] * scale)


def paint_in(medium: str, underpainting, seed: int, halo: bool = False):
    """The underpainting (a PIL image) painted again in ``medium``, as a PIL image of its size;
    the same seed gives the same bytes. ``halo``: a light (a sun, a moon, a lamp) shines in
    the picture, and oil's strokes swirl round its glow (oil.paint_oil)."""
    # Imported here: the CLI and config validation read MEDIA without loading numpy or skia.
    import numpy as np
    from PIL import Image

    from generator.painter.media.oil import paint_oil
    from generator.painter.media.sumie import paint_sumie
    from generator.painter.media.watercolour import paint_watercolour

    painters = {"oil": lambda source, rng: paint_oil(source, rng, halo),
                "watercolour": paint_watercolour, "sumi-e": paint_sumie}
    if medium not in painters:
        raise AuriaError(f"unknown medium {medium!r}; use one of: {', '.join(MEDIA)}")
    rng = np.random.default_rng([seed % 2**64, zlib.crc32(f"medium:{medium}".encode())])
    source = np.asarray(underpainting.convert("RGB"), dtype=np.float32)
    painted = painters[medium](source, rng)
    return Image.fromarray(np.clip(painted + 0.5, 0, 255).astype(np.uint8), "RGB")
