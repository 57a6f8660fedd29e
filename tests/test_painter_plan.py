"""The painter's scene planner: lexicon, word vectors, and the plan a haiku becomes."""
import hashlib
import json
from collections import Counter

import numpy as np
import pytest
from safetensors.numpy import save_file

from core.errors import AuriaError
from generator.painter.lexicon import SEASON_WORDS, STOPWORDS, TIME_WORDS, UNPAINTED, WORDS, words_of
from generator.painter.motifs import FOREGROUND, MIDDLE, MOTIFS, SKY
from generator.painter.plan import Frame, SEASONS, TIMES_OF_DAY, ScenePlan
from generator.painter.planner import _TIME_PHRASES, MAX_PLACEMENTS, describe, lexicon_motif, line_layers, plan_scene
from generator.painter.vectors import SHIPPED, load_vectors, main as train_vectors

OLD_POND = ["an old silent pond", "a frog jumps into the pond", "splash! silence again"]
CITY_MOON = ["full moon", "over the city street", "a single lamp"]


@pytest.fixture(scope="module")
def vectors():
    return load_vectors()


# --- lexicon -------------------------------------------------------------------------------

def test_lexicon_names_every_motif_and_nothing_else():
    assert len(WORDS) >= 60
    assert set(WORDS) == set(MOTIFS)
    assert all(WORDS[motif] for motif in MOTIFS)


def test_no_word_names_two_motifs():
    counts = Counter(word for words in WORDS.values() for word in words)
    assert [word for word, n in counts.items() if n > 1] == []


def test_lexicon_entries_are_single_words_as_the_tokenizer_splits_them():
    entries = [w for words in WORDS.values() for w in words] + list(TIME_WORDS) + list(SEASON_WORDS)
    assert [w for w in entries if words_of(w) != [w]] == []
    assert set(TIME_WORDS.values()) <= set(TIMES_OF_DAY)
    assert set(SEASON_WORDS.values()) <= set(SEASONS) - {"none"}
    assert not (STOPWORDS | UNPAINTED) & {word for words in WORDS.values() for word in words}


def test_words_of_lowercases_splits_hyphens_and_drops_possessives():
    assert words_of("The Heron's moon-viewing, don't!") == ["the", "heron", "moon", "viewing", "don't"]
    assert words_of("a crow\u2019s caw") == ["a", "crow", "caw"]


def test_lexicon_motif_tries_the_singular():
    assert lexicon_motif("heron") == "heron"
    assert lexicon_motif("chimes") == "bell"
    assert lexicon_motif("lanterns") == "lantern"
    assert lexicon_motif("silence") is None


# --- plans of known poems ------------------------------------------------------------------

def test_old_pond(vectors):
    plan = plan_scene(OLD_POND, vectors)
    by_motif = {p.motif: p for p in plan.placements}
    assert plan.motifs()[:2] == ["pond", "frog"]
    assert by_motif["frog"].layer == FOREGROUND and by_motif["frog"].line == 1
    assert by_motif["pond"].line == 0 and by_motif["pond"].via == "lexicon"
    assert by_motif["pond"].layer == FOREGROUND  # line 1 is the sky; a pond cannot be there
    assert plan.time_of_day == "day" and plan.season == "none"


def test_full_moon_over_the_city(vectors):
    for plan in (plan_scene(CITY_MOON), plan_scene(CITY_MOON, vectors)):
        assert [(p.motif, p.layer) for p in plan.placements] == [
            ("moon", SKY), ("city", MIDDLE), ("street", MIDDLE), ("lamp", FOREGROUND)]
        assert all(p.via == "lexicon" and p.similarity is None for p in plan.placements)
        assert plan.time_of_day == "night"  # no time word: a moon makes it night


