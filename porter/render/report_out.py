"""``porter report --format``: the formats and the one place that picks a renderer for each."""

from __future__ import annotations

from typing import TextIO

from porter.report import Report

FORMATS: tuple[str, ...] = ("table", "markdown", "html", "json", "sarif")


def write(report: Report, fmt: str, stream: TextIO) -> None:
    """Render ``report`` as ``fmt`` (one of FORMATS) onto ``stream``."""
    if fmt == "table":
        from porter.render import report_terminal

        report_terminal.render(report, stream)
    elif fmt == "markdown":
        from porter.render import markdown

        stream.write(markdown.render(report))
    elif fmt == "html":
        from porter.render import html

        stream.write(html.render(report))
    elif fmt == "json":
        from porter.render import report_json

        stream.write(report_json.render(report))
    elif fmt == "sarif":
        from porter.render import sarif

        stream.write(sarif.render_report(report))
    else:
        raise ValueError(f"unknown report format {fmt!r}")
