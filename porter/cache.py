"""A cache of per-file results, so a second scan of a big tree costs a stat per file.

A file's analysis is a pure function of (path, bytes, mapping tables, porter's code). The cache
keys each result by the file's real path, size and change times, salted with a fingerprint of
the mapping data and of porter's own modules; a changed file, new data or new code is a miss.
Results live in one SQLite file in the user's cache folder. Any problem with it (read-only home,
a corrupt file, a locked database) turns the cache off for the run instead of failing the scan;
``PORTER_NO_CACHE=1`` turns it off on purpose.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from porter import __version__
from porter.discover import Candidate
from porter.mappings import cache_dir, tables_fingerprint
from porter.model import FileResult

#: Notes of results that depend on the run (a time limit, a frontend crash): never cached.
_TRANSIENT = ("analysis stopped", "internal error")
_NO_FRONTEND = b"none"
#: Files modified more recently than this are not cached (see ResultCache.key).
_RACY_NS = 3_000_000_000


def _code_fingerprint() -> str:
    package = Path(__file__).resolve().parent
    digest = hashlib.sha1(__version__.encode())
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def cacheable(result: FileResult | None) -> bool:
    return result is None or not (result.note or "").startswith(_TRANSIENT)


class ResultCache:
    """Per-file results keyed by (real path, size, mtime, ctime) under one salt."""

    def __init__(self, connection: sqlite3.Connection, salt: str) -> None:
        self._db = connection
        self._salt = salt

    @classmethod
    def open(cls, path: Path | None = None) -> ResultCache | None:
        """The default cache, or None when it is turned off or cannot be used."""
        if os.environ.get("PORTER_NO_CACHE") == "1":
            return None
        path = path or cache_dir() / "results.sqlite"
        try:
            salt = f"{_code_fingerprint()}:{tables_fingerprint()}"
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=5)
            db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, salt TEXT, value BLOB)")
            db.execute("DELETE FROM results WHERE salt != ?", (salt,))  # stale code or data
            db.commit()
        except (OSError, sqlite3.Error):
            return None
        return cls(db, salt)

    @staticmethod
    def key(candidate: Candidate) -> str | None:
        """The file's cache key, or None when it must be analysed afresh.

        A file changed in the last seconds is never keyed: file systems stamp times with a
        coarse clock, so a second same-sized write within one tick would look unchanged (git's
        "racy clean" problem). Such files are simply analysed again.
        """
        try:
            stat = candidate.path.stat()
        except OSError:
            return None
        if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) < _RACY_NS:
            return None
        raw = (f"{candidate.path}\0{candidate.rel}\0{stat.st_ino}\0{stat.st_size}\0"
               f"{stat.st_mtime_ns}\0{stat.st_ctime_ns}")
        return hashlib.sha1(raw.encode("utf-8", "surrogateescape")).hexdigest()

    def lookup(self, keys: Sequence[str | None]) -> dict[str, FileResult | None]:
        """The cached results for the given keys (missing keys are simply absent)."""
        wanted = [k for k in keys if k]
        found: dict[str, FileResult | None] = {}
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, value FROM results WHERE salt = ? AND key IN ({marks})",
                    (self._salt, *chunk),
                )
                for key, value in rows:
                    found[key] = None if value == _NO_FRONTEND else pickle.loads(value)
        except Exception:  # a damaged row raises ValueError, OverflowError, MemoryError, ...
            return {}
        return found

    def store(self, items: Iterable[tuple[str, FileResult | None]]) -> None:
        rows = [
            (key, self._salt, _NO_FRONTEND if result is None else pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
            for key, result in items
            if cacheable(result)
        ]
        with contextlib.suppress(sqlite3.Error):
            self._db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
