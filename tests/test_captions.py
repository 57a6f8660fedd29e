"""Captions per platform: templates, limits, never cut mid-word."""
import subprocess
import sys
from pathlib import Path

from publishers.captions import LIMITS, caption, graphemes, length, x_length

LINES = ["an old silent pond", "a frog jumps into the pond", "splash! silence again"]


def test_the_default_template_and_a_custom_one():
    assert caption("mastodon", LINES, "Auria", ["haiku"]) == "\n".join(LINES) + "\n\n— Auria\n\n#haiku"
    assert caption("x", LINES, "Auria", ["haiku", "frog"], "{haiku}\n{hashtags}") == "\n".join(LINES) + "\n#haiku #frog"


def test_empty_signature_or_hashtags_leave_no_dangling_lines():
    assert caption("instagram", LINES, "", []) == "\n".join(LINES)
    assert caption("instagram", LINES, "", ["haiku"]) == "\n".join(LINES) + "\n\n#haiku"


def test_each_platform_stays_within_its_limit_dropping_whole_hashtags_then_the_signature():
    tags = [f"longhashtag{i:02d}" for i in range(40)]
    for platform, limit in LIMITS.items():
        text = caption(platform, LINES, "Auria the poet-painter", tags)
        assert length(platform, text) <= limit
        assert text.startswith("\n".join(LINES))
        assert all(word in tags for word in (w.lstrip("#") for w in text.split() if w.startswith("#")))
    assert caption("instagram", LINES, "", tags * 2).count("#") == 30
    long_signature = "s" * 290
    assert "— " not in caption("x", LINES, long_signature, [])


def test_a_haiku_longer_than_the_limit_is_cut_at_a_word_with_an_ellipsis():
    lines = ["word " * 80]
    text = caption("bluesky", lines, "Auria", ["haiku"])
    assert graphemes(text) <= 300 and text.endswith("word…")


def test_x_and_bluesky_count_their_way():
    assert x_length("see https://example.com/a/very/long/path ok") == len("see ") + 23 + len(" ok")
    assert x_length("古池や") == 6 and x_length("🌙") == 2
    assert graphemes("e\u0301") == 1 and graphemes("👩‍👩‍👧") == 1 and graphemes("abc") == 3


# X's weighted length is twitter-text's (twitter-text-parser): each case below was counted
# wrong by the hand-written rule it replaced.

def test_x_counts_a_bare_domain_as_a_link():
    assert x_length("auria.art") == 23
    assert x_length("made by auria.art") == len("made by ") + 23


def test_x_leaves_punctuation_after_a_link_outside_it():
    assert x_length("see https://example.com/x, ok") == len("see ") + 23 + len(", ok")
    assert x_length("see https://example.com/x.") == len("see ") + 23 + 1


def test_x_weighs_cjk_two_and_an_emoji_sequence_as_one_emoji():
    assert x_length("古池や 蛙飛び込む") == 2 * 8 + 1
    assert x_length("👩‍👩‍👧") == 2 and x_length("👍🏽") == 2  # a ZWJ family, a skin tone
    assert x_length("e\u0301") == 1  # counted after NFC, as X does


def test_x_fitting_counts_a_signature_domain_as_x_does():
    # 250 characters of haiku and a 9-character domain: 263 by length, 277 for X; a hashtag
    # would take it to 271 by length, 285 for X.
    lines = ["a" * 83, "b" * 83, "c" * 82]
    text = caption("x", lines, "auria.art", ["haiku"])
    assert x_length(text) <= LIMITS["x"]
    assert text == "\n".join(lines) + "\n\n— auria.art", "the hashtag no longer fits once the domain weighs 23"


def test_twitter_text_is_imported_without_leaving_a_pkg_resources_behind():
    # Its import needs pkg_resources (gone from setuptools 82); the stand-in must not stay.
    probe = ("import sys\nfrom publishers.captions import x_length\nassert x_length('auria.art') == 23\n"
             "module = sys.modules.get('pkg_resources')\nprint(module is None or hasattr(module, 'get_distribution'))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "True", done.stderr