def test_time_and_season_words():
    plan = plan_scene(["autumn dusk", "a crow settles", "on the bare branch"])
    assert (plan.time_of_day, plan.season) == ("dusk", "autumn")
    assert plan_scene(["morning snow", "the moon", "still up"]).time_of_day == "dawn"  # word beats rule
    assert plan_scene(["morning snow", "the moon", "still up"]).season == "winter"
    assert plan_scene(["cherry blossoms", "x", "y"]).season == "spring"


def test_fall_is_autumn_only_as_a_noun():
    assert plan_scene(["fall colours", "the old barn", "leans"]).season == "autumn"
    assert plan_scene(["first day of fall", "a heron", "waits"]).season == "autumn"
    assert plan_scene(["the last leaves fall", "on the path", "quiet"]).season == "none"


def test_layer_falls_back_to_the_motif_home():
    plan = plan_scene(["a frog", "the moon", "stars"])
    assert [(p.motif, p.layer) for p in plan.placements] == [
        ("frog", FOREGROUND), ("moon", SKY), ("stars", SKY)]
    for p in plan.placements:
        home, allowed = MOTIFS[p.motif]
        assert p.layer in allowed


def test_lines_of_other_counts_spread_over_the_layers():
    assert line_layers(3) == [SKY, MIDDLE, FOREGROUND]
    assert line_layers(1) == [SKY]
    assert line_layers(2) == [SKY, FOREGROUND]
    assert line_layers(4) == [SKY, MIDDLE, MIDDLE, FOREGROUND]
    assert [p.line for p in plan_scene(["snow on the pine"]).placements] == [0, 0]


def test_motifs_are_deduplicated_and_capped_lexicon_first(vectors):
    plan = plan_scene(["moon moon sun rain snow", "crow heron frog fish cat", "rose bare melting"], vectors)
    assert len(plan.placements) == MAX_PLACEMENTS
    assert all(p.via == "lexicon" for p in plan.placements)
    assert plan.motifs() == ["moon", "sun", "rain", "snow", "crow", "heron"]
    assert plan.placements[0].word == "moon" and plan.placements[0].line == 0



def test_a_thing_goes_where_the_poem_names_it_not_where_it_names_a_trace_of_it():
    # "birdfeeder" names the sparrow in line 1, but line 3 has the bird itself land
    plan = plan_scene(["empty birdfeeder", "the shimmer of falling snow", "as a sparrow lands"])
    sparrow = next(p for p in plan.placements if p.motif == "sparrow")
    assert (sparrow.layer, sparrow.line, sparrow.word) == (FOREGROUND, 2, "sparrow")
    assert plan.frame.focus == "sparrow" and plan.frame.view in ("close", "ground")
    # where the first naming is the thing itself, it stays there
    plan = plan_scene(["a sparrow", "the birdfeeder", "sparrows"])
    assert [(p.motif, p.line, p.word) for p in plan.placements] == [("sparrow", 0, "sparrow")]
    # and a kind that is the bough in the sky keeps its bough ("dying maple / just enough leaves")
    plan = plan_scene(["dying maple", "just enough leaves", "for the wind"])
    assert next((p.layer, p.word) for p in plan.placements if p.motif == "leaves") == (SKY, "maple")
    # and the own name says how many: "a maple leaf" is one leaf (render.plants.SINGLE_LEAF)
    plan = plan_scene(["after the midnight", "the smell of a maple leaf", "and the snow"])
    assert next(p.word for p in plan.placements if p.motif == "leaves") == "leaf"
    # a kind is not the thing's own name, nor is a trace of it
    assert plan_scene(["red maple", "a sparrow's wings"]).placements[0].word == "maple"

def test_stopwords_and_unpainted_words_are_never_mapped(vectors):
    words = sorted((STOPWORDS | UNPAINTED) & set(vectors.words))
    assert len(words) > 100
    lines = [" ".join(words[i::3]) for i in range(3)]
    assert [p for p in plan_scene(lines, vectors).placements if p.via != "gesture"] == []


