"""Property-based fuzzing of the Python and CUDA frontends and of the edit applier.

Two kinds of input: arbitrary bytes (the frontends must not raise and must stay inside the file)
and grammar-ish sources assembled from lock-in fragments, comments, strings, odd newlines and
tabs (the port must also be sound: edits in range and disjoint, every byte outside an edit kept,
and a second port of the ported bytes changes nothing). ``EXAMPLES`` sums the iterations that
docs/reliability.md reports.
"""

from __future__ import annotations

import codecs
import itertools
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porter.frontends.base import LineIndex
from porter.frontends.cuda import CudaFrontend
from porter.frontends.python import PythonFrontend
from porter.mappings import default_tables
from porter.model import Edit, FileResult
from porter.port import port_file
from porter.rewrite.apply import apply_edits, plan_edits
from porter.scan import analyze_bytes

TABLES = default_tables()
TARGETS = TABLES.target_ids
FILE_STATUSES = {"scanned", "partial", "skipped", "error"}

#: Iterations per property (hypothesis ``max_examples``); docs/reliability.md gives the total.
EXAMPLES = {
    "python_bytes": 300,
    "cuda_bytes": 300,
    "python_grammar": 300,
    "cuda_grammar": 300,
    "line_index": 500,
    "applier_order": 500,
    "applier_sizes": 500,
}

PY_LINES = (
    "import torch",
    "import torch as T",
    "import os, subprocess",
    "import torch.distributed as dist",
    "from torch import cuda",
    "from torch.cuda import amp",
    "import torch.cuda.amp",
    "import cupy",
    "import torch_npu",
    "torch.cuda.synchronize()",
    "ok = torch.cuda.is_available()",
    "n = torch.cuda.device_count()",
    "x = x.cuda()",
    "x = x.cuda(non_blocking=True)",
    "y = x.to('cuda:0')",
    'dev = torch.device("cuda")',
    "dev = torch.device('cuda', 1)",
    "T.cuda.empty_cache()",
    "cuda.synchronize()",
    "scaler = amp.GradScaler()",
    "scaler = torch.cuda.amp.GradScaler()",
    "torch.backends.cudnn.benchmark = True",
    "torch.backends.cuda.matmul.allow_tf32 = True",
    "dist.init_process_group('nccl')",
    'dist.init_process_group(backend="nccl", init_method="env://")',
    "os.environ['CUDA_VISIBLE_DEVICES'] = '0'",
    "v = torch.version.cuda",
    "flag = x.is_cuda",
    "ctx = torch.autocast('cuda')",
    "ctx = torch.amp.autocast(\"cuda\", dtype=torch.float16)",
    'print("torch.cuda in a string, cuda too")',
    "# torch.cuda.synchronize() in a comment",
    "s = f'{torch.cuda.device_count()} gpus on cuda'",
    'subprocess.run(["nvidia-smi"])',
    "t = torch.cuda.FloatTensor(3)",
    "torch.cuda.set_device(local_rank)",
    "m = torch.cuda.max_memory_allocated()",
    "x = torch.randn(2, device='cuda')",
    "z = (torch.cuda\n     .synchronize())",
    "w = torch.cuda.\\\n    current_device()",
    "a = '''\ntorch.cuda.synchronize()\n'''",
    "",
    "x = 1  # porter: ignore[py-torch-cuda]",
    "π = torch.cuda.current_device()",
)
PY_BLOCKS = (
    "with torch.cuda.amp.autocast():\n{i}loss = model(x.cuda())",
    "def f(x=torch.cuda.current_device()):\n{i}return x.to('cuda')",
    "class M(torch.nn.Module):\n{i}def forward(self, x):\n{i}{i}return x.cuda()",
    "if torch.cuda.is_available():\n{i}torch.cuda.manual_seed_all(0)\nelse:\n{i}pass",
    "for d in range(torch.cuda.device_count()):\n{i}torch.cuda.set_device(d)",
    "try:\n{i}import apex\nexcept ImportError:\n{i}apex = None",
    "f = lambda t: t.cuda()",
)

