"""Procedural renderers: a scene plan becomes a picture.

    from generator.painter.render import paint
    image = paint(plan, seed=7)  # 1080x1350 RGB PIL image

Each motif of motifs.MOTIFS has one renderer (RENDERERS), grouped by family: sky, weather,
land, water, plants, creatures, people, animals, ghost, built, table. scene.py composes them; canvas.py draws.
"""

# each family registers its renderers when imported
from generator.painter.render import (
    animals,
    built,
    creatures,
    ghost,
    land,
    people,
    plants,
    sky,
    table,
    water,
    weather,
)  # noqa: F401
from generator.painter.render.registry import RENDERERS
from generator.painter.render.scene import Scene, Slot, paint

__all__ = ["RENDERERS", "Scene", "Slot", "paint"]
