"""One Auria per data folder: an exclusive ``flock`` on ``DATA_DIR/auria.lock``.

The lock is held for the process lifetime and dies with the process (the kernel drops it
when the descriptor closes), so a file left behind by a crash never blocks the next start.
The holder's pid is written into the file only so the refusal can name it.
"""
from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from core.errors import AuriaError

LOCK_NAME = "auria.lock"


class DataDirLock:
    """``with DataDirLock(data_dir): ...`` or ``lock = DataDirLock(data_dir).acquire()``.

    A second holder, in another process or through another descriptor in this one, gets
    an AuriaError naming the pid in the file. Dropping the object does not release the
    lock (no ``__del__``): only ``release()``, leaving the ``with`` block, or the process
    ending does.
    """

    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> DataDirLock:
        if self._fd is not None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as e:
            raise AuriaError(f"{self.path}: cannot open the lock file: {e.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            holder = _read_pid(fd)
            os.close(fd)
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise AuriaError(f"{self.path}: cannot lock: {e.strerror}") from None
            raise AuriaError(
                f"{self.path}: another Auria (pid {holder}) is running on this data folder"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            os.fsync(fd)
        except OSError as e:
            os.close(fd)
            raise AuriaError(f"{self.path}: cannot write the lock file: {e.strerror}") from None
        self._fd = fd
        return self

    def release(self) -> None:
        """Let go of the lock (closing the descriptor releases the flock); idempotent."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.ftruncate(fd, 0)  # no stale pid once released; best effort
            except OSError:
                pass
            os.close(fd)

    close = release

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()


def _read_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return text if text.isdigit() else "unknown"
