"""Resource limits: the per-file size limit and the per-file time limit (porter.limits).

A 10 MB single-line minified file is skipped by the size limit with a note; with the size limit
raised it is analysed or stopped by the time limit with a note, and the rest of the tree is still
scanned. The timer itself is checked here too: it passes through a frontend's ``except
Exception``, it gives an outer timer back, and it does nothing where signals cannot reach.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import pytest
from badinput import GOOD, MINIFIED_CUDA_UNIT, minified, write_tree
from clirun import porter

from porter.limits import FileTimeout, time_limit
from porter.mappings import default_tables
from porter.scan import analyze_bytes, scan

TABLES = default_tables()
TEN_MB = 10_000_000


def files_by_path(stdout: str) -> dict[str, dict[str, object]]:
    return {f["path"]: f for f in json.loads(stdout)["files"]}


@pytest.fixture(scope="module")
def minified_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tree with one 10 MB one-line CUDA file among ordinary ones."""
    root = tmp_path_factory.mktemp("minified")
    return write_tree(root, {
        "gen/min.cu": minified(TEN_MB, MINIFIED_CUDA_UNIT, prefix=b"int main(){", suffix=b"}"),
        "kernel.cu": GOOD["kernel.cu"],
        "step.py": GOOD["step.py"],
    })


def test_ten_megabyte_file_is_skipped_by_the_size_limit(minified_tree: Path) -> None:
    result = porter("scan", ".", "-f", "json", cwd=minified_tree)
    assert result.returncode == 0, result.stderr
    files = files_by_path(result.stdout)
    assert files["gen/min.cu"]["status"] == "skipped"
    assert files["gen/min.cu"]["note"] == "larger than 5 MB limit (10 MB)"
    assert files["kernel.cu"]["status"] == files["step.py"]["status"] == "scanned"


def test_ten_megabyte_file_with_the_size_limit_raised_is_stopped_in_time(minified_tree: Path) -> None:
    """tree-sitter parses with a progress callback, so the stop comes within the limit, not
    after the parse; the ordinary files around it are scanned as usual."""
    started = time.monotonic()
    result = porter("scan", ".", "-f", "json", "--max-bytes", str(2 * TEN_MB), "--file-timeout", "2",
                    cwd=minified_tree)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    files = files_by_path(result.stdout)
    big = files["gen/min.cu"]
    assert big["status"] == "error"
    assert str(big["note"]).startswith("analysis stopped after 2 s")
    assert "--file-timeout" in str(big["note"])
    assert files["kernel.cu"]["status"] == files["step.py"]["status"] == "scanned"
    assert elapsed < 20, elapsed  # 2 s of analysis, reading 10 MB and the rest of the tree


def test_stopped_parse_does_not_leak_into_the_next_file() -> None:
    """A tree-sitter parser resumes a stopped parse on its next call unless it is reset: the
    next (tiny) file would then take the rest of the big one's time and be stopped too."""
    big = minified(TEN_MB // 2, MINIFIED_CUDA_UNIT, prefix=b"int main(){", suffix=b"}")
    stopped = analyze_bytes("big.cu", big, TABLES, file_timeout=0.5)
    assert stopped is not None and stopped.status == "error"
    started = time.monotonic()
    small = analyze_bytes("small.cu", GOOD["kernel.cu"], TABLES, file_timeout=0.5)
    assert small is not None and small.status == "scanned", small.note
    assert small.findings
    assert time.monotonic() - started < 0.5


def test_minified_python_is_stopped_soon_after_the_parse() -> None:
    """libcst parses in one native call no signal interrupts; the stop comes right after it.
    300 kB of one-line lock-in code parses in about 0.4 s and needs about 3 s in all."""
    data = minified(300_000, b"x=torch.cuda.is_available();", prefix=b"import torch;")
    started = time.monotonic()
    result = analyze_bytes("min.py", data, TABLES, file_timeout=0.2)
    assert result is not None and result.status == "error"
    assert result.note is not None and result.note.startswith("analysis stopped after 0.2 s")
    assert result.lines == 1
    assert time.monotonic() - started < 2.5


def test_ten_megabyte_python_without_lock_in_is_cheap() -> None:
    """The byte prefilter answers for a big file with no vendor vocabulary: no parse at all."""
    data = minified(TEN_MB, b"x=1;")
    started = time.monotonic()
    result = analyze_bytes("min.py", data, TABLES, file_timeout=5)
    assert result is not None and result.status == "scanned"
    assert time.monotonic() - started < 5


def test_pathological_file_cannot_stall_a_parallel_scan(tmp_path: Path) -> None:
    """The scanner's worker processes enforce the limit too (64+ files use a process pool)."""
    files = {f"pkg/m{i:03d}.py": GOOD["step.py"] for i in range(70)}
    files["pkg/min.cu"] = minified(TEN_MB // 2, MINIFIED_CUDA_UNIT, prefix=b"int main(){", suffix=b"}")
    root = write_tree(tmp_path, files)
    result = scan(root, jobs=2, max_bytes=TEN_MB, file_timeout=1)
    by_path = {f.path: f for f in result.files}
    assert by_path["pkg/min.cu"].status == "error"
    assert "analysis stopped after 1 s" in (by_path["pkg/min.cu"].note or "")
    assert all(by_path[rel].status == "scanned" for rel in files if rel.endswith(".py"))


def test_file_timeout_zero_means_no_limit(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"kernel.cu": GOOD["kernel.cu"]})
    result = porter("scan", ".", "-f", "json", "--file-timeout", "0", cwd=root)
    assert result.returncode == 0, result.stderr
    assert files_by_path(result.stdout)["kernel.cu"]["status"] == "scanned"


def test_negative_file_timeout_is_a_usage_error(tmp_path: Path) -> None:
    result = porter("scan", ".", "--file-timeout", "-1", cwd=tmp_path)
    assert result.returncode == 2


def test_timeout_passes_through_a_frontends_broad_except() -> None:
    """Frontends turn any Exception into a note; the limit must not become 'internal error'."""
    caught = []
    with pytest.raises(FileTimeout), time_limit(0.05):
        try:
            time.sleep(1)
        except Exception as exc:  # what every frontend does
            caught.append(exc)
    assert caught == []


def test_outer_timer_is_given_back() -> None:
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with time_limit(5):
            pass
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 0.5
        time.sleep(0.7)
        assert fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_no_limit_outside_the_main_thread() -> None:
    """Signals reach only the main thread: elsewhere the limit is off rather than wrong."""
    outcome = []

    def work() -> None:
        with time_limit(0.01):
            time.sleep(0.1)
        outcome.append(signal.getitimer(signal.ITIMER_REAL))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == [(0.0, 0.0)]

