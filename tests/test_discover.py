"""Discovery rules: ignore files, excludes, default skips, symlinks, limits, odd names, order."""

from __future__ import annotations

import builtins
import codecs
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from porter import discover as discover_module
from porter.discover import (
    DEFAULT_MAX_BYTES,
    SKIP_DIR_NAMES,
    Candidate,
    classify,
    discover,
    iter_root_file,
)


def make(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (rel -> text) below ``root``; a rel ending in "/" makes an empty dir."""
    for rel, text in files.items():
        target = root / rel
        if rel.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def scanned(root: Path, **kwargs: object) -> list[str]:
    """The rels discovery hands to the frontends (not skipped), in discovery order."""
    return [c.rel for c in discover(root, **kwargs) if c.skip is None]  # type: ignore[arg-type]


def skipped(root: Path, **kwargs: object) -> dict[str, str]:
    """rel -> skip reason for every candidate discovery reports as not looked at."""
    return {c.rel: c.skip for c in discover(root, **kwargs) if c.skip is not None}  # type: ignore[arg-type]


# --- classify -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"import torch\nx = torch.cuda.is_available()\n",
        codecs.BOM_UTF8 + "# caf\u00e9\n".encode(),
        "# caf\u00e9 \u00fcber\n".encode("latin-1"),
        b"x" * 8192 + b"\0",  # a NUL past the sniffed head does not make a file binary
    ],
)
def test_classify_text(data: bytes) -> None:
    assert classify(data) is None


def test_classify_binary() -> None:
    assert classify(b"\x7fELF\x02\x01\x01\0\0\0") == "binary file"
    assert classify(b"x" * 8191 + b"\0") == "binary file"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_classify_utf16(codec: str) -> None:
    bom = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[codec]
    assert classify(bom + "int main() {}\n".encode(codec)) == "UTF-16 encoded text: not scanned"
    # CJK text in UTF-16 has no NUL byte at all; the BOM alone must decide
    cjk = bom + "\u4e2d\u6587\u6ce8\u91ca".encode(codec)
    assert b"\0" not in cjk
    assert classify(cjk) == "UTF-16 encoded text: not scanned"


def test_classify_utf32() -> None:
    for codec in ("utf-32", "utf-32-be"):
        data = "x = 1\n".encode(codec)
        if codec == "utf-32-be":
            data = codecs.BOM_UTF32_BE + data
        assert classify(data) == "UTF-32 encoded text: not scanned"


# --- ignore files and excludes ------------------------------------------------------------------


def test_gitignore_nested_with_negation(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            ".gitignore": "*.log\n!keep.log\n*.gen.cu\nout/\n",
            "a.py": "",
            "a.log": "",
            "keep.log": "",
            "k.gen.cu": "",
            "out/x.py": "",
            "src/out": "a file, so the dir-only pattern out/ does not match it",
            "src/.gitignore": "!special.gen.cu\n/local.py\n",
            "src/special.gen.cu": "",
            "src/other.gen.cu": "",
            "src/local.py": "",
            "src/deep/local.py": "",
            "local.py": "",
            "src/deep/d.log": "",
        },
    )
    assert scanned(tmp_path) == [
        ".gitignore",
        "a.py",
        "keep.log",
        "local.py",
        "src/.gitignore",
        "src/deep/local.py",
        "src/out",
        "src/special.gen.cu",
    ]


def test_gitignore_cannot_reinclude_below_ignored_dir(tmp_path: Path) -> None:
    make(tmp_path, {".gitignore": "vendor/\n!vendor/mine.py\n", "vendor/mine.py": "", "b.py": ""})
    assert scanned(tmp_path) == [".gitignore", "b.py"]


def test_deeper_gitignore_can_ignore_what_root_keeps(tmp_path: Path) -> None:
    make(
        tmp_path,
        {".gitignore": "!*.cu\n", "k/.gitignore": "*.cu\n", "k/x.cu": "", "y.cu": ""},
    )
    assert scanned(tmp_path) == [".gitignore", "k/.gitignore", "y.cu"]


def test_git_info_exclude_is_lowest_precedence(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            ".git/info/exclude": "*.tmp\nscratch/\n",
            ".gitignore": "!wanted.tmp\n",
            "a.tmp": "",
            "wanted.tmp": "",
            "scratch/s.py": "",
            "m.py": "",
        },
    )
    assert scanned(tmp_path) == [".gitignore", "m.py", "wanted.tmp"]


def test_symlinked_gitignore_is_not_read(tmp_path: Path) -> None:
    outside = make(tmp_path / "elsewhere", {"ignore-all": "*\n"})
    root = make(tmp_path / "root", {"a.py": ""})
    (root / ".gitignore").symlink_to(outside / "ignore-all")
    assert scanned(root) == ["a.py"]
    assert skipped(root) == {".gitignore": "symlink points outside the root"}


def test_exclude_globs(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "third_party/cutlass/x.cu": "",
            "src/third_party/y.cu": "",
            "src/k.cuh": "",
            "src/k.cu": "",
            "docs/conf.py": "",
            "tests/data/t.py": "",
            "tests/t.py": "",
        },
    )
    found = scanned(tmp_path, exclude=["/third_party/", "*.cuh", "./docs", "tests/data/*.py"])
    assert found == ["src/k.cu", "src/third_party/y.cu", "tests/t.py"]


# --- default skips and environments -------------------------------------------------------------


@pytest.mark.parametrize("name", [*sorted(SKIP_DIR_NAMES), "porter.egg-info"])
def test_default_skipped_dirs(tmp_path: Path, name: str) -> None:
    make(tmp_path, {f"{name}/x.py": "", f"src/{name}/y.py": "", "src/keep.py": ""})
    assert scanned(tmp_path) == ["src/keep.py"]


def test_default_skip_names_are_directories_only(tmp_path: Path) -> None:
    make(tmp_path, {"build": "#!/bin/sh\nnvcc -arch=sm_90 k.cu\n", "dist": ""})
    assert scanned(tmp_path) == ["build", "dist"]


def test_virtualenvs_and_conda_envs_are_skipped(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "myenv/pyvenv.cfg": "home = /usr/bin\n",
            "myenv/lib/torch/cuda.py": "",
            "envs/gpu/conda-meta/": "",
            "envs/gpu/lib/x.py": "",
            "envs/readme.py": "",
            "pyvenv_notes/pyvenv.txt": "",
        },
    )
    assert scanned(tmp_path) == ["envs/readme.py", "pyvenv_notes/pyvenv.txt"]


@pytest.mark.parametrize("root_rel", ["site-packages", "build/proj", "venv", "node_modules/pkg"])
def test_root_inside_a_skipped_dir_is_scanned(tmp_path: Path, root_rel: str) -> None:
    root = make(tmp_path / root_rel, {"m.py": "", "sub/n.py": ""})
    assert scanned(root) == ["m.py", "sub/n.py"]


def test_root_that_is_a_virtualenv_is_scanned(tmp_path: Path) -> None:
    make(tmp_path, {"pyvenv.cfg": "", "lib/x.py": ""})
    assert scanned(tmp_path) == ["lib/x.py", "pyvenv.cfg"]


# --- symlinks -----------------------------------------------------------------------------------


def test_symlinked_file_is_scanned_once_under_its_real_path(tmp_path: Path) -> None:
    make(tmp_path, {"z_real.py": "x = 1\n"})
    (tmp_path / "a_link.py").symlink_to("z_real.py")
    found = {c.rel: c for c in discover(tmp_path)}
    assert found["z_real.py"].skip is None
    assert found["a_link.py"].skip == "duplicate of z_real.py"
    assert found["a_link.py"].path == (tmp_path / "z_real.py").resolve()


def test_symlinked_file_to_ignored_file_is_read_through_the_link(tmp_path: Path) -> None:
    make(tmp_path, {".gitignore": "gen/\n", "gen/kernels.cu": "__global__ void k() {}\n"})
    (tmp_path / "kernels.cu").symlink_to("gen/kernels.cu")
    found = {c.rel: c for c in discover(tmp_path)}
    assert found["kernels.cu"].skip is None
    # a port writes the real file, never replacing the link with a copy
    assert found["kernels.cu"].path == (tmp_path / "gen/kernels.cu").resolve()
    assert found["kernels.cu"].size == len("__global__ void k() {}\n")


def test_symlink_outside_the_root_is_not_followed(tmp_path: Path) -> None:
    outside = make(tmp_path / "root2", {"secret.py": "", "d/e.py": ""})
    root = make(tmp_path / "root", {"a.py": ""})
    # "root2" shares the prefix "root": the check must compare whole path components
    (root / "leak.py").symlink_to(outside / "secret.py")
    (root / "leakdir").symlink_to(outside / "d")
    (root / "abs").symlink_to("/")
    assert scanned(root) == ["a.py"]
    assert skipped(root) == {
        "abs": "symlink points outside the root",
        "leak.py": "symlink points outside the root",
        "leakdir": "symlink points outside the root",
    }


def test_broken_symlink_and_link_loop(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": ""})
    (tmp_path / "gone.py").symlink_to("missing.py")
    (tmp_path / "l1").symlink_to("l2")
    (tmp_path / "l2").symlink_to("l1")
    assert skipped(tmp_path) == {
        "gone.py": "broken symlink",
        "l1": "symlink loop",
        "l2": "symlink loop",
    }


def test_directory_link_to_an_ancestor_is_a_loop(tmp_path: Path) -> None:
    make(tmp_path, {"pkg/sub/m.py": ""})
    (tmp_path / "pkg/sub/up").symlink_to("..")
    (tmp_path / "pkg/sub/self").symlink_to(".")
    (tmp_path / "pkg/root").symlink_to(tmp_path)
    assert scanned(tmp_path) == ["pkg/sub/m.py"]
    assert skipped(tmp_path) == {
        "pkg/root": "symlink loop",
        "pkg/sub/self": "symlink loop",
        "pkg/sub/up": "symlink loop",
    }


def test_directory_link_to_a_walked_dir_is_a_duplicate(tmp_path: Path) -> None:
    make(tmp_path, {"z_kernels/k.cu": ""})
    (tmp_path / "a_alias").symlink_to("z_kernels")
    assert scanned(tmp_path) == ["z_kernels/k.cu"]
    assert skipped(tmp_path) == {"a_alias": "duplicate of z_kernels"}


def test_directory_link_to_an_unwalked_dir_is_walked_once(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            ".gitignore": "/vendored/\n",
            "vendored/lib/k.cu": "",
            "vendored/lib/.gitignore": "*.o\n",
            "vendored/lib/k.o": "",
        },
    )
    (tmp_path / "lib").symlink_to("vendored/lib")
    (tmp_path / "lib2").symlink_to("vendored/lib")
    found = {c.rel: c for c in discover(tmp_path)}
    assert [r for r, c in found.items() if c.skip is None] == [
        ".gitignore",
        "lib/.gitignore",
        "lib/k.cu",
    ]
    assert found["lib/k.cu"].path == (tmp_path / "vendored/lib/k.cu").resolve()
    assert found["lib2"].skip == "duplicate of lib"


def test_root_given_as_a_symlink(tmp_path: Path) -> None:
    real = make(tmp_path / "real", {"a.py": "", "b/c.py": ""})
    (real / "inner").symlink_to(real / "b" / "c.py")
    (tmp_path / "alias").symlink_to(real)
    found = list(discover(tmp_path / "alias"))
    assert [c.rel for c in found if c.skip is None] == ["a.py", "b/c.py"]
    assert {c.rel: c.skip for c in found if c.skip} == {"inner": "duplicate of b/c.py"}
    assert all(c.path.is_relative_to(real.resolve()) for c in found)


# --- limits and unreadable paths ----------------------------------------------------------------


def test_size_limit(tmp_path: Path) -> None:
    make(tmp_path, {"small.py": "x" * 10, "big.py": "x" * 25})
    assert scanned(tmp_path, max_bytes=10) == ["small.py"]
    assert skipped(tmp_path, max_bytes=10) == {"big.py": "larger than 10 bytes limit (25 bytes)"}


def test_size_limit_message_in_megabytes(tmp_path: Path) -> None:
    with open(tmp_path / "weights.cu", "wb") as handle:
        handle.truncate(12_300_000)  # sparse: costs no disk
    with open(tmp_path / "edge.cu", "wb") as handle:
        handle.truncate(DEFAULT_MAX_BYTES + 1)
    assert skipped(tmp_path) == {
        "edge.cu": "larger than 5 MB limit (5.000001 MB)",
        "weights.cu": "larger than 5 MB limit (12.3 MB)",
    }
    sizes = {c.rel: c.size for c in discover(tmp_path)}
    assert sizes == {"edge.cu": DEFAULT_MAX_BYTES + 1, "weights.cu": 12_300_000}


def test_discovery_opens_only_ignore_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(
        tmp_path, {".gitignore": "*.o\n", "src/.gitignore": "", "src/a.py": "", "big.cu": "x" * 50}
    )
    opened: list[str] = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(os.path.basename(os.fspath(file)))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    assert skipped(tmp_path, max_bytes=10) == {"big.cu": "larger than 10 bytes limit (50 bytes)"}
    assert set(opened) == {".gitignore"}


def test_special_files_are_not_regular(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(tmp_path / "pipe.py")
    assert skipped(tmp_path) == {"pipe.py": "not a regular file"}


def test_unreadable_dir_with_real_permissions(tmp_path: Path) -> None:
    make(tmp_path, {"locked/x.py": "", "open.py": ""})
    locked = tmp_path / "locked"
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user that chmod cannot lock out (root)")
        assert scanned(tmp_path) == ["open.py"]
        assert skipped(tmp_path) == {"locked": "unreadable: permission denied"}
    finally:
        locked.chmod(0o755)


def test_unreadable_dir_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same rule, with the permission error injected so it also runs as root."""
    make(tmp_path, {"locked/x.py": "", "open.py": ""})
    real_scandir = os.scandir
    locked = os.path.realpath(tmp_path / "locked")

    def scandir(path):  # type: ignore[no-untyped-def]
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(discover_module.os, "scandir", scandir)
    found = list(discover(tmp_path))
    assert [(c.rel, c.skip) for c in found] == [
        ("locked", "unreadable: permission denied"),
        ("open.py", None),
    ]
    assert found[0].path == Path(locked)


# --- names and order ----------------------------------------------------------------------------


def test_odd_names_are_kept_verbatim(tmp_path: Path) -> None:
    names = [
        "with space.py",
        "\u00fcn\u00efc\u00f8de/\u6838.cu",
        "line\nbreak.py",
        "tab\there.cuh",
        "-dash.py",
    ]
    make(tmp_path, {n: "" for n in names} | {".gitignore": "tab*\n"})
    assert scanned(tmp_path) == sorted([".gitignore", *names[:3], "-dash.py"])
    by_rel = {c.rel: c for c in discover(tmp_path)}
    assert by_rel["line\nbreak.py"].path.name == "line\nbreak.py"


def test_order_is_sorted_and_independent_of_creation_order(tmp_path: Path) -> None:
    rels = ["a.py", "a/b.py", "a-b.py", "B.py", "a/c/d.cu", "z/y.py", "a.b/c.py"]
    first = make(tmp_path / "one", dict.fromkeys(rels, ""))
    second = make(tmp_path / "two", dict.fromkeys(reversed(rels), ""))
    found = scanned(first)
    assert found == sorted(rels)
    assert scanned(second) == found
    assert list(discover(first)) == list(discover(first))


_NAME = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), min_size=1, max_size=12
).filter(lambda s: s not in {".", "..", ".gitignore", ".git", "pyvenv.cfg", "conda-meta"})


