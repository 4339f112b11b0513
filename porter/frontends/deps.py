"""Python dependency lists: what the requirements, conda, pyproject and notebook frontends share.

Each of those frontends knows only its own syntax. It cuts its file into Items (one requirement or
one pip option each, with the offsets at which to rewrite it, remove it or write a sibling beside
it) and hands them here. This module reads every item with ``packaging``, looks its parts up in
the pip mapping families (a project name, ``name[extra]``, a ``+cuXYZ`` label, an index URL) and
turns the data's answers into findings carrying byte edits.

It also keeps a file's versions consistent, which no single row can: a plan's ``imports`` are the
lines a requirement needs beside it (an index option, a companion such as torch-npu); each is
written once per file, only where the file lacks it, and a companion whose releases pin another
package exactly (``reference/pypi-<companion>.txt``) is pinned to the release that matches the
file's pin, or reported when none does. A companion already in the file whose pin contradicts
the other package's pin gets a ``review`` finding.

Two more checks follow the file's versions:

- A PyTorch wheel index the data writes (``.../whl/rocm6.4``) stands for its group of indexes in
  ``reference/pytorch-wheel-builds.txt`` (every rocmX.Y index, the XPU index): the port writes the
  newest index of the group that carries the torch version the file pins, keeps the data's index
  with a note when the file pins no torch or one the table does not list, and rewrites nothing
  for that target (status ``manual``) when the pin is older than every build of the group.
- A requirement renamed to another project keeps its version specifier only when the data says
  the two share version numbers (``specifier: keep``); then the specifier is checked against the
  new project's releases (``reference/pypi-releases.txt``). ``specifier: drop`` removes it, with a
  note naming the constraint.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from porter.frontends.base import LineIndex, make_finding
from porter.mappings import MappingEntry, MappingTables, data_dir, reference_names
from porter.model import Edit, Finding, Status, TargetPlan

#: The mapping language of PyPI names, version labels and pip index URLs.
PIP = "pip"
#: pip options whose value is a package index or a page of links.
INDEX_OPTIONS = frozenset({"-i", "--index-url", "--extra-index-url", "-f", "--find-links"})
EDITABLE_OPTIONS = frozenset({"-e", "--editable"})

_OPTION = re.compile(r"\s*(-{1,2}[A-Za-z][\w-]*)(?:\s*=\s*|\s+)?(\S+)?")
_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_EXTRAS = re.compile(r"\s*\[[^\]]*\]")
#: Per-requirement options that follow a requirement on its line (--hash, --config-settings ...).
_TRAILING_OPTION = re.compile(r"\s+--?[A-Za-z]")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_LOCAL_LABEL = re.compile(r"\+[A-Za-z0-9._]+")
#: Where a requirement's version specifier ends: its environment marker.
_MARKER = re.compile(r"\s*;")
#: The projects whose pin picks the wheel index (torchvision and torchaudio follow torch's).
TORCH = "torch"


def normalize(name: str) -> str:
    """A project name as PEP 503 compares it: lower case, runs of ``-_.`` as one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True, slots=True)
class Item:
    """One requirement or pip option of a dependency list, as its frontend located it.

    ``text`` is what the item says (a TOML string's value, a requirements line without its
    comment); ``start`` is the byte offset of that text in the file. ``literal`` says whether the
    file holds exactly these characters there (no escapes), which in-text edits need.
    ``before``/``after`` give where a sibling item may be written and how (``{}`` stands for its
    text); ``options`` says whether this list accepts pip options such as an index URL.
    """

    text: str
    start: int
    removal: Edit | None = None
    before: tuple[int, str] | None = None
    after: tuple[int, str] | None = None
    literal: bool = True
    options: bool = True


@dataclass(slots=True)
class _Site:
    """One mapped part of an item, before it becomes a Finding."""

    entry: MappingEntry
    symbol: str
    start: int
    end: int
    item: Item
    edits: dict[str, list[Edit]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, Status] = field(default_factory=dict)
    #: Whether the site is the URL of an index option (its replacement is an index URL).
    index: bool = False
    #: Per target, the bytes of a version specifier this site's edit removes.
    dropped: dict[str, tuple[int, int]] = field(default_factory=dict)

    def note(self, target: str, text: str) -> None:
        """Add to the target's note (several checks may speak about one site)."""
        if text and text not in self.notes.get(target, ""):
            self.notes[target] = f"{self.notes[target]}; {text}" if target in self.notes else text


