"""Writing haiku with the shipped weights: batched decoding under the shape mask, seeds,
the filters, the critic's ranking."""
import dataclasses
import json

import pytest
import torch
from poet_fixtures import single_torch_thread  # noqa: F401

from core.errors import AuriaError
from generator.poet import weights
from generator.poet.novelty import NoveltyIndex, build_fingerprints
from generator.poet.syllables import counts
from generator.poet.vocab import ALPHABET
from generator.poet.write import DANGLING, Haiku, Poet, WriteReport, parse_register, parse_shape
from state.works import haiku_key

SEED = 11
FEW = 48  # candidates per haiku in these tests: enough to choose, quick on one thread


@pytest.fixture(scope="module")
def poet():
    return Poet(weights.load())


@pytest.fixture(scope="module")
def ten(poet) -> WriteReport:
    return poet.write(10, seed=SEED, candidates=FEW, keep_top=5)


# shapes and registers


@pytest.mark.parametrize(
    "text, shape",
    [("5-7-5", (5, 7, 5)), ("3-5-3", (3, 5, 3)), ("7-7", (7, 7)), ("9", (9,)), ("1-2-3-4-16", (1, 2, 3, 4, 16))],
)
def test_parse_shape(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["abc", "", "0-7-5", "5-7-5-5-5-5", "20-7-5", "5--7", "5-7-", " 5-7-5", "5,7,5", "17"])
def test_parse_shape_errors_are_one_line(text):
    with pytest.raises(AuriaError, match="unknown shape") as info:
        parse_shape(text)
    assert "\n" not in str(info.value) and repr(text) in str(info.value)


def test_parse_shape_follows_the_model_limits():
    assert parse_shape("12-12", max_syllables=12) == (12, 12)
    with pytest.raises(AuriaError, match="1 to 2 lines of 1 to 12 syllables"):
        parse_shape("5-7-5", max_syllables=12, max_lines=2)


@pytest.mark.parametrize("text", ["5-7-5", "05-7-5", "16", "1-2-3-4-5", "0-7-5", "17", "5-7-5-5-5-5", "5--7", " 5-7-5",
                                  "\uff15-7-5", "5-7-5\n", ""])
def test_the_config_and_the_poet_read_a_shape_by_one_rule(write_config, text):
    from bot.config import ConfigError, load_config

    try:
        expected = "-".join(map(str, parse_shape(text)))
    except AuriaError:
        expected = None
    try:
        found = load_config(write_config(f"[poet]\nshape = {json.dumps(text)}\n")).poet.shape
    except ConfigError:
        found = None
    assert found == expected


def test_parse_register():
    assert parse_register("literary") == "literary" and parse_register("social") == "social"
    with pytest.raises(AuriaError, match="unknown register 'verse': literary or social"):
        parse_register("verse")  # pretraining only


# writing


def test_ten_haiku_all_exactly_five_seven_five(ten):
    assert len(ten.haiku) == 10
    for k, haiku in enumerate(ten.haiku):
        assert isinstance(haiku, Haiku)
        assert counts(haiku.lines) == (5, 7, 5) == haiku.shape, haiku.lines
        assert haiku.seed == SEED + k
        assert haiku.attempts >= 1 and haiku.seconds >= 0
        assert haiku.text == "\n".join(haiku.lines)
        assert all(line == line.strip() and line for line in haiku.lines)
        assert all(ch in ALPHABET + "I" for ch in haiku.text)  # lowercase, but "I" alone
    assert len({haiku_key(h.text) for h in ten.haiku}) == 10
    assert ten.samples == FEW * sum(h.attempts for h in ten.haiku)
    assert ten.seconds > 0


def test_every_candidate_is_in_shape_before_the_filters(poet):
    """The mask alone keeps the count: no candidate of a batch misses its shape."""
    for shape in [(5, 7, 5), (3, 5, 3), (2, 3, 4, 3, 2)]:
        batch = poet.sample(64, shape, "literary", torch.Generator().manual_seed(1))
        assert len(batch) == 64
        assert all(counts(c.lines) == shape for c in batch), [c.lines for c in batch if counts(c.lines) != shape]
        assert all(c.likelihood < 0 for c in batch)