@settings(max_examples=40)
@given(st.sets(st.lists(_NAME, min_size=1, max_size=3).map(tuple), min_size=1, max_size=8))
def test_every_plain_file_is_found_once(paths: set[tuple[str, ...]]) -> None:
    """Any tree of plain files outside skipped dir names comes back exactly once, sorted."""
    leaves = {p for p in paths if not any(q != p and q[: len(p)] == p for q in paths)}
    dirs = {part for p in leaves for part in p[:-1]}
    if dirs & SKIP_DIR_NAMES or any(d.endswith(".egg-info") for d in dirs):
        return
    leaves = {p for p in leaves if not p[-1].endswith(".porter-tmp")}  # porter's own temp files
    names = {"/".join(p) for p in leaves}
    with tempfile.TemporaryDirectory() as tmp:
        found = list(discover(make(Path(tmp), dict.fromkeys(names, ""))))
    assert [c.rel for c in found] == sorted(names)
    assert all(c.skip is None and c.size == 0 for c in found)


# --- single-file roots --------------------------------------------------------------------------


def test_single_file_root(tmp_path: Path) -> None:
    make(tmp_path, {"sub/train.py": "import torch\n"})
    path = tmp_path / "sub/train.py"
    expected = [Candidate("train.py", path.resolve(), 13, None)]
    assert list(iter_root_file(path)) == expected
    assert list(discover(path, exclude=["*.py"])) == expected  # the user named it


def test_single_file_root_limits(tmp_path: Path) -> None:
    make(tmp_path, {"big.cu": "x" * 30})
    (tmp_path / "dangling.py").symlink_to("nowhere.py")
    assert [c.skip for c in iter_root_file(tmp_path / "big.cu", max_bytes=20)] == [
        "larger than 20 bytes limit (30 bytes)"
    ]
    assert [c.skip for c in discover(tmp_path / "dangling.py")] == ["broken symlink"]
    with pytest.raises(FileNotFoundError):
        list(discover(tmp_path / "absent"))
