"""The effort model: ranges never inverted, monotonic in size, severity and sites, status
ordering respected, overrides applied and checked."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportkit import TARGETS, make_finding, same, sample_result, scan_result

from porter.effort import (
    DEFAULT_CONFIG,
    EffortConfigError,
    PitOverride,
    Range,
    estimate,
    estimate_target,
    format_range,
    load_effort_config,
)
from porter.pits import default_catalog

CATALOG = default_catalog()


def total(findings, target="cann", config=DEFAULT_CONFIG, file_lines=None) -> Range:
    return estimate_target(findings, target, catalog=CATALOG, config=config, file_lines=file_lines).total


def kernel(line: int = 1, end_line: int | None = None, status: str = "manual", path: str = "k.cu"):
    return make_finding("__global__", path, line, same(status), rule="cuda-kernel", pit="custom-kernels",
                        end_line=end_line)


def all_ranges(effort):
    yield effort.total
    yield from effort.files.values()
    for pit in effort.pits:
        yield pit.base
        yield pit.total
        for site in pit.sites:
            yield site.cost
    for driver in effort.drivers:
        yield driver.cost


def test_range_rejects_inversion_and_negatives():
    with pytest.raises(ValueError):
        Range(2, 1)
    with pytest.raises(ValueError):
        Range(-1, 1)
    assert Range(1, 2) + Range(3, 5) == Range(4, 7)
    assert Range.total([]) == Range(0, 0)


statuses = st.sampled_from(["not-needed", "auto", "review", "manual"])
pits = st.sampled_from([None, "custom-kernels", "warp-size", "device-api", "collectives", "no-such-pit"])


@st.composite
def findings(draw):
    count = draw(st.integers(0, 25))
    out = []
    for n in range(count):
        line = draw(st.integers(1, 500))
        out.append(make_finding(
            draw(st.sampled_from(["__global__", "cudaMalloc", "torch.cuda.synchronize", "x"])),
            draw(st.sampled_from(["a.cu", "b.py", "c/d.cu"])),
            line,
            {t: draw(statuses) for t in TARGETS},
            pit=draw(pits),
            end_line=line + draw(st.integers(0, 300)),
            snippet=f"site {n}",
        ))
    return out


@given(findings())
def test_ranges_are_never_inverted(found):
    result = scan_result([("a.cu", "cuda", 400, [f for f in found if f.path == "a.cu"]),
                          ("b.py", "python", 50, [f for f in found if f.path == "b.py"]),
                          ("c/d.cu", "cuda", 0, [f for f in found if f.path == "c/d.cu"])])
    for effort in estimate(result, catalog=CATALOG).values():
        for item in all_ranges(effort):
            assert 0 <= item.low <= item.high
        assert effort.total.low <= effort.total.high
        assert sum(d.share for d in effort.drivers if d.kind == "pit") <= 1 + 1e-9


@given(findings(), st.sampled_from(TARGETS))
def test_adding_a_site_never_lowers_the_estimate(found, target):
    extra = make_finding("cudaMalloc", "a.cu", 7, same("review"), pit="custom-kernels", snippet="extra")
    before = total(found, target)
    after = total([*found, extra], target)
    assert after.low >= before.low - 1e-9
    assert after.high >= before.high - 1e-9


def test_not_needed_sites_cost_nothing():
    assert total([kernel(status="not-needed")]) == Range(0, 0)
    assert total([]) == Range(0, 0)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("pit", ["custom-kernels", "collectives", None])
def test_status_ordering_is_respected(target, pit):
    costs = [
        total([make_finding("__global__", "k.cu", 1, same(status), pit=pit)], target)
        for status in ("auto", "review", "manual")
    ]
    for cheaper, dearer in itertools.pairwise(costs):
        assert cheaper.low < dearer.low
        assert cheaper.high < dearer.high


@pytest.mark.parametrize("target", TARGETS)
def test_monotonic_in_kernel_size(target):
    sizes = [1, 20, 40, 80, 400, 4000]
    costs = [total([kernel(10, 10 + n - 1)], target) for n in sizes]
    for smaller, larger in itertools.pairwise(costs):
        assert smaller.low <= larger.low and smaller.high <= larger.high
    assert costs[-1].high > costs[2].high  # a 4000-line kernel is dearer than a 40-line one


def test_one_line_kernel_span_is_sized_from_the_file():
    """A frontend that reports only the __global__ line: the kernel's share of the file counts."""
    short = total([kernel()], file_lines={"k.cu": 40})
    long = total([kernel()], file_lines={"k.cu": 2000})
    two_kernels = total([kernel(1), kernel(500)], file_lines={"k.cu": 2000})
    assert short.high < long.high
    assert two_kernels.high < 2 * long.high


def test_monotonic_in_severity():
    finding = [make_finding("cudaMalloc", "a.cu", 1, same("manual"), pit="collectives")]
    costs = []
    for severity in ("info", "low", "medium", "high"):
        config = dataclasses.replace(DEFAULT_CONFIG, pits={"collectives": {None: PitOverride(severity=severity)}})
        costs.append(total(finding, "cann", config))
    for milder, worse in itertools.pairwise(costs):
        assert milder.low < worse.low and milder.high < worse.high


