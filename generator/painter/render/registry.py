"""Which function paints each motif, and when in the painting order.

A renderer is `draw(scene, slot, rng)`: it paints one motif on scene.canvas at the place
the layout gave it (slot), taking every random choice from rng, which is its own.

Motifs are painted back to front by stage, then (within a stage) from the far to the near:
the sky's backdrop, the ground, far land, things in the sky, the surfaces of ground and
water, marks on them, then standing things of the middle ground and the foreground, veils
(fog, wind) over the layer they are in, and finally weather over everything and a window
frame around it.
"""

from __future__ import annotations

from typing import Callable

BACKDROP = 0  # + 0..9 for stars, aurora, rainbow, sun and moon, clouds, storm
GROUND = 15  # the background's ground and far ridges (painted by the scene itself)
FAR_LAND = 20
SKY = 22  # birds and kites fly in front of the mountains
SKY_VEIL = 25
SURFACE = 30
MARKS = 35
MIDDLE = 40
MIDDLE_VEIL = 45
FOREGROUND = 60
FOREGROUND_VEIL = 65
FRONT = 70
WEATHER = 80
FRAME = 90

LAYER_STAGE = {"sky": SKY, "middle": MIDDLE, "foreground": FOREGROUND}
VEIL_STAGE = {"sky": SKY_VEIL, "middle": MIDDLE_VEIL, "foreground": FOREGROUND_VEIL}

Renderer = Callable[..., None]
RENDERERS: dict[str, Renderer] = {}
STAGES: dict[str, Callable[[str], int]] = {}
WIDE: set[str] = set()  # spans its layer: takes no place in the layout's row of slots
FOOTING: dict[str, str] = {}  # "land": stands on land; "water": floats on water
# Bodies, modelled as rounded forms with a lit and a shadow side (canvas.Pen). What lies flat
# (roads, water, shadows), what is made of light (a lamp, a ghost) and what is built of flat
# planes (a house, a fence) keeps its flat colours.
MODELLED: set[str] = set()


def renders(name: str, stage=None, wide: bool = False, footing: str | None = None, modelled: bool = False):
    """Register a renderer. stage: a number, a {layer: number} dict, "veil", or None
    (the layer's own stage); modelled: whether its shapes are painted as lit, rounded forms."""

    def register(fn: Renderer) -> Renderer:
        RENDERERS[name] = fn
        if stage is None:
            STAGES[name] = lambda layer: LAYER_STAGE[layer]
        elif stage == "veil":
            STAGES[name] = lambda layer: VEIL_STAGE[layer]
        elif isinstance(stage, dict):
            STAGES[name] = lambda layer: stage.get(layer, LAYER_STAGE[layer])
        else:
            STAGES[name] = lambda layer: stage
        if wide:
            WIDE.add(name)
        if footing:
            FOOTING[name] = footing
        if modelled:
            MODELLED.add(name)
        return fn

    return register
