"""Moods: WikiArt Emotions' categories, chosen at random, from the haiku's words, or by name.

The dataset annotates 20 emotions (EMOTIONS). Fifteen of them are offered as moods (MOODS):
the ones a palette can carry and a daily art post should. Left out: agreeableness,
disagreeableness and arrogance (attitudes towards a person in the picture, which a
landscape recoloured by a style network does not have), and disgust and shame (not what
anyone wants in their feed every morning). Imported paintings keep all their emotions;
only the moods are ever chosen.
"""
from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from core.errors import AuriaError

EMOTIONS = (
    "agreeableness", "anger", "anticipation", "arrogance", "disagreeableness", "disgust",
    "fear", "gratitude", "happiness", "humility", "love", "optimism", "pessimism", "regret",
    "sadness", "shame", "shyness", "surprise", "trust", "neutral",
)

MOODS = (
    "happiness", "love", "optimism", "trust", "gratitude", "humility", "anticipation",
    "surprise", "shyness", "neutral", "sadness", "fear", "anger", "pessimism", "regret",
)

MOOD_SETTINGS = ("random", "auto") + MOODS

# Words of haiku (and their usual inflections) that point to a mood. Small on purpose: a
# word counts once per occurrence, the mood with most words wins, ties go to the mood
# listed first in MOODS, and a haiku with none of these words is "neutral".
LEXICON: dict[str, tuple[str, ...]] = {
    "happiness": (
        "happy", "joy", "joyful", "laugh", "laughs", "laughter", "laughing", "smile", "smiles",
        "smiling", "sing", "sings", "singing", "song", "dance", "dances", "dancing", "play",
        "playing", "bloom", "blooms", "blooming", "blossom", "blossoms", "sunny", "sunshine",
        "bright", "glad", "delight", "merry", "festival", "picnic", "giggle",
    ),
    "love": (
        "love", "loves", "loved", "lover", "lovers", "beloved", "kiss", "kisses", "heart",
        "hearts", "embrace", "darling", "sweetheart", "caress", "tender", "tenderly", "romance",
        "bride", "wedding", "hold", "holding", "warmth",
    ),
    "optimism": (
        "hope", "hopes", "hopeful", "sunrise", "dawn", "morning", "new", "first", "spring",
        "sprout", "sprouts", "seedling", "rise", "rising", "grow", "grows", "growing",
        "tomorrow", "begin", "beginning", "rainbow",
    ),
    "trust": (
        "trust", "faith", "faithful", "friend", "friends", "together", "home", "safe",
        "shelter", "steady", "mother", "father", "hand", "hands", "promise", "loyal",
    ),
    "gratitude": (
        "thank", "thanks", "thankful", "grateful", "gift", "gifts", "harvest", "bless",
        "blessed", "blessing", "bread", "feast", "offering", "share", "shared",
    ),
    "humility": (
        "humble", "small", "little", "tiny", "bow", "bows", "kneel", "simple", "plain",
        "modest", "monk", "temple", "pebble", "moss", "ant", "ants", "dew", "quiet",
    ),
    "anticipation": (
        "wait", "waits", "waiting", "soon", "almost", "await", "awaits", "expect", "eve",
        "threshold", "bud", "buds", "ripening", "journey", "road", "door", "letter", "train",
    ),
    "surprise": (
        "sudden", "suddenly", "surprise", "startled", "startle", "burst", "bursts", "flash",
        "lightning", "leap", "leaps", "jump", "jumps", "splash", "pop", "unexpected", "wow",
    ),
    "shyness": (
        "shy", "blush", "blushes", "blushing", "hide", "hides", "hiding", "peek", "peeks",
        "timid", "veil", "veiled", "whisper", "whispers",
    ),
    "sadness": (
        "sad", "sorrow", "sorrows", "tear", "tears", "weep", "weeps", "weeping", "cry", "cries",
        "crying", "alone", "lonely", "loneliness", "grief", "grieve", "mourn", "mourning",
        "grave", "graves", "funeral", "empty", "lost", "gone", "farewell", "goodbye", "widow",
        "wilted", "withered",
    ),
    "fear": (
        "fear", "afraid", "scared", "dread", "terror", "dark", "darkness", "shadow", "shadows",
        "storm", "storms", "thunder", "howl", "howls", "ghost", "ghosts", "haunted", "tremble",
        "trembles", "creak", "creaks", "wolf", "wolves", "abyss",
    ),
    "anger": (
        "anger", "angry", "rage", "raging", "fury", "furious", "burn", "burns", "burning",
        "fire", "flames", "blood", "bloody", "war", "fight", "fist", "scream", "screams",
        "slam", "hate",
    ),
    "pessimism": (
        "never", "nothing", "hopeless", "doom", "ruin", "ruins", "rust", "rusted", "decay",
        "dust", "ash", "ashes", "end", "ending", "fall", "falls", "falling", "broken",
        "wither", "withers", "dying", "dead",
    ),
    "regret": (
        "regret", "regrets", "sorry", "apology", "forgive", "forgotten", "forget", "once",
        "remember", "memory", "memories", "yesterday", "should", "mistake", "late",
        "old", "photograph", "faded",
    ),
}

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _word_moods() -> dict[str, str]:
    index: dict[str, str] = {}
    for mood in MOODS:  # MOODS order: a word listed under two moods keeps the first
        for word in LEXICON.get(mood, ()):
            index.setdefault(word, mood)
    return index


