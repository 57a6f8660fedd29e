"""A tiny sd_notify(3) client: tells systemd (``Type=notify``) that the daemon is ready,
stopping, alive (watchdog) or what it is doing. No dependencies, and never an error: outside
systemd (no ``$NOTIFY_SOCKET``) every call is a no-op that returns False.
"""
from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger("auria")


def _address(value: str) -> str:
    # "@name" is a socket in the abstract namespace, written with a leading NUL byte.
    return "\0" + value[1:] if value.startswith("@") else value


def notify(state: str) -> bool:
    """Send ``state`` (e.g. ``"READY=1"``) to systemd; True when the datagram was sent."""
    value = os.environ.get("NOTIFY_SOCKET", "")
    if not value or not (value.startswith("/") or value.startswith("@")):
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(state.encode("utf-8"), _address(value))
    except (OSError, ValueError) as e:
        log.debug("sd_notify %r to %s failed: %s", state.split("=", 1)[0], value, e)
        return False
    return True


def ready() -> bool:
    return notify("READY=1")


def stopping() -> bool:
    return notify("STOPPING=1")


def watchdog() -> bool:
    return notify("WATCHDOG=1")


def status(text: str) -> bool:
    """A one-line status that ``systemctl status`` shows."""
    return notify("STATUS=" + " ".join(text.split()))


def watchdog_interval() -> float | None:
    """systemd's watchdog timeout in seconds (``WatchdogSec=``), or None when there is none
    for this process. Ping ``watchdog()`` at least every half of it."""
    pid = os.environ.get("WATCHDOG_PID", "").strip()
    if pid:
        try:
            if int(pid) != os.getpid():
                return None
        except ValueError:
            return None
    try:
        usec = int(os.environ.get("WATCHDOG_USEC", "").strip())
    except ValueError:
        return None
    if usec <= 0:
        return None
    return usec / 1_000_000