CU_LINES = (
    "#include <cuda_runtime.h>",
    '#include "cublas_v2.h"',
    "#include <cuda.h>",
    "#include <nccl.h>",
    "#include <cub/cub.cuh>",
    "#include <thrust/device_vector.h>",
    "__global__ void k(float* x) { x[threadIdx.x] = 0; }",
    "__device__ __forceinline__ float sq(float v) { return v * v; }",
    "cudaMalloc(&p, n);",
    "cudaMemcpy(d, h, n, cudaMemcpyHostToDevice);",
    "k<<<grid, block, 0, stream>>>(p);",
    "k<<<1, 32>>>(p);",
    "cudaStream_t s; cudaStreamCreate(&s);",
    "cublasHandle_t h; cublasCreate(&h);",
    "#define CHECK(x) do { cudaError_t e = (x); if (e != cudaSuccess) abort(); } while (0)",
    "CHECK(cudaFree(p));",
    "#define LAUNCH(k) k<<<1, 1>>>()",
    "#define ALLOC cudaMalloc",
    "__shared__ float buf[32];",
    "int lane = threadIdx.x % 32;",
    "v += __shfl_down_sync(0xffffffff, v, 16);",
    "// cudaMalloc(&p, n) in a comment",
    'const char* s = "cudaMalloc in a string";',
    "#if 0\ncudaDeviceReset();\n#endif",
    'asm volatile("mov.u32 %0, %%laneid;" : "=r"(x));',
    "auto st = at::cuda::getCurrentCUDAStream();",
    "cub::BlockReduce<float, 128> r;",
    "thrust::device_vector<int> v(10);",
    "ncclAllReduce(a, b, n, ncclFloat, ncclSum, comm, s);",
    'nvtxRangePushA("x");',
    "CUresult r = cuInit(0);",
    "if (x.is_cuda()) { y = x.cuda(); }",
    "template <typename T> __global__ void t(T* p) {}",
    "int warp = warpSize;",
    "/* block comment cudaFree(p) */",
    "",
    "float é = 1;",
)
#: Broken pieces a real tree holds: unterminated comments and strings, stray braces and launches.
CU_BROKEN = ("/* never closed", '"never closed', "{", "}", "k<<<", ">>>", "#if 1", "#endif", "\\")

NEWLINES = st.sampled_from(["\n", "\r\n"])
INDENTS = st.sampled_from(["    ", "\t", "  "])


@st.composite
def python_sources(draw: st.DrawFn) -> bytes:
    """A Python file of lock-in lines and blocks with mixed newlines, indents and a BOM."""
    indent = draw(INDENTS)
    pieces = draw(
        st.lists(
            st.one_of(st.sampled_from(PY_LINES), st.sampled_from(PY_BLOCKS).map(lambda b: b.format(i=indent))),
            max_size=12,
        )
    )
    mixed = draw(st.booleans())
    newline = draw(NEWLINES)
    text = ""
    for piece in pieces:
        end = draw(NEWLINES) if mixed else newline
        text += piece.replace("\n", end) + end
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no newline at the end of the file
    bom = codecs.BOM_UTF8 if draw(st.booleans()) else b""
    return bom + text.encode("utf-8")


@st.composite
def cuda_sources(draw: st.DrawFn) -> bytes:
    """A CUDA file of lock-in lines, some broken pieces, odd newlines, nesting and a BOM."""
    pieces = draw(st.lists(st.sampled_from(CU_LINES + CU_BROKEN), max_size=14))
    newline = draw(NEWLINES)
    body = newline.join(piece.replace("\n", newline) for piece in pieces)
    if draw(st.booleans()):
        body = "void host() {" + newline + body + newline + "}"
    bom = codecs.BOM_UTF8 if draw(st.booleans()) else b""
    return bom + body.encode("utf-8")


