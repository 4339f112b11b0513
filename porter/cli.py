"""The ``porter`` command: parse arguments, call one function, render. No analysis lives here.

Exit codes: 0 ok; 1 when a ``--fail-on`` threshold is met; 2 for usage errors (bad path, unknown
target, bad mapping data), always as one line on stderr unless ``--debug`` asks for the traceback.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from porter.baseline import Baseline, BaselineError
from porter.discover import DEFAULT_MAX_BYTES
from porter.gate import Threshold, parse_threshold
from porter.gate import check as gate_check
from porter.limits import DEFAULT_FILE_TIMEOUT
from porter.mappings import MappingError
from porter.model import Finding, ScanResult
from porter.scan import ScanError, scan

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Find, port and price NVIDIA CUDA lock-in in PyTorch/CUDA repositories.",
    pretty_exceptions_enable=False,
)
mappings_app = typer.Typer(no_args_is_help=True, help="Inspect and check the mapping data.")
app.add_typer(mappings_app, name="mappings")


class ScanFormat(StrEnum):
    table = "table"
    json = "json"


_state = {"debug": False}


class UsageError(Exception):
    """A mistake the user can fix; shown as one line, exit code 2."""


@contextlib.contextmanager
def output_stream(output: Path | None) -> Iterator[TextIO]:
    """stdout, or the ``--output`` file written whole at the end (never half-written)."""
    if output is None:
        yield sys.stdout
        return
    import io

    from porter.rewrite.atomic import write_text_atomic

    buffer = io.StringIO()
    yield buffer
    try:
        write_text_atomic(output, buffer.getvalue())
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc


def run_scan(path: Path, targets: list[str] | None, exclude: list[str] | None, max_bytes: int,
             file_timeout: float = DEFAULT_FILE_TIMEOUT) -> ScanResult:
    try:
        return scan(path, targets=targets, exclude=exclude or (), max_bytes=max_bytes,
                    file_timeout=file_timeout or None)
    except (ScanError, MappingError) as exc:
        raise UsageError(str(exc)) from exc


TargetOption = Annotated[
    list[str] | None,
    typer.Option("--target", "-t", help="Target to plan for (repeatable): rocm, oneapi, cann, neutral. Default: all."),
]
ExcludeOption = Annotated[
    list[str] | None, typer.Option("--exclude", "-x", help="Gitignore-style glob to skip (repeatable).")
]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")]
MaxBytesOption = Annotated[
    int, typer.Option("--max-bytes", help="Skip files larger than this (reported as skipped).", min=1)
]
FileTimeoutOption = Annotated[
    float,
    typer.Option("--file-timeout", min=0,
                 help="Stop analysing one file after this many seconds; it gets a note (0: no limit)."),
]
BaselineOption = Annotated[
    Path | None,
    typer.Option("--baseline", help="Leave out the findings this file accepts (see: porter baseline create)."),
]


GateOption = Annotated[
    list[str] | None,
    typer.Option("--fail-on", help="Exit 1 when met (repeatable): never, any, review, manual, severity:LEVEL, effort:DAYS."),
]


def load_baseline(path: Path | None) -> Baseline | None:
    if path is None:
        return None
    try:
        return Baseline.load(path)
    except BaselineError as exc:
        raise UsageError(str(exc)) from exc


def with_baseline(result: ScanResult, path: Path | None) -> ScanResult:
    """``result`` without the findings the ``--baseline`` file accepts."""
    accepted = load_baseline(path)
    return accepted.filter(result) if accepted else result


def parse_gate(values: list[str] | None) -> list[Threshold]:
    try:
        return [parse_threshold(v) for v in values or ()]
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def enforce_gate(
    thresholds: list[Threshold],
    findings: tuple[Finding, ...],
    targets: tuple[str, ...],
    effort: Callable[[], dict[str, float]],
) -> None:
    """Exit 1, saying on stderr which threshold tripped and why; ``effort`` runs only if needed."""
    days = effort() if any(t.kind == "effort" for t in thresholds) else {}
    for line in (tripped := gate_check(thresholds, findings, targets, days)):
        typer.echo(f"porter: {line}", err=True)
    if tripped:
        raise typer.Exit(1)


def gate(thresholds: list[Threshold], result: ScanResult) -> None:
    """The ``--fail-on`` gate over a whole scan (``scan`` and ``check``)."""
    from porter.check import effort_days

    sizes = {file.path: file.lines for file in result.files}
    enforce_gate(thresholds, result.findings, result.targets,
                 lambda: effort_days(result.findings, result.targets, sizes))


@app.callback()
def main_callback(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    _state["debug"] = debug


@app.command("scan")
def scan_command(
    path: Annotated[Path, typer.Argument(help="Repository or file to scan.")] = Path("."),
    target: TargetOption = None,
    fmt: Annotated[ScanFormat, typer.Option("--format", "-f", help="Output format.")] = ScanFormat.table,
    output: OutputOption = None,
    fail_on: GateOption = None,
    exclude: ExcludeOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    baseline: BaselineOption = None,
    file_timeout: FileTimeoutOption = DEFAULT_FILE_TIMEOUT,
) -> None:
    """List every NVIDIA-specific site and what each target needs."""
    thresholds = parse_gate(fail_on)
    result = with_baseline(run_scan(path, target, exclude, max_bytes, file_timeout), baseline)
    label = path.as_posix()
    with output_stream(output) as stream:
        if fmt is ScanFormat.json:
            from porter.render import json_out

            stream.write(json_out.render(result, label))
        else:
            from porter.render import terminal

            terminal.render(result, label, stream)
    gate(thresholds, result)


class PortFormat(StrEnum):
    diff = "diff"
    json = "json"


class PortStyle(StrEnum):
    rewrite = "rewrite"
    shim = "shim"


@app.command("port")
def port_command(
    path: Annotated[Path, typer.Argument(help="Repository or file to port.")],
    target: Annotated[str, typer.Option("--target", "-t", help="rocm, oneapi, cann or neutral.")],
    write: Annotated[bool, typer.Option("--write", help="Rewrite the files in place (atomically).")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write a ported copy of the tree here.")] = None,
    hip_extension: Annotated[
        bool, typer.Option("--hip-extension", help="With --target rocm --out: write .cu files as .hip copies.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Write over uncommitted changes / a non-empty --out.")] = False,
    fmt: Annotated[PortFormat, typer.Option("--format", "-f", help="diff (default) or json.")] = PortFormat.diff,
    style: Annotated[PortStyle, typer.Option(
        "--style", help="rewrite (default): edit each site; shim: import the vendor's runtime patch "
        "(cann: transfer_to_npu) in the entry points and report what it leaves or changes.")] = PortStyle.rewrite,
    output: OutputOption = None,
    exclude: ExcludeOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    file_timeout: FileTimeoutOption = DEFAULT_FILE_TIMEOUT,
) -> None:
    """Rewrite code for a target: prints a diff by default; --write or --out to apply it."""
    from porter.port import plan_port
    from porter.render import port_view
    from porter.shim import ShimPort, ShimUnavailable, plan_shim
    from porter.write import WriteRefused, hip_name, write_copy, write_in_place

    if write and out is not None:
        raise UsageError("choose one of --write and --out")
    if hip_extension and (out is None or target != "rocm"):
        raise UsageError("--hip-extension renames the copies of --out; use it with --target rocm --out DIR")
    shimmed: ShimPort | None = None
    try:
        if style is PortStyle.shim:
            shimmed = plan_shim(path, target, exclude=tuple(exclude or ()), max_bytes=max_bytes,
                                file_timeout=file_timeout or None)
            result = shimmed.port
        else:
            result = plan_port(path, target, exclude=tuple(exclude or ()), max_bytes=max_bytes,
                               file_timeout=file_timeout or None)
    except (ScanError, MappingError, ShimUnavailable) as exc:
        raise UsageError(str(exc)) from exc
    written: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    try:
        if write:
            outcome = write_in_place(result, force=force)
            written, skipped = outcome.written, outcome.skipped
        elif out is not None:
            outcome = write_copy(result, out, force=force, rename=hip_name if hip_extension else None)
            written, skipped = outcome.written, outcome.skipped
    except WriteRefused as exc:
        raise UsageError(str(exc)) from exc
    with output_stream(output) as stream:
        if fmt is PortFormat.json:
            from porter.render import json_out

            document = (port_view.shim_document(shimmed, path.as_posix(), written) if shimmed
                        else port_view.port_document(result, path.as_posix(), written))
            stream.write(json_out.dumps(document))
        elif not (write or out):
            port_view.render_diff(result, stream)
    if shimmed:
        port_view.render_shim_summary(shimmed, sys.stderr, written, skipped)
    else:
        port_view.render_summary(result, sys.stderr, written, skipped)


@app.command("verify")
def verify_command(
    path: Annotated[Path, typer.Argument(help="Repository or file to translate and compile.")],
    target: Annotated[str, typer.Option("--target", "-t", help="Only rocm: the HIP translation is compiled.")] = "rocm",
    offload_arch: Annotated[str, typer.Option("--offload-arch", help="AMD GPU arch to compile for.")] = "gfx90a",
    include: Annotated[list[Path] | None, typer.Option("--include", "-I", help="Extra include folder (repeatable).")] = None,
    compiler: Annotated[str | None, typer.Option("--compiler", help="HIP compiler (default: hipcc on PATH).")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Files compiled at once.")] = 2,
    fmt: Annotated[ScanFormat, typer.Option("--format", "-f", help="table or json.")] = ScanFormat.table,
    output: OutputOption = None,
    exclude: ExcludeOption = None,
    declarations: Annotated[Path | None, typer.Option(
        "--declarations", envvar="PORTER_ROCM_BINDINGS",
        help="Folder of AMD's rocm-bindings wheels: compile hipBLAS/hipFFT/RCCL/... calls against headers "
             "generated from their declarations instead of skipping them.")] = None,
) -> None:
    """Translate in memory (nothing is written) and compile each file with HIP; exit 1 if one fails."""
    from porter.verify import render_table, report_json, verify

    try:
        report = verify(path, target, offload_arch=offload_arch, include_dirs=include or (), compiler=compiler,
                        jobs=jobs, exclude=tuple(exclude or ()), declarations=declarations)
    except (ValueError, ScanError, MappingError) as exc:
        raise UsageError(str(exc)) from exc
    with output_stream(output) as stream:
        if fmt is ScanFormat.json:
            from porter.render import json_out

            stream.write(json_out.dumps(report_json(report)))
        else:
            render_table(report, stream)
    if report.count("failed"):
        raise typer.Exit(1)


@app.command("report")
def report_command(
    path: Annotated[Path, typer.Argument(help="Repository or file to report on.")] = Path("."),
    target: TargetOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, markdown, html, json or sarif.")] = "table",
    output: OutputOption = None,
    effort_config: Annotated[
        Path | None, typer.Option("--effort-config", help="YAML file overriding effort figures (docs/effort-model.md).")
    ] = None,
    exclude: ExcludeOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    file_timeout: FileTimeoutOption = DEFAULT_FILE_TIMEOUT,
) -> None:
    """Price the port per target: effort ranges, pits, Python-to-kernel links, the cheapest target."""
    from porter.effort import DEFAULT_CONFIG, load_effort_config
    from porter.mappings import default_tables
    from porter.pits import default_catalog
    from porter.render import report_out
    from porter.report import build_report

    if fmt not in report_out.FORMATS:
        raise UsageError(f"unknown report format {fmt!r}; choose from {', '.join(report_out.FORMATS)}")
    try:
        catalog = default_catalog()
        config = (load_effort_config(effort_config, catalog, default_tables().target_ids)
                  if effort_config else DEFAULT_CONFIG)
    except MappingError as exc:
        raise UsageError(str(exc)) from exc
    result = run_scan(path, target, exclude, max_bytes, file_timeout)
    report = build_report(result, root_label=path.as_posix(), catalog=catalog, config=config)
    with output_stream(output) as stream:
        report_out.write(report, fmt, stream)


@mappings_app.command("validate")
def mappings_validate(
    directory: Annotated[Path | None, typer.Argument(help="Mapping folder (default: the shipped data).")] = None,
) -> None:
    """Check every mapping file against its schema and every replacement against its reference list."""
    from porter.mappings import load_tables
    from porter.reference import missing_references

    try:
        tables = load_tables(directory)
    except MappingError as exc:
        raise UsageError(str(exc)) from exc
    problems = missing_references(tables, directory)
    for problem in problems:
        typer.echo(problem, err=True)
    entries = sum(len(f.entries) for f in tables.families)
    typer.echo(f"{len(tables.families)} families, {entries} entries, {len(problems)} problems")
    if problems:
        raise typer.Exit(1)


@mappings_app.command("list")
def mappings_list(
    family: Annotated[str | None, typer.Option("--family", help="Only this family.")] = None,
    target: Annotated[str | None, typer.Option("--target", "-t", help="Only this target's column.")] = None,
) -> None:
    """Show mapping entries: source, and per target the status and replacement."""
    from porter.render import mappings_view

    mappings_view.render_list(sys.stdout, family=family, target=target)


@mappings_app.command("stats")
def mappings_stats() -> None:
    """Count entries per family and status per target."""
    from porter.render import mappings_view

    mappings_view.render_stats(sys.stdout)


class ReviewFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"
    github = "github"


@app.command("review")
def review_command(
    base: Annotated[str, typer.Option("--base", help="Revision the change is compared with, at its merge base (e.g. origin/main).")],
    path: Annotated[Path, typer.Argument(help="Review only the changes under this path (default: the whole repository).")] = Path("."),
    head: Annotated[str | None, typer.Option("--head", help="Revision holding the change. Default: the work tree.")] = None,
    target: TargetOption = None,
    fmt: Annotated[ReviewFormat, typer.Option("--format", "-f", help="Output format.")] = ReviewFormat.table,
    output: OutputOption = None,
    fail_on: GateOption = None,
    baseline: BaselineOption = None,
    exclude: ExcludeOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
) -> None:
    """Report the sites a change adds and removes, per target, with the effort delta."""
    from porter.gitdiff import GitError
    from porter.render import review_view
    from porter.review import review

    thresholds = parse_gate(fail_on)
    accepted = load_baseline(baseline)
    try:
        result = review(path, base, head, targets=target, exclude=exclude or (), max_bytes=max_bytes,
                        baseline=accepted)
    except (GitError, ScanError, MappingError) as exc:
        raise UsageError(str(exc)) from exc
    with output_stream(output) as stream:
        review_view.render(result, fmt.value, stream, path.as_posix())
    enforce_gate(thresholds, result.introduced, result.targets,
                 lambda: {d.target: d.net_days for d in result.effort})


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@app.command("check")
def check_command(
    files: Annotated[list[Path], typer.Argument(help="Files to check (a pre-commit hook passes the staged ones).")],
    target: TargetOption = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output format.")] = CheckFormat.text,
    fail_on: GateOption = None,
    baseline: BaselineOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
) -> None:
    """Check the named files (no directory walk); exits 1 on any site unless --fail-on says otherwise."""
    from porter.check import check_files

    thresholds = parse_gate(fail_on or ["any"])
    try:
        result = with_baseline(check_files(files, targets=target, max_bytes=max_bytes), baseline)
    except (ScanError, MappingError) as exc:
        raise UsageError(str(exc)) from exc
    if fmt is CheckFormat.json:
        from porter.render import json_out

        sys.stdout.write(json_out.render(result, "."))
    elif fmt is CheckFormat.github:
        from porter.render import github

        github.render(result.findings, result.targets, sys.stdout)
    else:
        from porter.render import lint

        lint.render(result, sys.stdout)
    gate(thresholds, result)


baseline_app = typer.Typer(no_args_is_help=True, help="Accept today's findings so that gates report only new ones.")
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("create")
def baseline_create(
    path: Annotated[Path, typer.Argument(help="Repository to scan (use its root: paths are relative to it).")] = Path("."),
    output: Annotated[Path, typer.Option("--output", "-o", help="Baseline file to write.")] = Path("porter-baseline.json"),
    exclude: ExcludeOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
) -> None:
    """Write every current finding's fingerprint to a baseline file (sorted, deterministic)."""
    from porter.baseline import document, dumps
    from porter.rewrite.atomic import write_text_atomic

    result = run_scan(path, None, exclude, max_bytes)
    try:
        write_text_atomic(output, dumps(document(result.findings)))
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc
    typer.echo(f"porter: {len(result.findings)} finding(s) accepted in {output}", err=True)


def main() -> None:
    """Console entry point: user errors become one line and exit code 2.

    typer runs in standalone mode, so its own usage errors (unknown option, bad choice) already
    print one usage line and exit 2, and ``typer.Exit`` codes pass through; what reaches us is
    porter's ``UsageError`` or a bug.
    """
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 prints as \udcff
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    try:
        app()
    except UsageError as exc:
        if _state["debug"]:
            raise
        typer.echo(f"porter: error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:
        if _state["debug"]:
            raise
        typer.echo(f"porter: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(3)


if __name__ == "__main__":  # pragma: no cover
    main()
