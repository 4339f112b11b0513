"""Scan a tree: discover files, run each one's frontend once, and collect the results.

Each file's analysis is a pure function of (path, bytes, mapping tables), so the work is spread
over worker processes when the tree is big enough to pay for them, and a file that breaks its
frontend becomes an ``error`` FileResult instead of a crash.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from porter.cache import ResultCache
from porter.discover import DEFAULT_MAX_BYTES, Candidate, classify, discover
from porter.frontends import frontend_for
from porter.frontends.base import LineIndex
from porter.limits import DEFAULT_FILE_TIMEOUT, FileTimeout, time_limit
from porter.mappings import MappingTables, default_tables
from porter.model import FileResult, ScanResult
from porter.suppress import apply_suppressions

#: Below this many files a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 64
#: Skip reasons worth reporting only for files some frontend would have read.
_UNINTERESTING_SKIPS = ("larger than", "not a regular file", "duplicate of")
#: Bytes a frontend is shown to decide whether it claims an extensionless file.
_HEAD_BYTES = 512
#: Frontends split lines at LF; a file that ends its lines with CR alone (classic Mac OS) reads
#: as one line to them, which can hide sites, so it is never reported as cleanly scanned.
_CR_ONLY = "CR-only (classic Mac) line endings: read as one line, sites may be missed; convert to LF"


class ScanError(Exception):
    """The scan cannot start (bad root, unknown target); the message is for the user."""


def _numbered(result: FileResult) -> FileResult:
    """Give identical (rule, symbol, snippet) sites of one file distinct occurrence numbers.

    Fingerprints hash what a site is, not where it is, so two identical lines need a counter
    to stay distinct; counting in source order keeps ids stable when unrelated lines move.
    """
    seen: Counter[tuple[str, str, str, int | None]] = Counter()
    numbered = []
    for finding in result.findings:
        key = (finding.rule, finding.symbol, " ".join(finding.snippet.split()), finding.cell)
        numbered.append(dataclasses.replace(finding, occurrence=seen[key]))
        seen[key] += 1
    return dataclasses.replace(result, findings=tuple(numbered))


def analyze_bytes(
    rel: str, data: bytes, tables: MappingTables, file_timeout: float | None = DEFAULT_FILE_TIMEOUT
) -> FileResult | None:
    """Analyse one file's bytes; None when no frontend reads this kind of file.

    The analysis stops after ``file_timeout`` seconds (None: never), so one pathological file
    becomes an ``error`` result with a note instead of stalling the scan (see porter.limits).
    """
    frontend = frontend_for(rel, data[:_HEAD_BYTES])
    if frontend is None:
        return None
    reason = classify(data)
    if reason is not None:
        return FileResult(path=rel, language=frontend.language, status="skipped", note=reason)
    try:
        with time_limit(file_timeout):
            result = frontend.analyze(rel, data, tables)
    except FileTimeout as stop:
        return FileResult(
            path=rel,
            language=frontend.language,
            status="error",
            lines=LineIndex(data).line_count,
            note=f"{stop}: the file is too big or too odd to analyse in time; "
            "raise --file-timeout to try longer",
        )
    except Exception as exc:  # a frontend bug must cost one file, not the scan
        return FileResult(
            path=rel,
            language=frontend.language,
            status="error",
            note=f"internal error in the {frontend.language} frontend: {type(exc).__name__}: {exc}",
        )
    if result.status == "scanned" and b"\n" not in data and b"\r" in data.rstrip(b"\r"):
        result = dataclasses.replace(result, status="partial", note=_CR_ONLY)
    digest = hashlib.sha1(data).hexdigest()
    return dataclasses.replace(_numbered(apply_suppressions(result, data, tables)), digest=digest)


def analyze_candidate(
    candidate: Candidate,
    tables: MappingTables | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
) -> FileResult | None:
    """Read and analyse one discovered file; unreadable or vanished files become notes."""
    tables = tables or default_tables()
    if candidate.skip is not None:
        probe = frontend_for(candidate.rel, b"")
        if probe is None and candidate.skip.startswith(_UNINTERESTING_SKIPS):
            return None  # a big weight file or a FIFO no frontend reads is not worth a note
        language = probe.language if probe else "unknown"
        return FileResult(path=candidate.rel, language=language, status="skipped", note=candidate.skip)
    try:
        with open(candidate.path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        probe = frontend_for(candidate.rel, b"")
        if probe is None:
            return None
        reason = exc.strerror or type(exc).__name__
        return FileResult(
            path=candidate.rel, language=probe.language, status="skipped", note=f"unreadable: {reason}"
        )
    if len(data) > max_bytes:
        probe = frontend_for(candidate.rel, data[:_HEAD_BYTES])
        if probe is None:
            return None
        return FileResult(
            path=candidate.rel,
            language=probe.language,
            status="skipped",
            note=f"grew past the {max_bytes // 1_000_000} MB limit while being scanned",
        )
    return analyze_bytes(candidate.rel, data, tables, file_timeout)


def _analyze_chunk(job: tuple[list[Candidate], int, float | None]) -> list[FileResult | None]:
    chunk, max_bytes, file_timeout = job
    return [analyze_candidate(c, None, max_bytes, file_timeout) for c in chunk]


def _chunks(items: Sequence[Candidate], size: int) -> Iterable[list[Candidate]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def check_targets(targets: Iterable[str] | None, tables: MappingTables) -> tuple[str, ...]:
    """The requested targets in the data's order; all of them when none are named."""
    known = tables.target_ids
    if not targets:
        return known
    wanted = list(dict.fromkeys(targets))
    unknown = [t for t in wanted if t not in known]
    if unknown:
        raise ScanError(f"unknown target {unknown[0]!r}; choose from {', '.join(known)}")
    return tuple(t for t in known if t in wanted)