def test_out_of_lexicon_words_go_through_the_vectors(vectors):
    plan = plan_scene(["bare", "melting", "fluttering"], vectors)
    assert [(p.word, p.motif, p.via) for p in plan.placements] == [
        ("bare", "tree", "vectors"), ("melting", "snow", "vectors"), ("fluttering", "butterfly", "vectors")]
    assert all(0 < p.similarity <= 1 for p in plan.placements)


def test_plan_round_trips_through_json(vectors):
    plan = plan_scene(["winter moon", "a heron's shadow", "on the bare ice"], vectors)
    again = ScenePlan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again == plan


def test_planning_is_deterministic(vectors):
    assert plan_scene(OLD_POND, vectors) == plan_scene(OLD_POND, load_vectors())


def test_describe_names_the_motifs_by_layer_without_the_haiku():
    text = describe(plan_scene(CITY_MOON))
    assert text == "the moon in the sky over a city and a street, with a lamp on the left in the foreground, at night"
    assert "single" not in text and "full" not in text
    def hour(plan):  # a poem naming no hour is painted at the hour its seed settles
        return _TIME_PHRASES[plan.time_of_day]

    frog, frog4, empty = (plan_scene(["winter", "an old frog", "x"]), plan_scene(["winter", "an old frog", "x"], seed=4),
                          plan_scene(["nothing here", "at all", "really"]))
    assert describe(frog) == f"a frog close up on the left, {hour(frog)}, in winter"
    assert describe(frog4) == f"a frog seen from above on the left, {hour(frog4)}, in winter"
    assert describe(empty) == f"an open landscape, {hour(empty)}"
    assert describe(plan_scene(["autumn dusk", "geese", "over the hills"])) == (
        "geese on the left in the sky over hills, at dusk, in autumn")
    assert describe(plan_scene(["full moon rising", "the stars above the clouds", "geese fly south"])).endswith(
        "in the sky, above a low strip of land, at night")


# --- the frame ------------------------------------------------------------------------------

SAMPLES = [
    ["the old pond", "a frog jumps into the pond", "splash of water"],
    ["winter moon", "a crow on the bare branch", "snow on the fence"],
    ["autumn dusk", "the mountain path winds", "a lantern glows"],
    ["summer rain", "the city street at night", "a lamp and a cat"],
    ["full moon rising", "the stars above the clouds", "geese fly south"],
    ["a small snail", "climbing the stone", "slowly slowly"],
    ["morning sun", "a heron in the reeds", "the river flows"],
    ["cherry blossoms", "a child runs under the tree", "petals on her hair"],
    ["spring wind", "a kite above the hills", "the long grass"],
    ["a cup of tea", "the candle flickers", "my cat sleeps"],
    ["fog on the sea", "a boat drifts", "waves on the shore"],
    ["the temple bell", "a deer in the forest", "falling leaves"],
]


def test_the_focus_is_the_living_thing_not_the_setting():
    assert plan_scene(SAMPLES[1]).frame.focus == "crow"  # not the fence, the tree or the snow
    assert plan_scene(SAMPLES[5]).frame.focus == "snail"  # not the stone it climbs
    assert plan_scene(SAMPLES[11]).frame.focus == "deer"  # not the leaves or the forest


class Guesses:
    """Word vectors that guess one motif for one word, at a given similarity."""

    def __init__(self, word, motif, similarity):
        self.guess = {word: (motif, similarity)}

    def nearest_motif(self, word):
        return self.guess.get(word)


def test_a_hunch_is_not_the_subject_while_the_poem_names_one():
    """"slips" -> fish (0.52) made a poem of a leaf and the woods into a close-up of a fish."""
    poem = ["behind the dark frame", "a single leaf", "slips away"]
    hunch = plan_scene(poem, Guesses("slips", "fish", 0.52), seed=4)
    assert "fish" in hunch.motifs(), "the hunch still stands in the picture"
    assert hunch.frame.focus == "leaves"
    assert plan_scene(poem, Guesses("slips", "fish", 0.7), seed=4).frame.focus == "fish", "a close guess may lead"
    alone = plan_scene(["behind the dark frame", "it slips away"], Guesses("slips", "fish", 0.52), seed=4)
    assert alone.frame.focus == "fish", "and a hunch is the subject when nothing else is named"


