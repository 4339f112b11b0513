"""The HTML report: self-contained, escaped, pinned by CSP, and loading cleanly in headless
Chromium with the same key numbers as the JSON report."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, needs_tool
from reportkit import HOSTILE, hostile_result, report_for, sample_result
from reportkit import run_porter as porter

from porter.render import html

#: Every element the template may produce; a hostile repository must not add any other.
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "div", "section",
    "span", "dl", "dt", "dd", "svg", "rect", "line", "text", "g", "ol", "ul", "li", "strong", "code",
    "details", "summary", "table", "thead", "tbody", "tr", "th", "td", "a", "br", "input", "select",
    "option", "footer", "script",
}


class Collector(HTMLParser):
    """Every start tag with its attributes, and the text of <script> and <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._inside: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._inside = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag):
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data):
        if self._inside:
            self.raw[self._inside][-1] += data


def parse(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    return collector


def sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@pytest.fixture(scope="module")
def hostile_page() -> str:
    return html.render(report_for(hostile_result()))


def test_hostile_text_cannot_add_markup(hostile_page):
    page = parse(hostile_page)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    assert [tag for tag, _ in page.tags].count("script") == 1
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs, (tag, attrs)
    assert "</textarea" not in hostile_page and "<img" not in hostile_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_page  # shown, as text
    assert HOSTILE not in hostile_page
    assert "\x1b" not in hostile_page


def test_inline_script_and_style_are_pinned_by_the_content_security_policy(hostile_page):
    page = parse(hostile_page)
    (csp,) = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp
    (script,) = page.raw["script"]
    (style,) = page.raw["style"]
    assert f"script-src '{sha256(script)}'" in csp
    assert f"style-src '{sha256(style)}'" in csp


def test_page_is_self_contained_and_links_only_to_vendor_docs():
    page = parse(html.render(report_for(sample_result())))
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    assert not any("src" in a for _, a in page.tags)
    assert {"svg", "table", "input", "select", "details"} <= {t for t, _ in page.tags}
    assert any(a.get("id") == "findings" for t, a in page.tags if t == "table")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = needs_tool("chromium", "the HTML report is checked in a real headless browser")
    command = [
        exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def console_messages(stderr: str) -> list[str]:
    """What the page logged (errors, CSP violations, uncaught exceptions): Chromium's CONSOLE lines."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def load(tmp_path: Path, page: Path) -> str:
    run = chromium(tmp_path, "--dump-dom", page.resolve().as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    assert not console_messages(run.stderr), console_messages(run.stderr)
    assert 'data-ready="1"' in run.stdout, "the report's script did not run to the end"
    return run.stdout


def test_hostile_report_loads_without_console_errors_and_runs_no_injected_script(tmp_path, hostile_page):
    page = tmp_path / "hostile.html"
    page.write_text(hostile_page, encoding="utf-8")
    dom = load(tmp_path, page)
    assert "<img" not in dom and dom.count("<script") == 1


def text_of(dom: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>([^<]*)<', dom)
    assert match, f"no element #{element_id} in the rendered page"
    return match.group(1).strip()


def test_demo_report_renders_in_chromium_with_the_json_numbers(tmp_path):
    demo = FIXTURES / "demo"
    report_html, report_json = tmp_path / "report.html", tmp_path / "report.json"
    for fmt, out in (("html", report_html), ("json", report_json)):
        run = porter("report", demo.relative_to(REPO).as_posix(), "--format", fmt, "-o", str(out))
        assert run.returncode == 0, run.stderr
    document = json.loads(report_json.read_text(encoding="utf-8"))
    dom = load(tmp_path, report_html)
    for target, effort in document["effort"]["targets"].items():
        assert text_of(dom, f"effort-{target}") == effort["display"]
        assert text_of(dom, f"sites-{target}") == str(effort["sites"])
        assert text_of(dom, f"actionable-{target}") == str(effort["actionable"])
        # from the counts: the JSON share is rounded to 3 places (70/255 is 0.275 there, 27% here)
        share = effort["statuses"]["auto"] / effort["actionable"] if effort["actionable"] else 1.0
        assert text_of(dom, f"auto-{target}") == f"{share:.0%}"
        assert text_of(dom, f"manual-{target}") == str(effort["statuses"]["manual"])
    assert document["findings"], "the demo project should have findings"
    shot = tmp_path / "report.png"
    run = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", report_html.resolve().as_uri())
    assert run.returncode == 0 and shot.stat().st_size > 20_000
    if os.environ.get("PORTER_UPDATE_SCREENSHOT") == "1":  # regenerates docs/report.png on purpose
        shutil.copy(shot, REPO / "docs" / "report.png")
