"""porter/hipdecl.py: Cython declarations -> C++ headers, on small inline ``.pxd`` files and on
AMD's real wheels ($PORTER_ROCM_BINDINGS, downloaded by ``.ci/run``), whose generated headers
must each compile on their own with hipcc."""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest import needs_env, needs_tool

from porter.hipdecl import ROCM_BINDINGS, Header, convert, rocm_wheels, wheel_sources, write_headers


def header(pxd: str, module: str = "rocm.bindings.cyfoo", **others: str) -> Header:
    """The header converted from one inline .pxd (and other modules it may cimport)."""
    sources = {module: textwrap.dedent(pxd), **{m: textwrap.dedent(t) for m, t in others.items()}}
    return convert(sources)[module]


def body(pxd: str) -> list[str]:
    return header(pxd).body


def hipcc_syntax(source: Path, include: Path) -> subprocess.CompletedProcess[str]:
    hipcc = needs_tool("hipcc", "compiles the generated headers (apt-get install hipcc libamdhip64-dev)")
    command = [hipcc, "-x", "hip", "--offload-arch=gfx90a", "-std=c++17", "-fsyntax-only", "-I", str(include),
               str(source)]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, "HIP_PLATFORM": "amd"},
                          timeout=600, check=False)


def errors(done: subprocess.CompletedProcess[str]) -> str:
    return "\n".join(line for line in done.stderr.splitlines() if "error" in line)[:3000]


FFT_LIKE = '''
    # MIT License (a comment)
    from libc.stdint cimport *
    ctypedef bint _Bool # bool is not a reserved keyword in C, _Bool is
    from rocm.bindings.cyhip cimport hipStream_t, float2
    cdef extern from "foo/foo.h":

        cdef int FOO_FORWARD

        cdef char * FOO_SUFFIX

        cdef enum fooResult_t:
            FOO_SUCCESS
            FOO_FAILED

        ctypedef fooResult_t fooResult

        ctypedef enum fooMode_t:
            FOO_MODE_A = 1
            FOO_MODE_B = 4

        cdef struct fooHandle_t:
            pass

        ctypedef fooHandle_t * fooHandle

        ctypedef float2 fooComplex

        ctypedef struct fooId:
            char internal[128]

        cdef struct fooConfig:
            size_t size
            const char * name
            unsigned int flags[4]
            int64_t * counts

        ctypedef union fooValue:
            int i
            double d

    # @brief Create a plan.
    cdef fooResult_t fooPlan(fooHandle * plan,int nx,fooMode_t mode) except? FOO_FAILED nogil

    cdef fooResult_t fooRun(fooHandle plan,
            fooComplex * data,
            hipStream_t stream) except? FOO_FAILED nogil

    cdef const char * fooName(fooResult_t result) noexcept nogil

    cdef bint fooIsReady(fooHandle plan,_Bool strict) noexcept nogil

    cdef void fooReset(int new,int this) noexcept nogil

    ctypedef int (*fooCallback) (void *,const char * message,size_t)

    ctypedef unsigned int[32] fooVectors32_t

    cdef fooResult_t fooVectors(unsigned int (**vectors)[32]) except? FOO_FAILED nogil

    cdef bint __foo_has_symbol(const char* name) noexcept nogil
'''


def test_constants_are_placeholders_or_externs() -> None:
    lines = body(FFT_LIKE)
    assert "static const int FOO_FORWARD = 1;  // placeholder value" in lines
    assert "extern char *FOO_SUFFIX;" in lines


def test_enums_keep_their_members_and_values() -> None:
    lines = body(FFT_LIKE)
    assert "enum fooResult_t { FOO_SUCCESS, FOO_FAILED };" in lines
    assert "typedef enum fooMode_t { FOO_MODE_A = 1, FOO_MODE_B = 4 } fooMode_t;" in lines
    assert "typedef fooResult_t fooResult;" in lines


