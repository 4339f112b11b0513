"""The frontends, one per language, and the choice of which one reads a file."""

from __future__ import annotations

import functools

from porter.frontends.base import Frontend


@functools.cache
def all_frontends() -> tuple[Frontend, ...]:
    """Every frontend, most specific first (a notebook before Python, CUDA before plain C++)."""
    from porter.frontends.cmake import CMakeFrontend
    from porter.frontends.conda import CondaFrontend
    from porter.frontends.cuda import CudaFrontend
    from porter.frontends.dockerfile import DockerfileFrontend
    from porter.frontends.k8s import K8sFrontend
    from porter.frontends.notebook import NotebookFrontend
    from porter.frontends.pyproject import PyprojectFrontend
    from porter.frontends.python import PythonFrontend
    from porter.frontends.requirements import RequirementsFrontend
    from porter.frontends.shell import ShellFrontend
    from porter.frontends.workflows import WorkflowsFrontend

    return (
        NotebookFrontend(),
        PythonFrontend(),
        CudaFrontend(),
        CMakeFrontend(),
        DockerfileFrontend(),
        ShellFrontend(),
        WorkflowsFrontend(),  # before conda and k8s: .github/workflows/environment.yml is a workflow
        RequirementsFrontend(),
        PyprojectFrontend(),
        CondaFrontend(),
        K8sFrontend(),
    )


def frontend_for(path: str, head: bytes) -> Frontend | None:
    """The frontend that reads ``path``, or None when porter has nothing to say about it."""
    for frontend in all_frontends():
        if frontend.claims(path, head):
            return frontend
    return None