def test_a_poem_that_names_its_picture_is_not_crowded_with_hunches():
    """A monk crossing a river is the picture: a road for "crosses" painted what the poem
    never said. But the one thing near the viewer stays, or the near ground is left empty."""
    monk = ["morning frost", "a monk's chant", "crosses the river"]
    assert plan_scene(monk, Guesses("crosses", "road", 0.55), seed=3).motifs() == ["ice", "figure", "river"]
    assert "road" in plan_scene(monk, Guesses("crosses", "road", 0.7), seed=3).motifs(), "a close guess stays"
    town = ["a demolished town", "the wind howls not knowing", "where it would go"]
    assert "dog" in plan_scene(town, Guesses("howls", "dog", 0.48), seed=3).motifs(), "the one near thing"


def test_a_sky_poem_gets_a_sky_picture_and_a_small_thing_is_seen_near():
    sky = plan_scene(SAMPLES[4], seed=3).frame
    assert sky.view == "sky" and sky.horizon > 0.8
    views = {plan_scene(["winter", "an old frog", "x"], seed=s).frame.view for s in range(12)}
    assert views == {"close", "ground"}
    ground = next(plan_scene(["winter", "an old frog", "x"], seed=s).frame for s in range(12)
                  if plan_scene(["winter", "an old frog", "x"], seed=s).frame.view == "ground")
    assert ground.horizon < 0.15 and ground.scale > 1.5
    # but not where a tree, a house or a fence stands with it: looking down, it stood tiny on
    # a far horizon over a bare plain that viewers read as a flat sky
    views = {plan_scene(["over the morning", "the shadow of a lizard", "on the compost tree"], seed=s).frame.view
             for s in range(12)}
    assert views == {"close"}


def test_a_close_up_brings_the_focus_forward_and_larger():
    plan = plan_scene(SAMPLES[5], seed=1)
    assert plan.frame.view == "close" and plan.frame.focus == "snail"
    assert {p.layer for p in plan.placements if p.motif == "snail"} == {"foreground"}
    assert plan.frame.scale == 2.0
    tall = plan_scene(["the old willow", "alone by the road", "a child"], seed=0).frame
    assert tall.scale <= 1.3, "a tall focus is not enlarged until the frame crops it"


def test_horizons_sit_on_thirds_and_the_samples_are_framed_differently():
    frames = [plan_scene(lines, seed=i + 1).frame for i, lines in enumerate(SAMPLES)]
    for frame in frames:
        if frame.view in ("wide", "close"):
            assert min(abs(frame.horizon - t) for t in (1 / 3 + 0.04, 2 / 3)) <= 0.031
    compositions = {(f.view, round(f.horizon * 3), f.side) for f in frames}
    assert len(compositions) >= 6, compositions
    assert {f.view for f in frames} >= {"wide", "close", "sky"}


def test_the_frame_survives_the_round_trip_and_old_plans_get_the_default():
    plan = plan_scene(SAMPLES[9], seed=2)
    assert ScenePlan.from_dict(plan.to_dict()) == plan
    old = plan.to_dict()
    del old["frame"]
    assert ScenePlan.from_dict(old).frame == Frame()


# --- word vectors --------------------------------------------------------------------------

def _tiny_corpus(folder):
    """Two kinds of poem: the sea and the forest, so each word's neighbours are its own kind."""
    sea = ["sea waves shore", "salt gulls tide", "boat sail harbor"]
    forest = ["pine forest moss", "deer fern shade", "owl bark stump"]
    poems = []
    for i in range(12):
        for lines in (sea, forest):
            poems.append([lines[(i + k) % 3] for k in range(3)])
    folder.mkdir()
    (folder / "train.txt").write_text("\n\n".join("\n".join(p) for p in poems) + "\n", encoding="utf-8")
    return folder


