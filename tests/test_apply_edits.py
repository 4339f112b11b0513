"""The edit applier: one pass, no overlaps, every byte outside the kept edits preserved."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from porter.model import Edit
from porter.rewrite.apply import apply_edits, plan_edits


def test_replacement_insertion_and_deletion_in_one_pass() -> None:
    data = b"torch.cuda.synchronize()\n"
    edits = [Edit(6, 10, "xpu"), Edit(0, 0, "import torch_npu\n"), Edit(22, 24, "")]
    result = apply_edits(data, edits)
    assert result.data == b"import torch_npu\ntorch.xpu.synchronize\n"
    assert result.dropped == ()


def test_overlapping_edit_is_dropped_and_reported() -> None:
    data = b"abcdef"
    result = apply_edits(data, [Edit(1, 4, "X"), Edit(2, 5, "Y")])
    assert result.data == b"aXef"
    assert result.dropped == (Edit(2, 5, "Y"),)


def test_identical_duplicates_collapse() -> None:
    assert apply_edits(b"cuda", [Edit(0, 4, "hip"), Edit(0, 4, "hip")]).data == b"hip"


def test_insertion_before_replacement_at_same_offset() -> None:
    assert apply_edits(b"abc", [Edit(0, 1, "X"), Edit(0, 0, ">")]).data == b">Xbc"


def test_out_of_range_edit_dropped() -> None:
    result = apply_edits(b"abc", [Edit(2, 9, "X")])
    assert result.data == b"abc"
    assert len(result.dropped) == 1


@st.composite
def data_and_edits(draw: st.DrawFn) -> tuple[bytes, list[Edit]]:
    data = draw(st.binary(max_size=64))
    size = len(data)
    edits = []
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, size))
        end = draw(st.integers(start, size))
        edits.append(Edit(start, end, draw(st.text(max_size=5))))
    return data, edits


@given(data_and_edits())
def test_kept_edits_never_overlap_and_outside_bytes_survive(case: tuple[bytes, list[Edit]]) -> None:
    data, edits = case
    kept, dropped = plan_edits(edits, len(data))
    assert len(kept) + len(dropped) == len(set(edits))
    for before, after in itertools.pairwise(kept):
        assert before.end <= after.start
    result = apply_edits(data, edits)
    # Rebuild the expected output from the untouched gaps: every byte outside an edit is kept.
    cursor, expected = 0, b""
    for edit in kept:
        expected += data[cursor : edit.start] + edit.text.encode()
        cursor = edit.end
    assert result.data == expected + data[cursor:]
