"""The scene plan: what the painter understood of a haiku, and where it put each thing.

The plan is the contract between the planner (words -> motifs, time of day, season) and
the renderers (motifs -> pixels). It is stored with every work and read by the alt text
and the tests, so it is plain data with a stable dict form.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

TIMES_OF_DAY = ("dawn", "day", "dusk", "night")
SEASONS = ("spring", "summer", "autumn", "winter", "none")
# wide: a landscape; close: the main motif large in the foreground; sky: nothing but a strip
# of land under the sky; ground: looking down, the ground fills the frame
VIEWS = ("wide", "close", "sky", "ground")
# Small creatures that cling to bark: one the poem puts on or up a tree is painted there.
CLIMBERS = ("lizard", "snail", "cricket", "spider", "moth")
TREES = ("tree",)  # the trees whose trunk a creature can cling to (render.plants.tree)


@dataclass(frozen=True)
class Placement:
    motif: str  # a key of motifs.MOTIFS
    layer: str  # "sky", "middle" or "foreground"
    line: int  # 0-based line of the haiku the word is in
    word: str  # the word (lowercase, as written) that became this motif
    # "lexicon", "vectors", or, when nothing else is named: "gesture" (what a word of doing or
    # feeling calls up: "go back" a road) or "emblem" (the season's or the hour's)
    via: str
    similarity: float | None = None  # cosine similarity to the motif, when via == "vectors"


@dataclass(frozen=True)
class Frame:
    """How the picture is framed: the composition the renderers follow."""

    view: str = "wide"  # one of VIEWS
    horizon: float = 0.6  # where the horizon is, as a share of the height from the top
    focus: str | None = None  # the main motif: placed on a third, painted larger
    side: int = -1  # -1: the focus on the left third, +1 on the right
    scale: float = 1.0  # the focus's size against its layer's usual size


@dataclass
class ScenePlan:
    lines: list[str]
    placements: list[Placement] = field(default_factory=list)
    time_of_day: str = "day"
    season: str = "none"
    frame: Frame = field(default_factory=Frame)

    def motifs(self, layer: str | None = None) -> list[str]:
        return [p.motif for p in self.placements if layer is None or p.layer == layer]

    def seated_layer(self) -> str | None:
        """The layer where the poem's people sit at the table it lays: the figure's, when a
        table shares it (the painter seats them there, the alt text says so), else None."""
        figure = next((p for p in self.placements if p.motif == "figure"), None)
        return figure.layer if figure is not None and "table" in self.motifs(figure.layer) else None

    def climber(self) -> tuple[str, str] | None:
        """(creature, tree) when the poem puts a small creature on a tree: "the shadow of a
        lizard / on the compost tree", "a cicada sings / on the old tree". The creature is named
        in the tree's line or a line next to it, the tree's line says on or up it, and the tree
        stands near, where its trunk is large enough to hold it (a far one seen close was cut
        off by the frame's top, the creature on it a speck)."""
        for tree in (p for p in self.placements if p.motif in TREES and p.layer == "foreground"):
            said = rf"\b(on|up|upon|onto)\s+(the|a|an|this|that|my|our|his|her|its)?\s*([\w'-]+\s+)?{re.escape(tree.word)}\b"
            if not re.search(said, self.lines[tree.line].lower()):
                continue
            for p in self.placements:
                if p.motif in CLIMBERS and abs(p.line - tree.line) <= 1:
                    return p.motif, tree.motif
        return None

    def seats_child(self) -> bool:
        """Whether the poem's child sits at the table with its people: a child the poem names
        ("my daughter counts the raindrops") does, wherever its line put it; one the word
        vectors guessed keeps its own place apart. Three viewers chose the named daughter at
        the table 9 of 9 ("true to the poem"), and the guessed child of "he asks if I'm not
        enough" wandering off with its balloon 12 of 12 ("the absence the poem is about")."""
        kid = next((p for p in self.placements if p.motif == "child"), None)
        return self.seated_layer() is not None and kid is not None and kid.via == "lexicon"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ScenePlan":
        return cls(
            lines=list(data["lines"]),
            placements=[Placement(**p) for p in data["placements"]],
            time_of_day=data["time_of_day"],
            season=data["season"],
            frame=Frame(**data["frame"]) if data.get("frame") else Frame(),  # older works had none
        )