def test_training_writes_a_loadable_file_with_sensible_neighbours(tmp_path, capsys):
    corpus = _tiny_corpus(tmp_path / "corpus")
    assert train_vectors(["--corpus", str(corpus), "--out", str(tmp_path / "out"), "--dims", "4"]) == 0
    path = tmp_path / "out" / "word_vectors.safetensors"
    loaded = load_vectors(path)
    assert len(loaded.words) == 18 and loaded.vectors.shape == (18, 4)
    assert loaded.metadata["dims"] == "4" and loaded.metadata["min_count"] == "3"
    assert len(loaded.metadata["corpus_sha256"]) == 64 and loaded.metadata["trained"]
    sea = {"sea", "waves", "shore", "salt", "gulls", "tide", "boat", "sail", "harbor"}
    assert {w for w, _ in loaded.similar("waves", 5)} <= sea
    assert {w for w, _ in loaded.similar("moss", 5)}.isdisjoint(sea)
    assert loaded.nearest_motif("salt", threshold=0.0)[0] in {"sea", "waves", "shore", "swallow", "boat"}
    assert loaded.nearest_motif("unknownword") is None
    # The same corpus gives the same vectors.
    train_vectors(["--corpus", str(corpus), "--out", str(tmp_path / "again"), "--dims", "4"])
    assert np.array_equal(load_vectors(tmp_path / "again" / path.name).vectors, loaded.vectors)


def test_too_small_a_corpus_is_a_clear_error(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "train.txt").write_text("one moon\nover\nthe sea\n", encoding="utf-8")
    assert train_vectors(["--corpus", str(corpus), "--out", str(tmp_path / "out")]) == 1
    assert "too few" in capsys.readouterr().err


def test_shipped_vectors_are_small_and_map_words_outside_the_lexicon(vectors):
    assert SHIPPED.stat().st_size < 2_000_000
    assert vectors.sha256 == hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    assert 3000 < len(vectors.words) < 12000 and vectors.vectors.shape[1] == 64
    assert set(vectors.motifs) == set(MOTIFS)
    expected = {"bare": {"tree"}, "melting": {"snow", "ice"}, "fluttering": {"butterfly"},
                "rose": {"flowers", "blossom"}, "whistle": {"train"}, "crab": {"shore", "sea"},
                "swimming": {"fish"}, "bees": {"flowers", "blossom"}, "sipping": {"cup"},
                "brittle": {"leaves"}, "plop": {"frog", "pond", "fish"}}
    for word, motifs in expected.items():
        assert lexicon_motif(word) is None, word
        motif, similarity = vectors.nearest_motif(word)
        assert motif in motifs and similarity >= 0.48, (word, motif)
    assert vectors.nearest_motif("life") is None  # near nothing in particular


def test_missing_or_corrupt_vectors_file_is_a_clear_error(tmp_path):
    with pytest.raises(AuriaError, match="missing"):
        load_vectors(tmp_path / "nope.safetensors")
    corrupt = tmp_path / "corrupt.safetensors"
    corrupt.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00not json")
    with pytest.raises(AuriaError, match="not a readable"):
        load_vectors(corrupt)
    foreign = tmp_path / "foreign.safetensors"
    save_file({"vectors": np.zeros((2, 4), dtype=np.float16)}, str(foreign), metadata={"vocabulary": '["a", "b"]'})
    with pytest.raises(AuriaError, match="format"):
        load_vectors(foreign)


