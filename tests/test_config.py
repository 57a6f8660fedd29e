import dataclasses
import io
import json
import logging
import re
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, PoetConfig, as_dotted, load_config
from core.logs import configure_logging
from core.secrets import SECRET_NAMES, SecretFilter, get_secret, known_secret_values

EXAMPLE = Path(__file__).parent.parent / "config" / "auria.example.toml"


# Resolution: --config, then AURIA_CONFIG, then ./config/auria.toml, then defaults.


def test_defaults_without_any_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    assert config == Config()
    assert config.source is None
    assert config.data_dir == tmp_path / "xdg-data" / "auria"
    assert config.timezone == "UTC"
    assert config.poet == PoetConfig(weights=None, shape="5-7-5", register="literary", candidates=256,
                                     temperature=0.8, top_p=0.95, max_attempts=4)


def test_default_data_dir_without_xdg(monkeypatch):
    monkeypatch.delenv("XDG_DATA_HOME")
    assert Config().data_dir == Path.home() / ".local" / "share" / "auria"


def test_default_file_in_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "auria.toml").write_text('timezone = "Asia/Tokyo"\n')
    config = load_config(None)
    assert config.timezone == "Asia/Tokyo"
    assert config.source == Path("config/auria.toml")


def test_env_beats_default_file_and_explicit_beats_env(tmp_path, monkeypatch, write_config):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "auria.toml").write_text('timezone = "Asia/Tokyo"\n')
    monkeypatch.setenv("AURIA_CONFIG", str(write_config('timezone = "Europe/Berlin"\n', "env.toml")))
    assert load_config(None).timezone == "Europe/Berlin"
    explicit = write_config('timezone = "America/New_York"\n', "explicit.toml")
    assert load_config(explicit).timezone == "America/New_York"
    assert load_config(str(explicit)).source == explicit


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.toml: no such file"):
        load_config(tmp_path / "nope.toml")


def test_missing_env_file_says_where_the_name_came_from(tmp_path, monkeypatch):
    monkeypatch.setenv("AURIA_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match=r"gone\.toml \(from AURIA_CONFIG\): no such file"):
        load_config(None)


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)


def test_relative_data_dir_is_relative_to_the_config_file(tmp_path, monkeypatch, write_config):
    monkeypatch.chdir("/")
    path = write_config('data_dir = "state"\n[poet]\nweights = "../w"\n')
    config = load_config(path)
    assert config.data_dir == tmp_path / "state"
    assert config.poet.weights == tmp_path.parent / "w"
    assert config.db_path == tmp_path / "state" / "auria.db"


def test_absolute_and_home_data_dir(write_config, tmp_path):
    assert load_config(write_config(f'data_dir = "{tmp_path}/x"\n')).data_dir == tmp_path / "x"
    assert load_config(write_config('data_dir = "~/auria"\n')).data_dir == Path.home() / "auria"


def test_full_file(write_config):
    config = load_config(write_config(
        'timezone = "Europe/Berlin"\nlog_level = "debug"\nlog_format = "json"\n'
        '[poet]\nshape = "3-5-3"\ntemperature = 1\ntop_p = 0.5\nmax_attempts = 7\nregister = "social"\ncandidates = 64\n'
    ))
    assert (config.timezone, config.log_level, config.log_format) == ("Europe/Berlin", "debug", "json")
    assert config.poet.shape == "3-5-3"
    assert config.poet.temperature == 1.0 and isinstance(config.poet.temperature, float)
    assert (config.poet.top_p, config.poet.max_attempts) == (0.5, 7)
    assert (config.poet.register, config.poet.candidates) == ("social", 64)


# Validation: every message names the file, the dotted key and the problem.


