"""Every report escapes what it takes from the scanned repository.

The hostile tree's file names and source lines carry HTML and script tags, Markdown links and
table pipes, ANSI escape sequences (colour, clear screen, window title), Trojan Source bidi
controls, newlines, GitHub workflow commands and percent escapes. Each output format must keep
its own structure (the same HTML tags and attributes as a clean report, Markdown table rows of
one width, valid SARIF and JSON, one GitHub command per line) and show no control character raw.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from badinput import GOOD, write_tree
from clirun import porter
from conftest import REPO, needs_tool

from porter.port import plan_port
from porter.render.port_view import render_diff

HOSTILE_NAMES = (
    "<script>alert(1)<\u2215script>.py",
    "\x1b[31mred\x1b[0m.py",
    "bidi\u202eyp.py",
    "new\nline.py",
    "pipe|`tick`[a](javascript:x).py",
    "::warning file=x::pwn.py",
    "%0A::error::x.py",
    "amp&quot;\"'.py",
    "sep\u2028\u200fx.py",
)
HOSTILE_LINE = (
    "x = torch.cuda.is_available()  # </script><script>alert(2)</script> \x1b[2J\x1b]0;title\x07"
    " \u202e evil [link](javascript:alert(3)) {{ 7*7 }} <img src=x onerror=alert(4)> | ::error::x %0A\n"
)
#: Characters no output may carry raw: C0 controls but tab/newline, DEL, C1, bidi, separators.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    return write_tree(root, {name: b"import torch\n" + HOSTILE_LINE.encode() for name in HOSTILE_NAMES})


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("clean"), {"step.py": GOOD["step.py"]})


def run(root: Path, *args: str) -> str:
    result = porter(*args, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert not RAW_CONTROL.search(result.stderr), result.stderr
    return result.stdout


def no_raw_controls(text: str) -> None:
    found = RAW_CONTROL.findall(text)
    assert not found, f"raw control characters: {sorted(set(found))!r}"


class _Structure(HTMLParser):
    """Tag names, attribute names, script count and link targets of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()
        self.scripts = 0
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.scripts += tag == "script"
        for name, value in attrs:
            self.attributes.add((tag, name))
            if name in ("href", "src", "action") and value:
                self.urls.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def structure(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    return parser


def test_html_report_keeps_its_structure(hostile: Path, clean: Path) -> None:
    bad = run(hostile, "report", ".", "-f", "html")
    good = structure(run(clean, "report", ".", "-f", "html"))
    page = structure(bad)
    assert page.tags <= good.tags, page.tags - good.tags
    assert page.attributes <= good.attributes, page.attributes - good.attributes
    assert page.scripts == good.scripts
    assert all(not url.lower().startswith(("javascript:", "data:text")) for url in page.urls)
    assert "<script>alert" not in bad and "<img src=x" not in bad
    shown = "".join(page.text)
    assert "alert(2)" in shown and "onerror=alert(4)" in shown  # shown as text, not dropped
    no_raw_controls(bad)


def _tables(markdown: str) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def test_markdown_report_is_inert(hostile: Path) -> None:
    text = run(hostile, "report", ".", "-f", "markdown")
    no_raw_controls(text)
    for raw in ("<script", "<img", "](javascript", "```"):
        assert raw not in text
    assert all(text[m.end():].startswith("https://") for m in re.finditer(r"\]\(", text))
    for table in _tables(text):
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table}
        assert len(widths) == 1, table


