"""Prove a port compiles: translate a tree in memory and compile every translated file with HIP.

``porter verify PATH --target rocm`` plans the port exactly as ``porter port`` does (nothing in the
tree is written), writes the translated C/C++/CUDA files into a temporary folder that mirrors the
tree (so ``#include "x.cuh"`` and project-relative includes resolve), and compiles each
translation unit (``.cu`` files and the C++ sources porter found CUDA in) with ``hipcc -x hip
--offload-arch=ARCH -std=c++17 -fsyntax-only``, in parallel. A GPU is not needed: only the
compiler front end and device-side semantic checks run.

Each file ends as one of:

* ``compiled``: the compiler accepted it.
* ``failed``: the first compiler error, with its line mapped back through porter's edits to the
  line of the *original* CUDA file, so the fix lands where a person edits.
* ``skipped``: nothing to compile with (no hipcc), or the first error is a missing header that
  belongs to something this machine lacks by design: a ROCm library that is not installed (the
  headers AMD's hip-python names in ``mappings/reference/hip-library-includes``, such as hipBLAS,
  hipFFT, RCCL, roctx, and the header-only rocThrust, hipCUB, rocWMMA, MIOpen, rocBLAS folders)
  or PyTorch's C++ extension headers (pass ``--include`` with torch's include folders to compile
  those). Every other missing header is a failure: it is the project's own or a path the port got
  wrong.

``--declarations DIR`` (default ``$PORTER_ROCM_BINDINGS``) names a folder holding AMD's
``rocm-bindings-libraries`` and ``rocm-bindings-systems`` wheels. Headers for the libraries they
declare (hipBLAS, hipFFT, hipSOLVER, hipSPARSE, RCCL, roctx ...) are then generated once per run
by :mod:`porter.hipdecl` into a temporary folder, searched after every other include folder
(``-idirafter``, so an installed library's real header still wins), and a unit that would have
been skipped for one of them is compiled. A unit that used a generated header carries a note
saying so: it was checked against AMD's declarations, not an installed library (nothing links).
rocThrust, hipCUB, MIOpen ... and PyTorch's headers are not in the wheels and still skip.
"""

from __future__ import annotations

import bisect
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Literal, TextIO

from porter.frontends.cuda import CPP_SUFFIXES, CUDA_SUFFIXES
from porter.hipdecl import (
    ROCM_BINDINGS_VERSION,
    ROCM_WHEELS,
    library_name,
    rocm_wheels,
    write_headers,
)
from porter.mappings import reference_names
from porter.model import Edit, FileResult
from porter.port import PortResult, plan_port
from porter.rewrite.apply import apply_edits, plan_edits

VerifyStatus = Literal["compiled", "failed", "skipped"]

#: Suffixes compiled as translation units when porter found CUDA in them (.cu always).
_UNIT_SUFFIXES = frozenset({".cu", ".cpp", ".cc", ".cxx"})
#: Headers of PyTorch's C++ extension API (hipified by PyTorch's own ROCm build).
_TORCH_HEADERS = ("torch/", "ATen/", "c10/", "pybind11/", "Python.h")
#: ROCm header-only libraries hip-python does not describe, by their include folder: rocThrust
#: installs thrust/, hipCUB hipcub/, rocWMMA rocwmma/, MIOpen miopen/, rocBLAS rocblas/.
_ROCM_HEADER_LIBRARIES = {"thrust": "rocThrust", "hipcub": "hipCUB", "rocwmma": "rocWMMA", "miopen": "MIOpen",
                          "rocblas": "rocBLAS"}
_ERROR = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<column>\d+): (?:fatal )?error: (?P<message>.*)$", re.M)
#: Clang's include chain printed before an error, the translation unit first.
_INCLUDED_FROM = re.compile(r"^(?:In file included from|\s+from) (?P<file>[^\n:]+):(?P<line>\d+)[:,]", re.M)
_MISSING = re.compile(r"'(?P<header>[^']+)' file not found")
#: A line of clang's ``-H`` output: dots for the include depth, then the header's path.
_SHOWN_INCLUDE = re.compile(r"^\.+ (?P<path>\S.*)$", re.M)
#: Seconds one compile may take (rocPRIM-heavy files take tens of seconds).
_TIMEOUT_S = 600


@dataclass(frozen=True, slots=True)
class FileVerdict:
    """One translation unit's outcome; ``line`` is a line of the original (CUDA) file."""

    path: str
    status: VerifyStatus
    message: str = ""
    where: str | None = None
    line: int | None = None
    seconds: float = 0.0
    #: Set when the unit used headers generated from AMD's declarations (``--declarations``).
    note: str = ""