@dataclass(frozen=True, slots=True)
class _Parsed:
    """What an item says, with offsets relative to the item's text (characters)."""

    option: str | None = None
    value: str | None = None
    value_at: int = 0
    name: str | None = None
    name_span: tuple[int, int] = (0, 0)
    extras: tuple[str, ...] = ()
    extras_end: int = 0
    specifier: SpecifierSet | None = None
    #: Where the specifier's text sits (characters), when it can be cut out exactly.
    specifier_span: tuple[int, int] | None = None
    labels: tuple[tuple[str, int], ...] = ()
    url: str | None = None
    url_at: int = 0


def _parse_option(text: str) -> _Parsed | None:
    match = _OPTION.match(text)
    if not match:
        return None
    value = match.group(2)
    return _Parsed(option=match.group(1), value=value, value_at=match.start(2) if value else 0)


def _filename(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1].replace("%2B", "+").replace("%2b", "+")


def _name_from_url(url: str) -> str | None:
    egg = _EGG.search(url)
    if egg:
        return egg.group(1)
    filename = _filename(url)
    if filename.endswith(".whl"):
        try:
            return str(parse_wheel_filename(filename)[0])
        except InvalidWheelFilename:
            return None
    return None


def _build_labels(p: _Parsed) -> list[str]:
    """The local version labels that name the build a requirement asks for: the pin's
    (``==2.3.1+cpu``) and a linked wheel's (``.../torch-1.8.1%2Bcpu-cp37-cp37m-linux_x86_64.whl``)."""
    labels = [label for label, _ in p.labels]
    filename = _filename(p.url) if p.url else ""
    if filename.endswith(".whl"):
        try:
            version = parse_wheel_filename(filename)[1]
        except InvalidWheelFilename:
            return labels
        if version.local:
            labels.append(f"+{version.local}")
    return labels


def _parse_requirement(text: str) -> _Parsed | None:
    cut = _TRAILING_OPTION.search(text)
    body = text[: cut.start()] if cut else text
    body = body.rstrip()
    try:
        requirement = Requirement(body)
    except InvalidRequirement:
        stripped = body.strip()
        if "://" not in stripped:
            return None
        name = _name_from_url(stripped)
        return _Parsed(name=name, url=stripped, url_at=body.find(stripped))
    name_match = _NAME.match(body)
    if not name_match:
        return None
    extras_match = _EXTRAS.match(body, name_match.end())
    labels = []
    for spec in requirement.specifier:
        if "+" not in spec.version:
            continue
        label = "+" + spec.version.split("+", 1)[1]
        at = body.find(label, name_match.end())
        if at >= 0:
            labels.append((label, at))
    url = requirement.url
    extras_end = extras_match.end() if extras_match else name_match.end(1)
    return _Parsed(
        name=requirement.name,
        name_span=name_match.span(1),
        extras=tuple(sorted(requirement.extras)),
        extras_end=extras_end,
        specifier=requirement.specifier,
        specifier_span=_specifier_span(body, extras_end, requirement) if not url else None,
        labels=tuple(labels),
        url=url,
        url_at=body.find(url) if url else 0,
    )


def _specifier_span(body: str, start: int, requirement: Requirement) -> tuple[int, int] | None:
    """The characters of ``body`` after the name that hold exactly the requirement's version
    specifier (``>=1.2``, `` (==1.0)``), up to its marker; None when there is none."""
    if not str(requirement.specifier):
        return None
    marker = _MARKER.search(body, start)
    end = marker.start() if marker else len(body.rstrip())
    text = body[start:end].strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    try:
        if SpecifierSet(text) != requirement.specifier:
            return None
    except InvalidSpecifier:
        return None
    return start, end


