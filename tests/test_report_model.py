"""The report model: per-target summaries, pits, files, cross-layer links and the comparison."""

from __future__ import annotations

import pytest
from reportkit import DEVICE, KERNEL, make_finding, report_for, same, sample_result, scan_result

from porter.effort import Range
from porter.render import report_json


@pytest.fixture(scope="module")
def report():
    return report_for(sample_result())


def test_targets_keep_the_scan_order_and_counts(report):
    assert [v.id for v in report.targets] == ["rocm", "oneapi", "cann", "neutral"]
    rocm = report.target("rocm")
    assert rocm.summary.statuses == {"not-needed": 3, "auto": 4, "review": 2, "manual": 2}
    assert rocm.summary.actionable == 8
    assert rocm.summary.automatic_share == 0.5
    assert rocm.pits_by_severity == {"high": 2, "medium": 0, "low": 3, "info": 1}


def test_effort_adds_up_per_pit_and_per_file(report):
    for view in report.targets:
        effort = view.effort
        pits_total = Range.total(p.total for p in effort.pits)
        assert pits_total.low == pytest.approx(effort.total.low)
        assert pits_total.high == pytest.approx(effort.total.high)
        bases = Range.total(p.base for p in effort.pits)
        files = Range.total(effort.files.values())
        assert files.low + bases.low == pytest.approx(effort.total.low)
        assert files.high + bases.high == pytest.approx(effort.total.high)


def test_pits_list_their_sites_and_per_target_plans(report):
    ids = [view.pit.id for view in report.pits]
    assert ids[0] == "custom-kernels"  # the dearest pit comes first
    assert set(ids) == {"custom-kernels", "warp-size", "vendor-libraries", "inline-ptx", "cpp-extensions",
                        "device-api", "collectives", "amp-api"}
    kernels = report.pits[0]
    assert kernels.files == ("csrc/softmax.cu",)
    cann = next(t for t in kernels.targets if t.target == "cann")
    assert cann.statuses["manual"] == 2 and cann.plan.severity == "high" and cann.cost.high > 0
    rocm_device = next(t for v in report.pits if v.pit.id == "device-api" for t in v.targets if t.target == "rocm")
    assert rocm_device.cost == Range()  # not-needed on ROCm: listed, but free


def test_files_carry_their_findings_and_effort(report):
    by_path = {view.file.path: view for view in report.files}
    assert set(by_path) == {"csrc/softmax.cu", "csrc/gemm.cu", "ext/__init__.py", "train.py"}
    assert len(by_path["train.py"].findings) == 5
    assert by_path["train.py"].effort["rocm"].high < by_path["train.py"].effort["cann"].high


def test_cross_layer_link_resolves_relative_to_the_python_file(report):
    (link,) = report.links
    assert link.site.path == "ext/__init__.py"
    assert link.sources == ("csrc/softmax.cu",)
    assert link.missing == ("csrc/missing.cpp",)
    assert [k.span.line for k in link.kernels] == [10, 70]
    assert link.pits == ("custom-kernels", "warp-size")
    assert link.effort["cann"].high > link.effort["rocm"].high > 0


def test_cross_layer_link_falls_back_to_sources_quoted_in_a_one_line_call():
    loader = make_finding("CUDAExtension", "setup.py", 3, same("review"), pit="cpp-extensions", language="python",
                          snippet='CUDAExtension("ops", sources=["csrc/a.cu", "csrc/b.cpp"])')
    kernel = make_finding("__global__", "csrc/a.cu", 1, KERNEL, pit="custom-kernels")
    other = make_finding("torch.cuda.synchronize", "train.py", 1, DEVICE, pit="device-api", language="python",
                         snippet='x = "not/a/source.cu"')
    report = report_for(scan_result([("setup.py", "python", 5, [loader]), ("csrc/a.cu", "cuda", 9, [kernel]),
                                     ("csrc/b.cpp", "cpp", 3, []), ("train.py", "python", 2, [other])]))
    (link,) = report.links
    assert link.sources == ("csrc/a.cu", "csrc/b.cpp") and link.missing == ()
    assert link.kernels == (kernel,)


def test_comparison_ranks_targets_and_explains_the_gap(report):
    rows = report.comparison.rows
    assert report.comparison.cheapest == "rocm"
    mids = [row.total.mid for row in rows]
    assert mids == sorted(mids)
    assert rows[0].differences == ()
    cann = next(row for row in rows if row.target == "cann")
    assert cann.differences[0].key == "custom-kernels"
    assert all(d.cost.mid > d.cheapest_cost.mid for row in rows for d in row.differences)


def test_one_target_reports_only_that_target():
    report = report_for(sample_result(("cann",)))
    assert [v.id for v in report.targets] == ["cann"]
    assert report.comparison.cheapest == "cann"
    assert set(report.links[0].effort) == {"cann"}
    assert all(len(view.targets) == 1 for view in report.pits)


def test_an_empty_scan_reports_zero_everywhere():
    report = report_for(scan_result([("a.py", "python", 3, [])]))
    assert report.pits == () and report.links == () and report.files == ()
    assert all(v.effort.total == Range() for v in report.targets)
    assert report_json.report_validator().is_valid(report_json.report_document(report))


def test_the_report_is_deterministic():
    first = report_json.render(report_for(sample_result()))
    second = report_json.render(report_for(sample_result()))
    assert first == second
