"""A site built from the last one (builder/site_reuse.py, builder/mkdocs_memo.py) is the site a
full build makes: byte for byte, whatever changed — and it says how many pages it laid out again."""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from site_helpers import run_build

from builder import mkdocs_memo, site_reuse

ROOT = Path(__file__).resolve().parents[2]
JID = "jixian"
# Every data file's modification time, kept through the edits: without git history the pages'
# 最后更新 date is the newest file's (builder/version.py last_changed), so an edit on another
# day than the copy's files (a run across midnight) rightly changes every page.
MTIME = 1767268800  # 2026-01-01 12:00 UTC


def _keep_dates(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (MTIME, MTIME))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(data copy, output folder) with jixian's site built once (no PDFs: they have tests of their own)."""
    base = tmp_path_factory.mktemp("reuse")
    data = base / "policy_data"
    shutil.copytree(ROOT / "policy_data", data)
    _keep_dates(data)
    out = base / "dist"
    code, log = run_build(data, out, only=[JID], print_step=False)
    assert code == 0, log.err
    return data, out


def tree(folder: Path) -> dict[str, bytes]:
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    # The one thing two builds of the same data differ by: when they ran.
    version = json.loads(files.pop("data/version.json"))
    version.pop("built_at")
    files["data/version.json"] = json.dumps(version).encode()
    return files


def assert_same_as_a_full_build(data: Path, out: Path, tmp_path: Path) -> None:
    code, log = run_build(data, tmp_path / "full", only=[JID], print_step=False)
    assert code == 0, log.err
    reused, full = tree(out / JID), tree(tmp_path / "full" / JID)
    assert reused.keys() == full.keys()
    assert [name for name in full if reused[name] != full[name]] == []


def rebuild(data: Path, out: Path) -> str:
    code, log = run_build(data, out, only=[JID], print_step=False)
    assert code == 0, log.err
    return "\n".join(log.out)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, (MTIME, MTIME))


def test_one_changed_value_lays_out_only_the_pages_that_show_it(built, tmp_path):
    """…and the site it replaced is removed after it, with what a removal killed half-way had left
    (builder/discard.py)."""
    data, out = built
    old_page = (out / JID / "index.html").open("rb")  # its link count drops to 0 when removed
    stale = [out / ".discard-building-jixian-1-0" / "print", out / ".fingerprints" / ".discard-jixian-site.old-1-1"]
    for folder in stale:
        folder.mkdir(parents=True)
        (folder / "sheet.pdf").write_bytes(b"%PDF")
    edit(data / JID / "contacts.yaml", "hours: 工作日 8:30-11:30", "hours: 工作日 8:40-11:30")
    said = rebuild(data, out)
    assert not any(folder.exists() for folder in stale)
    try:
        deadline = time.monotonic() + 20
        while os.fstat(old_page.fileno()).st_nlink and time.monotonic() < deadline:
            time.sleep(0.02)
        assert os.fstat(old_page.fileno()).st_nlink == 0, "the replaced site is still on disk"
    finally:
        old_page.close()
    assert not list(out.glob(".building-*"))
    pages = re.search(r"网站：(\d+) 页重新生成（contacts.yaml 改了），其余 (\d+) 页只换了数据版本", said)
    assert pages, said
    assert 0 < int(pages[1]) <= 5 and int(pages[2]) > 50
    assert "8:40-11:30" in (out / JID / "complain" / "index.html").read_text(encoding="utf-8")
    assert_same_as_a_full_build(data, out, tmp_path)


def test_new_words_in_a_page_are_cut_by_jieba_as_a_full_build_cuts_them(built, tmp_path):
    data, out = built
    edit(data / JID / "programs.yaml", "基本由民政部门全额补助", "基本由民政部门全额补助，乡镇便民服务中心代为办理")
    said = rebuild(data, out)
    assert "页只换了数据版本" in said, said
    assert_same_as_a_full_build(data, out, tmp_path)


def test_a_changed_page_title_builds_every_page(built, tmp_path):
    """A title is in other pages' menus and links: the last pages are not the same but for the version."""
    data, out = built
    edit(data / JID / "townships" / "fengle.yaml", "name: 丰收村\n", "name: 丰收新村\n")
    said = rebuild(data, out)
    assert re.search(r"网站：\d+ 页重新生成（[^）]+）$", said, re.M) and "只换了数据版本" not in said, said
    assert_same_as_a_full_build(data, out, tmp_path)


def test_a_cache_that_does_not_match_the_site_in_place_is_not_used(built, tmp_path):
    data, out = built
    state = site_reuse.cache_dir(out, JID) / site_reuse.STATE
    state.write_text(json.dumps({**json.loads(state.read_text()), "version": "0123456789ab"}))
    contacts = data / JID / "contacts.yaml"
    contacts.write_text(re.sub("hours: 工作日 8:..", "hours: 工作日 8:55", contacts.read_text(encoding="utf-8"), count=1),
                        encoding="utf-8")
    said = rebuild(data, out)
    assert "只换了数据版本" not in said, said
    assert_same_as_a_full_build(data, out, tmp_path)


def test_kept_cuts_are_used_without_jieba_and_a_new_run_is_cut_and_kept(tmp_path, monkeypatch):
    import jieba

    dictionary = tmp_path / "userdict.txt"
    dictionary.write_text("先诊疗后付费 200000\n", encoding="utf-8")
    first = mkdocs_memo.Cuts(None, dictionary)
    first.install()
    try:
        jieba.load_userdict(str(dictionary))  # as the search plugin does: loaded at the first cut
        assert first.waiting == [str(dictionary)]
        assert list(jieba.cut("先诊疗后付费".encode())) == ["先诊疗后付费"]
        assert first.waiting == []
    finally:
        first.uninstall()
    first.save(tmp_path / "cuts.json")

    second = mkdocs_memo.Cuts(tmp_path / "cuts.json", dictionary)
    calls = []
    monkeypatch.setattr(jieba, "cut", lambda *a, **k: calls.append(a) or iter(["新", "词"]))
    second.install()
    try:
        assert list(jieba.cut("先诊疗后付费".encode())) == ["先诊疗后付费"]  # kept: jieba not asked
        assert calls == []
        assert list(jieba.cut("新词".encode())) == ["新", "词"]
        assert len(calls) == 1
    finally:
        second.uninstall()
    assert jieba.cut is not second.cut

    dictionary.write_text("先诊疗后付费 200000\n健康扶贫 200000\n", encoding="utf-8")
    assert mkdocs_memo.Cuts(tmp_path / "cuts.json", dictionary).known == {}  # another dictionary: cut again
