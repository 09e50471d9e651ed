"""builder/printer.py: a one-county build forks its print process first, so that WeasyPrint is
imported while the data is read and planned; it prints what the build sends it, stops with a
failed build, and is always waited for."""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from builder import pages, pipeline, printer

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the early print process needs a core to spare")


@pytest.fixture
def jixian(tmp_path):
    data = tmp_path / "policy_data"
    shutil.copytree(ROOT / "policy_data" / "jixian", data / "jixian")
    return data


def _record_printers(monkeypatch, record: Path):
    """What each early print process did, one line each in `record`: its pid, its parent's, and
    whether it printed ("task") or was told there was nothing to print ("none")."""
    own = printer._serve

    def recording(tasks, ours):
        result = own(tasks, ours)
        with record.open("a") as out:
            out.write(f"{os.getpid()} {os.getppid()} {'none' if result is None else 'task'}\n")
        return result

    monkeypatch.setattr(printer, "_serve", recording)
    return lambda: [line.split() for line in record.read_text().splitlines()] if record.exists() else []


@pytest.fixture
def served(monkeypatch, tmp_path):
    return _record_printers(monkeypatch, tmp_path / "printers.txt")


DAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    """jixian built once (site and sheets, as of DAY) and what its print process did, for the tests
    that start from a build (a build costs 5-7 s): (data folder, output folder, print processes)."""
    base = tmp_path_factory.mktemp("first")
    shutil.copytree(ROOT / "policy_data" / "jixian", base / "policy_data" / "jixian")
    with pytest.MonkeyPatch.context() as monkeypatch:
        printers = _record_printers(monkeypatch, base / "printers.txt")
        code, lines = _build(base / "policy_data", base / "dist", as_of=DAY)
    assert code == 0, lines
    return base / "policy_data", base / "dist", printers()


def _build(data: Path, out: Path, **kwargs) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = pipeline.build(data, out, only=["jixian"], preview=True, log=lambda *a, **k: lines.append(" ".join(a)),
                          **kwargs)
    return code, lines


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_one_county_build_prints_in_the_process_forked_first(jixian, tmp_path, served):
    out = tmp_path / "dist"
    code, lines = _build(jixian, out)
    assert code == 0, lines
    [(pid, parent, did)] = served()
    assert (int(parent), did) == (os.getpid(), "task")  # forked by the build itself, and it printed
    assert _gone(int(pid)), "the print process is waited for"
    assert (out / "jixian" / "print" / "leaflet.pdf").is_file() and any(line.strip().startswith("打印：") for line in lines)

    code, lines = _build(jixian, out)  # nothing changed: the print, incremental on its own, still runs there
    assert code == 0 and lines == ["· 集贤县（jixian）没有变化，未重新生成"]
    assert [did for _, _, did in served()] == ["task", "task"]

    code, lines = _build(jixian, tmp_path / "no-print", print_step=False)  # no print: no print process
    assert code == 0 and len(served()) == 2


def test_a_build_refused_before_it_plans_tells_the_print_process_to_stop(jixian, tmp_path, served, monkeypatch):
    monkeypatch.setenv("SITE_URL", "jixian.example.gov.cn")
    code, _ = _build(jixian, tmp_path / "dist")
    assert code == 1 and not (tmp_path / "dist" / "jixian").exists()
    [(pid, _, did)] = served()
    assert did == "none" and _gone(int(pid))


def test_a_failed_site_stage_stops_the_print_and_keeps_the_site_in_place(first_build, tmp_path, served, monkeypatch):
    jixian, out = tmp_path / "policy_data", tmp_path / "dist"
    shutil.copytree(first_build[0], jixian)
    shutil.copytree(first_build[1], out)
    before = (out / "jixian" / "index.html").read_bytes()
    (jixian / "jixian" / "contacts.yaml").write_text(
        (jixian / "jixian" / "contacts.yaml").read_text(encoding="utf-8") + "\n# 改了\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise ValueError("页面坏了")

    monkeypatch.setattr(pages, "write_pages", broken)
    with redirect_stderr(io.StringIO()):
        code, lines = _build(jixian, out)
    assert code == 1 and any("有数据无法显示：页面坏了" in line for line in lines), lines
    assert (out / "jixian" / "index.html").read_bytes() == before
    assert not list(out.glob(".building-*"))
    assert all(_gone(int(pid)) for pid, _, _ in served())


def test_a_print_that_fails_in_the_print_process_fails_the_build_with_its_message(jixian, tmp_path, served):
    contacts = jixian / "jixian" / "contacts.yaml"
    contacts.write_text(contacts.read_text(encoding="utf-8").replace("    role: supervision\n", "    role: other\n", 1),
                        encoding="utf-8")
    code, lines = _build(jixian, tmp_path / "dist")
    assert code == 1
    assert any("集贤县（jixian）生成失败：无法生成打印文件：辖区 jixian，字段 contacts.yaml: role supervision" in line
               for line in lines), lines
    assert not (tmp_path / "dist" / "jixian").exists()


def test_the_print_process_prints_the_very_bytes_of_a_print_in_this_process(first_build, tmp_path):
    """The jurisdiction crosses to the print process pickled: every sheet is byte for byte what
    pipeline._print makes here from the data as loaded (the build's own plan, the same day)."""
    jixian, out, printers = first_build
    assert [did for _, _, did in printers] == ["task"]
    [job] = pipeline.plan(["jixian"], {"jixian": jixian / "jixian"}, tmp_path / "here", None, as_of=DAY, preview=True)
    pipeline._print(job, pipeline._load(jixian / "jixian"), tmp_path / "here")
    theirs, ours = sorted((out / "jixian" / "print").glob("*.pdf")), sorted((tmp_path / "here" / "print").glob("*.pdf"))
    assert [p.name for p in theirs] == [p.name for p in ours] and len(ours) > 4
    assert [p.name for p, q in zip(theirs, ours) if p.read_bytes() != q.read_bytes()] == []


def test_the_site_process_hands_over_the_print_while_the_print_is_still_being_imported(tmp_path, monkeypatch):
    """A task (the loaded jurisdiction, 0.4 MB) is more than the pipe holds (64 KB): the print
    process reads it while it imports the print, so that send() returns at once and the site is
    made meanwhile. It used to read only after the import: the site waited 0.2 s of the loop."""
    import importlib
    import threading
    import time

    release = tmp_path / "imported"
    own_import = importlib.import_module

    def slow_import(name, *args):
        if name == "builder.printing":  # in the print process: the import ends when the test says
            deadline = time.monotonic() + 30
            while not release.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        return own_import(name, *args)

    monkeypatch.setattr(printer.importlib, "import_module", slow_import)
    monkeypatch.setattr(pipeline, "_print", lambda job, j, root, previous: (None, (job, len(j), root)))
    the_printer = printer.Printer()
    sent = []
    sending = threading.Thread(target=lambda: sent.append(the_printer.send("job", tmp_path, None, "村" * 200_000)))
    try:
        sending.start()
        sending.join(timeout=10)
        handed_over = not sending.is_alive()
    finally:
        release.touch()
        sending.join()
    assert handed_over and sent == [True], "send() waited for the print process's import"
    assert the_printer.child.wait() == (True, ("job", 200_000, tmp_path))
    the_printer.close()