#: Bytes that look like code: vocabulary, punctuation, newlines, non-ASCII and invalid UTF-8.
CODEISH = st.lists(
    st.sampled_from(
        [b"torch", b".cuda", b"cuda", b"(", b")", b"[", b"]", b"{", b"}", b"'", b'"', b"#", b"\\",
         b"\n", b"\r\n", b"\r", b"\t", b"    ", b":", b"=", b"<<<", b">>>", b"cudaMalloc", b"/*",
         b"*/", b"//", b"import ", b"nccl", b"\xe2\x80\xae", b"\xff", b"\xc3", b"\x00", b"x"]
    ),
    max_size=60,
).map(b"".join)


def check_result(result: FileResult, path: str, data: bytes) -> None:
    """What every FileResult must satisfy: its path, a status, a note when it is not clean,
    spans inside the file and edits inside the bytes, disjoint per target."""
    assert result.path == path
    assert result.status in FILE_STATUSES
    if result.status != "scanned":
        assert result.note
    last_line = data.count(b"\n") + 1
    for finding in result.findings:
        span = finding.span
        assert 1 <= span.line <= span.end_line <= last_line, finding
        assert span.column >= 1 and span.end_column >= 1
        if span.line == span.end_line:
            assert span.column <= span.end_column
        assert set(finding.targets) == set(TARGETS)
    for target in TARGETS:
        edits = [e for f in result.findings for e in f.targets[target].edits]
        edits += list(result.file_edits.get(target, ()))
        for edit in edits:
            assert 0 <= edit.start <= edit.end <= len(data), edit
        _, dropped = plan_edits(edits, len(data))
        assert dropped == (), f"{target}: overlapping edits {dropped}"


def rebuilt(data: bytes, edits: list[Edit]) -> bytes:
    """The expected output rebuilt from the untouched gaps between the kept edits."""
    kept, _ = plan_edits(edits, len(data))
    out, cursor = b"", 0
    for edit in kept:
        out += data[cursor : edit.start] + edit.text.encode("utf-8")
        cursor = edit.end
    return out + data[cursor:]


def _newlines(data: bytes) -> set[bytes]:
    """The newline styles a file uses: an insertion must not bring in another one."""
    styles = set()
    if b"\r\n" in data:
        styles.add(b"\r\n")
    if data.replace(b"\r\n", b"").count(b"\n"):
        styles.add(b"\n")
    return styles


def check_port(path: str, data: bytes, result: FileResult) -> None:
    """Per target: the port keeps every byte outside its edits, and porting again is a no-op."""
    frontend = PythonFrontend() if path.endswith(".py") else CudaFrontend()
    for target in TARGETS:
        port = port_file(result, data, target, TABLES)
        assert "would not parse" not in (port.note or ""), (target, port.note)
        assert _newlines(port.ported) <= _newlines(data) or not _newlines(data), target
        if port.changed:
            edits = [e for f in result.findings for e in f.targets[target].edits]
            edits += list(result.file_edits.get(target, ()))
            assert port.ported == rebuilt(data, edits)
        again = frontend.analyze(path, port.ported, TABLES)
        check_result(again, path, port.ported)
        second = port_file(again, port.ported, target, TABLES)
        assert not second.changed, (target, port.ported, second.ported)


@settings(max_examples=EXAMPLES["python_bytes"], suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), CODEISH))
def test_python_frontend_survives_any_bytes(data: bytes) -> None:
    result = PythonFrontend().analyze("fuzz.py", data, TABLES)
    check_result(result, "fuzz.py", data)
    through_scanner = analyze_bytes("fuzz.py", data, TABLES)
    assert through_scanner is not None
    check_result(through_scanner, "fuzz.py", data)


@settings(max_examples=EXAMPLES["cuda_bytes"], suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), CODEISH))
def test_cuda_frontend_survives_any_bytes(data: bytes) -> None:
    result = CudaFrontend().analyze("fuzz.cu", data, TABLES)
    check_result(result, "fuzz.cu", data)
    through_scanner = analyze_bytes("fuzz.cu", data, TABLES)
    assert through_scanner is not None
    check_result(through_scanner, "fuzz.cu", data)


