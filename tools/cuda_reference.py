"""Build the reference name lists that prove the CUDA mapping families (mappings/reference/).

Every replacement a ``cuda-*`` family offers names a list made here, from the vendors' own
headers and packages, so a made-up HIP, AscendCL or HCCL name fails the tests. The same script
lists the CUDA side (runtime, driver, libraries, headers) so that the families' *sources* are
proven real as well. Nothing is downloaded or compiled: the script reads header files and wheels
(as zip files) that were fetched with the ordinary package clients::

    apt-get install -y hipcc libamdhip64-dev rocm-device-libs librocrand-dev libhiprand-dev \
        librocprim-dev librocsparse-dev libhipsparse-dev          # HIP 5.2 headers, /usr/include
    pip download --no-deps -d W rocm-bindings-libraries rocm-bindings-systems   # hipBLAS, hipFFT,
        # hipSOLVER, RCCL, roctx names (AMD's hip-python Cython declarations)
    pip download --no-deps -d W hip-python-fork==6.3.3.540.31.1   # HIP 6.3 runtime names
    pip download --no-deps -d W torch-npu==2.14.0        # AscendCL and HCCL headers
    pip download --no-deps -d W nvidia-cublas-cu12 nvidia-curand-cu12 nvidia-cufft-cu12 \
        nvidia-cusparse-cu12 nvidia-cusolver-cu12 nvidia-cudnn-cu12 nvidia-nccl-cu12 \
        nvidia-cuda-nvrtc-cu12
    python tools/cuda_reference.py --wheels W            # CUDA toolkit headers from nvcc's tree

Each list records where its names came from in its header comment. A later, header-driven table
generator can reuse :func:`build_lists` and add lists by adding :class:`ListSpec` rows.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from porter.frontends.cuda_lexer import identifiers

OUT = Path(__file__).resolve().parent.parent / "mappings" / "reference"

#: C and C++ keywords: never API names, whatever a list's filter lets through.
KEYWORDS = frozenset(
    re.findall(
        r"\w+",
        """alignas alignof asm auto bool break case catch char class const constexpr const_cast
        continue decltype default define defined delete do double dynamic_cast elif else endif enum
        error explicit export extern false float for friend goto if ifdef ifndef include inline int
        line long mutable namespace new noexcept nullptr operator pragma private protected public
        register reinterpret_cast return short signed sizeof static static_assert static_cast struct
        switch template this throw true try typedef typeid typename undef union unsigned using
        virtual void volatile wchar_t while""",
    )
)

#: Where a Cython declaration file says its names come from: ``cdef extern from "x/y.h":``.
_PXD_HEADER = re.compile(r'cdef extern from "([^"]+)"')
_PXD_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Source:
    """A set of files: a directory's headers or a wheel's members, selected by glob patterns."""

    label: str
    read: Callable[[], Iterator[tuple[str, bytes]]]


@dataclass(frozen=True, slots=True)
class ListSpec:
    """One reference list: a name, what it holds, the files it reads and the names it keeps."""

    name: str
    title: str
    source: str
    members: tuple[str, ...]
    keep: str
    paths: bool = False


def dir_source(root: Path, label: str) -> Source:
    def read() -> Iterator[tuple[str, bytes]]:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".h", ".hpp", ".cuh", ".hxx", ".inl", ""}:
                yield path.relative_to(root).as_posix(), path.read_bytes()

    return Source(label, read)


def wheel_source(wheels: Iterable[Path], label: str) -> Source:
    def read() -> Iterator[tuple[str, bytes]]:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as archive:
                for member in archive.namelist():
                    if member.endswith((".h", ".hpp", ".pxd")):
                        yield member, archive.read(member)

    return Source(label, read)


def wheel_label(wheels: Iterable[Path]) -> str:
    """``nvidia_nccl_cu12-2.32.3-py3-none-...whl`` -> ``nvidia_nccl_cu12 2.32.3``."""
    return ", ".join(" ".join(w.name.split("-")[:2]) for w in wheels)


def include_relative(member: str) -> str:
    """``nvidia/cublas/include/cublas_v2.h`` -> ``cublas_v2.h`` (the path code #includes);
    torch-npu's ``include/third_party/hccl/inc/hccl/hccl.h`` -> ``hccl/hccl.h``."""
    marker = "/include/"
    relative = member.split(marker, 1)[1] if marker in member else member
    return re.sub(r"^third_party/[^/]+/inc/", "", relative)


def _names(member: str, data: bytes) -> Iterator[str]:
    if member.endswith(".pxd"):
        for line in data.decode("utf-8", errors="replace").splitlines():
            if not line.lstrip().startswith("#"):
                yield from _PXD_IDENT.findall(line)
    else:
        yield from identifiers(data)


def _headers(member: str, data: bytes) -> Iterator[str]:
    if member.endswith(".pxd"):
        yield from _PXD_HEADER.findall(data.decode("utf-8", errors="replace"))
    else:
        yield include_relative(member)


def collect(spec: ListSpec, source: Source) -> set[str]:
    """The names (or header paths) of ``spec`` found in ``source``."""
    members = [re.compile(pattern) for pattern in spec.members]
    keep = re.compile(spec.keep)
    found: set[str] = set()
    for member, data in source.read():
        if not any(pattern.search(member) for pattern in members):
            continue
        candidates = _headers(member, data) if spec.paths else _names(member, data)
        found.update(n for n in candidates if keep.fullmatch(n) and n not in KEYWORDS)
    return found


def write_list(spec: ListSpec, label: str, names: set[str], out: Path) -> Path:
    path = out / f"{spec.name}.txt"
    header = (
        f"# {spec.title}\n"
        f"# Generated by tools/cuda_reference.py from {label}; do not edit by hand.\n"
    )
    path.write_text(header + "".join(f"{name}\n" for name in sorted(names)), encoding="utf-8")
    return path


#: The HIP headers of the AMD platform (the NVIDIA-platform shims would "prove" CUDA names).
_HIP_AMD = r"^hip/(?!nvidia_detail/|nvcc_detail/)"
_HIP_API = r"(?:hip|HIP)\w+|__\w+|warpSize|atomic\w+|tex\w+|surf\w+|make_\w+|dim3|threadIdx|blockIdx|blockDim|gridDim"
_CU_API = r"(?:cuda|CUDA|cudart|CUDART)\w*|__\w+|make_\w+|dim3|warpSize|threadIdx|blockIdx|blockDim|gridDim|atomic\w+|tex\w+|surf\w+"

#: The CUDA toolkit headers of the runtime API and the device functions.
RUNTIME_HEADERS = (
    r"^(cuda_runtime(_api)?|driver_types|vector_types|library_types|surface_types|texture_types"
    r"|cuda_fp16|cuda_bf16|cuda_fp8|sm_\w+|device_\w+|channel_descriptor|cuda_texture_types"
    r"|cuda_surface_types|texture_fetch_functions|texture_indirect_functions|driver_functions"
    r"|surface_indirect_functions|cuda_profiler_api|crt/\w+)\.(h|hpp)$"
)

SPECS: tuple[ListSpec, ...] = (
    # --- ROCm, Debian's HIP 5.2 headers (the toolchain the compile tests use) ---
    ListSpec("hip-runtime", "HIP runtime, device functions and types (AMD platform headers)",
             "hip", (_HIP_AMD,), _HIP_API),
    ListSpec("hip-cooperative-groups", "HIP cooperative groups (every name of the headers)",
             "hip", (r"^hip/(hip_cooperative_groups\.h|amd_detail/(amd_hip_cooperative_groups|hip_cooperative_groups_helper)\.h)$",),
             r"[A-Za-z_]\w+"),
    ListSpec("hip-rand", "hipRAND host and device API (AMD platform headers)", "hip",
             (r"^hiprand/(?!\w*_nvcc\.h$)",), r"(?:hiprand|HIPRAND)\w*"),
    ListSpec("hip-sparse", "hipSPARSE API", "hip", (r"^hipsparse/",), r"(?:hipsparse|HIPSPARSE)\w+"),
    ListSpec("hip-includes", "HIP and ROCm library headers, as #include paths", "hip",
             (r"^(hip|hiprand|rocrand|rocprim|hipsparse|rocsparse)/",), r"[\w./+-]+", paths=True),
    # --- ROCm libraries Debian lacks: AMD's hip-python declarations of their headers ---
    ListSpec("hip-blas", "hipBLAS and hipBLASLt API", "rocm", (r"cyhipblas(lt)?\.pxd$",), r"(?:hipblas|HIPBLAS)\w+"),
    ListSpec("hip-fft", "hipFFT API", "rocm", (r"cyhipfft\.pxd$",), r"(?:hipfft|HIPFFT)\w+"),
    ListSpec("hip-solver", "hipSOLVER API", "rocm", (r"cyhipsolver\.pxd$",), r"(?:hipsolver|HIPSOLVER)\w+"),
    ListSpec("hip-rccl", "RCCL API (RCCL keeps NCCL's names)", "rocm", (r"cyrccl\.pxd$",), r"(?:nccl|NCCL|rccl)\w+"),
    ListSpec("hip-roctx", "roctx markers and ranges", "rocm", (r"cyroctx\.pxd$",), r"roctx\w+"),
    ListSpec("hip-dnn", "hipDNN API (AMD's library mirroring cuDNN's backend/graph API)", "rocm",
             (r"cyhipdnn_backend\.pxd$",), r"(?:hipdnn|HIPDNN)\w+"),
    ListSpec("hip-runtime-rocm6", "HIP 6.3 runtime host API (names HIP 5.2 may lack)", "hip6",
             (r"hip/chip\.pxd$",), r"(?:hip|HIP)\w+"),
    ListSpec("hip-library-includes", "ROCm library headers named by hip-python, as #include paths",
             "rocm", (r"\.pxd$",), r"[\w./+-]+", paths=True),
    # --- Ascend: AscendCL and HCCL headers shipped in the torch-npu wheel ---
    ListSpec("cuda-cann-acl", "AscendCL runtime API (acl/*.h), the CANN twins of CUDA runtime names",
             "npu", (r"/include/acl/",), r"(?:acl|ACL_)\w+"),
    ListSpec("cuda-cann-torch-npu", "torch_npu's C++ device API (c10_npu streams, guards, events)",
             "npu", (r"/include/torch_npu/csrc/core/npu/[^/]+\.h$",), r"[A-Za-z_]\w+"),
    ListSpec("cuda-cann-includes", "AscendCL and HCCL headers, as #include paths", "npu",
             (r"/include/(acl|third_party/hccl/inc)/",), r"[\w./+-]+", paths=True),
    ListSpec("cuda-cann-hccl", "HCCL API (hccl/*.h), the CANN twins of NCCL names",
             "npu", (r"/hccl/",), r"(?:Hccl|HCCL_|hccl)\w+"),
    # --- PyTorch's own C++ API: the CUDA names extensions use and their device-generic/XPU twins ---
    ListSpec("cuda-torch-cpp", "PyTorch C++ device API (c10/ATen core, CUDA and XPU parts)", "torch",
             (r"^(c10/(core|cuda|xpu)/[^/]+\.h|ATen/(cuda|xpu)/[^/]+\.h|ATen/(DeviceAccelerator|DeviceGuard|Dispatch|core/TensorBase|core/TensorBody)\.h|torch/csrc/api/include/torch/types\.h)$",),
             r"[A-Za-z_]\w+"),
    # --- CUDA: nvcc's toolkit headers and NVIDIA's library wheels (the sources porter detects) ---
    ListSpec("cuda-runtime", "CUDA runtime API, device functions and types", "cuda",
             (RUNTIME_HEADERS,),
             _CU_API),
    ListSpec("cuda-driver", "CUDA driver API", "cuda", (r"^(cuda|cudaProfiler)\.h$",),
             r"(?:cu[A-Z]|CU|cuda)\w*|__cuda_cuda_h__"),
    ListSpec("cuda-nvtx", "NVTX markers and ranges", "cuda", (r"^nvtx3/",), r"nvtx\w+"),
    ListSpec("cuda-cooperative-groups", "CUDA cooperative groups (every name of the headers)",
             "cuda", (r"^cooperative_groups(\.h$|/)",), r"[A-Za-z_]\w+"),
    ListSpec("cuda-wmma", "CUDA warp matrix functions (nvcuda::wmma)", "cuda", (r"^(mma\.h|crt/mma\.(h|hpp))$",), r"[A-Za-z_]\w+"),
    ListSpec("cuda-includes", "CUDA toolkit and library headers, as #include paths", "cuda+nvidia",
             (r"\.(h|hpp|cuh)$",), r"[\w./+-]+", paths=True),
    ListSpec("cuda-cublas", "cuBLAS and cuBLASLt API", "nvidia", (r"/cublas",), r"(?:cublas|CUBLAS)\w+"),
    ListSpec("cuda-curand", "cuRAND host and device API", "nvidia", (r"/curand",), r"(?:curand|CURAND)\w*"),
    ListSpec("cuda-cufft", "cuFFT API", "nvidia", (r"/cufft",), r"(?:cufft|CUFFT)\w+"),
    ListSpec("cuda-cusparse", "cuSPARSE API", "nvidia", (r"/cusparse",), r"(?:cusparse|CUSPARSE)\w+"),
    ListSpec("cuda-cusolver", "cuSOLVER API", "nvidia", (r"/cusolver",), r"(?:cusolver|CUSOLVER)\w+"),
    ListSpec("cuda-cudnn", "cuDNN API", "nvidia", (r"/cudnn",), r"(?:cudnn|CUDNN)\w+"),
    ListSpec("cuda-nccl", "NCCL API", "nvidia", (r"/nccl\.h$",), r"(?:nccl|NCCL)\w+"),
    ListSpec("cuda-nvrtc", "NVRTC run-time compilation API", "nvidia", (r"/nvrtc\.h$",), r"(?:nvrtc|NVRTC)\w+"),
)


def _version(path: Path, pattern: str) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "unknown version"
    found = re.findall(pattern, text)
    return ".".join(found) if found else "unknown version"


def _torch_include() -> Path | None:
    """The installed torch package's include folder, found without importing torch."""
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "include"


def sources(args: argparse.Namespace) -> dict[str, Source]:
    """The sources named on the command line; a list whose source is missing is not rebuilt."""
    found: dict[str, Source] = {}
    hip = Path(args.hip_include)
    if (hip / "hip" / "hip_runtime.h").is_file():
        version = _version(hip / "hip" / "hip_version.h", r"#define HIP_VERSION_(?:MAJOR|MINOR) (\d+)")
        found["hip"] = dir_source(hip, f"the HIP {version} headers of Debian's hipcc/libamdhip64-dev/libhiprand-dev/libhipsparse-dev packages")
    cuda = Path(args.cuda_include)
    if (cuda / "cuda_runtime_api.h").is_file():
        version = _version(cuda / "cuda.h", r"#define CUDA_VERSION (\d+)")
        found["cuda"] = dir_source(cuda, f"the CUDA toolkit headers (CUDA_VERSION {version})")
    torch = Path(args.torch_include) if args.torch_include else _torch_include()
    if torch is not None and (torch / "c10" / "core" / "Device.h").is_file():
        version = _version(torch / "torch" / "headeronly" / "version.h",
                           r"#define TORCH_VERSION_(?:MAJOR|MINOR|PATCH) (\d+)")
        found["torch"] = dir_source(torch, f"the C++ headers of the installed torch package ({version})")
    wheels = sorted({w for folder in args.wheels or () for w in Path(folder).glob("*.whl")})
    rocm = [w for w in wheels if w.name.startswith("rocm_bindings_")]
    hip6 = [w for w in wheels if w.name.startswith("hip_python_fork-")]
    npu = [w for w in wheels if w.name.startswith("torch_npu-")]
    nvidia = [w for w in wheels if w.name.startswith("nvidia_")]
    if rocm:
        found["rocm"] = wheel_source(rocm, "AMD's hip-python declarations in " + wheel_label(rocm))
    if hip6:
        found["hip6"] = wheel_source(hip6, "AMD's hip-python declarations in " + wheel_label(hip6))
    if npu:
        found["npu"] = wheel_source(npu, "the AscendCL/HCCL headers in " + wheel_label(npu))
    if nvidia:
        found["nvidia"] = wheel_source(nvidia, "the headers in " + wheel_label(nvidia))
    if "cuda" in found and "nvidia" in found:
        cuda_src, nvidia_src = found["cuda"], found["nvidia"]

        def both() -> Iterator[tuple[str, bytes]]:
            yield from cuda_src.read()
            for member, data in nvidia_src.read():
                yield include_relative(member), data

        found["cuda+nvidia"] = Source(f"{cuda_src.label} and {nvidia_src.label}", both)
    return found


def build_lists(args: argparse.Namespace) -> list[tuple[Path, int]]:
    available = sources(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in SPECS:
        if args.only and spec.name not in args.only:
            continue
        source = available.get(spec.source)
        if source is None:
            print(f"skip {spec.name}: source {spec.source!r} not given", file=sys.stderr)
            continue
        names = collect(spec, source)
        if not names:
            raise SystemExit(f"{spec.name}: no names found in {source.label}")
        written.append((write_list(spec, source.label, names, out), len(names)))
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hip-include", default="/usr/include", help="folder holding hip/, hiprand/ ...")
    parser.add_argument("--cuda-include", default="/usr/local/cuda/include", help="the CUDA toolkit's include folder")
    parser.add_argument("--torch-include", help="torch's include folder (default: the installed torch)")
    parser.add_argument("--wheels", action="append",
                        help="folder of downloaded wheels (rocm-bindings-*, hip-python-fork, torch-npu, nvidia-*); repeatable")
    parser.add_argument("--out", default=str(OUT), help="where the lists go (default: mappings/reference)")
    parser.add_argument("--only", nargs="*", help="rebuild only these lists")
    args = parser.parse_args(argv)
    for path, count in build_lists(args):
        print(f"{path.name}: {count} names")


if __name__ == "__main__":
    main()