def test_structs_unions_and_opaque_types() -> None:
    text = header(FFT_LIKE).text
    assert "struct fooHandle_t;\ntypedef fooHandle_t *fooHandle;" in text
    assert "typedef struct fooId {\n  char internal[128];\n} fooId;" in text
    assert ("struct fooConfig {\n  size_t size;\n  const char *name;\n  unsigned int flags[4];\n"
            "  int64_t *counts;\n};") in text
    assert "typedef union fooValue {\n  int i;\n  double d;\n} fooValue;" in text


def test_functions_lose_cython_suffixes_and_keep_their_prototypes() -> None:
    lines = body(FFT_LIKE)
    assert "fooResult_t fooPlan(fooHandle *plan, int nx, fooMode_t mode);" in lines
    assert "fooResult_t fooRun(fooHandle plan, fooComplex *data, hipStream_t stream);" in lines  # 3 lines
    assert "const char *fooName(fooResult_t result);" in lines
    assert "bool fooIsReady(fooHandle plan, bool strict);" in lines
    assert "void fooReset(int new_, int this_);" in lines  # C++ keywords as parameter names
    assert "typedef int (*fooCallback)(void *, const char *message, size_t);" in lines
    assert "typedef unsigned int fooVectors32_t[32];" in lines
    assert "fooResult_t fooVectors(unsigned int (**vectors)[32]);" in lines


def test_includes_and_what_is_skipped() -> None:
    h = header(FFT_LIKE)
    assert h.path == "foo/foo.h"
    assert h.includes[0] == "hip/hip_runtime.h" and "stdint.h" in h.includes
    assert h.text.startswith("// foo/foo.h: generated")
    assert [reason for _, reason in h.skipped] == ["binding helper, not part of the C API"]
    assert {"FOO_FORWARD", "FOO_MODE_B", "fooHandle", "fooPlan", "fooVectors32_t"} <= h.declared
    assert "__foo_has_symbol" not in h.declared
    assert not any("#" in line for line in h.body), "comments leaked into the header"


def test_undeclared_types_and_unknown_statements_are_skipped_and_counted() -> None:
    h = header('''
        from rocm.bindings.cyhip cimport hipStream_t
        cdef extern from "bar/bar.h":
            ctypedef nowhere_t * barHandle
            cdef struct barThing:
                mystery_t field
            cdef cppclass Widget:
                pass
        cdef int barOk(hipStream_t s) noexcept nogil
        cdef int barBad(mystery_t m) noexcept nogil
    ''')
    assert h.body == ["int barOk(hipStream_t s);"]
    reasons = dict((source.split("(")[0], reason) for source, reason in h.skipped)
    assert reasons == {
        "ctypedef nowhere_t * barHandle": "undeclared type nowhere_t",
        "cdef struct barThing:": "undeclared type mystery_t",
        "cdef cppclass Widget:": "block not understood",
        "cdef int barBad": "undeclared type mystery_t",
    }


def test_star_cimports_resolve_against_the_runtime_and_other_converted_modules() -> None:
    base = '''
        from rocm.bindings.cyhip cimport *
        cdef extern from "base/base.h":
            ctypedef void * baseHandle_t
        cdef int baseInit(baseHandle_t * h, hipDataType t) noexcept nogil
    '''
    user = '''
        from rocm.bindings.cyhip cimport *
        from rocm.bindings.cybase cimport *
        cdef extern from "user/user.h":
            ctypedef baseHandle_t userHandle_t
    '''
    headers = convert({"rocm.bindings.cyuser": textwrap.dedent(user), "rocm.bindings.cybase": textwrap.dedent(base)})
    assert headers["rocm.bindings.cybase"].body[-1] == "int baseInit(baseHandle_t *h, hipDataType t);"
    assert "base/base.h" in headers["rocm.bindings.cyuser"].includes
    assert headers["rocm.bindings.cyuser"].body == ["typedef baseHandle_t userHandle_t;"]


