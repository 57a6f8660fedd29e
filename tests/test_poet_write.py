"""Writing haiku with the shipped weights: shapes, seeds, the constrained decoder, the filters."""
import dataclasses

import pytest
import torch
from poet_fixtures import single_torch_thread  # noqa: F401

from bot.errors import AuriaError
from generator.poet import weights
from generator.poet.model import PoetLSTM, Stepper
from generator.poet.novelty import NoveltyIndex, build_fingerprints
from generator.poet.syllables import counts
from generator.poet.vocab import ALPHABET
from generator.poet.write import DANGLING, Haiku, Poet, WriteReport, parse_shape
from state.works import haiku_key

SEED = 11


@pytest.fixture(scope="module")
def poet():
    return Poet(weights.load())


@pytest.fixture(scope="module")
def twenty(poet) -> WriteReport:
    return poet.write(20, seed=SEED)


# shapes


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


# writing


def test_twenty_haiku_all_exactly_five_seven_five(twenty):
    assert len(twenty.haiku) == 20
    for k, haiku in enumerate(twenty.haiku):
        assert isinstance(haiku, Haiku)
        assert counts(haiku.lines) == (5, 7, 5) == haiku.shape, haiku.lines
        assert haiku.seed == SEED + k
        assert haiku.attempts >= 1 and haiku.seconds >= 0
        assert haiku.text == "\n".join(haiku.lines)
        assert all(line == line.strip() and line for line in haiku.lines)
        assert all(ch in ALPHABET + "I" for ch in haiku.text)  # lowercase, but "I" alone
    assert len({haiku_key(h.text) for h in twenty.haiku}) == 20
    accepted = len(twenty.haiku)
    assert twenty.samples == accepted + sum(twenty.rejected.values())
    assert twenty.seconds > 0


def test_haiku_k_is_haiku_0_of_seed_plus_k(poet, twenty):
    for k in (0, 7, 19):
        alone = poet.write(1, seed=SEED + k).haiku[0]
        assert alone.lines == twenty.haiku[k].lines and alone.seed == SEED + k


def test_same_seed_same_haiku_other_seed_other_haiku(poet):
    first = poet.write(2, seed=123)
    again = poet.write(2, seed=123)
    assert [h.lines for h in first.haiku] == [h.lines for h in again.haiku]
    other = poet.write(2, seed=124)
    assert other.haiku[0].lines != first.haiku[0].lines  # seed 124 is haiku 1 of the first run
    assert other.haiku[0].lines == first.haiku[1].lines


@pytest.mark.parametrize("shape", [(3, 5, 3), (7, 7), (4,), (2, 3, 4, 3, 2)])
def test_other_shapes_come_out_exact(poet, shape):
    report = poet.write(3, seed=5, shape=shape)
    assert [counts(h.lines) for h in report.haiku] == [shape] * 3


def test_sampling_settings_change_the_haiku(poet):
    base = poet.write(1, seed=40).haiku[0].lines
    cold = poet.write(1, seed=40, temperature=0.3).haiku[0].lines
    assert counts(cold) == (5, 7, 5)
    narrow = poet.write(1, seed=40, top_p=0.3).haiku[0].lines
    assert counts(narrow) == (5, 7, 5)
    assert cold != base or narrow != base


def test_known_keys_are_not_written_again(poet):
    first = poet.write(1, seed=77)
    written = first.haiku[0]
    again = poet.write(1, seed=77, known_keys={haiku_key(written.text)})
    assert again.haiku[0].lines != written.lines
    assert again.rejected["repeat"] >= 1
    assert again.haiku[0].attempts > written.attempts
    assert counts(again.haiku[0].lines) == (5, 7, 5)


def test_no_acceptable_haiku_is_a_one_line_error(poet):
    written = poet.write(1, seed=3).haiku[0]
    # The same samples again, the accepted one now a repeat: nothing is left within the attempts.
    with pytest.raises(AuriaError, match=rf"no acceptable haiku for seed 3 in {written.attempts} attempts") as info:
        poet.write(1, seed=3, max_attempts=written.attempts, known_keys={haiku_key(written.text)})
    assert "\n" not in str(info.value) and "'repeat': 1" in str(info.value)


def test_sample_returns_lines_or_none(poet):
    generator = torch.Generator().manual_seed(2)
    lines = poet.sample((5, 7, 5), generator, 0.8, 0.95)
    assert lines is not None and len(lines) == 3
    assert counts(lines) == (5, 7, 5)


def test_sample_unconstrained_returns_lines(poet):
    generator = torch.Generator().manual_seed(3)
    lines = poet.sample_unconstrained((5, 7, 5), generator, 0.8, 0.95)
    assert isinstance(lines, list) and lines and all(isinstance(line, str) for line in lines)
    assert all(ch in ALPHABET for line in lines for ch in line)
    short = poet.sample_unconstrained((5, 7, 5), torch.Generator().manual_seed(3), 0.8, 0.95, max_chars=10)
    assert len("\n".join(short)) <= 10


def test_stepper_matches_the_lstm(poet):
    model: PoetLSTM = poet.model
    text = [0, 5, 12, 1, 20]
    syllables = [5, 5, 4, 4, 3]
    lines = [2, 2, 2, 2, 1]
    shapes = torch.tensor([[5, 7, 5, 0, 0]])
    with torch.no_grad():
        state = model.initial_state(shapes)
        logits, _ = model(torch.tensor([text]), torch.tensor([syllables]), torch.tensor([lines]), state)
        stepper, step_state = Stepper(model), model.initial_state(shapes)
        for t in range(len(text)):
            step_logits, step_state = stepper(text[t], syllables[t], lines[t], step_state)
            torch.testing.assert_close(step_logits, logits[0, t], rtol=1e-4, atol=1e-4)


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
