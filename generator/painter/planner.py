"""Haiku -> scene plan: which words become which motifs, where, at what time and season.

Each word of each line is looked up in the lexicon; a content word the lexicon does not know
is given to the word vectors, which name the nearest motif if it is near enough. Line 1 is
the sky, line 2 the middle ground, line 3 the foreground; a motif that cannot be painted in
its line's layer goes to its home layer. Then the frame: which motif matters most, how
near it is seen, where the horizon sits. Pure and deterministic: the same lines, vectors
and seed always give the same plan.
"""
from __future__ import annotations

import random
from dataclasses import replace

from generator.painter.lexicon import COMPOUNDS, GESTURES, SEASON_WORDS, STOPWORDS, TIME_WORDS, UNPAINTED, WORDS, words_of
from generator.painter.motifs import HORIZON_MOTIFS, LAYERS, MOTIFS
from generator.painter.plan import Frame, Placement, ScenePlan
from generator.painter.vectors import WordVectors

MAX_PLACEMENTS = 6  # more than this and a small picture turns into a catalogue
NIGHT_MOTIFS = frozenset({"moon", "stars", "fireflies", "lantern", "candle", "ghost"})
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


def _in_compound(words: list[str], position: int) -> bool:
    """Whether the word at ``position`` opens a compound naming something else ("ice cream")."""
    return position + 1 < len(words) and words[position + 1] in COMPOUNDS.get(words[position], ())


def _forms(word: str) -> set[str]:
    """A word and the singulars it may be the plural of ("leaves": leave, leaf)."""
    forms = {word}
    for plural, singular in (("s", ""), ("es", ""), ("ies", "y"), ("ves", "f")):
        if word.endswith(plural):
            forms.add(word[: -len(plural)] + singular)
    return forms


def _names_itself(placement: Placement) -> bool:
    """Whether a lexicon word is the motif's own name ("sparrow", "leaf"), not a trace, a
    part or a kind of it ("birdfeeder", "wings", "maple")."""
    return placement.via == "lexicon" and bool(_forms(placement.word) & _forms(placement.motif))


# Leaves and blossom in the sky are a bough reaching in from the corner: the tree that a kind
# ("dying maple", "spring petals") names in line 1. Moved down to where a later line names
# the leaves or the blossom themselves, they lost the bough, and three viewers chose the
# bough 3 of 3 for both poems.
BOUGHS = frozenset({"leaves", "blossom"})


def _moves_to(placement: Placement, first: Placement) -> bool:
    """Whether a motif first named by ``first`` is painted where ``placement`` names it.

    Yes where ``placement`` is the thing's own name and ``first`` only a trace or a kind of
    it. The sparrow of "empty birdfeeder" in line 1 flew as specks in the sky while line 3
    had it land ("as a sparrow lands"); "a maple leaf" is one leaf. Three viewers chose the
    own name's picture 3 of 3 for six poems of ten (the sparrow landing, the waves the
    surfers ride, the road the truck is pulled down, the trees of "black trees of winter").
    """
    return _names_itself(placement) and not (first.layer == "sky" and first.motif in BOUGHS)


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