def test_the_chosen_haiku_is_the_best_scored_that_passed(ten):
    for haiku in ten.haiku:
        assert haiku.top and haiku.top[0].lines == haiku.lines
        scores = [c.score for c in haiku.top]
        assert scores == sorted(scores, reverse=True) and haiku.score == scores[0]
        assert all(c.problem is None for c in haiku.top)
        assert 1 <= haiku.rank <= haiku.candidates == FEW and 1 <= haiku.passed <= FEW
        record = haiku.record()
        assert set(record) == {"candidates", "passed", "rank", "score", "critic", "likelihood", "batches"}
        assert record["critic"] == round(haiku.critic, 4) and record["candidates"] == FEW


def test_the_critic_prefers_a_person_to_word_salad(poet):
    person = ["first snow", "the neighbour's dog follows", "its own breath"]
    salad = ["the the moon of of", "pond frog and the in the on", "is is a a the"]
    better, worse = poet.critic.logits([person, salad])
    assert better > worse


def test_without_a_critic_candidates_rank_by_likelihood(poet):
    bare = Poet(dataclasses.replace(poet.loaded, critic=None))
    haiku = bare.write(1, seed=SEED, candidates=FEW, keep_top=3).haiku[0]
    assert [c.score for c in haiku.top] == [c.likelihood for c in haiku.top]


def test_haiku_k_is_haiku_0_of_seed_plus_k(poet, ten):
    for k in (0, 9):
        alone = poet.write(1, seed=SEED + k, candidates=FEW).haiku[0]
        assert alone.lines == ten.haiku[k].lines and alone.seed == SEED + k


def test_same_seed_same_haiku_other_seed_other_haiku(poet):
    first = poet.write(2, seed=123, candidates=FEW)
    again = poet.write(2, seed=123, candidates=FEW)
    assert [h.lines for h in first.haiku] == [h.lines for h in again.haiku]
    other = poet.write(1, seed=124, candidates=FEW)
    assert other.haiku[0].lines == first.haiku[1].lines


@pytest.mark.parametrize("shape", [(3, 5, 3), (7, 7), (4,), (2, 3, 4, 3, 2)])
def test_other_shapes_come_out_exact(poet, shape):
    report = poet.write(2, seed=5, shape=shape, candidates=16)
    assert [counts(h.lines) for h in report.haiku] == [shape] * 2


def test_settings_and_register_change_the_haiku(poet):
    base = poet.write(1, seed=40, candidates=FEW).haiku[0].lines
    changed = [
        poet.write(1, seed=40, **{"candidates": FEW, **settings}).haiku[0].lines
        for settings in ({"temperature": 0.3}, {"top_p": 0.3}, {"register": "social"}, {"candidates": 8})
    ]
    assert all(counts(lines) == (5, 7, 5) for lines in changed)
    assert sum(lines != base for lines in changed) >= 3


def test_known_keys_are_not_written_again(poet):
    written = poet.write(1, seed=77, candidates=FEW).haiku[0]
    again = poet.write(1, seed=77, candidates=FEW, known_keys={haiku_key(written.text)})
    assert again.haiku[0].lines != written.lines
    assert again.rejected["repeat"] >= 1
    assert counts(again.haiku[0].lines) == (5, 7, 5)


def test_no_acceptable_haiku_is_a_one_line_error(poet):
    blocked = set()
    generator = torch.Generator().manual_seed(3)
    for _ in range(2):  # every candidate of the first two batches of seed 3, now "already posted"
        blocked |= {haiku_key(" ".join(c.lines)) for c in poet.sample(4, (5, 7, 5), "literary", generator)}
    with pytest.raises(AuriaError, match=r"no acceptable haiku for seed 3 in 2 batches of 4") as info:
        poet.write(1, seed=3, candidates=4, max_attempts=2, known_keys=blocked)
    assert "\n" not in str(info.value) and "'repeat'" in str(info.value)


