"""Which style a mood gets: a curated built-in style, or a painting the user imported.

``method = "network"`` paints with the style network: a built-in style of the mood, or,
when paintings are given for the mood (imported, and ``use_paintings`` on), one of them
through the arbitrary-style network. ``method = "colour"`` keeps the drawing and takes
only the colours (Lab statistics): of one of the mood's paintings, or of the picture as a
built-in style of the mood would paint it.

The medium has its say: oil takes only the colours the style gives the picture (OIL_TEXTURE;
the network's own strokes read as a filter under the brushwork, and even 15% of them left a
diagonal hatching viewers called "text-like mess"), half-way (OIL_SHARE), then paints over
them; watercolour takes only colours, half-way too (its washes are transparent, and a
network's texture would show through every one); sumi-e takes no style at all (kind "ink":
ink has no palette). A style the table marks as erasing the drawing lends only its colours;
a night, dusk or storm picture is never given a style the table marks as light, nor a day or
dawn picture one marked as dark (nor one marked as dusky, unless its mood has no other), nor
a sky picture (the frame's view "sky", nearly all gradient) one marked as banding it.
"""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from core.errors import AuriaError
from generator.stylist.moods import MOODS, mood_table

METHODS = ("network", "colour")
INK = "ink and wash on rice paper"  # the description of a sumi-e work's "style"
WATERCOLOUR_SHARE = 0.5  # watercolour keeps half of each thing's own colour: the full transfer made mud
OIL_TEXTURE = 0.0  # share of the network's own strokes under oil: none, its colours on the drawing
# Oil too moves half-way to its style's colours. All the way, its skies were "garish", "a
# cliché sunset", "muddy brown" (28 of 30 pairs chose half-way in sky pictures) and its
# landscapes "oversaturated", "hot magenta", "crushed blacks" (27 of 30).
OIL_SHARE = 0.5


@dataclass(frozen=True)
class StyleChoice:
    kind: str  # "builtin", "painting" (arbitrary network), "colour" (Lab colour transfer) or "ink"
    mood: str
    index: int | None = None  # the built-in style (kind "builtin", or "colour" without a painting)
    painting_id: str | None = None  # the WikiArt ID of an imported painting
    painting_path: str | None = None
    description: str = ""
    texture: float = 1.0  # network kinds: share of the network's strokes; the rest is its colours
    share: float = 1.0  # how far the picture moves to the style's colours (colour kind; network under texture < 1)

    @property
    def label(self) -> str:
        """Short and stable, for the works table's ``style`` column: builtin:7, painting:ID, colour:builtin:7."""
        if self.kind == "ink":
            return "ink"
        source = f"painting:{self.painting_id}" if self.painting_id else f"builtin:{self.index}"
        return source if self.kind != "colour" else f"colour:{source}"

    def to_dict(self) -> dict:
        return {**asdict(self), "label": self.label}


def choose_style(
    mood: str,
    rng: random.Random,
    paintings: Sequence[Mapping] | None = None,
    method: str = "network",
    medium: str = "oil",
    night: bool = False,
    sky: bool = False,
) -> StyleChoice:
    """Pick a style for ``mood``.

    ``paintings``: the mood's imported paintings, rows of ``state.paintings`` (``id``,
    ``image_path``, ``title``, ``artist``, ``year``); empty or None means the built-ins.
    ``description`` reads after "in" in the alt text: "in sky blue and ochre gold, soft
    strokes and navy outlines, sunny and calm", "in the style of “Title” by Artist (1890)".
    """
    if mood not in MOODS:
        raise AuriaError(f"unknown mood {mood!r}; use one of: {', '.join(MOODS)}")
    if method not in METHODS:
        raise AuriaError(f"unknown style method {method!r}; use one of: {', '.join(METHODS)}")
    if medium == "sumi-e":
        return StyleChoice(kind="ink", mood=mood, description=INK)
    if medium == "watercolour":
        method = "colour"
    texture = OIL_TEXTURE if medium == "oil" else 1.0
    share = WATERCOLOUR_SHARE if medium == "watercolour" else OIL_SHARE
    if paintings:
        painting = rng.choice(sorted(paintings, key=lambda p: str(p["id"])))
        name = _painting_name(painting)
        return StyleChoice(
            kind="painting" if method == "network" else "colour",
            mood=mood,
            painting_id=str(painting["id"]),
            painting_path=str(painting["image_path"]),
            description=f"the style of {name}" if method == "network" else f"the colours of {name}",
            texture=texture,
            share=share,
        )
    table = mood_table()
    styles = sorted(table.styles[mood])
    unlike = table.light if night else table.dark  # a style must not turn night into day, or day into night
    if sky:
        unlike = unlike | table.bands
    styles = [i for i in styles if i not in unlike] or styles
    if not night:  # and a day keeps clear of the dim styles where its mood has a brighter one
        styles = [i for i in styles if i not in table.dusky] or styles
    index = rng.choice(styles)
    if index in table.erases:
        method = "colour"
    return StyleChoice(
        kind="builtin" if method == "network" else "colour",
        mood=mood,
        index=index,
        description=table.look(index) if method == "network" else table.palettes[index],
        texture=texture,
        share=share,
    )


def _painting_name(painting: Mapping) -> str:
    """'"Starry Night" by Vincent van Gogh (1889)', or as much of it as is known."""
    name = f"\u201c{painting['title']}\u201d" if painting.get("title") else "a painting"
    if painting.get("artist"):
        name += f" by {painting['artist']}"
    if painting.get("year"):
        name += f" ({painting['year']})"
    return name