def parse_item(text: str) -> _Parsed | None:
    """Read one item: a pip option (``--extra-index-url URL``) or a PEP 508 requirement."""
    if text.lstrip().startswith("-"):
        return _parse_option(text)
    return _parse_requirement(text)


def _without_labels(specifier: SpecifierSet | None) -> SpecifierSet | None:
    """The specifier as a port leaves it: ``==2.3.1+cu121`` compares as ``==2.3.1``."""
    if specifier is None or not str(specifier):
        return None
    try:
        return SpecifierSet(_LOCAL_LABEL.sub("", str(specifier)))
    except InvalidSpecifier:
        return None


@functools.cache
def companion_pins(companion: str) -> tuple[tuple[Version, str, str], ...]:
    """(companion release, pinned project, pinned version) from ``reference/pypi-<companion>.txt``,
    newest release first; empty when no such list exists (the companion is then left unpinned)."""
    try:
        lines = reference_names(f"pypi-{companion}")
    except OSError:
        return ()
    pins = []
    for line in lines:
        left, _, right = line.partition(" ")
        name, _, version = left.partition("==")
        pinned, _, pinned_version = right.partition("==")
        try:
            release = Version(version)
        except InvalidVersion:
            continue
        if normalize(name) == companion and pinned:
            base = _LOCAL_LABEL.sub("", pinned_version).removesuffix(".*")
            pins.append((release, normalize(pinned), base))
    return tuple(sorted(pins, reverse=True))


def _matching_release(companion: str, anchor: str, specifier: SpecifierSet | None) -> str | None:
    """The newest companion release whose exact pin on ``anchor`` the specifier allows."""
    for release, pinned, version in companion_pins(companion):
        if pinned != anchor:
            continue
        if specifier is None or specifier.contains(version, prereleases=True):
            return str(release)
    return None


def _covered(companion: str, anchor: str) -> str:
    versions = sorted(
        {Version(v) for _, pinned, v in companion_pins(companion) if pinned == anchor}
    )
    return f"{versions[0]} to {versions[-1]}" if versions else "none"


@functools.cache
def pypi_releases(project: str) -> tuple[Version, ...]:
    """Every release of ``project`` in ``reference/pypi-releases.txt``, newest first; empty when
    the list does not hold the project."""
    releases = []
    for line in reference_names("pypi-releases"):
        name, _, version = line.partition("==")
        if normalize(name) == project and (parsed := _version(version)) is not None:
            releases.append(parsed)
    return tuple(sorted(releases, reverse=True))


@dataclass(frozen=True, slots=True)
class WheelBuilds:
    """One line of ``reference/pytorch-wheel-builds.txt``: an index of a group and the torch
    releases it carries."""

    group: str
    url: str
    torch: SpecifierSet


@functools.cache
def wheel_builds() -> tuple[WheelBuilds, ...]:
    """The lines of ``reference/pytorch-wheel-builds.txt`` in file order (oldest index first)."""
    path = data_dir() / "reference" / "pytorch-wheel-builds.txt"
    builds = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        group, url, requirement = line.split()
        builds.append(WheelBuilds(group, url, Requirement(requirement).specifier))
    return tuple(builds)


def _index_group(url: str) -> str | None:
    return next((b.group for b in wheel_builds() if _same_url(b.url, url)), None)


@dataclass(frozen=True, slots=True)
class IndexChoice:
    """The index a port writes in place of the data's ``default`` for a file's torch pin."""

    url: str
    note: str
    #: The pin is older than every build of the group: nothing is rewritten, a human decides.
    blocked: bool = False


def _span(versions: list[Version]) -> str:
    return f"{min(versions)} to {max(versions)}" if versions else "nothing"