def test_filters_run_before_ranking(poet):
    """A candidate that copies the corpus is never chosen, however well it scores."""
    batch = poet.sample(FEW, (5, 7, 5), "literary", torch.Generator().manual_seed(SEED))
    poet.judge(batch, (5, 7, 5), set())
    best = max((c for c in batch if not c.problem), key=lambda c: c.score)
    copying = Poet(dataclasses.replace(poet.loaded, novelty=NoveltyIndex(build_fingerprints([best.lines]))))
    chosen = copying.write(1, seed=SEED, candidates=FEW).haiku[0]
    assert chosen.lines != best.lines and chosen.rank >= 2


# the filters


def test_filter_accepts_a_good_haiku(poet):
    lines = ["an old silent pond", "a frog jumps into the pond", "splash! silence again"]
    # Whether the shipped corpus holds Basho's pond or not, a fresh index does not.
    fresh = Poet(dataclasses.replace(poet.loaded, novelty=NoveltyIndex(build_fingerprints([]))))
    assert fresh.filter(lines, (5, 7, 5), set()) is None


def test_filter_rejects_the_wrong_shape(poet):
    assert poet.filter(["an old pond", "a frog jumps into the pond", "splash! silence again"], (5, 7, 5), set()) == "shape"


def test_filter_rejects_dangling_lines(poet):
    lines = ["an old silent pond", "a frog jumps into the", "splash! silence again"]
    assert poet.filter(lines, counts(lines), set()) == "form"
    assert {"the", "a", "and", "of"} <= DANGLING
    lines = ["the frog and the pond", "a frog jumps into the pond", "splash! silence of."]
    assert poet.filter(lines, counts(lines), set()) == "form"  # punctuation does not hide it


@pytest.mark.parametrize("line, fits", [
    ("a apple tree", False), ("an apple tree", True), ("an tree", False), ("an hour, a year", True),
    ("a unicorn", True), ("a hour", False), ("an unicorn", False),
])
def test_filter_rejects_the_wrong_article(poet, line, fits):
    fresh = Poet(dataclasses.replace(poet.loaded, novelty=NoveltyIndex(build_fingerprints([]))))
    lines = ["an old silent pond", line, "cold moon over snow"]
    assert (fresh.filter(lines, counts(lines), set()) is None) == fits


@pytest.mark.parametrize(
    "line",
    ["she calls @bob at dawn", "autumn rain #haiku", "the fucking rain again", "a bitch's cold", "fuck"],
    ids=["mention", "hashtag", "profanity-prefix", "possessive", "profanity-exact"],
)
def test_filter_rejects_content(poet, line):
    lines = ["an old silent pond", line, "cold moon over snow"]
    assert poet.filter(lines, counts(lines), set()) == "content"


@pytest.mark.parametrize("line", ["see example.com", "go to www.example.org", "http://example.com"])
def test_filter_rejects_urls(poet, line):
    lines = ["an old silent pond", line, "cold moon over snow"]
    assert poet.filter(lines, counts(lines), set()) is not None


def test_filter_rejects_corpus_poems_and_lines(poet):
    corpus = [["winter wind", "the old crow waits on a branch", "grey sky"]]
    copying = Poet(dataclasses.replace(poet.loaded, novelty=NoveltyIndex(build_fingerprints(corpus))))
    assert copying.filter(corpus[0], counts(corpus[0]), set()) == "novelty"
    line = ["summer heat", "The old crow waits on a branch!", "white sky"]
    assert copying.filter(line, counts(line), set()) == "novelty"
    fresh = ["summer heat", "a young crow waits on a wire", "white sky"]
    assert copying.filter(fresh, counts(fresh), set()) is None


def test_filter_rejects_repeats(poet):
    lines = ["an old silent pond", "a frog jumps into the pond", "splash! silence again"]
    fresh = Poet(dataclasses.replace(poet.loaded, novelty=NoveltyIndex(build_fingerprints([]))))
    stored = haiku_key("An old silent pond / a frog jumps into the pond / splash, silence again")
    assert fresh.filter(lines, (5, 7, 5), {stored}) == "repeat"
