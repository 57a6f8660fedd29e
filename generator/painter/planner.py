"""Haiku -> scene plan: which words become which motifs, where, at what time and season.

Each word of each line is looked up in the lexicon; a content word the lexicon does not know
is given to the word vectors, which name the nearest motif if it is near enough. Line 1 is
the sky, line 2 the middle ground, line 3 the foreground; a motif that cannot be painted in
its line's layer goes to its home layer. Pure and deterministic: the same lines (and
vectors) always give the same plan.
"""
from __future__ import annotations

from generator.painter.lexicon import SEASON_WORDS, STOPWORDS, TIME_WORDS, UNPAINTED, WORDS, words_of
from generator.painter.motifs import LAYERS, MOTIFS
from generator.painter.plan import Placement, ScenePlan
from generator.painter.vectors import WordVectors

MAX_PLACEMENTS = 6  # more than this and a small picture turns into a catalogue
NIGHT_MOTIFS = frozenset({"moon", "stars", "fireflies", "lantern", "candle"})
# "fall" is autumn as a noun ("fall colours", "first day of fall", "leaf fall"), not as a
# verb ("snow falls", "the last leaves fall"): count it where it opens a line or follows one
# of these words.
_FALL_NOUN_AFTER = frozenset({"of", "in", "this", "early", "late", "last", "leaf", "mid"})

MOTIF_OF: dict[str, str] = {word: motif for motif, words in WORDS.items() for word in words}


def lexicon_motif(word: str) -> str | None:
    """The motif a word names in the lexicon, trying the singular of a plural it lacks."""
    for form in (word, word[:-1] if word.endswith("s") else None, word[:-2] if word.endswith("es") else None):
        if form and form in MOTIF_OF:
            return MOTIF_OF[form]
    return None


def line_layers(count: int) -> list[str]:
    """The layer of each line: three lines go sky, middle, foreground; others spread evenly."""
    if count == 1:
        return [LAYERS[0]]
    return [LAYERS[int(i * (len(LAYERS) - 1) / (count - 1) + 0.5)] for i in range(count)]


def _season(words: list[str], position: int) -> str | None:
    word = words[position]
    if word == "fall":
        return "autumn" if position == 0 or words[position - 1] in _FALL_NOUN_AFTER else None
    return SEASON_WORDS.get(word)


def _may_guess(word: str) -> bool:
    """Whether the vectors may guess a motif for a word the lexicon lacks.

    Not for words that name no thing (UNPAINTED), nor for time and season words: those are
    painted as light and palette, and the vectors would turn every "winter" into ice and
    every "morning" into fog.
    """
    return len(word) > 2 and word not in UNPAINTED and word not in TIME_WORDS and word not in SEASON_WORDS


def plan_scene(lines: list[str], vectors: WordVectors | None = None) -> ScenePlan:
    """The scene plan of a haiku. Without `vectors`, only lexicon words become motifs."""
    candidates: list[tuple[int, tuple[int, int], Placement]] = []  # (rank, where, placement)
    time_of_day = season = None
    for line_number, (line, line_layer) in enumerate(zip(lines, line_layers(len(lines)))):
        words = words_of(line)
        for position, word in enumerate(words):
            time_of_day = time_of_day or TIME_WORDS.get(word)
            season = season or _season(words, position)
            if word in STOPWORDS:
                continue
            motif, similarity = lexicon_motif(word), None
            if motif is None and vectors is not None and _may_guess(word):
                motif, similarity = vectors.nearest_motif(word) or (None, None)
            if motif is None:
                continue
            home, allowed = MOTIFS[motif]
            layer = line_layer if line_layer in allowed else home
            via = "lexicon" if similarity is None else "vectors"
            rank = 0 if via == "lexicon" else 1
            candidates.append((rank, (line_number, position), Placement(motif, layer, line_number, word, via, similarity)))

    # Lexicon hits first, then vector guesses; the first word naming a motif wins it.
    chosen: dict[str, tuple[tuple[int, int], Placement]] = {}
    for _, where, placement in sorted(candidates, key=lambda c: (c[0], c[1])):
        if placement.motif not in chosen and len(chosen) < MAX_PLACEMENTS:
            chosen[placement.motif] = (where, placement)
    placements = [placement for _, placement in sorted(chosen.values(), key=lambda c: c[0])]

    if time_of_day is None:
        time_of_day = "night" if NIGHT_MOTIFS & {p.motif for p in placements} else "day"
    return ScenePlan(list(lines), placements, time_of_day, season or "none")


# --- alt text ----------------------------------------------------------------------------------

_THE = frozenset({"sun", "moon", "sea"})
_UNCOUNTED = frozenset({"stars", "clouds", "rain", "snow", "fog", "wind", "geese", "fireflies",
                        "hills", "waves", "ice", "bamboo", "leaves", "grass", "flowers", "reeds",
                        "smoke", "footprints", "blossom"})
_NAMES = {"blossom": "blossoms"}
_TIME_PHRASES = {"dawn": "at dawn", "day": "in daylight", "dusk": "at dusk", "night": "at night"}


def _noun(motif: str) -> str:
    name = _NAMES.get(motif, motif)
    if motif in _THE:
        return f"the {name}"
    if motif in _UNCOUNTED:
        return name
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _join(motifs: list[str]) -> str:
    nouns = [_noun(m) for m in motifs]
    return nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " and " + nouns[-1]


def describe(plan: ScenePlan) -> str:
    """An English phrase of what the picture shows, for alt text; no words of the haiku.

    "the moon in the sky over a city, with a street and a lamp in the foreground, at night"
    """
    sky, middle, near = (plan.motifs(layer) for layer in LAYERS)
    if sky:
        scene = f"{_join(sky)} in the sky" + (f" over {_join(middle)}" if middle else "")
    elif middle:
        scene = _join(middle)
    else:
        scene = ""
    if near:
        scene = f"{scene}, with {_join(near)} in the foreground" if scene else f"{_join(near)} close up"
    scene = scene or "an open landscape"
    text = f"{scene}, {_TIME_PHRASES[plan.time_of_day]}"
    if plan.season != "none":
        text += f", in {plan.season}"
    return text
