"""Build the PyPI reference lists that prove the dependency mappings (mappings/deps-*.yaml).

Every package a pip family writes (a replacement, or a requirement in a plan's ``imports``) must
exist on PyPI, with the extra it names. This script asks the registry through pip itself, the
ordinary client: ``pip index versions NAME`` for the releases, and ``pip install --dry-run
--no-deps --report`` (which reads only the wheel's metadata) for extras and for the exact torch
each torch-npu release requires. It writes:

- ``mappings/reference/pypi-packages.txt``: one project (or ``name[extra]``) per line, each
  preceded by a comment with the newest version and the number of releases seen;
- ``mappings/reference/pypi-torch-npu.txt``: ``torch-npu==V torch==T`` per torch-npu release,
  the pair the cann port uses to keep the two versions equal;
- ``mappings/reference/pypi-releases.txt``: ``name==V`` for every release of every project a pip
  family writes as a replacement, and of torch. The port checks against it that a version
  specifier it keeps on a renamed requirement is met by a release of the new project, and reads
  torch's releases to pick the wheel index that carries a file's torch pin
  (``reference/pytorch-wheel-builds.txt``).

Release lists come from PyPI alone (``--isolated --index-url https://pypi.org/simple``, so no
local mirror of the machine adds versions), as the union of what pip sees for sdists and for the
wheels of several Python versions: ``pip index versions`` otherwise lists only what installs on
the running interpreter, which hides old torch releases.

Run: ``python tools/pypi_reference.py`` (network access to PyPI required), or
``python tools/pypi_reference.py releases`` to rebuild only ``pypi-releases.txt``.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
MAPPINGS = ROOT / "mappings"
#: Companion packages whose every release pins another package exactly: companion -> pinned.
PAIRS = {"torch-npu": "torch"}
#: Projects whose releases the port reads besides the replacements: the wheel-index choice.
RELEASES_ALSO = ("torch",)
PYPI = ("--isolated", "--index-url", "https://pypi.org/simple")
#: Interpreters whose wheels are asked for, besides the running one (old torch has no cp311+).
PYTHONS = ("3.7", "3.8", "3.10", "3.12", "3.13")


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=600
    )


def wanted_requirements(replacements_only: bool = False) -> dict[str, set[str]]:
    """Project name -> extras named by the pip families' replacements and companion lines
    (only by the replacements with ``replacements_only``)."""
    wanted: dict[str, set[str]] = {}
    for path in sorted(MAPPINGS.glob("deps-*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if document["language"] != "pip":
            continue
        for entry in document["entries"]:
            for plan in entry["targets"].values():
                imports = () if replacements_only else plan.get("imports", ())
                texts = [plan.get("replacement") or "", *imports]
                for text in texts:
                    if not text or text.startswith("-") or "://" in text:
                        continue
                    requirement = Requirement(text)
                    name = re.sub(r"[-_.]+", "-", requirement.name).lower()
                    wanted.setdefault(name, set()).update(requirement.extras)
    if replacements_only:
        return wanted
    for companion, pinned in PAIRS.items():
        wanted.setdefault(companion, set())
        wanted.setdefault(pinned, set())
    return wanted


def releases(name: str) -> list[str]:
    result = pip("index", "versions", name)
    match = re.search(r"Available versions: (.+)", result.stdout)
    return [v.strip() for v in match.group(1).split(",")] if match else []


def _versions(*args: str) -> set[str]:
    result = pip("index", "versions", *PYPI, *args)
    match = re.search(r"Available versions: (.+)", result.stdout)
    return {v.strip() for v in match.group(1).split(",")} if match else set()


def all_releases(name: str) -> list[str]:
    """Every release of ``name`` on PyPI that pip can see for sdists or for any of PYTHONS'
    Linux x86-64 wheels, newest first."""
    seen = _versions(name)
    for python in PYTHONS:
        seen |= _versions(name, "--only-binary=:all:", "--python-version", python)
    return sorted(seen, key=Version, reverse=True)


def metadata(spec: str) -> dict[str, object]:
    """The core metadata of the wheel pip would pick for ``spec``, read without installing."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        result = pip(
            "install", "--dry-run", "--no-deps", "--ignore-installed", "--quiet",
            "--report", str(report), spec,
        )
        if result.returncode != 0 or not report.is_file():
            raise RuntimeError(f"pip could not resolve {spec}: {result.stderr.strip()[-300:]}")
        return json.loads(report.read_text())["install"][0]["metadata"]


def build_packages(today: str) -> list[str]:
    lines = [
        "# PyPI projects (and extras) that the pip mapping families write.",
        f"# Generated by tools/pypi_reference.py on {today} with pip index versions and",
        "# pip install --dry-run --report (wheel metadata only). Comment: newest release, count.",
    ]
    for name, extras in sorted(wanted_requirements().items()):
        seen = releases(name)
        if not seen:
            print(f"NOT ON PYPI: {name}", file=sys.stderr)
            continue
        lines += [f"# {name}: {seen[0]} ({len(seen)} releases)", name]
        if extras:
            provided = set(metadata(f"{name}=={seen[0]}").get("provides_extra") or ())
            for extra in sorted(extras):
                if extra in provided:
                    lines.append(f"{name}[{extra}]")
                else:
                    print(f"NO EXTRA: {name}[{extra}] (has {sorted(provided)})", file=sys.stderr)
    return lines


def build_pairs(companion: str, pinned: str, today: str) -> list[str]:
    lines = [
        f"# Every {companion} release on PyPI and the exact {pinned} it requires.",
        f"# Generated by tools/pypi_reference.py on {today} from each wheel's Requires-Dist.",
    ]
    for version in releases(companion):
        for text in metadata(f"{companion}=={version}").get("requires_dist") or ():
            try:
                requirement = Requirement(str(text))
            except InvalidRequirement:
                continue
            pins = [s.version for s in requirement.specifier if s.operator in ("==", "===")]
            if requirement.name.lower() == pinned and pins:
                lines.append(f"{companion}=={version} {pinned}=={pins[0]}")
    return lines


def build_releases(today: str) -> list[str]:
    lines = [
        "# Every release on PyPI of the projects the pip mapping families write as a replacement,",
        "# and of torch (the wheel-index choice reads its releases).",
        f"# Generated by tools/pypi_reference.py on {today} with pip index versions, PyPI only,",
        f"# sdists plus the Linux x86-64 wheels for Python {', '.join(PYTHONS)}. One name==version a line.",
    ]
    names = sorted({*wanted_requirements(replacements_only=True), *RELEASES_ALSO})
    for name in names:
        seen = all_releases(name)
        if not seen:
            print(f"NOT ON PYPI: {name}", file=sys.stderr)
        lines += [f"{name}=={version}" for version in seen]
    return lines


def main() -> int:
    today = datetime.date.today().isoformat()
    out = MAPPINGS / "reference"
    (out / "pypi-releases.txt").write_text("\n".join(build_releases(today)) + "\n")
    if sys.argv[1:] == ["releases"]:
        return 0
    (out / "pypi-packages.txt").write_text("\n".join(build_packages(today)) + "\n")
    for companion, pinned in PAIRS.items():
        lines = build_pairs(companion, pinned, today)
        (out / f"pypi-{companion}.txt").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
