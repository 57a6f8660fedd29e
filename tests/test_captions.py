"""Captions per platform: templates, limits, never cut mid-word."""
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