@pytest.mark.parametrize(
    "text, key, problem",
    [
        ('data_dir = 3', "data_dir", "must be a string (a folder path), got 3"),
        ('timezone = "Mars/Olympus"', "timezone", 'must be an IANA time zone name like "Europe/Berlin", got "Mars/Olympus"'),
        ('timezone = 1', "timezone", "must be an IANA time zone name"),
        ('log_level = "loud"', "log_level", 'must be one of "debug", "info", "warning", "error", got "loud"'),
        ('log_format = "xml"', "log_format", 'must be one of "plain", "json", got "xml"'),
        ('poet = 3', "poet", "must be a table ([poet]), got 3"),
        ('[poet]\nweights = 5', "poet.weights", "must be a string (a folder path), got 5"),
        ('[poet]\nshape = "5-7-50"', "poet.shape", 'like "5-7-5", got "5-7-50"'),
        ('[poet]\nshape = "5-0-5"', "poet.shape", 'got "5-0-5"'),
        ('[poet]\nshape = "5-7-5-5-5-5"', "poet.shape", 'got "5-7-5-5-5-5"'),
        ('[poet]\nshape = "5,7,5"', "poet.shape", 'got "5,7,5"'),
        ('[poet]\nshape = "5--5"', "poet.shape", 'got "5--5"'),
        ('[poet]\nshape = ""', "poet.shape", 'got ""'),
        ('[poet]\nshape = [5, 7, 5]', "poet.shape", "got an array"),
        ('[poet]\ntemperature = "hot"', "poet.temperature", 'must be a number in (0, 2], got "hot"'),
        ('[poet]\ntemperature = 0', "poet.temperature", "must be a number in (0, 2], got 0"),
        ('[poet]\ntemperature = 2.5', "poet.temperature", "got 2.5"),
        ('[poet]\ntemperature = nan', "poet.temperature", "got NaN"),
        ('[poet]\ntemperature = true', "poet.temperature", "got true"),
        ('[poet]\ntop_p = 1.5', "poet.top_p", "must be a number in (0, 1], got 1.5"),
        ('[poet]\nmax_attempts = 0', "poet.max_attempts", "must be a whole number in [1, 100], got 0"),
        ('[poet]\nregister = "verse"', "poet.register", 'must be one of "literary", "social", got "verse"'),
        ('[poet]\ncandidates = 0', "poet.candidates", "must be a whole number in [1, 4096], got 0"),
        ('[poet]\ncandidates = 5000', "poet.candidates", "got 5000"),
        ('[poet]\nmax_attempts = 2.5', "poet.max_attempts", "got 2.5"),
        ('[poet]\nmax_attempts = "9"', "poet.max_attempts", 'got "9"'),
    ],
)
def test_bad_values(write_config, text, key, problem):
    path = write_config(text + "\n")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert str(e.value).startswith(f"{path}: {key}: ")
    assert problem in str(e.value)


def test_upper_bounds_are_allowed(write_config):
    config = load_config(write_config("[poet]\ntemperature = 2\ntop_p = 1\n"))
    assert (config.poet.temperature, config.poet.top_p) == (2.0, 1.0)


def test_shape_limits(write_config):
    assert load_config(write_config('[poet]\nshape = "12"\n')).poet.shape == "12"
    assert load_config(write_config('[poet]\nshape = "1-2-3-4-5"\n')).poet.shape == "1-2-3-4-5"
    assert load_config(write_config('[poet]\nshape = "05-7-5"\n')).poet.shape == "5-7-5"


def test_unknown_key_suggests_the_close_one(write_config):
    path = write_config("[poet]\ntemprature = 0.5\n")
    with pytest.raises(ConfigError, match=re.escape(f'{path}: poet.temprature: unknown key (did you mean "temperature"?)')):
        load_config(path)


def test_unknown_key_and_table_list_the_known_keys(write_config):
    with pytest.raises(ConfigError, match=r": colour: unknown key \(known keys: data_dir, timezone, log_level, log_format, poet, generator, painter, stylist, publish, schedule, gallery\)"):
        load_config(write_config('colour = "blue"\n'))
    with pytest.raises(ConfigError, match=r": brush: unknown key"):
        load_config(write_config('[brush]\nkind = "scene"\n'))
    with pytest.raises(ConfigError, match=r": painter.kind: unknown key \(known keys: medium\)"):
        load_config(write_config('[painter]\nkind = "scene"\n'))
    with pytest.raises(ConfigError, match=r": stylist.colour: unknown key"):
        load_config(write_config('[stylist]\ncolour = "red"\n'))


