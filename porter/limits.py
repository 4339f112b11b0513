"""Per-file time limits: one pathological file costs at most about ``seconds``, not the scan.

A frontend is plain Python over a parser, so the limit is a ``SIGALRM`` timer that raises
``FileTimeout`` at the next Python bytecode once the time is up. ``FileTimeout`` derives from
``BaseException`` on purpose: every frontend catches ``Exception`` to turn its own bugs into a
file note, and the limit must pass through those handlers up to the scanner, which turns it into
the file's note instead.

Native parsers only see the signal when they return to Python. tree-sitter does so often when it
is handed a progress callback (``parse_tree``), so a CUDA parse stops within milliseconds.
libcst's parser is one Rust call with no callback: it is stopped right after it returns. Its cost
is bounded by the size limit (about 10 us a byte for one-line minified code, so a file at the
default 5 MB limit parses in under a minute) except for the shapes that make it quadratic or
crash, which ``porter.frontends.python.shape`` refuses before the parse.

The timer exists only in the main thread of a process on a platform with ``SIGALRM`` (the CLI,
and the scanner's worker processes, run files there); elsewhere ``time_limit`` does nothing
rather than guess.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator

from tree_sitter import Parser, Tree

#: Seconds one file may take by default (``--file-timeout``); real files take milliseconds.
DEFAULT_FILE_TIMEOUT = 20.0
#: Bytes tree-sitter reads per callback; the progress callback runs far more often than this.
_CHUNK = 1 << 16


class FileTimeout(BaseException):
    """One file's analysis ran past its time limit (not an ``Exception``: see the module doc)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"analysis stopped after {seconds:g} s")
        self.seconds = seconds


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``FileTimeout`` inside the block once ``seconds`` have passed (None or 0: no limit).

    An outer ``SIGALRM`` timer (a test runner's own timeout) is put back with the time it had
    left, so nesting a limit inside another tool's does not cancel that tool's.
    """
    if not seconds or seconds <= 0 or not _can_time():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise FileTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def parse_tree(parser: Parser, data: bytes) -> Tree:
    """``parser.parse(data)``, but interruptible by ``time_limit`` while the parse runs.

    Handing tree-sitter a read callback lets it accept a progress callback, which it calls every
    few hundred bytes; each call is Python code, where a pending ``FileTimeout`` is raised and
    propagates out of the parse. The callbacks cost nothing measurable (3.66 s against 3.68 s
    for 2 MB of noise).
    """

    def read(offset: int, point: object) -> bytes:
        return data[offset : offset + _CHUNK]

    def keep_going(offset: int, has_error: bool) -> bool:
        return False

    try:
        return parser.parse(read, progress_callback=keep_going)
    except BaseException:
        # A stopped parse is resumed, not restarted, by the parser's next call: the next file
        # would be parsed as the rest of this one (and inherit its cost) without a reset.
        parser.reset()
        raise