def plan_scene(lines: list[str], vectors: WordVectors | None = None, seed: int = 0) -> ScenePlan:
    """The scene plan of a haiku. Without `vectors`, only lexicon words become motifs;
    `seed` settles the frame's free choices (which third, which of two framings)."""
    candidates: list[tuple[int, tuple[int, int], Placement]] = []  # (rank, where, placement)
    time_of_day = season = None
    for line_number, (line, line_layer) in enumerate(zip(lines, line_layers(len(lines)))):
        words = words_of(line)
        for position, word in enumerate(words):
            time_of_day = time_of_day or TIME_WORDS.get(word)
            season = season or _season(words, position)
            if word in STOPWORDS or _in_compound(words, position):
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

    # Lexicon hits first, then vector guesses; the first word naming a motif wins it, unless
    # it names only a trace or a kind of the thing and a later word names the thing itself:
    # the own name says where it is and how many (_moves_to).
    chosen: dict[str, tuple[tuple[int, int], Placement]] = {}
    named_itself: set[str] = set()
    for _, where, placement in sorted(candidates, key=lambda c: (c[0], c[1])):
        motif = placement.motif
        if motif not in chosen:
            if len(chosen) < MAX_PLACEMENTS:
                chosen[motif] = (where, placement)
        elif motif not in named_itself and _moves_to(placement, chosen[motif][1]):
            chosen[motif] = (where, placement)
        if _names_itself(placement):
            named_itself.add(motif)
    placements = _without_hunches([placement for _, placement in sorted(chosen.values(), key=lambda c: c[0])])

    if not placements:
        gestures = _gestures(lines)
        placements = gestures + [e for e in _emblem(lines, season, time_of_day) if e.motif not in {g.motif for g in gestures}]
    if time_of_day is None:
        time_of_day = "night" if NIGHT_MOTIFS & {p.motif for p in placements} else _free_hour(seed)
    frame = choose_frame(placements, seed)
    if frame.view in ("close", "ground"):  # seen near, the focus comes forward if it can
        placements = [replace(p, layer="foreground") if p.motif == frame.focus and "foreground" in MOTIFS[p.motif][1]
                      else p for p in placements]
    return ScenePlan(list(lines), placements, time_of_day, season or "none", frame)


# The hour a poem leaves open: a painter's choice, most often the low light of the day's ends.
# Viewers rated the plain daylight scenes "generic"; shown the same works at dusk or dawn
# beside their daylight selves, three viewers chose the low light 9 times of 9 ("one warm
# glow", "mood and depth").
FREE_HOURS = (("day", 0.35), ("dusk", 0.4), ("dawn", 0.25))


def _free_hour(seed: int) -> str:
    """The hour of a poem that names none, settled by the seed."""
    draw = random.Random(f"hour:{seed}").random()
    for hour, share in FREE_HOURS:
        if draw < share:
            return hour
        draw -= share
    return FREE_HOURS[0][0]


MAX_GESTURES = 2  # what a poem only implies is a hint, not a scene


def _gestures(lines: list[str]) -> list[Placement]:
    """The motifs a poem's words of doing and feeling call up (lexicon.GESTURES), in order."""
    found: dict[str, Placement] = {}
    for number, (line, line_layer) in enumerate(zip(lines, line_layers(len(lines)))):
        for word in words_of(line):
            motif = GESTURES.get(word)
            if motif and motif not in found and len(found) < MAX_GESTURES:
                home, allowed = MOTIFS[motif]
                found[motif] = Placement(motif, line_layer if line_layer in allowed else home, number, word, "gesture")
    return list(found.values())


# A haiku that names no thing but its season or its hour is painted with that season's or
# hour's emblem, as its kigo would call it up for a reader: an empty picture shows nothing.
SEASON_EMBLEMS = {"spring": "blossom", "summer": "sun", "autumn": "leaves", "winter": "snow"}
TIME_EMBLEMS = {"dawn": "sun", "dusk": "sun", "night": "moon"}


def _emblem(lines: list[str], season: str | None, time_of_day: str | None) -> list[Placement]:
    motif = SEASON_EMBLEMS.get(season or "") or TIME_EMBLEMS.get(time_of_day or "")
    if motif is None:
        return []
    for number, line in enumerate(lines):  # the word that named the season or the hour
        for position, word in enumerate(words_of(line)):
            named = _season(words_of(line), position) if season else TIME_WORDS.get(word)
            if named is not None and named in (season, time_of_day):
                return [Placement(motif, MOTIFS[motif][0], number, word, "emblem")]
    return []


# --- the frame -----------------------------------------------------------------------------------

# Settings, not subjects: they fill a layer and are never the one thing the eye goes to.
SCENERY = frozenset({"rain", "snow", "fog", "wind", "storm", "clouds", "stars", "aurora", "rainbow",
                     "field", "desert", "sea", "hills", "mountain", "forest", "grass", "river",
                     "shore", "waves", "ice", "city", "street", "road", "smoke", "shadow",
                     "leaves", "grass", "reeds"})
# Living things are what a reader's eye goes to first.
ANIMATE = frozenset({"crow", "heron", "geese", "swallow", "sparrow", "butterfly", "dragonfly",
                     "fireflies", "moth", "frog", "fish", "cat", "dog", "deer", "horse", "cricket",
                     "snail", "spider", "figure", "child", "rabbit", "lizard", "ghost"})