@pytest.mark.parametrize(
    "text, message",
    [
        ('[generator]\ndevice = "tpu"', "generator.device: must be one of"),
        ('[generator]\ntimeout = -1', "generator.timeout: must be a number"),
        ('[generator]\npainter = "attngan"', 'generator.painter: must be one of "scene", "diffusion", got "attngan"'),
        ('[generator]\npainter_model = 3', "generator.painter_model: must be a string (a folder path), got 3"),
        ('[generator]\npainter_steps = 0', "generator.painter_steps: must be a whole number in [1, 100], got 0"),
        ('[generator]\npainter_steps = 101', "generator.painter_steps: must be a whole number in [1, 100], got 101"),
        ('[generator]\npainter_steps = 2.5', "generator.painter_steps: must be a whole number in [1, 100]"),
        ('[generator]\npainter_guidance = -1', "generator.painter_guidance: must be a number in [0, 30], got -1"),
        ('[generator]\npainter_guidance = true', "generator.painter_guidance: must be a number in [0, 30], got true"),
        ('[stylist]\nmood = "glee"', "stylist.mood: must be one of"),
        ('[stylist]\nstrength = 1.5', "stylist.strength: must be a number in [0, 1]"),
        ('[stylist]\nmethod = "paint"', "stylist.method: must be one of"),
        ('[stylist]\nuse_paintings = "yes"', "stylist.use_paintings: must be true or false"),
        ('[publish]\nplatforms = ["myspace"]', "publish.platforms: must be a list of"),
        ('[publish]\nhashtags = ["two words"]', "publish.hashtags: must be a list of words"),
        ('[schedule]\ntimes = ["9am"]', "schedule.times: must be a list of"),
        ('[schedule]\ncatch_up_hours = -1', "schedule.catch_up_hours: must be a number of hours"),
        ('[publish]\nrequire_approval = 1', "publish.require_approval: must be true or false, got 1"),
        ('[publish]\nretry_first_minutes = 0', "publish.retry_first_minutes: must be a number in (0, 1440]"),
        ('[publish]\nretry_max_hours = "6h"', "publish.retry_max_hours: must be a number in (0, 168]"),
        ('[publish]\nretry_attempts = 0', "publish.retry_attempts: must be a whole number in [1, 100], got 0"),
        ('[publish]\nretry_attempts = 2.5', "publish.retry_attempts: must be a whole number in [1, 100]"),
    ],
)
def test_generator_stylist_and_publish_values_are_checked(write_config, text, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write_config(text + "\n"))


def test_the_diffusion_painter_needs_its_model_folder(write_config):
    for text in ('[generator]\npainter = "diffusion"\n', '[generator]\npainter = "diffusion"\npainter_model = ""\n'):
        path = write_config(text)
        with pytest.raises(ConfigError) as e:
            load_config(path)
        message = str(e.value)
        assert message.startswith(f"{path}: generator.painter_model: must name a local diffusers pipeline folder")
        assert "\n" not in message


def test_the_diffusion_painter_settings_are_read(tmp_path, monkeypatch, write_config):
    monkeypatch.chdir("/")
    config = load_config(write_config(
        '[generator]\npainter = "diffusion"\npainter_model = "models/sd-turbo"\npainter_steps = 2\npainter_guidance = 7\n'))
    generator = config.generator
    assert generator.painter == "diffusion"
    assert generator.painter_model == str(tmp_path / "models" / "sd-turbo"), "relative to the config file"
    assert isinstance(generator.painter_model, str), "a string: it travels in the JSON request to the generator"
    assert (generator.painter_steps, generator.painter_guidance) == (2, 7.0)
    assert as_dotted(config)["generator.painter_model"] == str(tmp_path / "models" / "sd-turbo")
    # the scene painter is the default, and a model folder alone does not switch painters
    assert load_config(write_config('[generator]\npainter_model = "/m"\n')).generator.painter == "scene"
    assert (Config().generator.painter, Config().generator.painter_model) == ("scene", "")


def test_approval_and_retries_are_read(write_config):
    config = load_config(write_config(
        "[publish]\nrequire_approval = true\nretry_first_minutes = 0.5\nretry_max_hours = 2\nretry_attempts = 3\n"))
    publish = config.publish
    assert (publish.require_approval, publish.retry_first_minutes, publish.retry_max_hours, publish.retry_attempts) == (
        True, 0.5, 2.0, 3)


def test_malformed_toml_names_file_and_line(write_config):
    path = write_config('timezone = "UTC"\n\n[poet\nshape = "5-7-5"\n')
    with pytest.raises(ConfigError) as e:
        load_config(path)
    message = str(e.value)
    assert message.startswith(f"{path}: invalid TOML: ")
    assert "line 3" in message
    assert "\n" not in message


