"""The unit files in systemd/ are what systemd accepts, and the daemon's unit keeps its promises
(DESIGN.md, "Scheduling and operations")."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import publishers.platforms  # noqa: F401 - its declarations add the platforms' secrets to SECRET_NAMES
from core.secrets import SECRET_NAMES

UNITS = Path(__file__).resolve().parent.parent / "systemd"
UNIT_FILES = sorted(
    p for p in UNITS.iterdir() if p.suffix in {".service", ".timer", ".socket", ".path"}
)
SERVICE = UNITS / "auria.service"
GALLERY = UNITS / "auria-gallery.service"
INSTALLED = "/usr/local/bin/auria"


def _executable() -> str:
    """What stands in for /usr/local/bin/auria: verify checks that ExecStart's binary exists."""
    script = Path(sys.executable).parent / "auria"
    if script.is_file() and os.access(script, os.X_OK):
        return str(script)
    return shutil.which("true") or "/bin/true"


def _settings(path: Path) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_there_are_units():
    assert SERVICE in UNIT_FILES


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)
def test_systemd_analyze_verify_is_clean(tmp_path):
    copies = []
    for unit in UNIT_FILES:
        copy = tmp_path / unit.name
        text = unit.read_text(encoding="utf-8").replace(INSTALLED, _executable())
        copy.write_text(text, encoding="utf-8")
        copies.append(str(copy))
    env = dict(os.environ, SYSTEMD_LOG_COLOR="0", SYSTEMD_PAGER="", LC_ALL="C")
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *copies],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    # verify exits 0 even for some warnings (an "Invalid syntax, ignoring" line), so the
    # output must name none of our units either.
    complaints = [
        line for line in (result.stdout + result.stderr).splitlines()
        if str(tmp_path) in line or any(Path(c).name in line for c in copies)
    ]
    assert result.returncode == 0, result.stdout + result.stderr
    assert complaints == []


@pytest.mark.parametrize("unit, secrets", [
    (SERVICE, set(SECRET_NAMES) - {"gallery_token"}),
    (GALLERY, {"gallery_token"}),
])
def test_each_service_loads_its_secrets(unit, secrets):
    settings = _settings(unit)
    loaded = {value.split(":", 1)[0] for value in settings.get("LoadCredential", [])}
    assert loaded == secrets
    for name in secrets:
        assert f"{name}:/etc/auria/credentials/{name}" in settings["LoadCredential"]
    # Every LoadCredential has a fallback, so a missing file for an unused platform is not fatal,
    # and the fallback is blank (core.secrets reads it as "not set").
    fallbacks = dict(value.split(":", 1) for value in settings.get("SetCredential", []))
    assert set(fallbacks) == loaded
    assert all(value.replace("\\n", "").strip() == "" for value in fallbacks.values())


def test_the_gallery_runs_as_the_daemons_user_on_its_store():
    daemon, gallery = _settings(SERVICE), _settings(GALLERY)
    for key in ("User", "DynamicUser", "StateDirectory", "Environment"):
        assert daemon[key] == gallery[key], key
    assert gallery["ExecStart"] == [f"{INSTALLED} serve --host 127.0.0.1 --port 8080"]


def test_service_is_a_hardened_notify_daemon():
    settings = _settings(SERVICE)
    one = {key: values[-1] for key, values in settings.items()}
    assert one["Type"] == "notify"
    assert one["NotifyAccess"] == "main"
    assert one["ExecStart"] == f"{INSTALLED} run"
    assert re.fullmatch(r"[1-9]\d*(s|min)?", one["WatchdogSec"])
    assert one["Restart"] == "on-failure"
    assert one["DynamicUser"] == "yes"
    assert one["StateDirectory"] == "auria"
    assert "XDG_DATA_HOME=/var/lib" in settings["Environment"]
    assert one["ProtectSystem"] == "strict"
    assert one["NoNewPrivileges"] == "yes"
    assert one["PrivateTmp"] == "yes"
    assert one["ProtectHome"] == "yes"
    assert one["CapabilityBoundingSet"] == ""
    assert one["UMask"] == "0077"
    assert set(one["RestrictAddressFamilies"].split()) == {"AF_UNIX", "AF_INET", "AF_INET6"}
    assert "MemoryDenyWriteExecute" not in one  # torch/onnxruntime JIT need W+X memory