def test_system_types_copied_into_a_pxd_are_included_instead() -> None:
    h = header('''
        cdef extern from "t/t.h":
            cdef struct timespec:
                long tv_sec
                long tv_nsec
            ctypedef struct tStamp:
                timespec when
                tStamp * previous
    ''')
    assert "time.h" in h.includes
    assert h.body == ["typedef struct tStamp {", "  timespec when;", "  tStamp *previous;", "} tStamp;"]
    assert h.skipped == [("cdef struct timespec:", "already declared by <time.h>, included instead")]


def test_write_headers_reads_the_wheel_as_a_zip_and_writes_at_the_extern_path(tmp_path: Path) -> None:
    wheel = tmp_path / "rocm_bindings_demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("rocm/bindings/cyfoo.pxd", textwrap.dedent(FFT_LIKE))
        archive.writestr("rocm/bindings/foo.pxd", "cimport rocm.bindings.cyfoo\n")  # not a cy*.pxd
    assert list(wheel_sources([wheel])) == ["rocm.bindings.cyfoo"]
    write_headers([wheel], tmp_path / "include")
    assert (tmp_path / "include" / "foo" / "foo.h").read_text(encoding="utf-8") == header(FFT_LIKE).text
    with pytest.raises(LookupError):
        write_headers([wheel], tmp_path / "other", ["rocm.bindings.cybar"])


def test_the_inline_header_compiles_and_rejects_a_wrong_call(tmp_path: Path) -> None:
    (tmp_path / "foo").mkdir()
    (tmp_path / "foo" / "foo.h").write_text(header(FFT_LIKE).text, encoding="utf-8")
    good = tmp_path / "good.cpp"
    good.write_text('#include <foo/foo.h>\nint f(fooHandle h, fooComplex* d, hipStream_t s) {\n'
                    '  switch (fooRun(h, d, s)) { case FOO_SUCCESS: return FOO_FORWARD; default: return 0; }\n}\n',
                    encoding="utf-8")
    done = hipcc_syntax(good, tmp_path)
    assert done.returncode == 0, errors(done)
    bad = tmp_path / "bad.cpp"
    bad.write_text("#include <foo/foo.h>\nint f(fooHandle h, fooComplex* d) { return fooRun(h, d); }\n",
                   encoding="utf-8")
    assert "no matching function for call to 'fooRun'" in hipcc_syntax(bad, tmp_path).stderr


def test_amds_real_declarations_convert_whole_and_every_header_compiles(tmp_path: Path) -> None:
    folder = needs_env(ROCM_BINDINGS, "names the folder of the rocm-bindings wheels (see .ci/run)")
    wheels = rocm_wheels(Path(folder))
    sources = wheel_sources(wheels)
    headers = write_headers(wheels, tmp_path)
    assert {"rocm.bindings.cyhipblas", "rocm.bindings.cyhipfft", "rocm.bindings.cyrccl"} <= set(headers)
    failures = []
    for module, h in sorted(headers.items()):
        # every function prototype of the file is declared, except the bindings' own helper
        prototypes = set(re.findall(r"^cdef\s[^(\n]*?\b(\w+)\(", sources[module], re.MULTILINE))
        assert sorted(prototypes - h.declared) == [f"__{module.removeprefix('rocm.bindings.cy')}_has_symbol"]
        # and nothing else was skipped, but the two system types a file copies
        assert {reason for _, reason in h.skipped} <= {
            "binding helper, not part of the C API",
            "already declared by <time.h>, included instead",
            "already declared by <hip/hip_runtime.h>, included instead",
        }, (module, h.skipped)
        unit = tmp_path / f"{module}.cpp"
        unit.write_text(f"#include <{h.path}>\n", encoding="utf-8")
        done = hipcc_syntax(unit, tmp_path)
        if done.returncode:
            failures.append(f"{h.path}:\n{errors(done)}")
    assert failures == []
