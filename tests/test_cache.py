"""The per-file result cache: hits for unchanged files, misses for changed ones, never stale."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from porter import cache as cache_module
from porter.scan import scan

SOURCE = "import torch\ntorch.cuda.synchronize()\n"


def test_second_scan_comes_from_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_text(SOURCE)
    first = scan(root, jobs=1)
    calls = []
    original = cache_module.ResultCache.store
    monkeypatch.setattr(cache_module.ResultCache, "store", lambda self, items: calls.append(list(items)))
    second = scan(root, jobs=1)
    assert second.files == first.files
    assert calls == [[]]  # nothing analysed afresh, nothing stored
    monkeypatch.setattr(cache_module.ResultCache, "store", original)
    (root / "a.py").write_text(SOURCE + "torch.cuda.empty_cache()\n")
    third = scan(root, jobs=1)
    assert len(third.findings) == len(first.findings) + 1


def test_recently_changed_file_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.py"
    path.write_text(SOURCE)
    from porter.discover import discover

    (candidate,) = list(discover(tmp_path))
    assert cache_module.ResultCache.key(candidate) is None
    later = time.time_ns() + 60_000_000_000
    monkeypatch.setattr(cache_module.time, "time_ns", lambda: later)
    assert cache_module.ResultCache.key(candidate) is not None


def test_cache_off_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTER_NO_CACHE", "1")
    assert cache_module.ResultCache.open() is None


def test_unusable_cache_folder_does_not_fail_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    (tmp_path / "a.py").write_text(SOURCE)
    assert cache_module.ResultCache.open() is None
    assert scan(tmp_path, jobs=1).findings
