import logging
import os
import socket

import pytest

from bot import sdnotify


@pytest.fixture(autouse=True)
def no_systemd_env(monkeypatch):
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def listener(tmp_path, monkeypatch):
    """A datagram socket standing in for systemd's, bound in tmp_path; $NOTIFY_SOCKET names it."""
    path = tmp_path / "n.sock"
    if len(os.fsencode(path)) >= 108:  # sun_path's limit
        pytest.skip(f"tmp_path is too long for an AF_UNIX socket path: {path}")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield sock
    sock.close()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (sdnotify.ready, b"READY=1"),
        (sdnotify.stopping, b"STOPPING=1"),
        (sdnotify.watchdog, b"WATCHDOG=1"),
        (lambda: sdnotify.status("writing today's haiku"), b"STATUS=writing today's haiku"),
        (lambda: sdnotify.notify("EXTEND_TIMEOUT_USEC=1000"), b"EXTEND_TIMEOUT_USEC=1000"),
    ],
)
def test_messages_arrive_exactly(listener, call, message):
    assert call() is True
    assert listener.recv(4096) == message


def test_status_stays_one_line(listener):
    # A newline would start another assignment: "STATUS=x\nREADY=1" must not be possible.
    assert sdnotify.status("first\nREADY=1  second")
    assert listener.recv(4096) == b"STATUS=first READY=1 second"


def test_several_messages_in_order(listener):
    assert sdnotify.status("starting") and sdnotify.ready() and sdnotify.watchdog()
    received = [listener.recv(4096) for _ in range(3)]
    assert received == [b"STATUS=starting", b"READY=1", b"WATCHDOG=1"]


def test_abstract_namespace_socket(monkeypatch):
    name = f"auria-test-{os.getpid()}-{id(monkeypatch)}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sdnotify.ready() is True
        assert sock.recv(4096) == b"READY=1"


def test_not_under_systemd_is_a_no_op():
    assert sdnotify.notify("READY=1") is False
    assert sdnotify.ready() is False
    assert sdnotify.watchdog() is False


@pytest.mark.parametrize("value", ["", "relative/path", "x"])
def test_unusable_variable_is_a_no_op(monkeypatch, value):
    monkeypatch.setenv("NOTIFY_SOCKET", value)
    assert sdnotify.ready() is False


def test_send_error_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone.sock"))
    with caplog.at_level(logging.DEBUG, logger="auria"):
        assert sdnotify.ready() is False
    assert "sd_notify 'READY' to" in caplog.text


def test_watchdog_interval_absent():
    assert sdnotify.watchdog_interval() is None


@pytest.mark.parametrize(
    ("usec", "seconds"), [("300000000", 300.0), ("1500000", 1.5), (" 2000000 ", 2.0)]
)
def test_watchdog_interval(monkeypatch, usec, seconds):
    monkeypatch.setenv("WATCHDOG_USEC", usec)
    assert sdnotify.watchdog_interval() == seconds


def test_watchdog_interval_for_this_pid(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "4000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert sdnotify.watchdog_interval() == 4.0


@pytest.mark.parametrize("pid", [str(os.getpid() + 1), "not-a-pid"])
def test_watchdog_interval_for_another_pid(monkeypatch, pid):
    monkeypatch.setenv("WATCHDOG_USEC", "4000000")
    monkeypatch.setenv("WATCHDOG_PID", pid)
    assert sdnotify.watchdog_interval() is None


@pytest.mark.parametrize("usec", ["", "0", "-5", "5min", "1.5"])
def test_watchdog_interval_invalid(monkeypatch, usec):
    monkeypatch.setenv("WATCHDOG_USEC", usec)
    assert sdnotify.watchdog_interval() is None
