"""Issue 13, items 7, 8 and 15: whatever sits in the data folder — unreadable files and folders,
links out of it, link loops, pipes, devices, folders in place of files — `check` names it in
one clear problem, never a traceback or a hang, and never passes.

`check` runs as an ordinary user here (root reads everything, whatever the permissions say):
as uid/gid 65534 through `setpriv` when the tests run as root, as themselves otherwise.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import DATA, ROOT

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _as_user() -> list[str]:
    """The command prefix that runs a child without root's override of file permissions."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("runs as root and setpriv is missing: cannot drop root's override of file permissions")
    probe = subprocess.run([*NOBODY, sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); import policy"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot run as an ordinary user here: {probe.stderr.decode()[:200]}")
    return NOBODY


@pytest.fixture
def shared_copy():
    """A copy of policy_data/ that uid 65534 may read (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="wt13-data-"))
    base.chmod(0o755)
    target = base / "policy_data"
    shutil.copytree(DATA, target)
    yield target
    for path in [base, *base.rglob("*")]:  # give back what a test took away, then remove it
        if not path.is_symlink() and not stat.S_ISFIFO(path.lstat().st_mode):
            path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(base)


def check_as_user(data: Path) -> tuple[int, str]:
    run = subprocess.run([*_as_user(), sys.executable, "build.py", "check", "--data", str(data)], cwd=ROOT,
                         capture_output=True, timeout=120)
    err = run.stderr.decode("utf-8")
    assert "Traceback" not in err and "Error:" not in err, err[-2000:]
    assert run.stdout == b""  # never "检查通过"
    return run.returncode, err


def lines_about(err: str, rel: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(f"{rel}:") or line.startswith(f"{rel} ")
            or f"/{rel}:" in line]


def test_every_kind_of_thing_in_a_files_place_is_one_clear_problem(shared_copy):
    z, j = shared_copy / "zixi", shared_copy / "jixian"
    hazards = {}

    def put(rel, make, phrase):
        path = shared_copy / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        make(path)
        hazards[rel] = phrase

    put("zixi/contacts.yaml", lambda p: p.mkdir(), "却是一个文件夹")
    put("zixi/calendar.yaml", os.mkfifo, "管道")
    put("zixi/levels.yaml", lambda p: p.symlink_to("levels.yaml"), "循环")
    put("zixi/hospitals.yaml", lambda p: p.symlink_to("/etc/passwd"), "数据文件夹以外")
    put("zixi/commitments.yaml", lambda p: p.symlink_to("/dev/zero"), "数据文件夹以外")
    put("zixi/complaints.yaml", lambda p: p.symlink_to("nowhere.yaml"), "指向的文件不存在")
    (z / "diseases.yaml").chmod(0)
    hazards["zixi/diseases.yaml"] = "没有读取权限"
    (z / "townships").chmod(0)
    hazards["zixi/townships"] = "没有读取权限"
    (j / "examples").chmod(0o300)  # can enter, cannot list
    hazards["jixian/examples"] = "没有读取权限"
    code, err = check_as_user(shared_copy)
    assert code == 1
    for rel, phrase in hazards.items():
        found = lines_about(err, rel)
        assert len(found) == 1 and phrase in found[0], (rel, found, err[-3000:])
    assert "root:" not in err  # nothing of /etc/passwd leaks
    # an unreadable townships/ is one problem, not one "not defined" per village reference
    assert "没有定义：它应是乡镇" not in err


def test_an_unreadable_examples_folder_fails_check_instead_of_skipping_its_examples(shared_copy):
    (shared_copy / "zixi/examples").chmod(0o300)
    code, err = check_as_user(shared_copy)
    assert code == 1 and len(lines_about(err, "zixi/examples")) == 1


def test_an_unreadable_example_file_fails_check(shared_copy):
    first = sorted((shared_copy / "zixi/examples").glob("*.yaml"))[0]
    first.chmod(0)
    code, err = check_as_user(shared_copy)
    rel = first.relative_to(shared_copy).as_posix()
    assert code == 1 and "没有读取权限" in lines_about(err, rel)[0]


def test_an_unreadable_jurisdiction_folder_is_one_problem(shared_copy):
    (shared_copy / "jixian").chmod(0)
    code, err = check_as_user(shared_copy)
    assert code == 1
    assert len([line for line in err.splitlines() if "jixian" in line and "没有" in line]) == 1


def test_the_unchanged_copy_passes_as_an_ordinary_user(shared_copy):
    """The hazards above fail for what they are, not because an ordinary user cannot read the copy."""
    run = subprocess.run([*_as_user(), sys.executable, "build.py", "check", "--data", str(shared_copy)], cwd=ROOT,
                         capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
