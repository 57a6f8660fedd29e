"""Fault injection, for the tests that kill, hang and starve Auria at chosen points.

``AURIA_FAULT`` lists ``KIND:POINT`` pairs, comma-separated, e.g. ``hang:stored`` or
``crash:stylist,enospc:artifact.jpg``. Kinds: ``hang`` (sleep an hour, to be killed there),
``crash`` (exit at once with code 70, leaving everything as a power cut would),
``enospc`` (raise the OSError of a full disk) and ``error`` (raise a ValueError: a bug or
an input a step did not foresee). Points: the generator steps ``poet``,
``painter``, ``stylist``, ``finish``; ``artifact.EXT`` (writing a step's output file:
``artifact.png`` a picture, ``artifact.jpg`` the finished image; ``artifact`` names them all);
``stored`` (the daemon, a slot's work stored and not yet posted).

With ``AURIA_FAULT_ONCE=PATH`` a fault fires once: firing creates PATH, and a fault never
fires while PATH exists, so a retry of the same work (even in a new process) succeeds.
Without ``AURIA_FAULT`` in the environment every point is a no-op.
"""
from __future__ import annotations

import errno
import os
import time


def fault_point(point: str) -> None:
    for fault in filter(None, os.environ.get("AURIA_FAULT", "").split(",")):
        kind, _, where = fault.strip().partition(":")
        if not (where == point or point.startswith(where + ".")) or not _first_time():
            continue
        if kind == "hang":
            time.sleep(3600)
        elif kind == "crash":
            os._exit(70)
        elif kind == "enospc":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        elif kind == "error":
            raise ValueError(f"injected fault at {point}")


def _first_time() -> bool:
    marker = os.environ.get("AURIA_FAULT_ONCE")
    if not marker:
        return True
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))  # atomic: one process wins
    except FileExistsError:
        return False
    return True
