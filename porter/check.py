"""``porter check FILE...``: analyse the files a tool hands over (pre-commit, an editor, a script).

``scan`` walks a tree; a pre-commit hook instead receives the staged file names, and must not
walk (or time) anything else. Each file is read and analysed exactly as the scanner analyses it,
with its path kept as given, so paths, fingerprints and a baseline made at the repository root
agree with what ``scan`` and ``review`` report there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from porter.discover import DEFAULT_MAX_BYTES
from porter.effort import estimate_target
from porter.frontends import frontend_for
from porter.mappings import MappingTables, default_tables
from porter.model import FileResult, Finding, ScanResult
from porter.pits import default_catalog
from porter.scan import ScanError, analyze_bytes, check_targets


def _check_one(path: Path, tables: MappingTables, max_bytes: int) -> FileResult | None:
    rel = path.as_posix()
    if path.is_symlink() or not path.is_file():
        probe = frontend_for(rel, b"")
        if probe is None:
            return None
        why = "symbolic link: not followed" if path.is_symlink() else "not a regular file"
        return FileResult(path=rel, language=probe.language, status="skipped", note=why)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ScanError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        probe = frontend_for(rel, data[:512])
        if probe is None:
            return None
        note = f"larger than {max_bytes} bytes"
        return FileResult(path=rel, language=probe.language, status="skipped", note=note)
    return analyze_bytes(rel, data, tables)


def check_files(
    paths: Iterable[Path],
    *,
    targets: Iterable[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    tables: MappingTables | None = None,
) -> ScanResult:
    """Analyse each named file (no directory walk); files no frontend reads are left out."""
    tables = tables or default_tables()
    chosen = check_targets(targets, tables)
    results = []
    for path in dict.fromkeys(paths):
        if not path.exists() and not path.is_symlink():
            raise ScanError(f"path not found: {path}")
        if path.is_dir():
            raise ScanError(f"{path} is a directory: porter check takes files (use porter scan)")
        result = _check_one(path, tables, max_bytes)
        if result is not None:
            results.append(result)
    return ScanResult(root=".", targets=chosen, files=tuple(sorted(results, key=lambda r: r.path)))


def effort_days(findings: Sequence[Finding], targets: Sequence[str],
                file_lines: Mapping[str, int]) -> dict[str, float]:
    """Midpoint person-days per target for ``findings`` (what ``--fail-on effort:N`` compares)."""
    catalog = default_catalog()
    return {
        t: estimate_target(findings, t, catalog=catalog, file_lines=file_lines).total.mid
        for t in targets
    }