# Small things seen from above fill a ground-only picture well.
SMALL = frozenset({"frog", "snail", "cricket", "cup", "candle", "flowers", "leaves", "stone",
                   "footprints", "butterfly", "dragonfly", "moth", "spider", "fish", "lotus",
                   "sparrow", "umbrella", "blossom", "pond", "reeds", "lizard", "rabbit"})
# Tall things are already big in the foreground: enlarging them more crops them.
TALL = frozenset({"tree", "pine", "willow", "bamboo", "figure", "child", "house", "temple", "scarecrow",
                  "lamp", "bridge", "horse", "deer", "heron", "fence", "window", "door", "bell",
                  "ghost", "table"})
SCALE = {"wide": 1.3, "close": 2.0, "sky": 1.5, "ground": 1.9}


def importance(placement: Placement) -> float:
    """How much a motif is the poem's subject: named outright, a thing rather than a setting,
    alive, and late in the poem (the last line usually holds the near, concrete image)."""
    score = 2.0 if placement.via == "lexicon" else 1.0 + (placement.similarity or 0.0)
    if placement.motif in SCENERY:
        score -= 1.5
    if placement.motif in ANIMATE:
        score += 0.6
    return score + 0.3 * placement.line


# A vector guess this far from its motif is a hunch ("slips" -> fish at 0.52, "funeral" ->
# figure at 0.51): it may stand in the picture, but it is not what the picture is of while
# the poem names something outright.
WEAK_GUESS = 0.56


def _hunch(placement: Placement) -> bool:
    """Whether a placement is a word-vector guess too far from its motif to be sure of."""
    return placement.via == "vectors" and (placement.similarity or 0.0) < WEAK_GUESS


# A poem that names this many things outright has its picture: a hunch beside them only
# crowds it with what the poem never said (three viewers chose the picture without it 3 of 3
# for eight poems of ten: a heron for "curls", a bridge for "rush", a candle for "exit ramp").
# But where the hunch is the one thing near the viewer it stays: without the dog of "the wind
# howls" or the carp pool below "slips into the woods" the near ground was "empty",
# "unfinished" (0 of 3 each).
NAMED_ENOUGH = 2


def _without_hunches(placements: list[Placement]) -> list[Placement]:
    """The placements less the weak vector guesses, where the poem names enough itself."""
    if sum(p.via == "lexicon" for p in placements) < NAMED_ENOUGH:
        return placements

    def the_near_thing(p: Placement) -> bool:
        return (p.layer == "foreground" and p.motif not in SCENERY
                and not any(q.layer == "foreground" for q in placements if q is not p))

    return [p for p in placements if not _hunch(p) or the_near_thing(p)]


def _focus_candidates(placements: list[Placement]) -> list[Placement]:
    """What may be the main motif: things before settings, and no hunch over a named motif."""
    named = any(p.via != "vectors" for p in placements)
    sure = [p for p in placements if not (named and _hunch(p))]
    return [p for p in sure if p.motif not in SCENERY] or sure


