"""The ``porter`` command: parse arguments, call one function, render. No analysis lives here.

Exit codes: 0 ok; 1 when a ``--fail-on`` threshold is met; 2 for usage errors (bad path, unknown
target, bad mapping data), always as one line on stderr unless ``--debug`` asks for the traceback.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from porter.discover import DEFAULT_MAX_BYTES
from porter.mappings import MappingError
from porter.model import STATUS_ORDER, Finding, ScanResult
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


class FailOn(StrEnum):
    never = "never"
    any = "any"
    review = "review"
    manual = "manual"


_state = {"debug": False}


class UsageError(Exception):
    """A mistake the user can fix; shown as one line, exit code 2."""


def fail_threshold_met(findings: tuple[Finding, ...], targets: tuple[str, ...], fail_on: FailOn) -> bool:
    """Whether ``--fail-on`` trips: ``any`` site at all, or one needing review/manual work."""
    if fail_on is FailOn.never:
        return False
    if fail_on is FailOn.any:
        return bool(findings)
    floor = STATUS_ORDER.index(fail_on.value)
    return any(STATUS_ORDER.index(f.status_for(t)) >= floor for f in findings for t in targets)


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


def run_scan(path: Path, targets: list[str] | None, exclude: list[str] | None, max_bytes: int) -> ScanResult:
    try:
        return scan(path, targets=targets, exclude=exclude or (), max_bytes=max_bytes)
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
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a site at this level exists.")] = FailOn.never,
    exclude: ExcludeOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
) -> None:
    """List every NVIDIA-specific site and what each target needs."""
    result = run_scan(path, target, exclude, max_bytes)
    label = path.as_posix()
    with output_stream(output) as stream:
        if fmt is ScanFormat.json:
            from porter.render import json_out

            stream.write(json_out.render(result, label))
        else:
            from porter.render import terminal

            terminal.render(result, label, stream)
    if fail_threshold_met(result.findings, result.targets, fail_on):
        raise typer.Exit(1)


class PortFormat(StrEnum):
    diff = "diff"
    json = "json"


@app.command("port")
def port_command(
    path: Annotated[Path, typer.Argument(help="Repository or file to port.")],
    target: Annotated[str, typer.Option("--target", "-t", help="rocm, oneapi, cann or neutral.")],
    write: Annotated[bool, typer.Option("--write", help="Rewrite the files in place (atomically).")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write a ported copy of the tree here.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Write over uncommitted changes / a non-empty --out.")] = False,
    fmt: Annotated[PortFormat, typer.Option("--format", "-f", help="diff (default) or json.")] = PortFormat.diff,
    output: OutputOption = None,
    exclude: ExcludeOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
) -> None:
    """Rewrite code for a target: prints a diff by default; --write or --out to apply it."""
    from porter.port import plan_port
    from porter.render import port_view
    from porter.write import WriteRefused, write_copy, write_in_place

    if write and out is not None:
        raise UsageError("choose one of --write and --out")
    try:
        result = plan_port(path, target, exclude=tuple(exclude or ()), max_bytes=max_bytes)
    except (ScanError, MappingError) as exc:
        raise UsageError(str(exc)) from exc
    written: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    try:
        if write:
            outcome = write_in_place(result, force=force)
            written, skipped = outcome.written, outcome.skipped
        elif out is not None:
            outcome = write_copy(result, out, force=force)
            written, skipped = outcome.written, outcome.skipped
    except WriteRefused as exc:
        raise UsageError(str(exc)) from exc
    with output_stream(output) as stream:
        if fmt is PortFormat.json:
            from porter.render import json_out

            stream.write(json_out.dumps(port_view.port_document(result, path.as_posix(), written)))
        elif not (write or out):
            port_view.render_diff(result, stream)
    port_view.render_summary(result, sys.stderr, written, skipped)


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
    result = run_scan(path, target, exclude, max_bytes)
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


def main() -> None:
    """Console entry point: turn user errors into one line and exit code 2."""
    try:
        app(standalone_mode=False)
    except UsageError as exc:
        if _state["debug"]:
            raise
        typer.echo(f"porter: error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("porter: aborted", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unexpected
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        typer.echo(f"porter: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(3)


if __name__ == "__main__":  # pragma: no cover
    main()
