"""Shared fixtures: the real sample data, a service over it, broken copies, and the CLI."""
from __future__ import annotations

import io
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "policy_data"
sys.path.insert(0, str(ROOT))

from builder.cli import main  # noqa: E402
from policy.cases import Service  # noqa: E402
from policy.loader import load_all  # noqa: E402


@pytest.fixture(scope="session")
def jurisdictions():
    loaded, problems = load_all(DATA, run_examples=False)
    assert problems == []
    return loaded


@pytest.fixture(scope="session")
def service(jurisdictions):
    return Service(jurisdictions)


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of policy_data/ to break on purpose."""
    target = tmp_path / "policy_data"
    shutil.copytree(DATA, target)
    return target


def run_cli(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    """Run build.py in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(args)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli():
    return run_cli
