"""Coverage-guided fuzzing (atheris/libFuzzer) of every frontend through the scanner's entry point.

Hypothesis (test_reliability_fuzz.py) explores shapes we thought of; atheris mutates towards
new branches of porter's own code, which finds inputs nobody writes by hand. The test runs this
file as a fuzzer in a subprocess for a fixed number of runs (``RUNS``, counted in
docs/reliability.md) and skips when atheris is not installed (``pip install atheris``: a
manylinux wheel, no compiler needed). Run it longer by hand with
``python tests/test_reliability_atheris.py -runs=100000``; a crash leaves a ``crash-*`` file
with the input.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from badinput import GOOD

#: libFuzzer runs per CI test; each is one file through one frontend.
RUNS = 5000
#: The first input byte picks the file name, so one corpus exercises every frontend.
NAMES = tuple(GOOD)


def test_atheris_finds_no_crash(tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="atheris not installed: pip install atheris")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for index, data in enumerate(GOOD.values()):  # seeds: one clean sample per frontend
        (corpus / f"seed-{index:02d}").write_bytes(bytes([index]) + data)
    result = subprocess.run(
        [sys.executable, __file__, f"-runs={RUNS}", "-max_len=4096", "-seed=1", str(corpus)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    tail = result.stderr[-3000:]
    assert result.returncode == 0, tail
    assert f"Done {RUNS} runs" in result.stderr, tail


def _fuzz() -> None:
    import atheris

    with atheris.instrument_imports(include=["porter"]):
        from porter.frontends import all_frontends
        from porter.mappings import default_tables
        from porter.scan import analyze_bytes

        all_frontends()  # the frontends are imported lazily: import them while instrumenting
    from test_reliability_fuzz import check_result

    tables = default_tables()

    def one_input(data: bytes) -> None:
        if not data:
            return
        name = NAMES[data[0] % len(NAMES)]
        body = data[1:]
        result = analyze_bytes(name, body, tables)
        if result is not None:
            check_result(result, name, body)

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    _fuzz()
