"""The painter's vocabulary: every motif it can paint, where it usually goes, and its words.

A motif is a thing with a procedural renderer (generator/painter/render/). The planner maps
the haiku's words to motifs through WORDS (the lexicon) and, for words outside it, through
word vectors trained on the corpus. Each line of the haiku is a layer: line 1 the sky,
line 2 the middle ground, line 3 the foreground; a motif that cannot live in its line's
layer (a moon in the foreground) goes to its HOME layer instead.
"""
from __future__ import annotations

SKY, MIDDLE, FOREGROUND = "sky", "middle", "foreground"
LAYERS = (SKY, MIDDLE, FOREGROUND)
# Motifs that give the horizon its own shape: the painter adds far ridges only where none is,
# and the planner looks close at a small subject, or down on it, only where none is.
HORIZON_MOTIFS = frozenset({"mountain", "hills", "sea", "desert", "city", "shore", "waves", "forest"})
# Motifs that shine: a picture with one keeps oil's strokes swirling round its halo, and no
# framing bough crowds a light that is the subject.
LIGHTS = frozenset({"sun", "moon", "lamp", "lantern", "candle", "fire"})

# motif -> (home layer, layers it may also be painted in)
MOTIFS: dict[str, tuple[str, tuple[str, ...]]] = {
    # sky and weather
    "sun": (SKY, (SKY,)),
    "moon": (SKY, (SKY,)),
    "stars": (SKY, (SKY,)),
    "clouds": (SKY, (SKY,)),
    "rain": (SKY, (SKY, MIDDLE, FOREGROUND)),
    "snow": (SKY, (SKY, MIDDLE, FOREGROUND)),
    "fog": (MIDDLE, (SKY, MIDDLE)),
    "wind": (SKY, (SKY, MIDDLE, FOREGROUND)),
    "storm": (SKY, (SKY,)),
    "rainbow": (SKY, (SKY,)),
    "aurora": (SKY, (SKY,)),
    # creatures of the air
    "crow": (SKY, (SKY, MIDDLE, FOREGROUND)),
    "heron": (MIDDLE, (MIDDLE, FOREGROUND)),
    "geese": (SKY, (SKY,)),
    "swallow": (SKY, (SKY, MIDDLE)),
    "sparrow": (FOREGROUND, (SKY, MIDDLE, FOREGROUND)),
    "butterfly": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "dragonfly": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "fireflies": (MIDDLE, (MIDDLE, FOREGROUND)),
    "moth": (FOREGROUND, (MIDDLE, FOREGROUND)),
    # land and water
    "mountain": (MIDDLE, (MIDDLE,)),
    "hills": (MIDDLE, (MIDDLE,)),
    "sea": (MIDDLE, (MIDDLE, FOREGROUND)),
    "waves": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "shore": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "river": (MIDDLE, (MIDDLE, FOREGROUND)),
    "pond": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "ice": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "field": (MIDDLE, (MIDDLE, FOREGROUND)),
    "desert": (MIDDLE, (MIDDLE,)),
    # plants
    "tree": (MIDDLE, (MIDDLE, FOREGROUND)),
    "pine": (MIDDLE, (MIDDLE, FOREGROUND)),
    "willow": (MIDDLE, (MIDDLE, FOREGROUND)),
    "bamboo": (MIDDLE, (MIDDLE, FOREGROUND)),
    "forest": (MIDDLE, (MIDDLE,)),
    "blossom": (MIDDLE, (SKY, MIDDLE, FOREGROUND)),
    "leaves": (FOREGROUND, (SKY, MIDDLE, FOREGROUND)),
    "grass": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "flowers": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "lotus": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "reeds": (FOREGROUND, (MIDDLE, FOREGROUND)),
    # creatures of land and water
    "frog": (FOREGROUND, (FOREGROUND,)),
    "fish": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "cat": (FOREGROUND, (FOREGROUND,)),
    "dog": (FOREGROUND, (FOREGROUND,)),
    "deer": (MIDDLE, (MIDDLE, FOREGROUND)),
    "horse": (MIDDLE, (MIDDLE, FOREGROUND)),
    "cricket": (FOREGROUND, (FOREGROUND,)),
    "snail": (FOREGROUND, (FOREGROUND,)),
    "spider": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "rabbit": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "lizard": (FOREGROUND, (FOREGROUND,)),
    # people and what they make
    "figure": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "child": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "ghost": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "table": (FOREGROUND, (FOREGROUND,)),
    "city": (MIDDLE, (MIDDLE,)),
    "street": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "house": (MIDDLE, (MIDDLE, FOREGROUND)),
    "temple": (MIDDLE, (MIDDLE,)),
    "bridge": (MIDDLE, (MIDDLE, FOREGROUND)),
    "boat": (MIDDLE, (MIDDLE, FOREGROUND)),
    "train": (MIDDLE, (MIDDLE,)),
    "road": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "fence": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "window": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "door": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "lamp": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "candle": (FOREGROUND, (FOREGROUND,)),
    "lantern": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "bell": (MIDDLE, (MIDDLE, FOREGROUND)),
    "cup": (FOREGROUND, (FOREGROUND,)),
    "umbrella": (FOREGROUND, (FOREGROUND,)),
    "smoke": (MIDDLE, (SKY, MIDDLE, FOREGROUND)),
    "fire": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "stone": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "shadow": (FOREGROUND, (MIDDLE, FOREGROUND)),
    "footprints": (FOREGROUND, (FOREGROUND,)),
    "kite": (SKY, (SKY,)),
    "scarecrow": (FOREGROUND, (MIDDLE, FOREGROUND)),
}
