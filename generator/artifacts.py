"""Content-addressed artifacts: every step's output stored under its sha256.

DATA_DIR/artifacts/ab/abcdef...png. The same bytes are stored once, a file's name proves
its content, and a work's steps refer to their inputs and outputs by hash, so a work can
be re-made from any step by reading back the earlier steps' outputs.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from core.errors import AuriaError
from core.faults import fault_point


class ArtifactStore:
    def __init__(self, data_dir: str | Path):
        self.root = Path(data_dir) / "artifacts"

    def path(self, sha256: str, ext: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.{ext}"

    def put(self, data: bytes, ext: str) -> str:
        """Store bytes (atomically: a crash never leaves half a file) and return their sha256."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha, ext)
        if target.exists():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                fault_point(f"artifact.{ext}")
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except OSError as error:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)  # a full disk must not also keep half a file
            raise AuriaError(f"{target}: cannot write artifact ({error.strerror})") from None
        return sha

    def get(self, sha256: str, ext: str) -> bytes:
        path = self.path(sha256, ext)
        try:
            data = path.read_bytes()
        except OSError:
            raise AuriaError(f"{path}: artifact missing; make the work again from an earlier step") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise AuriaError(f"{path}: artifact corrupt (its bytes no longer match its name)")
        return data