def test_not_utf8(write_config, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('timezone = "Europe/Z\xfcrich"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="latin1.toml: "):
        load_config(path)


@pytest.mark.parametrize(
    "text, key",
    [
        ('x_api_key = "hunter2-SECRET"', "x_api_key"),
        ('[x]\naccess_token = "hunter2-SECRET"', "x.access_token"),
        ('[instagram]\npassword = "hunter2-SECRET"', "instagram.password"),
        ('[poet]\napi-key = "hunter2-SECRET"', "poet.api-key"),
        ('[[accounts]]\nsecret = "hunter2-SECRET"', "accounts.secret"),
        ('[mastodon]\nclient_secret = "hunter2-SECRET"', "mastodon.client_secret"),
    ],
)
def test_secrets_in_toml_are_rejected_without_echoing_them(write_config, text, key):
    path = write_config(text + "\n")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    message = str(e.value)
    assert message.startswith(f"{path}: {key}: looks like a secret")
    assert "environment" in message or "AURIA_" in message
    assert "CREDENTIALS_DIRECTORY" in message
    assert "hunter2" not in message


def test_known_secret_in_toml_names_its_variable(write_config):
    with pytest.raises(ConfigError, match=r"set AURIA_INSTAGRAM_PASSWORD or the file \$CREDENTIALS_DIRECTORY/instagram_password"):
        load_config(write_config('[instagram]\npassword = "x"\n'))


def test_secret_check_comes_before_unknown_key(write_config):
    with pytest.raises(ConfigError, match="looks like a secret"):
        load_config(write_config('[twitter]\nbearer_token = "x"\n'))


# The example file documents every key and loads to the defaults.


def test_example_loads_to_the_defaults():
    config = load_config(EXAMPLE)
    assert {k: v for k, v in as_dotted(config).items() if k != "data_dir"} == {
        k: v for k, v in as_dotted(Config()).items() if k != "data_dir"
    }


def test_example_documents_every_key():
    documented, section = set(), ""
    for line in EXAMPLE.read_text().splitlines():
        if m := re.match(r"^\[(\w+)\]\s*$", line):
            section = m.group(1) + "."
        elif m := re.match(r"^#?\s*(\w+)\s*=", line):
            documented.add(section + m.group(1))
    assert documented == set(as_dotted(Config()))
    tables = {"poet", "generator", "painter", "stylist", "publish", "schedule", "gallery"}
    fields = {f.name for f in dataclasses.fields(Config)} - {"source"} - tables
    for table in tables:
        fields |= {f"{table}.{f.name}" for f in dataclasses.fields(getattr(Config(), table))}
    assert fields == documented


def test_every_key_line_has_a_comment_above_it():
    lines = EXAMPLE.read_text().splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\w+\s*=", line):
            assert lines[i - 1].startswith("#"), line


# Secrets: environment first, then $CREDENTIALS_DIRECTORY.


def test_secret_from_environment(monkeypatch):
    assert get_secret("x_api_key") is None
    monkeypatch.setenv("AURIA_X_API_KEY", "  from-env\n")
    assert get_secret("x_api_key") == "from-env"


def test_secret_from_credentials_directory(credentials_dir, monkeypatch):
    (credentials_dir / "instagram_password").write_text("from-file\n")
    assert get_secret("instagram_password") == "from-file"
    assert get_secret("INSTAGRAM_PASSWORD") == "from-file"
    monkeypatch.setenv("AURIA_INSTAGRAM_PASSWORD", "from-env")
    assert get_secret("instagram_password") == "from-env"


def test_empty_secret_is_not_set(credentials_dir, monkeypatch):
    monkeypatch.setenv("AURIA_X_API_KEY", "")
    (credentials_dir / "x_api_key").write_text("\n")
    assert get_secret("x_api_key") is None


def test_unknown_secret_name_is_a_bug():
    with pytest.raises(ValueError, match="SECRET_NAMES"):
        get_secret("github_token")


def test_unreadable_credential_names_the_file_not_the_value(credentials_dir):
    (credentials_dir / "x_api_secret").mkdir()
    with pytest.raises(Exception, match="x_api_secret: cannot read the credential"):
        get_secret("x_api_secret")
    assert known_secret_values() == []


def test_secret_names_are_lower_case_identifiers():
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in SECRET_NAMES)
    assert {"x_api_key", "instagram_password"} <= set(SECRET_NAMES)


def test_known_secret_values_longest_first(credentials_dir, monkeypatch):
    monkeypatch.setenv("AURIA_X_ACCESS_TOKEN", "tok-1234")
    (credentials_dir / "x_access_token_secret").write_text("tok-1234-and-more")
    assert known_secret_values() == ["tok-1234-and-more", "tok-1234"]


def test_a_secret_with_a_line_break_or_too_short_is_refused_naming_it_not_its_value(credentials_dir, monkeypatch):
    from core.errors import AuriaError
    from core.secrets import redact

    monkeypatch.setenv("AURIA_X_API_KEY", "abcd1234\nX-Evil: 1")
    with pytest.raises(AuriaError, match=r"^AURIA_X_API_KEY: the x_api_key secret has a line break") as e:
        get_secret("x_api_key")
    assert "abcd1234" not in str(e.value)
    (credentials_dir / "mastodon_access_token").write_text("short")
    with pytest.raises(AuriaError, match=r"mastodon_access_token: the mastodon_access_token secret is 5 characters"):
        get_secret("mastodon_access_token")
    monkeypatch.setenv("AURIA_INSTAGRAM_USERNAME", "auria")
    assert get_secret("instagram_username") == "auria", "a username may be short"
    assert known_secret_values() == [], "and is not masked: it would hide the word in every line"
    value = r"ab\cd-1234"  # a backslash: repr() doubles it
    shown = repr({"Authorization": f"Bearer {value}"})
    assert value not in shown and redact(shown, [value]) == "{'Authorization': 'Bearer ***'}"


# Logging: one line per record, secrets redacted.


def _log_to_buffer(fmt, monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr("sys.stderr", buffer)
    configure_logging("info", fmt)
    return buffer


def test_plain_log_line(monkeypatch):
    buffer = _log_to_buffer("plain", monkeypatch)
    logging.getLogger("poet").info("wrote %d haiku in %.1f s", 3, 1.2)
    logging.getLogger("poet").debug("not shown at info")
    line = buffer.getvalue()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO poet: wrote 3 haiku in 1\.2 s\n", line)


def test_json_log_line(monkeypatch):
    buffer = _log_to_buffer("json", monkeypatch)
    logging.getLogger("bot.daily").warning("slot %s missed", "2026-11-25T09:00+01:00")
    record = json.loads(buffer.getvalue())
    assert record["level"] == "WARNING"
    assert record["logger"] == "bot.daily"
    assert record["message"] == "slot 2026-11-25T09:00+01:00 missed"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$", record["time"])


def test_configure_twice_keeps_one_handler(monkeypatch):
    buffer = _log_to_buffer("plain", monkeypatch)
    configure_logging("info", "plain")
    logging.getLogger("x").info("once")
    assert buffer.getvalue().count("once") == 1


@pytest.mark.parametrize("fmt", ["plain", "json"])
def test_logs_redact_secrets_and_stay_one_line(monkeypatch, credentials_dir, fmt):
    monkeypatch.setenv("AURIA_X_API_KEY", "sk-live-123")
    (credentials_dir / "instagram_password").write_text("pa55word\n")
    buffer = _log_to_buffer(fmt, monkeypatch)
    log = logging.getLogger("publishers.x")
    log.info("calling with key %s", "sk-live-123")
    log.warning("login as %(user)s failed with pa55word", {"user": "auria"})
    try:
        raise RuntimeError("401 for key sk-live-123\nbody: pa55word")
    except RuntimeError:
        log.exception("upload failed")
    out = buffer.getvalue()
    assert "sk-live-123" not in out and "pa55word" not in out
    assert out.count("***") >= 4
    assert len(out.splitlines()) == 3
    assert "login as auria failed" in out


def test_filter_leaves_records_alone_without_secrets():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "a %s", ("b",), None)
    assert SecretFilter().filter(record)
    assert record.getMessage() == "a b"


@pytest.mark.parametrize("template", ["{haiku} {", "{haiku.__class__}", "{haiku[0]}", "{haiku!r}", "{haiku:>9}",
                                      "{} {haiku}", "{haiku} }"])
def test_a_template_that_format_would_fail_on_or_reach_past_a_field_is_refused_at_load(write_config, template):
    path = write_config(f"[publish.templates]\nmastodon = {json.dumps(template)}\n")
    with pytest.raises(ConfigError, match=r"publish\.templates\.mastodon: must be text with \{haiku\}"):
        load_config(path)


def test_literal_braces_are_fine_in_a_template(write_config):
    config = load_config(write_config('[publish.templates]\nmastodon = "{haiku} {{Auria}}"\n'))
    assert config.publish.templates["mastodon"] == "{haiku} {{Auria}}"
