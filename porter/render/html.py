"""The HTML report: one self-contained file (inline CSS, JS and SVG; no network), via jinja2.

Safety: the template environment autoescapes everything, so scanned text (paths, symbols,
snippets, notes) can never become markup; the only raw insertions are porter's own stylesheet
and script, and a Content-Security-Policy pins those two by hash, so even a template mistake
could not run a script a hostile repository smuggled in. The charts are SVG computed here from
the report model: bars for the low and the high end of each range, never a single number.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
from dataclasses import dataclass
from importlib import resources

import jinja2
from markupsafe import Markup

from porter.effort import Range, format_range
from porter.model import SEVERITY_ORDER, STATUS_ORDER
from porter.render import report_common
from porter.render.text import printable
from porter.report import Report

#: Rows of the findings table; the rest stay in the JSON report (a browser chokes on more).
FINDINGS_SHOWN = 5000
CHART_WIDTH = 640


@dataclass(frozen=True, slots=True)
class BarRow:
    """One bar of a range chart: solid up to ``low``, faint from ``low`` to ``high``."""

    label: str
    css: str
    y: float
    low: float
    high: float
    text: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    left: int
    scale_width: int
    ticks: tuple[tuple[float, str], ...]
    rows: tuple[BarRow, ...]
    groups: tuple[tuple[str, float], ...] = ()


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def _ticks(top: float, width: int) -> tuple[tuple[float, str], ...]:
    return tuple((width * i / 4, f"{top * i / 4:g}") for i in range(5))


def target_chart(report: Report) -> Chart:
    """Effort per target: one range bar each."""
    left, width, row = 150, CHART_WIDTH - 150 - 150, 30
    top = _nice_ceiling(max((v.effort.total.high for v in report.targets), default=0))
    scale = width / top
    rows = tuple(
        BarRow(view.id, f"f{n % 4}", 8 + n * row, view.effort.total.low * scale,
               view.effort.total.high * scale, format_range(view.effort.total))
        for n, view in enumerate(report.targets)
    )
    return Chart(CHART_WIDTH, 8 + len(rows) * row + 24, left, width, _ticks(top, width), rows)


def category_chart(report: Report) -> Chart:
    """Effort per pit category: per category, one thin range bar per target."""
    left, width, bar, gap = 130, CHART_WIDTH - 130 - 20, 11, 16
    costs = {(c, v.id): report.category_cost(v.id, c) for c in report.categories for v in report.targets}
    top = _nice_ceiling(max((r.high for r in costs.values()), default=0))
    scale = width / top
    rows: list[BarRow] = []
    groups: list[tuple[str, float]] = []
    y = 30.0
    for category in report.categories:
        groups.append((category, y))
        for n, view in enumerate(report.targets):
            cost: Range = costs[(category, view.id)]
            rows.append(BarRow(view.id, f"f{n % 4}", y, cost.low * scale, cost.high * scale,
                               f"{category}, {view.id}: {format_range(cost)}"))
            y += bar + 2
        y += gap
    return Chart(CHART_WIDTH, int(y) + 20, left, width, _ticks(top, width), tuple(rows), tuple(groups))


def _asset(name: str) -> str:
    text = resources.files("porter").joinpath("render", "templates", name).read_text(encoding="utf-8")
    if "</" in text:  # would end the inline <style>/<script> element early
        raise ValueError(f"{name} must not contain '</'")
    return text


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("porter", "render/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["days"] = format_range
    env.filters["short"] = lambda r: f"{r.low:.2g}\u2013{r.high:.2g}"
    env.filters["percent"] = report_common.percent
    env.filters["printable"] = printable
    return env


def render(report: Report) -> str:
    css, js = _asset("report.css"), _asset("report.js")
    csp = (
        "default-src 'none'; "
        f"style-src '{_sha256(css)}'; script-src '{_sha256(js)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    targets = report.result.targets
    return _environment().get_template("report.html.j2").render(
        report=report,
        targets=targets,
        target_index={t: n % 4 for n, t in enumerate(targets)},
        sites={view.id: view.effort.sites for view in report.targets},
        findings=report.findings[:FINDINGS_SHOWN],
        hidden_findings=max(0, len(report.findings) - FINDINGS_SHOWN),
        pit_ids=sorted({p.id for f in report.findings if (p := report.pit_of(f))}),
        statuses=STATUS_ORDER,
        severities=tuple(reversed(SEVERITY_ORDER)),
        target_chart=target_chart(report),
        category_chart=category_chart(report),
        common=report_common,
        css=Markup(css),
        js=Markup(js),
        csp=csp,
    )