def test_a_poem_naming_only_its_season_or_hour_gets_that_emblem():
    summer = plan_scene(["summer afternoon", "the last day of the weekend", "where I was"])
    assert [(p.motif, p.word, p.via) for p in summer.placements] == [("sun", "summer", "emblem")]
    dawn = plan_scene(["I sleep", "at dawn", "again"])
    assert [(p.motif, p.word, p.line) for p in dawn.placements] == [("sun", "dawn", 1)]
    assert plan_scene(["winter night", "I cannot sleep", "please"]).placements[0].motif == "snow"
    assert plan_scene(["nothing here", "at all", "really"]).placements == []
    assert [p.via for p in plan_scene(["winter moon", "x", "y"]).placements] == ["lexicon"], "only when nothing is named"


def test_a_poem_naming_nothing_is_painted_from_what_it_does_and_feels(vectors):
    """Words of going and feeling call up a scene only when no word names a motif."""
    back = plan_scene(["I don't find myself", "as if you were here and there", "please let me go back"], vectors)
    assert [(p.motif, p.word, p.via) for p in back.placements] == [("figure", "myself", "gesture"), ("road", "back", "gesture")]
    summer = plan_scene(["summer afternoon", "the last day of the weekend", "where I left behind"], vectors)
    assert [(p.motif, p.via) for p in summer.placements] == [("road", "gesture"), ("sun", "emblem")]
    assert [p.via for p in plan_scene(["a dream", "of a funeral", "alone, going back"]).placements] == ["gesture"] * 2
    named = plan_scene(["the frog", "alone", "going back"], vectors)
    assert named.motifs() == ["frog"], "a poem with a subject is not crowded with hints"


def test_new_motifs_and_their_words():
    assert plan_scene(["family dinner", "a ghost", "the shadow of a rabbit"]).motifs() == [
        "figure", "table", "ghost", "shadow", "rabbit"]
    assert plan_scene(["supper", "x", "y"]).time_of_day == "dusk"
    assert plan_scene(["a ghost", "x", "y"]).time_of_day == "night", "a ghost walks at night unless told"
    assert lexicon_motif("geckos") == "lizard" and lexicon_motif("hares") == "rabbit"


def test_an_hour_the_poem_leaves_open_is_often_the_low_light():
    """Daylight scenes read as generic; the same works at dusk or dawn won 9 of 9 pairs."""
    lines = ["a stone on the path", "a crow on the old fence", "the long road home"]
    hours = [plan_scene(lines, seed=seed).time_of_day for seed in range(60)]
    assert set(hours) == {"day", "dusk", "dawn"}
    assert 0.5 < (hours.count("dusk") + hours.count("dawn")) / len(hours) < 0.85, "most, not all, at the day's ends"
    assert hours == [plan_scene(lines, seed=seed).time_of_day for seed in range(60)], "settled by the seed"
    named = ["midday heat", "a crow on the old fence", "the long road home"]
    assert {plan_scene(named, seed=seed).time_of_day for seed in range(20)} == {"day"}, "a named hour is kept"


def test_the_alt_text_seats_the_people_at_the_table_they_share_a_layer_with():
    """The painter seats a figure at a table in its layer (render.people.at_table); the alt
    text says so, once, instead of a figure beside a table."""
    from generator.painter.planner import describe

    text = describe(plan_scene(["family dinner", "he asks if I'm not enough", "to forget the right"]))
    assert text.startswith("a figure at a table") and text.count("table") == 1
    # where the poem's child is painted, it sits with them (render.people.at_table)
    family = describe(plan_scene(["family dinner", "my daughter spills the milk", "the candle low"]))
    assert family.startswith("a figure and a child at a table") and family.count("child") == 1


def test_a_motif_word_in_a_compound_naming_something_else_is_not_that_motif():
    assert plan_scene(["empty street", "an abandoned umbrella", "in the ice cream truck"]).motifs() == [
        "street", "umbrella", "road"]
    assert plan_scene(["the fire escape", "thin ice"]).motifs() == ["ice"]
    assert plan_scene(["ice", "a fire"]).motifs() == ["ice", "fire"]  # alone, or last in the line