def scan(
    root: Path,
    *,
    targets: Iterable[str] | None = None,
    exclude: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    jobs: int | None = None,
    tables: MappingTables | None = None,
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
    use_cache: bool = True,
) -> ScanResult:
    """Scan ``root`` (a directory or one file) and return every file's result, sorted by path.

    With the shipped mapping data, results of unchanged files come from the per-file cache
    (``porter.cache``); only new or changed files are analysed.
    """
    if not root.exists():
        raise ScanError(f"path not found: {root}")
    tables = tables or default_tables()
    chosen = check_targets(targets, tables)
    candidates = list(discover(root, exclude=exclude, max_bytes=max_bytes))
    shipped = tables is default_tables()
    cache = ResultCache.open() if shipped and use_cache else None
    keys = [ResultCache.key(c) if cache and c.skip is None else None for c in candidates]
    cached = cache.lookup(keys) if cache else {}
    todo = [c for c, k in zip(candidates, keys, strict=True) if k not in cached]
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    fresh: list[FileResult | None]
    if jobs > 1 and len(todo) >= _PARALLEL_THRESHOLD and shipped:
        size = max(8, len(todo) // (jobs * 8))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            jobs_list = [(chunk, max_bytes, file_timeout) for chunk in _chunks(todo, size)]
            fresh = [r for chunk in pool.map(_analyze_chunk, jobs_list) for r in chunk]
    else:
        fresh = [analyze_candidate(c, tables, max_bytes, file_timeout) for c in todo]
    if cache:
        by_rel = dict(zip((c.rel for c in todo), fresh, strict=True))
        cache.store((k, by_rel[c.rel]) for c, k in zip(candidates, keys, strict=True)
                    if k and k not in cached)
        cache.close()
    results = [*fresh, *cached.values()]
    files = tuple(sorted((r for r in results if r is not None), key=lambda r: r.path))
    display_root = root.resolve().as_posix()
    return ScanResult(root=display_root, targets=chosen, files=files)