def choose_frame(placements: list[Placement], seed: int) -> Frame:
    """The composition: the main motif on a third, the horizon on a third, near or far."""
    rng = random.Random(f"frame:{seed}")
    side = rng.choice((-1, 1))
    sky = [p for p in placements if p.layer == "sky"]
    ground = [p for p in placements if p.layer != "sky"]
    if not placements:
        return Frame("wide", rng.choice((0.36, 0.64)) + rng.uniform(-0.03, 0.03), None, side, 1.0)
    focus = max(_focus_candidates(placements), key=importance)
    motifs = {p.motif for p in placements}
    if not ground:
        view, horizon = "sky", rng.uniform(0.83, 0.9)
    elif focus.layer != "sky" and not sky and not motifs & HORIZON_MOTIFS and focus.motif in SMALL:
        # looking down only where everything is small enough to lie on the ground seen from
        # above: a tree, a house or a bell stood tiny on a far horizon over a vast bare plain
        # (the lizard's, read as "a flat muddy sky"); seen close, with a third of sky, three
        # viewers chose them 27 of 30 ("the pink morning sky fits 'over the morning'")
        down = rng.random() < 0.6 and motifs <= SMALL  # drawn first: the frame's later draws stay the seed's
        view = "ground" if down else "close"
        horizon = rng.uniform(0.06, 0.14) if view == "ground" else rng.uniform(0.3, 0.38)
    else:
        # a thing that can stand in the foreground may be seen near: a clear subject, large
        near = "foreground" in MOTIFS[focus.motif][1] and focus.motif not in SCENERY and rng.random() < 0.5
        view = "close" if near else "wide"
        if len(ground) > len(sky) + 1:
            third = 1 / 3
        elif len(sky) > len(ground):
            third = 2 / 3
        else:
            third = rng.choice((1 / 3, 2 / 3))
        horizon = third + rng.uniform(-0.03, 0.03) + (0.04 if third < 0.5 else 0.0)  # room for a ridge
    scale = SCALE[view] if focus.motif not in TALL else min(SCALE[view], 1.6 if view == "close" else 1.25)
    return Frame(view, round(horizon, 4), focus.motif, side, scale)


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


def _join(motifs: list[str], focus: str | None = None, where: str = "") -> str:
    nouns = [_noun(m) + (f" {where}" if m == focus else "") for m in motifs]
    return nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " and " + nouns[-1]


_SIDES = {-1: "on the left", 1: "on the right"}


def describe(plan: ScenePlan) -> str:
    """An English phrase of what the picture shows, for alt text; no words of the haiku.

    "the moon in the sky over a city, with a street and a lamp in the foreground, at night";
    the frame adds where the main motif is and how near: "a frog close up on the left, ...".
    """
    plan = _at_table(plan)
    frame = plan.frame
    if frame.focus and frame.view in ("close", "ground"):
        seen = "seen from above" if frame.view == "ground" else "close up"
        scene = f"{_noun(frame.focus)} {seen} {_SIDES[frame.side]}"
        rest = list(dict.fromkeys(m for m in plan.motifs() if m != frame.focus))
        if rest:
            scene += f", with {_join(rest)} around it"
        return _when(scene, plan)
    sky, middle, near = (plan.motifs(layer) for layer in LAYERS)
    # the main motif says where it is (a setting spans the picture: it is nowhere in particular)
    mark = {"focus": frame.focus if frame.focus not in SCENERY else None, "where": _SIDES[frame.side]}
    if sky:
        scene = f"{_join(sky, **mark)} in the sky" + (f" over {_join(middle, **mark)}" if middle else "")
    elif middle:
        scene = _join(middle, **mark)
    else:
        scene = ""
    if near:
        scene = (f"{scene}, with " if scene else "") + f"{_join(near, **mark)} in the foreground"
    scene = scene or "an open landscape"
    if frame.view == "sky":
        scene += ", above a low strip of land"
    return _when(scene, plan)


SEATED_NOUN = "figure at a table"  # the people of a poem sit at the table it lays (render.people.at_table)
SEATED_FAMILY = "figure and a child at a table"  # and the poem's child sits with them


def _at_table(plan: ScenePlan) -> ScenePlan:
    """The plan as the alt text tells it: a figure sharing its layer with a table sits at it,
    and the two are one thing, "a figure at a table"; the child the poem names sits there
    with them (ScenePlan.seats_child), "a figure and a child at a table"."""
    layer = plan.seated_layer()
    if layer is None:
        return plan
    family = plan.seats_child()
    noun = SEATED_FAMILY if family else SEATED_NOUN
    placements = [replace(p, motif=noun) if p.motif == "figure" else p for p in plan.placements
                  if not (p.motif == "table" and p.layer == layer) and not (family and p.motif == "child")]
    focus = noun if plan.frame.focus in ("figure", "table") or (family and plan.frame.focus == "child") else plan.frame.focus
    return replace(plan, placements=placements, frame=replace(plan.frame, focus=focus))


def _when(text: str, plan: ScenePlan) -> str:
    text = f"{text}, {_TIME_PHRASES[plan.time_of_day]}"
    if plan.season != "none":
        text += f", in {plan.season}"
    return text