def test_sarif_is_valid_json_with_every_control_escaped(hostile: Path) -> None:
    text = run(hostile, "report", ".", "-f", "sarif")
    no_raw_controls(text)
    document = json.loads(text)
    results = document["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert len(uris) == len(HOSTILE_NAMES)
    assert all(not RAW_CONTROL.search(uri) and "\n" not in uri and " " not in uri for uri in uris)
    schema_path = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    if not schema_path.exists():
        pytest.skip("the SARIF 2.1.0 schema lives in ../shared, absent here")
    schema = json.loads(schema_path.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(document)


@pytest.mark.parametrize("command", [["scan", ".", "-f", "json"], ["report", ".", "-f", "json"]])
def test_json_keeps_names_exact_and_controls_escaped(hostile: Path, command: list[str]) -> None:
    text = run(hostile, *command)
    no_raw_controls(text)
    document = json.loads(text)
    assert {f["path"] for f in document["files"]} == set(HOSTILE_NAMES)
    snippets = {f["snippet"] for f in document["findings"]}
    assert any("\u202e" in s and "\x1b[2J" in s for s in snippets)  # the data itself is intact


@pytest.mark.parametrize("command", [["scan", "."], ["report", "."], ["check", "-f", "text"]])
def test_terminal_output_shows_escapes_visibly(hostile: Path, command: list[str]) -> None:
    args = [*command, *HOSTILE_NAMES] if command[0] == "check" else command
    text = run(hostile, *args)
    no_raw_controls(text)
    assert "\\x1b[31mred\\x1b[0m.py" in text or "\\x1b[31mred" in text
    assert "\\u202e" in text


def test_port_summary_and_notes_show_escapes_visibly(hostile: Path, tmp_path: Path) -> None:
    broken = write_tree(tmp_path, {"\x1b]0;pwned\x07.py": b"import torch\ntorch.cuda.x(\n",
                                   "\u202edoc.py": GOOD["step.py"]})
    for root in (hostile, broken):
        result = porter("port", ".", "-t", "cann", cwd=root)
        assert result.returncode == 0, result.stderr
        no_raw_controls(result.stderr)
    assert "\\x1b]0;pwned\\x07.py" in result.stderr


def test_diff_on_a_terminal_escapes_controls_but_stays_exact_when_piped(hostile: Path) -> None:
    planned = plan_port(hostile, "oneapi")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    piped, terminal = io.StringIO(), Terminal()
    render_diff(planned, piped)
    render_diff(planned, terminal)
    assert "\x1b[2J" in piped.getvalue()  # a patch keeps the file's bytes
    no_raw_controls(terminal.getvalue().replace("\r", ""))
    assert "\\x1b[2J" in terminal.getvalue()


@pytest.mark.parametrize("command", [["check", "-f", "github"], ["review", "--base", "HEAD", "-f", "github"]])
def test_github_annotations_are_one_command_per_line(hostile: Path, tmp_path: Path, command: list[str]) -> None:
    root = hostile
    if command[0] == "review":
        root = _committed_copy(hostile, tmp_path)
    args = [*command, *HOSTILE_NAMES] if command[0] == "check" else command
    text = run(root, *args)
    no_raw_controls(text)
    lines = text.splitlines()
    assert lines and all(line.startswith(("::warning ", "::notice ", "::error ")) for line in lines)
    annotations = [line for line in lines if "file=" in line]
    assert len(annotations) == len(HOSTILE_NAMES)
    for line in annotations:
        properties = line[2:].partition("::")[0].split(" ", 1)[1]
        keys = [item.partition("=")[0] for item in properties.split(",")]
        assert set(keys) <= {"file", "line", "endLine", "col", "title"} and len(keys) == len(set(keys)), line
    assert any("file=%3A%3Awarning file=x%3A%3Apwn.py" in line for line in annotations)
    assert any("file=%250A%3A%3Aerror%3A%3Ax.py" in line for line in annotations)


def _committed_copy(source: Path, tmp_path: Path) -> Path:
    """The hostile files as uncommitted additions to a repository with one empty commit."""
    git = needs_tool("git", "review reads the change through git")
    root = tmp_path / "repo"
    shutil.copytree(source, root)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e"}
    subprocess.run([git, "init", "-q"], cwd=root, check=True)
    subprocess.run([git, "commit", "-q", "--allow-empty", "-m", "empty"], cwd=root, check=True, env=env)
    return root


def test_name_that_is_not_utf8_is_reported_in_every_format(tmp_path: Path) -> None:
    with open(os.fsencode(tmp_path) + b"/raw\xff.py", "wb") as handle:
        handle.write(GOOD["step.py"])
    for fmt in ("table", "markdown", "html", "sarif", "json"):
        out = tmp_path.parent / f"{tmp_path.name}.{fmt}"
        result = porter("report", ".", "-f", fmt, "-o", str(out), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        out.read_bytes().decode("utf-8")  # valid UTF-8 whatever the name
    scanned = json.loads(run(tmp_path, "scan", ".", "-f", "json"))
    assert os.fsencode(scanned["files"][0]["path"]) == b"raw\xff.py"
    sarif = json.loads((tmp_path.parent / f"{tmp_path.name}.sarif").read_text())
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "raw%FF.py"