def choose_index(default: str, pin: SpecifierSet | None, pinned: bool) -> IndexChoice | None:
    """Which index of ``default``'s group to write for a torch requirement ``pin`` (None: no
    torch requirement, or one without a version); None when ``default`` is in no group."""
    group = _index_group(default)
    if group is None:
        return None
    builds = [b for b in wheel_builds() if b.group == group]
    urls = list(dict.fromkeys(b.url for b in builds))
    releases = pypi_releases(TORCH)
    covered = [v for v in releases if any(b.torch.contains(v) for b in builds)]
    table = "reference/pytorch-wheel-builds.txt"

    def carried(url: str, version: Version) -> bool:
        return any(b.url == url and b.torch.contains(version) for b in builds)

    on_default = [v for v in covered if carried(default, v)]
    if not pinned or pin is None:
        newest = f"; pin torch=={max(on_default)}" if on_default else ""
        return IndexChoice(default, (
            f"no torch version pinned here: kept {default}, which carries torch "
            f"{_span(on_default)} in porter's table ({table}){newest}, or pip may take a newer "
            f"torch from PyPI, which is not a {group} build"
        ))
    wanted = [v for v in releases if pin.contains(v, prereleases=True)]
    if not wanted:
        exact = [_version(s.version) for s in pin if s.operator in ("==", "===")]
        wanted = [v for v in exact if v is not None]
    found = [url for url in urls if any(carried(url, v) for v in wanted)]
    if found:
        url = found[-1]
        here = [v for v in wanted if carried(url, v)]
        note = (f"torch{pin} is on {url}, the newest {group} index that carries it in "
                f"porter's table ({table})")
        if max(wanted) > max(here):
            note += (f"; this file also allows torch {max(wanted)}, which has no {group} build "
                     f"there: cap torch at {max(here)} or pip may take PyPI's build of "
                     f"{max(wanted)}, which is not a {group} build")
        return IndexChoice(url, note)
    if wanted and covered and max(wanted) < min(covered):
        return IndexChoice(default, (
            f"torch{pin} is older than every {group} build of torch in porter's table (they "
            f"start at torch {min(covered)}): nothing rewritten for this target; a human decides "
            f"whether to upgrade torch or to keep it another way"
        ), blocked=True)
    return IndexChoice(default, (
        f"porter's table ({table}) lists no {group} build of torch{pin} (it covers torch "
        f"{_span(covered)}): kept {default}; check that it carries the torch you pin"
    ))


