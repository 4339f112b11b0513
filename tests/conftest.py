"""Shared test settings: hypothesis without wall-clock deadlines (CI machines are slow and
shared), and ``needs_tool`` / ``needs_env`` which skip a test when an outside tool or the
environment variable naming downloaded files is missing, unless ``PORTER_REQUIRE_TOOLS=1`` (set
by ``.ci/run``) turns that skip into a failure."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import settings

# porter caches mapping tables and per-file results in the user's cache folder: give the test
# session (and the porter subprocesses it starts) a fresh one of its own.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="porter-test-cache-")

settings.register_profile("porter", deadline=None)
settings.load_profile("porter")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def _skip_or_fail(message: str) -> NoReturn:
    if os.environ.get("PORTER_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{message} (PORTER_REQUIRE_TOOLS=1 requires it)")
    pytest.skip(message)


def needs_tool(name: str, why: str) -> str:
    """The tool's path; skips (or fails under PORTER_REQUIRE_TOOLS=1) when it is not installed."""
    found = shutil.which(name)
    if found:
        return found
    _skip_or_fail(f"{name} not installed: {why}")


def needs_env(var: str, why: str) -> str:
    """The environment variable's value; skips (or fails under PORTER_REQUIRE_TOOLS=1) when it
    is unset or empty (``.ci/run`` sets the ones naming what it downloads)."""
    value = os.environ.get(var)
    if value:
        return value
    _skip_or_fail(f"{var} is not set: {why}")
