"""core.faults: AURIA_FAULT and AURIA_FAULT_ONCE, the points the crash and full-disk tests use."""
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

import core.faults
from core.errors import AuriaError
from core.faults import fault_point
from generator.artifacts import ArtifactStore

ROOT = Path(__file__).resolve().parent.parent
POINTS = ("poet", "painter", "stylist", "finish", "artifact", "stored")


def _point_in_child(point, **env):
    """fault_point(point) in a fresh process; its exit code (0: it passed)."""
    child_env = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", f"from core.faults import fault_point; fault_point({point!r})"],
                          env=child_env, cwd=ROOT, timeout=60).returncode


def test_every_point_is_a_no_op_without_auria_fault(tmp_path, monkeypatch):
    marker = tmp_path / "fired"
    monkeypatch.setenv("AURIA_FAULT_ONCE", str(marker))
    for point in POINTS:
        assert fault_point(point) is None
    assert not marker.exists(), "nothing fired, so nothing is marked"


def test_a_fault_fires_only_at_its_own_point(monkeypatch):
    monkeypatch.setenv("AURIA_FAULT", "enospc:poet")
    for point in POINTS:
        if point != "poet":
            fault_point(point)
    with pytest.raises(OSError):
        fault_point("poet")


def test_enospc_raises_the_oserror_of_a_full_disk(monkeypatch):
    monkeypatch.setenv("AURIA_FAULT", "enospc:artifact")
    with pytest.raises(OSError) as raised:
        fault_point("artifact")
    assert raised.value.errno == errno.ENOSPC and raised.value.strerror == os.strerror(errno.ENOSPC)


def test_several_faults_are_comma_separated(monkeypatch):
    monkeypatch.setenv("AURIA_FAULT", "crash:nowhere, enospc:stylist")
    with pytest.raises(OSError):
        fault_point("stylist")


def test_hang_sleeps_an_hour(monkeypatch):
    slept = []
    monkeypatch.setattr(core.faults.time, "sleep", slept.append)
    monkeypatch.setenv("AURIA_FAULT", "hang:stored")
    fault_point("stored")
    assert slept == [3600]


def test_with_auria_fault_once_a_fault_fires_once(tmp_path, monkeypatch):
    marker = tmp_path / "fired"
    monkeypatch.setenv("AURIA_FAULT", "enospc:painter")
    monkeypatch.setenv("AURIA_FAULT_ONCE", str(marker))
    with pytest.raises(OSError):
        fault_point("painter")
    assert marker.exists()
    fault_point("painter")  # the retry passes
    fault_point("painter")
    assert _point_in_child("painter") == 0, "nor in another process"


def test_crash_exits_the_process_with_70():
    assert _point_in_child("stored", AURIA_FAULT="crash:stored") == 70
    assert _point_in_child("poet", AURIA_FAULT="crash:stored") == 0


def test_with_auria_fault_once_a_crash_fires_in_one_process_only(tmp_path):
    env = {"AURIA_FAULT": "crash:x", "AURIA_FAULT_ONCE": str(tmp_path / "fired")}
    assert _point_in_child("x", **env) == 70
    assert (tmp_path / "fired").exists()
    assert _point_in_child("x", **env) == 0, "the next process (a retry) goes through"


@pytest.mark.parametrize("ext", ["png", "jpg"])
def test_a_full_disk_while_writing_an_artifact_leaves_no_temp_file(tmp_path, monkeypatch, ext):
    store = ArtifactStore(tmp_path / "data")
    monkeypatch.setenv("AURIA_FAULT", "enospc:artifact")
    with pytest.raises(AuriaError, match="No space left on device"):
        store.put(b"picture bytes", ext)
    assert [p for p in store.root.rglob("*") if p.is_file()] == []

    monkeypatch.delenv("AURIA_FAULT")
    sha = store.put(b"picture bytes", ext)
    assert store.get(sha, ext) == b"picture bytes"
    assert [p.name for p in store.root.rglob("*") if p.is_file()] == [f"{sha}.{ext}"]


def test_an_artifact_write_retried_after_a_one_time_full_disk_succeeds(tmp_path, monkeypatch):
    store = ArtifactStore(tmp_path / "data")
    monkeypatch.setenv("AURIA_FAULT", "enospc:artifact")
    monkeypatch.setenv("AURIA_FAULT_ONCE", str(tmp_path / "fired"))
    with pytest.raises(AuriaError):
        store.put(b"finished", "jpg")
    sha = store.put(b"finished", "jpg")
    assert store.path(sha, "jpg").read_bytes() == b"finished"
    assert not list(store.root.rglob(".tmp-*"))
