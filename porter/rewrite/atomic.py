"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half of one.

The new bytes go to a temporary file in the same directory, are flushed and fsynced, take the
old file's mode, and are renamed over the target in one step.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its permission bits if it exists."""
    directory = path.parent
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".porter-tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a report: a file name that is not UTF-8 (a lone surrogate) is written as ``\\udcff``,
    which is also how JSON spells it, instead of failing the whole report."""
    write_bytes_atomic(path, text.encode("utf-8", "backslashreplace"))