@dataclass(frozen=True, slots=True)
class VerifyReport:
    root: str
    target: str
    offload_arch: str
    compiler: str | None
    files: tuple[FileVerdict, ...]
    #: The folder of AMD's wheels the declarations came from (``--declarations``), if any.
    declarations: str | None = None

    def count(self, status: VerifyStatus) -> int:
        return sum(1 for f in self.files if f.status == status)


class LineMap:
    """Maps a line of a translated file back to the line of the original it came from.

    The translation is the original with non-overlapping byte edits applied; bytes outside the
    edits are copied, so every translated offset either sits in a copied run (and maps 1:1) or in
    an edit's replacement text (and maps to where the edit starts).
    """

    def __init__(self, original: bytes, kept: Sequence[Edit]) -> None:
        self._original_starts = _line_starts(original)
        #: (translated start, original start, copied?) per run, in order.
        self._runs: list[tuple[int, int, bool]] = []
        out = cursor = 0
        translated = bytearray()
        for edit in kept:
            self._runs.append((out, cursor, True))
            translated += original[cursor : edit.start]
            out += edit.start - cursor
            text = edit.text.encode("utf-8")
            self._runs.append((out, edit.start, False))
            translated += text
            out += len(text)
            cursor = edit.end
        self._runs.append((out, cursor, True))
        translated += original[cursor:]
        self._translated_starts = _line_starts(bytes(translated))
        self._run_starts = [run[0] for run in self._runs]

    def original_line(self, translated_line: int) -> int:
        """1-based original line of 1-based ``translated_line`` (clamped to the file)."""
        index = min(max(translated_line, 1), len(self._translated_starts)) - 1
        offset = self._translated_starts[index]
        run = bisect.bisect_right(self._run_starts, offset) - 1
        out_start, original_start, copied = self._runs[max(run, 0)]
        original = original_start + (offset - out_start if copied else 0)
        return bisect.bisect_right(self._original_starts, original)


def _line_starts(data: bytes) -> list[int]:
    """Offsets where lines start (no empty line after a final newline)."""
    starts = [0]
    position = data.find(b"\n")
    while position != -1 and position + 1 < len(data):
        starts.append(position + 1)
        position = data.find(b"\n", position + 1)
    return starts


def _kept_edits(file: FileResult, target: str, original: bytes, ported: bytes) -> tuple[Edit, ...]:
    """The edits ``porter port`` applied to this file (recomputed as it computes them)."""
    edits = [e for f in file.findings for e in f.targets[target].edits]
    if edits:
        edits.extend(file.file_edits.get(target, ()))
    kept, _ = plan_edits(edits, len(original))
    return kept if apply_edits(original, kept).data == ported else ()


@dataclass(frozen=True, slots=True)
class _Unit:
    path: str
    maps: dict[str, LineMap]


def find_compiler(requested: str | None = None) -> str | None:
    """The HIP compiler to use: ``requested`` (a path or a name on PATH), else hipcc."""
    return shutil.which(requested) if requested else shutil.which("hipcc")


def compile_command(compiler: str, unit: Path, arch: str, include_dirs: Iterable[Path],
                    declarations: Path | None = None) -> list[str]:
    """The syntax-only HIP compile of one file (``clang++`` gets ``-x hip`` like hipcc); with
    ``declarations``, that folder is searched last and ``-H`` lists the headers used."""
    command = [compiler, "-x", "hip", f"--offload-arch={arch}", "-std=c++17", "-fsyntax-only"]
    for folder in include_dirs:
        command += ["-I", str(folder)]
    if declarations is not None:
        command += ["-H", "-idirafter", str(declarations)]
    return [*command, str(unit)]


@dataclass(frozen=True, slots=True)
class _Declarations:
    """Headers generated from AMD's declarations: their folder and each header's library."""

    folder: Path
    libraries: dict[str, str]

    def note(self, stderr: str) -> tuple[str, str]:
        """(stderr without ``-H`` lines, the note naming the generated headers' libraries used)."""
        prefix = str(self.folder) + os.sep
        used = sorted({self.libraries.get(path[len(prefix):].replace(os.sep, "/"), "")
                       for path in (m.group("path") for m in _SHOWN_INCLUDE.finditer(stderr))
                       if path.startswith(prefix)} - {""})
        stderr = _SHOWN_INCLUDE.sub("", stderr)
        if not used:
            return stderr, ""
        return stderr, (f"against AMD's declarations of {', '.join(used)} (rocm-bindings {ROCM_BINDINGS_VERSION}), "
                        "not an installed library: names and prototypes checked, nothing linked")


