import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import AuriaError
from bot.lock import DataDirLock

ROOT = Path(__file__).resolve().parents[1]

SECOND = """
import sys
from core.errors import AuriaError
from bot.lock import DataDirLock
try:
    with DataDirLock(sys.argv[1]):
        print("acquired")
except AuriaError as e:
    print(e)
"""


def run_second(data_dir):
    result = subprocess.run(
        [sys.executable, "-c", SECOND, str(data_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    return result.stdout.strip()


def test_a_second_process_is_refused_and_told_the_pid(data_dir):
    with DataDirLock(data_dir):
        out = run_second(data_dir)
    path = data_dir / "auria.lock"
    assert out == f"{path}: another Auria (pid {os.getpid()}) is running on this data folder"


def test_a_second_process_gets_it_once_released(data_dir):
    with DataDirLock(data_dir):
        pass
    assert run_second(data_dir) == "acquired"


def test_a_second_lock_in_the_same_process_is_refused(data_dir):
    with DataDirLock(data_dir) as first:
        assert first.held
        with pytest.raises(AuriaError, match=rf"another Auria \(pid {os.getpid()}\) is running"):
            DataDirLock(data_dir).acquire()
        assert first.held


def test_release_then_acquire_again(data_dir):
    lock = DataDirLock(data_dir).acquire()
    lock.release()
    lock.release()  # idempotent
    assert not lock.held
    with DataDirLock(data_dir) as again:
        assert again.held
    lock.acquire()
    lock.close()


def test_the_file_holds_the_pid_and_mode_0644(data_dir):
    old = os.umask(0o022)
    try:
        with DataDirLock(data_dir):
            path = data_dir / "auria.lock"
            assert path.read_text() == f"{os.getpid()}\n"
            assert path.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)


def test_a_stale_file_from_a_dead_process_does_not_block(data_dir):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    data_dir.mkdir(parents=True)
    (data_dir / "auria.lock").write_text(f"{dead}\n9999999\n")
    with DataDirLock(data_dir):
        assert (data_dir / "auria.lock").read_text() == f"{os.getpid()}\n"


def test_a_crashed_holder_leaves_no_lock(data_dir):
    crash = (
        "import os, sys; from bot.lock import DataDirLock; "
        "DataDirLock(sys.argv[1]).acquire(); os._exit(1)"
    )
    subprocess.run([sys.executable, "-c", crash, str(data_dir)], cwd=ROOT, timeout=60)
    assert (data_dir / "auria.lock").read_text().strip().isdigit()  # the stale pid is still there
    with DataDirLock(data_dir):
        pass


def test_an_unreadable_pid_is_reported_as_unknown(data_dir):
    with DataDirLock(data_dir):
        (data_dir / "auria.lock").write_text("")
        with pytest.raises(AuriaError, match=r"\(pid unknown\)"):
            DataDirLock(data_dir).acquire()
