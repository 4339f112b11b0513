"""Run the ``porter`` command in this process, as the console script would.

Each ``python -m porter`` costs seconds of imports and mapping loads; the review, baseline and
suppression tests run the command dozens of times, so they call ``porter.cli.main`` directly with
the arguments, working directory and standard streams it would have had, and get back what a
subprocess would return. Tests that must prove the installed command (pre-commit, the Action)
still start real processes.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

from porter.cli import main


def porter(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``porter ARGS`` run in ``cwd``: its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    argv = ["porter", *args]
    code: int | str | None = 0
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        saved, sys.argv = sys.argv, argv
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.argv = saved
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(argv, returncode, out.getvalue(), err.getvalue())