def declaration_wheels(folder: Path) -> list[Path]:
    """The rocm-bindings wheels in ``folder``; ValueError (a usage error) when there are none."""
    if not folder.is_dir():
        raise ValueError(f"--declarations {folder}: not a folder (it should hold AMD's rocm-bindings wheels)")
    try:
        return rocm_wheels(folder)
    except LookupError:
        raise ValueError(
            f"--declarations {folder}: no {' and '.join(ROCM_WHEELS)} there (pip download --no-deps "
            f"rocm-bindings-libraries=={ROCM_BINDINGS_VERSION} rocm-bindings-systems=={ROCM_BINDINGS_VERSION})"
        ) from None


def _generate_declarations(wheels: Sequence[Path], folder: Path) -> _Declarations:
    """Write every header the wheels declare under ``folder``."""
    try:
        headers = write_headers(wheels, folder)
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise ValueError(f"--declarations: cannot read {', '.join(w.name for w in wheels)}: {exc}") from exc
    return _Declarations(folder.resolve(), {h.path: library_name(h.module) for h in headers.values()})


def _absent_library_header(header: str) -> str | None:
    """Why a missing header is expected on this machine, or None when it is a real failure."""
    if header.startswith(_TORCH_HEADERS):
        return (f"needs PyTorch's C++ extension headers ({header}); PyTorch's ROCm build compiles "
                "extensions itself, or pass --include with torch's include folders")
    try:
        libraries = reference_names("hip-library-includes")
    except OSError:
        libraries = frozenset()
    folder = header.split("/", 1)[0]
    if header in libraries or folder in _ROCM_HEADER_LIBRARIES:
        library = _ROCM_HEADER_LIBRARIES.get(folder, folder)
        return f"needs {library} ({header}), a ROCm library that is not installed here"
    return None


def _verdict(unit: _Unit, stderr: str, returncode: int, mirror: Path, seconds: float) -> FileVerdict:
    if returncode == 0:
        return FileVerdict(unit.path, "compiled", seconds=seconds)
    match = _ERROR.search(stderr)
    if match is None:
        tail = [line for line in stderr.splitlines() if line.strip()][-1:] or [f"exit code {returncode}"]
        return FileVerdict(unit.path, "failed", message=tail[0][:300], seconds=seconds)
    message = match.group("message").strip()
    missing = _MISSING.search(message)
    if missing and (reason := _absent_library_header(missing.group("header"))):
        return FileVerdict(unit.path, "skipped", message=reason, seconds=seconds)
    where, line = _locate(match.group("file"), int(match.group("line")), unit, mirror)
    if where == match.group("file"):  # inside an installed header: name the project's include line
        chain = _include_chain(stderr[: match.start()], unit, mirror)
        if chain:
            message = f"{message} (in {where}:{line}, included from here)"
            where, line = chain[-1]
    return FileVerdict(unit.path, "failed", message=message, where=where, line=line, seconds=seconds)


def _include_chain(before: str, unit: _Unit, mirror: Path) -> list[tuple[str, int]]:
    """The project files (mapped) of the include chain printed right before an error."""
    chain = []
    for text in reversed(before.splitlines()):
        found = _INCLUDED_FROM.match(text)
        if found is None:
            break
        place, at = _locate(found.group("file"), int(found.group("line")), unit, mirror)
        if place != found.group("file"):
            chain.append((place, at))
    return chain[::-1]


def _locate(file: str, line: int, unit: _Unit, mirror: Path) -> tuple[str, int]:
    """The error's file relative to the tree, and its line mapped back to the original file."""
    path = Path(file)
    if not path.is_absolute():
        path = (mirror / PurePosixPath(unit.path).parent / path).resolve()
    try:
        relative = path.resolve().relative_to(mirror.resolve()).as_posix()
    except ValueError:
        return file, line
    line_map = unit.maps.get(relative)
    return relative, line_map.original_line(line) if line_map else line


def mirror_tree(port: PortResult, folder: Path) -> tuple[list[str], dict[str, LineMap]]:
    """Write every scanned C/C++/CUDA file, translated where porter changed it, under ``folder``;
    returns the translation units to compile and each translated file's line map."""
    base = port.root if port.root.is_dir() else port.root.parent
    ported = {p.path: p for p in port.files}
    units: list[str] = []
    maps: dict[str, LineMap] = {}
    for file in port.scan.files:
        suffix = PurePosixPath(file.path).suffix.lower()
        if suffix not in CUDA_SUFFIXES | CPP_SUFFIXES:
            continue
        change = ported.get(file.path)
        if change is not None:
            data = change.ported
            maps[file.path] = LineMap(change.original, _kept_edits(file, port.target, change.original, data))
        else:
            try:
                data = (base / file.path).read_bytes()
            except OSError:
                continue
        destination = folder / file.path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
        if suffix in _UNIT_SUFFIXES and (suffix == ".cu" or file.findings):
            units.append(file.path)
    return sorted(units), maps