def _byte(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


class DependencyList:
    """Findings for the items of one file (or one notebook cell) of dependencies."""

    def __init__(
        self,
        path: str,
        lines: LineIndex,
        tables: MappingTables,
        cell: int | None = None,
    ) -> None:
        self.path = path
        self.lines = lines
        self.tables = tables
        self.cell = cell

    def findings(self, items: Sequence[Item], context: Sequence[Item] = ()) -> list[Finding]:
        """Findings for ``items``; ``context`` holds the file's other dependency lists, read for
        the torch pin when ``items`` name none (a pyproject's index table, its extras)."""
        parsed = [(item, parse_item(item.text)) for item in items]
        parsed = [(item, p) for item, p in parsed if p is not None]
        self._pin = _torch_pin(parsed) or _torch_pin(
            [(item, p) for item in context if (p := parse_item(item.text)) is not None]
        )
        self._choices: dict[str, IndexChoice | None] = {}
        sites: list[_Site] = []
        for item, p in parsed:
            sites.extend(self._sites(item, p))
        self._choose_indexes(sites)
        self._add_companions(sites, parsed)
        self._check_pins(sites, parsed)
        self._settle_drops(sites)
        return [self._finding(site) for site in sites]

    def _choice(self, url: str) -> IndexChoice | None:
        """The index to write for the data's ``url`` given this file's torch pin (cached)."""
        if url not in self._choices:
            pinned, pin = self._pin or (False, None)
            self._choices[url] = choose_index(url, pin, pinned)
        return self._choices[url]

    # -- sites ---------------------------------------------------------------------------------

    def _site(self, entry: MappingEntry, symbol: str, item: Item, span: tuple[int, int],
              *, whole: bool, editable: bool, p: _Parsed | None = None) -> _Site:
        """A site over ``span`` (characters of the item text); computes the data's edits.

        ``whole``: an empty replacement removes the whole item (a project name), else only the
        span (a version label). ``editable``: whether in-text replacement is meaningful here.
        ``p``: the requirement whose project name the span is, when a rename may carry its
        version specifier along (the plan's ``specifier``).
        """
        start = item.start + _byte(item.text, span[0])
        end = item.start + _byte(item.text, span[1])
        site = _Site(entry, symbol, start, end, item)
        for target, spec in entry.targets.items():
            if spec.status not in ("auto", "review") or spec.replacement is None:
                continue
            if spec.replacement == "" and whole:
                edit = item.removal
            elif editable and item.literal:
                edit = Edit(start, end, spec.replacement)
                if p is not None and spec.replacement:
                    edit = self._rename(site, target, spec.replacement, spec.specifier, p, edit)
            else:
                edit = None
            if edit is not None:
                site.edits[target] = [edit]
        return site

    def _rename(self, site: _Site, target: str, replacement: str, keep: str | None, p: _Parsed,
                edit: Edit) -> Edit | None:
        """The edit renaming ``p`` to ``replacement``, with or without its version specifier."""
        specifier = p.specifier
        if not specifier or not str(specifier):
            return edit
        old, new = normalize(p.name or ""), normalize(Requirement(replacement).name)
        if keep == "drop":
            if p.specifier_span is None:
                site.note(target, (f"{new} numbers its releases on its own: remove the version "
                                   f"constraint {specifier} (it is {old}'s) by hand"))
                return None
            cut_end = site.item.start + _byte(site.item.text, p.specifier_span[1])
            site.dropped[target] = (edit.end, cut_end)
            site.note(target, (f"dropped the version constraint {specifier}: it numbers {old}'s "
                               f"releases, and {new} numbers its own"))
            return Edit(edit.start, cut_end, edit.text)
        releases = pypi_releases(new)
        if keep == "keep" and releases and not any(
            specifier.contains(v, prereleases=True) for v in releases
        ):
            site.note(target, (f"no {new} release on PyPI meets {specifier} (its releases run "
                               f"{_span(list(releases))}): change the version constraint"))
        return edit

    def _sites(self, item: Item, p: _Parsed) -> list[_Site]:
        lookup = self.tables.lookup
        if p.option is not None:
            if p.value is None:
                return []
            if p.option in INDEX_OPTIONS:
                entry = lookup(PIP, p.value)
                if entry is None:
                    return []
                span = (p.value_at, p.value_at + len(p.value))
                site = self._site(entry, p.value, item, span, whole=True, editable=True)
                site.index = True
                return [site]
            if p.option in EDITABLE_OPTIONS:
                name = _name_from_url(p.value)
                entry = lookup(PIP, normalize(name)) if name else None
                if entry is None:
                    return []
                span = (p.value_at, p.value_at + len(p.value))
                return [self._site(entry, normalize(name), item, span, whole=True, editable=False)]
            return []
        sites = []
        # A build the requirement names by its label (+cpu, +rocm6.2) is not a CUDA build: the
        # project name is a site only when no label says so (a +cuXYZ label is a site itself).
        labels = _build_labels(p)
        other_build = bool(labels) and all(lookup(PIP, label.lower()) is None for label in labels)
        if p.name is not None and not other_build:
            name = normalize(p.name)
            found = None
            for extra in p.extras:
                symbol = f"{name}[{normalize(extra)}]"
                entry = lookup(PIP, symbol)
                if entry is not None:
                    found = (entry, symbol, (p.name_span[0], p.extras_end))
                    break
            if found is None:
                entry = lookup(PIP, name)
                if entry is not None:
                    found = (entry, name, p.name_span)
            if found is not None:
                entry, symbol, span = found
                editable = p.url is None
                sites.append(
                    self._site(entry, symbol, item, span, whole=True, editable=editable, p=p)
                )
        for label, at in p.labels:
            entry = lookup(PIP, label.lower())
            if entry is not None:
                span = (at, at + len(label))
                sites.append(self._site(entry, label, item, span, whole=False, editable=True))
        if p.url is not None:
            entry = lookup(PIP, p.url)
            if entry is not None:
                span = (p.url_at, p.url_at + len(p.url))
                sites.append(self._site(entry, p.url, item, span, whole=False, editable=True))
        return sites

    # -- file-level consistency ----------------------------------------------------------------

    def _choose_indexes(self, sites: list[_Site]) -> None:
        """Point every index the data writes at the one that carries the file's torch pin.

        An index site's replacement is rewritten to the chosen index; a requirement whose
        ``imports`` name an index gets the choice's note (the companion line itself is written
        by ``_add_companions``). When the pin is older than every build of the index's group,
        every site of those items, and of the index options, is left as it is (``manual``).
        """
        for target in self.tables.target_ids:
            blocked: list[tuple[_Site, IndexChoice]] = []
            for site in sites:
                spec = site.entry.targets[target]
                if spec.status not in ("auto", "review"):
                    continue
                urls = [spec.replacement] if site.index and spec.replacement else []
                urls += [o.value for line in spec.imports
                         if line.startswith("-") and (o := _parse_option(line)) and o.value]
                for url in urls:
                    choice = self._choice(url)
                    if choice is None:
                        continue
                    site.note(target, choice.note)
                    if choice.blocked:
                        blocked.append((site, choice))
                    elif site.index and url == spec.replacement and target in site.edits:
                        site.edits[target] = [
                            Edit(e.start, e.end, choice.url) if e.text == url else e
                            for e in site.edits[target]
                        ]
            items = {site.item for site, _ in blocked}
            for site in sites:
                if site.item in items and site.entry.targets[target].status in ("auto", "review"):
                    site.statuses[target] = "manual"
                    site.note(target, blocked[0][1].note)

    def _settle_drops(self, sites: list[_Site]) -> None:
        """A removed specifier takes any edit inside it along (a ``+cuXYZ`` label of it)."""
        for site in sites:
            for target, (start, end) in site.dropped.items():
                for other in sites:
                    if other is site or other.item is not site.item or target not in other.edits:
                        continue
                    kept = [e for e in other.edits[target] if not (start <= e.start and e.end <= end)]
                    if len(kept) != len(other.edits[target]):
                        other.edits[target] = kept

    def _written_url(self, url: str) -> str:
        choice = self._choice(url)
        return choice.url if choice is not None else url

    def _urls_after(self, sites: list[_Site], parsed: list[tuple[Item, _Parsed]], target: str
                    ) -> list[str]:
        """The index URLs the file names once ``target``'s edits are applied."""
        rewritten = {
            site.item: self._written_url(site.entry.targets[target].replacement or "")
            for site in sites
            if target in site.edits and site.item.text.lstrip().startswith("-")
            and site.statuses.get(target) != "manual"
        }
        urls = []
        for item, p in parsed:
            if p.option in INDEX_OPTIONS and p.value:
                url = rewritten.get(item, p.value)
                if url:
                    urls.append(url)
        return urls

    def _add_companions(self, sites: list[_Site], parsed: list[tuple[Item, _Parsed]]) -> None:
        """Write each plan's ``imports`` once per file where the file lacks them."""
        present = {normalize(p.name) for _, p in parsed if p.name and p.option is None}
        specifiers = {
            normalize(p.name): _without_labels(p.specifier)
            for _, p in reversed(parsed)
            if p.name and p.option is None
        }
        for target in self.tables.target_ids:
            urls = self._urls_after(sites, parsed, target)
            written: set[str] = set()
            for site in sites:
                spec = site.entry.targets[target]
                if spec.status not in ("auto", "review") or site.statuses.get(target) == "manual":
                    continue
                for line in spec.imports:
                    if line.startswith("-"):
                        option = _parse_option(line)
                        if option is not None and option.value:
                            line = line.replace(option.value, self._written_url(option.value))
                    if line in written:
                        continue
                    if line.startswith("-"):
                        edit = self._option_companion(site, target, line, urls)
                    else:
                        edit = self._requirement_companion(site, target, line, present, specifiers)
                    if edit is not None:
                        site.edits.setdefault(target, []).append(edit)
                        written.add(line)

    def _option_companion(self, site: _Site, target: str, line: str, urls: list[str]
                          ) -> Edit | None:
        item = site.item
        option = _parse_option(line)
        if option is None or option.value is None:
            return None
        if any(_same_url(option.value, url) for url in urls):
            return None
        group = _index_group(option.value)
        named = [url for url in urls if group is not None and _index_group(url) == group]
        if named:  # the file chose an index of this group already: it is not overruled
            site.note(target, (f"this file already names {named[0]}; porter's table puts the "
                               f"torch it pins on {option.value}"))
            return None
        if not item.options or item.before is None:
            return None
        offset, template = item.before
        return Edit(offset, offset, template.format(line))

    def _requirement_companion(self, site: _Site, target: str, line: str, present: set[str],
                               specifiers: dict[str, SpecifierSet | None]) -> Edit | None:
        companion = normalize(Requirement(line).name)
        if companion in present:
            return None
        anchor = site.symbol
        pins = [pinned for _, pinned, _ in companion_pins(companion)]
        if anchor in pins:
            specifier = specifiers.get(anchor)
            release = _matching_release(companion, anchor, specifier)
            if release is None:
                site.notes[target] = (
                    f"no {companion} release on PyPI pins {anchor} {specifier}: {companion} "
                    f"covers {anchor} {_covered(companion, anchor)}; move {anchor} to one of them"
                )
                return None
            if specifier is not None:
                line = f"{companion}=={release}"
                site.notes[target] = f"added {line}, which pins {anchor} to this version"
        if site.item.after is None:
            return None
        offset, template = site.item.after
        return Edit(offset, offset, template.format(line))

    def _check_pins(self, sites: list[_Site], parsed: list[tuple[Item, _Parsed]]) -> None:
        """A companion pinned in the file must require the version the file pins its anchor to."""
        specifiers = {
            normalize(p.name): _without_labels(p.specifier)
            for _, p in reversed(parsed)
            if p.name and p.option is None
        }
        for site in sites:
            companion = site.symbol
            pins = companion_pins(companion)
            if not pins:
                continue
            item_spec = next(
                (p.specifier for item, p in parsed if item is site.item and p.specifier), None
            )
            exact = [s.version for s in item_spec or () if s.operator in ("==", "===")]
            if not exact:
                continue
            for release, anchor, version in pins:
                if release != _version(exact[0]):
                    continue
                wanted = specifiers.get(anchor)
                if wanted is not None and not wanted.contains(version, prereleases=True):
                    better = _matching_release(companion, anchor, wanted)
                    hint = f"; {companion}=={better} matches" if better else ""
                    for target in self.tables.target_ids:
                        if site.entry.targets[target].status == "not-needed":
                            site.statuses[target] = "review"
                            site.notes[target] = (
                                f"{companion} {release} requires {anchor}=={version} but this "
                                f"file asks for {anchor}{wanted}: the versions must match{hint}"
                            )

    # -- findings ------------------------------------------------------------------------------

    def _finding(self, site: _Site) -> Finding:
        overrides = {}
        for target, spec in site.entry.targets.items():
            if target not in site.notes and target not in site.statuses:
                continue
            status = site.statuses.get(target, spec.status)
            base = spec.note or site.entry.note
            note = f"{base}; {site.notes[target]}" if target in site.notes else base
            edits = tuple(site.edits.get(target, ())) if status in ("auto", "review") else ()
            overrides[target] = TargetPlan(status, spec.replacement, note, edits)
        return make_finding(
            site.entry,
            path=self.path,
            lines=self.lines,
            start=site.start,
            end=site.end,
            symbol=site.symbol,
            edits={t: tuple(e) for t, e in site.edits.items()},
            overrides=overrides,
            cell=self.cell,
        )


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _torch_pin(parsed: Sequence[tuple[Item, _Parsed]]) -> tuple[bool, SpecifierSet | None] | None:
    """(whether a torch requirement is there, its specifier without build labels: all of the
    list's torch requirements together); None when the list names no torch."""
    specifiers = [
        _without_labels(p.specifier)
        for _, p in parsed
        if p.option is None and p.name and normalize(p.name) == TORCH
    ]
    if not specifiers:
        return None
    pins = [s for s in specifiers if s is not None]
    if not pins:
        return True, None
    combined = SpecifierSet()
    for pin in pins:
        combined &= pin
    return True, combined
