"""The content filter: what Auria must never post."""
import pytest

from generator.poet import content
from generator.poet.content import blocked_word, find_problem


@pytest.mark.parametrize(
    "text",
    ["@bob the moon is out", "thanks @Basho_fan!", "moonlight (@night)", "cold rain\n@auria"],
)
def test_mentions(text):
    assert find_problem(text) == "mention"


@pytest.mark.parametrize(
    "text",
    [
        "read it at http://example.com/poem",
        "HTTPS://Example.org",
        "www.haiku",
        "visit example.com today",
        "auria.io at dawn",
        "the my-site.net river",
        "mail me at a@b.com",  # the @ follows a letter: an address, caught as a domain
    ],
)
def test_urls(text):
    assert find_problem(text) == "url"


@pytest.mark.parametrize("text", ["autumn rain #haiku", "#micropoetry", "cold moon (#3)"])
def test_hashtags(text):
    assert find_problem(text) == "hashtag"


@pytest.mark.parametrize(
    "text, word",
    [
        ("fuck", "fuck"),
        ("the FUCKING rain", "fucking"),  # a prefix entry, fuck*, catches its forms
        ("motherfucker", "motherfucker"),
        ("a bitch's cold", "bitch"),  # possessives are checked without the 's
        ("bitches in the rain", "bitches"),
        ("shit.", "shit"),
        ("damn this rain", "damn"),  # exact entries
        ("the cock crows", "cock"),
        ("Dick's hat", "dick"),
        ("crap", "crap"),
    ],
)
def test_profanity(text, word):
    assert blocked_word(text) == word
    assert find_problem(text) == "profanity"


@pytest.mark.parametrize(
    "text",
    [
        "class", "assume", "Scunthorpe", "cocktail", "cockatoo", "grass", "passion", "assassin",
        "hello", "shell", "dickens", "scrap", "cumulus", "document", "analysis", "therapist",
        "an old silent pond\na frog jumps into the pond\nsplash! silence again",
        "e.g. the moon",  # a dot between letters is not a domain without a known ending
        "C# minor",  # a # right after a letter starts no hashtag
        "tom&#39;s",  # nor one after &, as in an HTML entity
        "meet @ the moon",  # an @ with no name after it mentions no one
        "",
    ],
)
def test_no_false_positives(text):
    assert find_problem(text) is None, blocked_word(text)


def test_exact_entries_block_only_themselves():
    exact, prefixes = content._blocked_words()
    assert "cock" in exact and "ass" in exact and "damn" in exact
    assert "fuck" in prefixes and "bitch" in prefixes
    assert not any(p.endswith("*") for p in prefixes) and not any(w.endswith("*") for w in exact)
    assert all(w == w.lower().strip() and w and not w.startswith("#") for w in exact | set(prefixes))


def test_the_word_list_is_shipped_with_the_package():
    from importlib import resources

    text = resources.files("generator.poet").joinpath("wordlists/blocked.txt").read_text("utf-8")
    entries = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert "fuck*" in entries and "cock" in entries
    assert len(entries) == len(set(entries))


def test_order_of_problems():
    assert find_problem("@bob see example.com #tag fuck") == "mention"
    assert find_problem("see example.com #tag fuck") == "url"
    assert find_problem("#tag fuck") == "hashtag"