def _mirrored(folder: Path, port: PortResult, mirror: Path) -> Path:
    """An include folder inside the scanned tree is read from the translated mirror instead."""
    base = (port.root if port.root.is_dir() else port.root.parent).resolve()
    try:
        return mirror / folder.relative_to(base)
    except ValueError:
        return folder


def verify(
    root: Path,
    target: str = "rocm",
    *,
    offload_arch: str = "gfx90a",
    include_dirs: Sequence[Path] = (),
    compiler: str | None = None,
    jobs: int = 2,
    exclude: tuple[str, ...] = (),
    declarations: Path | None = None,
) -> VerifyReport:
    """Translate ``root`` for ``target`` in memory and compile each translation unit; with
    ``declarations`` (a folder of AMD's rocm-bindings wheels), units calling the libraries they
    declare compile against headers generated from them instead of being skipped."""
    if target != "rocm":
        raise ValueError(f"verify compiles HIP: only --target rocm is supported, not {target!r}")
    wheels = declaration_wheels(declarations) if declarations is not None else None
    port = plan_port(root, target, exclude=exclude)
    found = find_compiler(compiler)
    with (tempfile.TemporaryDirectory(prefix="porter-verify-") as temporary,
          tempfile.TemporaryDirectory(prefix="porter-declarations-") as generated):
        mirror = Path(temporary)
        names, maps = mirror_tree(port, mirror)
        units = [_Unit(name, maps) for name in names]
        if found is None:
            reason = (f"{compiler or 'hipcc'} not found: install HIP (apt-get install hipcc libamdhip64-dev "
                      "rocm-device-libs) or pass --compiler")
            verdicts = [FileVerdict(u.path, "skipped", message=reason) for u in units]
        else:
            includes = [mirror, *(_mirrored(Path(d).resolve(), port, mirror) for d in include_dirs)]
            env = {**os.environ, "HIP_PLATFORM": "amd"}
            amd = _generate_declarations(wheels, Path(generated)) if wheels is not None else None

            def run(unit: _Unit) -> FileVerdict:
                source = mirror / unit.path
                command = compile_command(found, source, offload_arch, includes, amd.folder if amd else None)
                started = time.perf_counter()
                try:
                    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=source.parent,
                                          timeout=_TIMEOUT_S, check=False)
                except subprocess.TimeoutExpired:
                    return FileVerdict(unit.path, "failed", message=f"compiler timed out after {_TIMEOUT_S} s")
                stderr, note = amd.note(done.stderr) if amd else (done.stderr, "")
                verdict = _verdict(unit, stderr, done.returncode, mirror, time.perf_counter() - started)
                return replace(verdict, note=note) if note and verdict.status != "skipped" else verdict

            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                verdicts = list(pool.map(run, units))
    return VerifyReport(str(root), target, offload_arch, found, tuple(verdicts),
                        str(declarations) if declarations is not None else None)


def report_json(report: VerifyReport) -> dict[str, object]:
    """The report as JSON-ready data (``porter verify --format json``)."""
    return {
        "root": report.root,
        "target": report.target,
        "offload_arch": report.offload_arch,
        "compiler": report.compiler,
        "declarations": report.declarations,
        "summary": {status: report.count(status) for status in ("compiled", "failed", "skipped")},
        "against_declarations": sum(1 for f in report.files if f.note),
        "files": [
            {"path": f.path, "status": f.status, "message": f.message, "where": f.where, "line": f.line,
             "seconds": round(f.seconds, 2), "note": f.note}
            for f in report.files
        ],
    }


def render_table(report: VerifyReport, stream: TextIO) -> None:
    """One row per translation unit, then the counts (``porter verify`` default output)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"HIP compile of {report.root} ({report.offload_arch}, {report.compiler or 'no compiler'})")
    for column in ("file", "result", "line", "first error / reason / note"):
        table.add_column(column, overflow="fold")
    styles = {"compiled": "green", "failed": "red", "skipped": "yellow"}
    for verdict in report.files:
        place = f"{verdict.where}:{verdict.line}" if verdict.where and verdict.where != verdict.path else (
            str(verdict.line) if verdict.line else "")
        text = "; ".join(part for part in (verdict.message, verdict.note and f"compiled {verdict.note}") if part)
        table.add_row(verdict.path, f"[{styles[verdict.status]}]{verdict.status}[/]", place, text)
    console = Console(file=stream, width=160)
    console.print(table)
    declared = sum(1 for f in report.files if f.note)
    console.print(
        f"{report.count('compiled')} compiled, {report.count('failed')} failed, {report.count('skipped')} skipped"
        + (f" ({declared} against AMD's declarations from {report.declarations})" if declared else "")
    )