_WORD_MOOD = _word_moods()


def mood_scores(lines: list[str]) -> dict[str, int]:
    """How many words of the haiku point to each mood (moods with no words left out)."""
    scores: dict[str, int] = {}
    for line in lines:
        for word in _WORD.findall(line.lower().replace("\u2019", "'")):
            mood = _WORD_MOOD.get(word) or _WORD_MOOD.get(word.removesuffix("'s"))
            if mood:
                scores[mood] = scores.get(mood, 0) + 1
    return scores


def mood_from_words(lines: list[str]) -> str:
    scores = mood_scores(lines)
    if not scores:
        return "neutral"
    best = max(scores.values())
    return next(mood for mood in MOODS if scores.get(mood) == best)


def choose_mood(setting: str, lines: list[str], rng: random.Random) -> str:
    """The mood for a haiku: ``"random"``, ``"auto"`` (from its words) or a mood's name."""
    if setting == "random":
        return rng.choice(MOODS)
    if setting == "auto":
        return mood_from_words(lines)
    if setting in MOODS:
        return setting
    raise AuriaError(f"unknown mood {setting!r}; use random, auto or one of: {', '.join(MOODS)}")


@dataclass(frozen=True)
class MoodTable:
    """The curated built-in styles: what style i looks like, and ``styles[mood]``."""

    model_sha256: str
    palettes: dict[int, str]
    textures: dict[int, str]
    moods_of_style: dict[int, tuple[str, ...]]
    styles: dict[str, tuple[int, ...]]
    erases: frozenset[int] = frozenset()  # styles that bury the drawing: their colours only
    light: frozenset[int] = frozenset()  # pale styles that would turn a night into day
    dark: frozenset[int] = frozenset()  # night styles that would turn a day into night
    media: dict[str, tuple[str, ...]] | None = None  # the media each mood is painted in
    bands: frozenset[int] = frozenset()  # discordant palettes that band a sky's gradient
    dusky: frozenset[int] = frozenset()  # dim styles a day takes only when its mood has no other

    def look(self, index: int) -> str:
        return f"{self.palettes[index]}, {self.textures[index]}"


@cache
def mood_table() -> MoodTable:
    """generator/stylist/data/mood_styles.toml, checked: a broken table fails loudly, once."""
    text = resources.files("generator.stylist").joinpath("data/mood_styles.toml").read_text("utf-8")
    return parse_mood_table(tomllib.loads(text))


def parse_mood_table(data: dict) -> MoodTable:
    where = "generator/stylist/data/mood_styles.toml"
    from generator.painter.media import MEDIA

    palettes, textures, moods_of_style = {}, {}, {}
    erases, light, dark, bands, dusky = set(), set(), set(), set(), set()
    for key, entry in data["styles"].items():
        index = int(key)
        if not 0 <= index < 26:
            raise AuriaError(f"{where}: styles.{key}: style index must be 0 to 25")
        unknown = [m for m in entry["moods"] if m not in MOODS]
        if unknown:
            raise AuriaError(f"{where}: styles.{key}: unknown moods {unknown}")
        palettes[index], textures[index] = entry["palette"], entry["texture"]
        moods_of_style[index] = tuple(entry["moods"])
        if entry.get("erases"):
            erases.add(index)
        if entry.get("light"):
            light.add(index)
        if entry.get("dark"):
            dark.add(index)
        if entry.get("bands"):
            bands.add(index)
        if entry.get("dusky"):
            dusky.add(index)
    styles = {mood: tuple(data["moods"].get(mood, ())) for mood in MOODS}
    for mood, indexes in styles.items():
        if not indexes:
            raise AuriaError(f"{where}: moods.{mood}: no style for this mood")
        listed = {i for i, moods in moods_of_style.items() if mood in moods}
        if set(indexes) != listed:
            raise AuriaError(
                f"{where}: moods.{mood} = {sorted(indexes)} disagrees with the styles "
                f"that name it: {sorted(listed)}"
            )
    media = {mood: tuple(data.get("media", {}).get(mood, ())) for mood in MOODS}
    for mood, names in media.items():
        if not names or any(name not in MEDIA for name in names):
            raise AuriaError(f"{where}: media.{mood} must list media among {', '.join(MEDIA)}, got {list(names)}")
    return MoodTable(data["model_sha256"], palettes, textures, moods_of_style, styles,
                     frozenset(erases), frozenset(light), frozenset(dark), media, frozenset(bands), frozenset(dusky))


def choose_medium(setting: str, mood: str, rng: random.Random, empty: bool = False, wet: bool = False) -> str:
    """The medium of a work: ``painter.medium`` when it names one, else one of the mood's
    that suits the picture.

    ``empty``: the poem names no motif (at most its emblem, a sun or the snow, and what its
    words of going call up, a road). Ink leaves the light of a bare landscape as paper, so
    such a picture in sumi-e is a blank sheet. ``wet``: the picture holds water, weather or
    blossom (media.WATERCOLOUR_SUBJECTS); only such a picture is painted in watercolour.
    Oil when the mood's media leave nothing.
    """
    if setting != "auto":
        return setting
    media = mood_table().media[mood]
    media = tuple(m for m in media if (wet or m != "watercolour") and not (empty and m == "sumi-e"))
    return rng.choice(media or ("oil",))