@settings(max_examples=EXAMPLES["python_grammar"], suppress_health_check=[HealthCheck.too_slow])
@given(python_sources())
def test_python_port_is_sound_and_idempotent(data: bytes) -> None:
    result = PythonFrontend().analyze("gen.py", data, TABLES)
    check_result(result, "gen.py", data)
    check_port("gen.py", data, result)


@settings(max_examples=EXAMPLES["cuda_grammar"], suppress_health_check=[HealthCheck.too_slow])
@given(cuda_sources())
def test_cuda_port_is_sound_and_idempotent(data: bytes) -> None:
    result = CudaFrontend().analyze("gen.cu", data, TABLES)
    check_result(result, "gen.cu", data)
    check_port("gen.cu", data, result)


@settings(max_examples=EXAMPLES["line_index"])
@given(st.lists(st.sampled_from([b"a", b"\t", b"\n", b"\r\n", b"\xc3\xa9", b"\xe2\x82", b"\xff", b"\xf0\x9f\x98\x80"]),
                max_size=80).map(b"".join), st.lists(st.integers(0, 400), max_size=30))
def test_line_index_columns_match_a_decode_of_the_line_prefix(data: bytes, offsets: list[int]) -> None:
    """The memoised columns (fast path for long minified lines) equal the plain definition,
    whatever order the offsets are asked in and wherever they fall (inside a character too)."""
    index = LineIndex(data)
    for offset in (min(o, len(data)) for o in offsets):
        line = data.count(b"\n", 0, offset)
        start = data.rfind(b"\n", 0, offset) + 1
        expected = (line + 1, len(data[start:offset].decode("utf-8", errors="replace")) + 1)
        assert index.position(offset) == expected


@st.composite
def data_and_edits(draw: st.DrawFn) -> tuple[bytes, list[Edit]]:
    data = draw(st.binary(max_size=80))
    edits = []
    for _ in range(draw(st.integers(0, 10))):
        start = draw(st.integers(-2, len(data) + 2))
        end = draw(st.integers(start - 1, len(data) + 3))
        edits.append(Edit(start, end, draw(st.text(max_size=6))))
    return data, edits


@settings(max_examples=EXAMPLES["applier_order"])
@given(data_and_edits(), st.randoms(use_true_random=False))
def test_applier_ignores_the_order_edits_come_in(case: tuple[bytes, list[Edit]], rng: random.Random) -> None:
    """Frontends emit edits in any order: the result must not depend on it (insertions at one
    offset are the documented exception, so those cases keep one insertion per offset)."""
    data, edits = case
    inserts = [e.start for e in edits if e.start == e.end]
    if len(inserts) != len(set(inserts)):
        edits = [e for e in edits if e.start != e.end]
    shuffled = list(edits)
    rng.shuffle(shuffled)
    assert apply_edits(data, shuffled).data == apply_edits(data, edits).data


@settings(max_examples=EXAMPLES["applier_sizes"])
@given(data_and_edits())
def test_applier_drops_only_what_it_must(case: tuple[bytes, list[Edit]]) -> None:
    """Every dropped edit is out of range or overlaps a kept one, and the output size adds up."""
    data, edits = case
    result = apply_edits(data, edits)
    for edit in result.dropped:
        out_of_range = edit.start < 0 or edit.end > len(data) or edit.start > edit.end
        clashes = any(
            (edit.start < kept.end and kept.start < edit.end)
            or (edit.start == kept.start and edit.end > edit.start and kept.end > kept.start)
            for kept in result.applied
        )
        assert out_of_range or clashes, edit
    for before, after in itertools.pairwise(result.applied):
        assert before.end <= after.start
    removed = sum(e.end - e.start for e in result.applied)
    added = sum(len(e.text.encode("utf-8")) for e in result.applied)
    assert len(result.data) == len(data) - removed + added