def test_per_site_cost_diminishes_after_the_first_few():
    effort = estimate_target([kernel(n * 10) for n in range(1, 21)], "cann", catalog=CATALOG,
                             file_lines={"k.cu": 10})
    sites = effort.pits[0].sites
    weights = [s.decay for s in sites]
    assert weights[: DEFAULT_CONFIG.full_sites] == [1.0] * DEFAULT_CONFIG.full_sites
    assert all(a >= b for a, b in itertools.pairwise(weights))
    assert weights[-1] < 0.5
    base = effort.pits[0].base
    # Twenty identical kernels cost far less than twenty times one, but more than one.
    one = total([kernel(10)], file_lines={"k.cu": 10})
    assert one.high < effort.total.high < 20 * (one.high - base.high) + base.high


def test_base_cost_is_paid_once_per_pit_and_scaled_by_status():
    manual = estimate_target([kernel()], "cann", catalog=CATALOG).pits[0]
    auto = estimate_target([kernel(status="auto")], "cann", catalog=CATALOG).pits[0]
    plan = CATALOG.get("custom-kernels").targets["cann"]
    assert manual.base == Range(*plan.base)
    assert auto.base == Range(*plan.base).scaled(DEFAULT_CONFIG.status["auto"].weight)
    two = estimate_target([kernel(1), kernel(50)], "cann", catalog=CATALOG).pits[0]
    assert two.base == manual.base


def test_drivers_name_the_dearest_pits_and_files():
    result = sample_result()
    cann = estimate(result, catalog=CATALOG)["cann"]
    pit_drivers = [d for d in cann.drivers if d.kind == "pit"]
    assert pit_drivers[0].name == "custom-kernels"
    assert [d.cost.mid for d in pit_drivers] == sorted((d.cost.mid for d in pit_drivers), reverse=True)
    assert {d.name for d in cann.drivers if d.kind == "file"} <= {f.path for f in result.files}


def test_findings_without_a_pit_are_grouped_by_rule():
    effort = estimate(sample_result(), catalog=CATALOG)["rocm"]
    keys = {p.key for p in effort.pits}
    assert "rule:py-unknown" in keys
    assert next(p for p in effort.pits if p.key == "rule:py-unknown").label == "py-unknown (no pit)"


# --- overrides -----------------------------------------------------------------------------------

def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "effort.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path):
    return load_effort_config(path, CATALOG, TARGETS)


def test_pit_overrides_are_applied_for_all_or_one_target(tmp_path):
    config = load(write(tmp_path, """
pits:
  custom-kernels:
    base: [100, 200]
    targets:
      cann: {per_site: [50, 60], severity: info}
"""))
    rocm = config.pit_target(CATALOG.get("custom-kernels"), "rocm")
    cann = config.pit_target(CATALOG.get("custom-kernels"), "cann")
    assert rocm.base == (100, 200) and cann.base == (100, 200)
    assert cann.per_site == (50, 60) and cann.severity == "info"
    assert rocm.per_site == CATALOG.get("custom-kernels").targets["rocm"].per_site
    assert total([kernel()], "cann", config).low >= 100 + 50 * config.min_size_factor
    assert total([kernel()], "cann").high < 100


def test_status_and_scale_overrides_are_applied(tmp_path):
    config = load(write(tmp_path, """
status:
  manual: {site: [1, 2]}
scale: {full_sites: 1, reference_lines: 10}
severity: {high: 3}
"""))
    assert config.status["manual"].site == Range(1, 2)
    assert config.status["manual"].weight == DEFAULT_CONFIG.status["manual"].weight
    assert config.status["auto"] == DEFAULT_CONFIG.status["auto"]
    assert config.full_sites == 1 and config.reference_lines == 10
    assert config.severity_weight["high"] == 3
    plain = make_finding("x", "a.cu", 1, same("manual"))
    assert total([plain], "cann", config).low > total([plain], "cann").high


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pits: {custom-kernels: {base: [3, 1]}}", "inverted"),
        ("pits: {no-such-pit: {base: [1, 2]}}", "no such pit"),
        ("pits: {custom-kernels: {targets: {cuda: {base: [1, 2]}}}}", "unknown target"),
        ("status: {auto: {site: [1, 2]}}", "must not exceed"),
        ("status: {review: {weight: 0.1}}", "must not exceed"),
        ("severity: {info: 9}", "must not exceed"),
        ("statuses: {}", "Additional properties"),
        ("pits: {custom-kernels: {base: [1]}}", "too short"),
        ("scale: {full_sites: 0}", "minimum"),
        ("[1, 2", "cannot read YAML"),
    ],
)
def test_bad_configs_are_rejected_with_a_message(tmp_path, text, message):
    with pytest.raises(EffortConfigError, match=message):
        load(write(tmp_path, text))


def test_empty_config_is_the_default(tmp_path):
    assert load(write(tmp_path, "")) == dataclasses.replace(DEFAULT_CONFIG, pits={})


# --- display -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (0, 0, "0 person-days"),
        (0.04, 0.06, "0\u20130.1 person-days"),
        (0.25, 0.75, "0.2\u20130.8 person-days"),
        (3.2, 8.1, "3\u20138.5 person-days"),
        (5, 5, "5\u20135 person-days"),
        (19.4, 61.2, "19\u201362 person-days"),
    ],
)
def test_format_range_rounds_outwards_and_keeps_a_range(low, high, text):
    assert format_range(Range(low, high)) == text
