import json
import subprocess
import sys

import pytest

from bot.cli import COMMAND_GROUPS, main
from state.events import record_event
from state.store import open_store
from state.works import add_work

HAIKU = "an old silent pond\na frog jumps into the pond\nsplash! silence again"


@pytest.fixture
def store(config_file, data_dir):
    db = open_store(data_dir / "auria.db")
    yield db
    db.close()


def add(db, haiku=HAIKU, **kw):
    return add_work(db, haiku=haiku, shape="5-7-5", seed=7, params={"temperature": 0.8},
                    models={"poet": "ab12"}, **kw)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# Global options.


def test_help_and_version(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "config" in out and "history" in out and "show" in out
    code, out, _ = run(capsys, "-V")
    assert code == 0 and out.startswith("auria ")


def test_usage_errors_exit_2(capsys):
    assert run(capsys)[0] == 2
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in err
    assert run(capsys, "config")[0] == 2
    assert run(capsys, "history", "--limit", "0")[0] == 2
    assert run(capsys, "show", "seven")[0] == 2


def test_help_imports_neither_torch_nor_sqlite_utils():
    code = (
        "import sys, contextlib, io\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0\n"
        "print(sorted(m for m in ('torch', 'sqlite_utils', 'numpy') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_python_dash_m_bot(config_file):
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(config_file), "history"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "no works yet\n"


def test_command_groups_register_with_func():
    import argparse

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    for register in COMMAND_GROUPS:
        register(sub)
    args = parser.parse_args(["history"])
    assert callable(args.func)


# config check


def test_config_check_defaults(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "config", "check")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "# config: built-in defaults"
    assert f'data_dir = "{tmp_path / "xdg-data" / "auria"}"' in lines
    assert 'timezone = "UTC"' in lines
    assert 'poet.shape = "5-7-5"' in lines
    assert "poet.temperature = 0.8" in lines
    assert "poet.max_attempts = 4" in lines
    assert 'poet.register = "literary"' in lines and "poet.candidates = 256" in lines
    assert "secret x_api_key: not set" in lines
    assert lines[-1] == "config OK"


def test_config_check_shows_which_secrets_are_set_never_their_values(config_file, credentials_dir, monkeypatch, capsys):
    monkeypatch.setenv("AURIA_X_API_KEY", "sk-live-123")
    (credentials_dir / "instagram_password").write_text("pa55word")
    code, out, err = run(capsys, "--config", str(config_file), "config", "check")
    assert code == 0
    assert f"# config: {config_file}" in out
    assert "secret x_api_key: set" in out.splitlines()
    assert "secret instagram_password: set" in out.splitlines()
    assert "secret x_access_token: not set" in out.splitlines()
    assert "sk-live-123" not in out + err and "pa55word" not in out + err


def test_config_check_bad_file_is_one_line_exit_2(write_config, capsys):
    path = write_config('[poet]\ntemperature = "hot"\n')
    code, out, err = run(capsys, "--config", str(path), "config", "check")
    assert code == 2
    assert out == ""
    assert err == f'auria: error: {path}: poet.temperature: must be a number in (0, 2], got "hot"\n'


def test_secret_in_config_is_not_echoed(write_config, capsys):
    path = write_config('[x]\napi_key = "sk-live-123"\n')
    code, out, err = run(capsys, "--config", str(path), "config", "check")
    assert code == 2
    assert err.startswith(f"auria: error: {path}: x.api_key: looks like a secret")
    assert "sk-live-123" not in out + err
    assert "Traceback" not in err


def test_config_from_environment_variable(write_config, monkeypatch, capsys):
    monkeypatch.setenv("AURIA_CONFIG", str(write_config('timezone = "Asia/Tokyo"\n')))
    code, out, _ = run(capsys, "config", "check")
    assert code == 0 and 'timezone = "Asia/Tokyo"' in out


def test_log_level_option_overrides_config(config_file, capsys):
    code, out, _ = run(capsys, "--config", str(config_file), "--log-level", "debug", "config", "check")
    assert code == 0 and 'log_level = "debug"' in out
    assert run(capsys, "--log-level", "loud", "config", "check")[0] == 2


# history and show


def test_history_empty_does_not_create_the_data_folder(config_file, data_dir, capsys):
    code, out, _ = run(capsys, "--config", str(config_file), "history")
    assert (code, out) == (0, "no works yet\n")
    assert not data_dir.exists()


def test_history_latest_first_one_line_each(config_file, store, capsys):
    first = add(store)
    second = add(store, haiku="autumn moonlight\na worm digs silently\ninto the chestnut", status="ready")
    code, out, err = run(capsys, "--config", str(config_file), "history")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == str(second) and lines[1].split()[0] == str(first)
    assert "ready" in lines[0] and "draft" in lines[1]
    assert lines[0].endswith("autumn moonlight / a worm digs silently / into the chestnut")
    assert lines[1].endswith("an old silent pond / a frog jumps into the pond / splash! silence again")


def test_history_limit_and_local_dates(write_config, data_dir, store, capsys):
    for i in range(3):
        add(store, haiku=f"poem {i}")
    store.execute("UPDATE works SET created_at = '2026-11-24T23:30:00+00:00'")
    path = write_config(f'data_dir = "{data_dir}"\ntimezone = "Europe/Berlin"\n', "berlin.toml")
    code, out, _ = run(capsys, "--config", str(path), "history", "--limit", "2")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["3", "2"]
    assert "2026-11-25 00:30" in lines[0]


def test_show_work(config_file, store, capsys):
    work_id = add(store, timings={"poet": 1.5}, mood="sadness", slot="2026-11-25T09:00+01:00")
    record_event(store, "post_failed", work_id, platform="x", error="429 Too Many Requests")
    code, out, err = run(capsys, "--config", str(config_file), "show", str(work_id))
    assert code == 0, err
    assert out.startswith(f"work {work_id}\n")
    assert "haiku:\n    an old silent pond\n    a frog jumps into the pond\n    splash! silence again\n" in out
    assert "status: draft\n" in out
    assert "slot: 2026-11-25T09:00+01:00\n" in out
    assert "mood: sadness\n" in out
    assert "image_path: -\n" in out
    assert 'params:\n    {\n      "temperature": 0.8\n    }\n' in out
    assert '"poet": "ab12"' in out and '"poet": 1.5' in out
    events = out.split("events:\n")[1].splitlines()
    assert "work_created" in events[0]
    assert "post_failed" in events[1] and json.dumps("429 Too Many Requests") in events[1]


def test_show_unknown_id_exits_1(config_file, store, capsys):
    code, out, err = run(capsys, "--config", str(config_file), "show", "99")
    assert (code, out, err) == (1, "", "auria: error: no work with id 99\n")


def test_show_without_a_database_exits_1(config_file, capsys):
    assert run(capsys, "--config", str(config_file), "show", "1")[0] == 1


def test_corrupt_database_is_one_line_exit_2(config_file, data_dir, capsys):
    data_dir.mkdir()
    (data_dir / "auria.db").write_text("not a database" * 100)
    code, out, err = run(capsys, "--config", str(config_file), "history")
    assert code == 2
    assert err == f"auria: error: {data_dir / 'auria.db'}: not a usable SQLite database (file is not a database)\n"


def test_a_damaged_store_and_a_huge_work_id_are_one_line(write_config, tmp_path, capsys):
    from state.store import open_store

    path = tmp_path / "data" / "auria.db"
    db = open_store(path)
    (works_page,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'works'").fetchone()
    db.conn.close()
    with open(path, "r+b") as f:  # the works table's pages overwritten: "malformed" on the first query
        f.seek(4096 * (works_page - 1))
        f.write(b"\xff" * 4096 * 2)
    config = write_config('data_dir = "data"\n')
    for command in (["status"], ["history"], ["show", "1"]):
        assert main(["--config", str(config), *command]) == 2
        err = capsys.readouterr().err
        assert err == f"auria: error: {path}: damaged (database disk image is malformed); restore it from a backup\n"
    assert main(["--config", str(config), "show", "99999999999999999999999"]) == 2
    assert "a work id is a whole number from 1 to 9223372036854775807" in capsys.readouterr().err
