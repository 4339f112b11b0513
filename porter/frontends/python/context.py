"""What the Python frontend derives once per set of mapping tables.

The prefilter, the literal filter and the indexes are computed from the mapping data, so a new
family entry (a library, an environment variable) is detected without touching code; they are
cached per tables object because every file of a scan shares them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from porter.mappings import MappingEntry, MappingTables, reference_names

LANGUAGE = "python"
#: Vendor words whose presence, in any case, makes a file or a literal worth a look. Entries whose
#: source holds none of them add their own most specific word (``flash_attn``, ``triton``).
VENDOR_WORDS = ("cuda", "nccl", "cudnn", "cublas", "nvidia", "nvml", "nvtx")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Dotted Python names (``torch.cuda.synchronize``), as opposed to literals and commands.
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+\.?")
#: Kinds whose source is a string's content rather than a name in code.
_TEXT_KINDS = ("device-string", "backend", "env", "command")


@dataclass(frozen=True, slots=True)
class Trigger:
    """What a file must contain for an entry to be found in it: ``word`` (any case when
    ``vendor``), confirmed by ``pattern`` when the word alone is too common."""

    word: str
    vendor: bool = False
    pattern: str | None = None


def trigger(entry: MappingEntry) -> Trigger:
    """A vendor word when the entry has one; an import of the package for library entries
    (``triton`` alone appears in thousands of files that never import it), or a string
    starting with its name (``"apex.optimizers.FusedAdam"``); else the entry's most specific
    identifier."""
    source = entry.source
    lowered = source.lower()
    for word in VENDOR_WORDS:
        if word in lowered:
            return Trigger(word, vendor=True)
    if source.startswith("import "):  # an import statement, or a module path in a string
        package = source[len("import ") :].split(".")[0]
        return Trigger(package, pattern=rf"(?:(?:import|from)[ \t]+|['\"]){re.escape(package)}\b")
    words = _IDENTIFIER.findall(source)
    return Trigger(max(words, key=len) if words else source)


@dataclass(frozen=True)
class Prefilter:
    """The first, cheapest step: whether a file can hold any finding at all.

    Substring tests on the bytes (and one lower-cased copy) run at memory speed; a regex with
    many alternatives is several times slower on big trees.
    """

    vendor: tuple[bytes, ...]
    others: tuple[tuple[bytes, re.Pattern[bytes] | None], ...]

    @classmethod
    def of(cls, triggers: set[Trigger]) -> Prefilter:
        vendor = tuple(sorted({t.word.lower().encode() for t in triggers if t.vendor}))
        others = tuple(
            sorted(
                (t.word.encode(), re.compile(t.pattern.encode()) if t.pattern else None)
                for t in triggers
                if not t.vendor
            )
        )
        return cls(vendor, others)

    def search(self, data: bytes) -> bool:
        lowered = data.lower()
        if any(word in lowered and _outside_comment_lines(lowered, word) for word in self.vendor):
            return True
        return any(
            word in data and (pattern is None or pattern.search(data)) for word, pattern in self.others
        )


def _outside_comment_lines(data: bytes, word: bytes) -> bool:
    """Whether ``word`` occurs on a line that does not start with ``#``.

    A line whose first non-blank character is ``#`` is a comment, or the inside of a string
    that began on an earlier line; neither can hold a site. Code tokens never sit on it, and
    every literal a site can be (``"cuda:0"``, ``"nccl"``, an environment variable, a dotted
    name, a command after ``strip()``) has its vendor word before any newline and without a
    ``#`` in front, so the literal would have to open on that line, after the ``#``. About one
    in eight torch files that mention CUDA do so only in such lines (licence headers, notes).
    """
    at = data.find(word)
    while at != -1:
        line = max(data.rfind(b"\n", 0, at), data.rfind(b"\r", 0, at)) + 1
        if not data[line:at].lstrip().startswith(b"#"):
            return True
        at = data.find(word, at + len(word))
    return False


@dataclass(frozen=True)
class Context:
    tables: MappingTables
    exact: Mapping[str, MappingEntry]
    prefilter: Prefilter
    literal_filter: re.Pattern[str]
    #: First components of the dotted names the data knows (``torch``, ``triton``).
    roots: frozenset[str]
    import_roots: frozenset[str]
    #: Device types and collective backends of other accelerators (``xpu``, ``hpu``, ``hccl``):
    #: a list naming one beside "cuda" is a per-vendor table, not CUDA lock-in to rename.
    accelerators: frozenset[str]

    @functools.cached_property
    def string_roots(self) -> frozenset[str]:
        """Packages whose dotted names inside strings are worth judging (``"torch.cuda.X"``)."""
        return self.roots | self.import_roots

    def lookup(self, key: str) -> MappingEntry | None:
        return self.tables.lookup(LANGUAGE, key)

    def resolve(self, parts: list[str], prefix: str = "") -> tuple[MappingEntry, int] | None:
        """The entry for a dotted name and how many of its parts it covers.

        Exact name first; then the longest exact prefix that is not a module (so
        ``torch.cuda.Stream.query`` is ``torch.cuda.Stream``, while an unknown
        ``torch.cuda.foo`` is not "the torch.cuda module"); then prefix and regex entries.
        """
        exact = self.exact
        entry = exact.get(prefix + ".".join(parts))
        if entry is not None:
            return entry, len(parts)
        for cut in range(len(parts) - 1, 0, -1):
            entry = exact.get(prefix + ".".join(parts[:cut]))
            if entry is not None and entry.kind != "module":
                return entry, cut
        entry = self.lookup(prefix + ".".join(parts))
        return (entry, len(parts)) if entry is not None else None

    @functools.cached_property
    def tensor_methods(self) -> frozenset[str]:
        """Method names both torch.Tensor and torch.nn.Module have (``xpu``, ``to``)."""
        try:
            return reference_names("torch.Tensor") & reference_names("torch.nn.Module")
        except OSError:
            return frozenset()


#: Names that sit beside "cuda"/"nccl" in generic code without making a list per-vendor.
_GENERIC = frozenset({"cpu", "meta", "cuda", "gloo", "mpi", "nccl", "undefined", "fake"})
#: The reference lists of device types and backend names.
_NAME_LISTS = (
    "torch.device-types",
    "torch.distributed-backends",
    "torch_npu.device-types",
    "torch_npu.distributed-backends",
)


def _accelerators(tables: MappingTables) -> frozenset[str]:
    names = {n for t in tables.targets for n in (t.device, t.dist_backend) if n}
    for name in _NAME_LISTS:
        try:
            names |= reference_names(name)
        except OSError:
            continue
    return frozenset(names - _GENERIC)


@functools.lru_cache(maxsize=8)
def context_for(tables: MappingTables) -> Context:
    entries = list(tables.entries(LANGUAGE))
    triggers = {trigger(e) for e in entries}
    vendor = "|".join(sorted({re.escape(t.word) for t in triggers if t.vendor}))
    text = sorted(
        re.escape(t.word) for e in entries if e.kind in _TEXT_KINDS and not (t := trigger(e)).vendor
    )
    literal = "|".join(p for p in (f"(?i:{vendor})" if vendor else "", *text, r"\.cuh?\b") if p)
    roots = set()
    import_roots = set()
    for entry in entries:
        if entry.kind in _TEXT_KINDS:
            continue
        if entry.source.startswith("import "):
            import_roots.add(entry.source[len("import ") :].split(".")[0])
        elif _DOTTED.fullmatch(entry.source):
            roots.add(entry.source.split(".")[0])
    return Context(
        accelerators=_accelerators(tables),
        tables=tables,
        exact=tables.exact_names(LANGUAGE),
        prefilter=Prefilter.of(triggers),
        literal_filter=re.compile(literal),
        roots=frozenset(roots),
        import_roots=frozenset(import_roots),
    )
