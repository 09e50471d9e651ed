"""`build`: incremental by fingerprint, and a failure names the jurisdiction and leaves its site as it was."""
from __future__ import annotations

import re
import shutil

import pytest
from site_helpers import run_build

from builder import mkdocs_site, pages, pipeline
from builder.cli import DEFAULT_DATA as ROOT_DATA


def test_a_second_build_with_nothing_changed_rebuilds_nothing(site):
    out, data, stats = site
    before = {p: p.stat().st_mtime_ns for p in (out / "zixi").rglob("*.html")}
    code, log = run_build(data, out, stats_dir=stats)
    assert code == 0
    assert all("没有变化" in line for line in log.out), log.out
    assert {p: p.stat().st_mtime_ns for p in (out / "zixi").rglob("*.html")} == before


def test_one_changed_value_rebuilds_only_its_jurisdiction(site, tmp_path):
    out, data, stats = site
    data2 = tmp_path / "policy_data"
    shutil.copytree(data, data2)
    shutil.copytree(out / ".fingerprints", tmp_path / "dist" / ".fingerprints")
    for jid in ("zixi", "jixian"):  # only what the fingerprint check looks at
        (tmp_path / "dist" / jid).mkdir(parents=True)
        shutil.copy(out / jid / "index.html", tmp_path / "dist" / jid / "index.html")
    layers = data2 / "jixian" / "layers.yaml"
    layers.write_text(layers.read_text(encoding="utf-8").replace("county: {2019-01-01: 400}",
                                                                 "county: {2019-01-01: 450}"), encoding="utf-8")
    jobs = pipeline.plan(["jixian", "zixi"], {j: data2 / j for j in ("jixian", "zixi")}, tmp_path / "dist", stats,
                         preview=True)
    assert {job.folder.name: job.rebuild for job in jobs} == {"jixian": True, "zixi": False}
    # The statistics file is an input too: a new export republishes that site.
    jobs = pipeline.plan(["zixi"], {"zixi": data2 / "zixi"}, tmp_path / "dist", None, preview=True)
    assert jobs[0].rebuild


def test_bad_data_stops_the_build_naming_the_jurisdiction_and_keeps_the_old_site(data_copy, tmp_path):
    out = tmp_path / "dist"
    (out / "jixian").mkdir(parents=True)
    (out / "jixian" / "index.html").write_text("the site built before")
    layers = data_copy / "jixian" / "layers.yaml"
    layers.write_text(layers.read_text(encoding="utf-8").replace("county: {2019-01-01: 400}",
                                                                 "county: {2019-01-01: -400}"), encoding="utf-8")
    code, log = run_build(data_copy, out, only=["jixian"])
    assert code == 1
    message = "\n".join(log.err)
    assert "集贤县（jixian）生成失败" in message and "金额不能为负数" in message and "layers.yaml" in message
    assert (out / "jixian" / "index.html").read_text() == "the site built before"
    assert [p.name for p in out.iterdir() if p.name.startswith(".building")] == []


def test_a_missing_template_stops_the_build_naming_it(data_copy, tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(pages.TEMPLATES, templates)
    (templates / "village.md.j2").unlink()
    monkeypatch.setattr(pages, "TEMPLATES", templates)  # the build's worker processes are forked
    code, log = run_build(data_copy, tmp_path / "dist", only=["jixian"])
    assert code == 1
    assert "集贤县（jixian）生成失败：找不到页面模板 village.md.j2" in "\n".join(log.err)
    assert not (tmp_path / "dist" / "jixian").exists()


def test_a_broken_link_fails_the_strict_mkdocs_build(data_copy, tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(pages.TEMPLATES, templates)
    home = templates / "home.md.j2"
    home.write_text(home.read_text(encoding="utf-8") + "\n[坏链接](nowhere/index.md)\n", encoding="utf-8")
    monkeypatch.setattr(pages, "TEMPLATES", templates)
    code, log = run_build(data_copy, tmp_path / "dist", only=["jixian"], print_step=False)  # the site stage alone
    assert code == 1
    message = "\n".join(log.err)
    assert "MkDocs 严格模式生成失败" in message and "nowhere/index.md" in message


def test_unknown_jurisdiction_is_refused(data_copy, tmp_path):
    code, log = run_build(data_copy, tmp_path / "dist", only=["nowhere"])
    assert code == 1 and "没有这些地区的数据：nowhere" in log.err[0]


@pytest.mark.parametrize("term", ["先诊疗后付费", "一站式结算", "建档立卡", "大病保险"])
def test_search_dictionary_keeps_policy_terms_and_names_whole(jurisdictions, term):
    words = {line.split(" ")[0] for line in mkdocs_site.user_dictionary(jurisdictions["zixi"]).splitlines()}
    assert term in words
    assert {"大觉村", "鹤城镇", "特困供养人员", "食道癌", "资溪县人民医院"} <= words


def test_a_broken_statistics_file_stops_that_site(data_copy, tmp_path):
    stats = tmp_path / "stats"
    (stats / "jixian").mkdir(parents=True)
    (stats / "jixian" / "complaint-stats.json").write_text("{not json", encoding="utf-8")
    code, log = run_build(data_copy, tmp_path / "dist", only=["jixian"], stats_dir=stats)
    assert code == 1
    assert "集贤县（jixian）生成失败：读不了投诉统计文件" in "\n".join(log.err)


def test_serve_refuses_a_folder_without_a_built_site(cli, tmp_path):
    code, _out, err = cli(["serve", "--out", str(tmp_path), "--port", "0"])
    assert code == 1 and "请先运行 python build.py build" in err


def test_served_site_answers_with_pages_and_open_data(served):
    from urllib.request import urlopen
    with urlopen(f"{served}/zixi/villages/hecheng/hecheng-dajue/") as response:
        assert response.status == 200 and "大觉村卫生室" in response.read().decode("utf-8")
    with urlopen(f"{served}/zixi/data/villages.csv") as response:
        assert response.headers["Content-Type"].startswith("text/csv")


def test_no_print_builds_the_site_without_pdfs_and_a_later_full_build_adds_them(data_copy, tmp_path):
    out = tmp_path / "dist"
    code, _ = run_build(data_copy, out, only=["jixian"], print_step=False)
    assert code == 0
    assert (out / "jixian" / "index.html").is_file() and not (out / "jixian" / "print").exists()
    # The site's fingerprint records that print was left out, so a full build is not skipped.
    code, log = run_build(data_copy, out, only=["jixian"])
    assert code == 0 and any("已生成" in line for line in log.out), log.out
    assert list((out / "jixian" / "print").glob("notice-*.pdf"))


def test_shards_built_apart_get_one_portal_listing_every_site_after_merging(site, tmp_path, cli):
    """A province builds `--only` its own jurisdictions on each machine, then copies the dist/
    folders into one: each machine's portal lists only its own sites, `portal` lists them all."""
    built, data, stats = site
    machines = {"a": "jixian", "b": "zixi"}
    for machine, jid in machines.items():  # each machine's dist/ as an earlier build left it
        shutil.copytree(built / jid, tmp_path / machine / jid)
        shutil.copytree(built / ".fingerprints", tmp_path / machine / ".fingerprints")
        code, log = run_build(data, tmp_path / machine, only=[jid], stats_dir=stats)
        assert code == 0, log.err
        portal = (tmp_path / machine / "index.html").read_text(encoding="utf-8")
        assert f'href="{jid}/"' in portal
        assert all(f'href="{other}/"' not in portal for other in machines.values() if other != jid)
    merged = tmp_path / "merged"
    for machine in machines:  # e.g. rsync -a a/ b/ merged/: the last portal copied wins
        shutil.copytree(tmp_path / machine, merged, dirs_exist_ok=True)
    assert 'href="jixian/"' not in (merged / "index.html").read_text(encoding="utf-8")

    code, out, err = cli(["portal", "--data", str(data), "--out", str(merged)])
    assert code == 0, err
    portal = (merged / "index.html").read_text(encoding="utf-8")
    assert 'href="jixian/">集贤县' in portal and 'href="zixi/">资溪县' in portal
    assert "列出 2 个地区" in out


def test_portal_names_the_jurisdictions_it_did_not_find(site, tmp_path, cli):
    built, data, _stats = site
    shutil.copytree(built / "zixi", tmp_path / "dist" / "zixi")
    code, out, _err = cli(["portal", "--data", str(data), "--out", str(tmp_path / "dist")])
    assert code == 0 and "列出 1 个地区：zixi" in out and "没有列出：jixian" in out
    assert 'href="jixian/"' not in (tmp_path / "dist" / "index.html").read_text(encoding="utf-8")
    code, _out, err = cli(["portal", "--data", str(data), "--out", str(tmp_path / "nowhere")])
    assert code == 1 and "没有这个文件夹" in err


def test_serve_on_a_port_in_use_says_so(site, cli):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _out, err = cli(["serve", "--out", str(site[0]), "--port", str(port)])
    assert code == 1 and f"无法在端口 {port} 上打开网站：这个端口已被别的程序占用" in err
    assert f"--port {port + 1}" in err


def test_data_a_notice_needs_but_lacks_stops_the_build_in_plain_words(data_copy, tmp_path):
    contacts = data_copy / "jixian" / "contacts.yaml"
    text = contacts.read_text(encoding="utf-8")
    contacts.write_text(text.replace("    role: supervision\n", "    role: other\n", 1), encoding="utf-8")
    code, log = run_build(data_copy, tmp_path / "dist", only=["jixian"])
    err = "\n".join(log.err)
    assert code == 1
    assert ("集贤县（jixian）生成失败：无法生成打印文件：辖区 jixian，字段 contacts.yaml: role supervision："
            "没有监督举报电话（role: supervision），公示栏必须写明") in err
    assert "PrintDataError" not in err and ".py:" not in err


@pytest.mark.parametrize("name, value", [("SITE_URL", "zixi.example.gov.cn"), ("FORMS_URL", "https://f.example/?a=1")])
def test_an_address_that_cannot_be_printed_in_a_qr_code_stops_build_and_print(name, value, monkeypatch, tmp_path, cli):
    monkeypatch.setenv(name, value)
    code, log = run_build(ROOT_DATA, tmp_path / "dist", only=["jixian"])
    assert code == 1 and f"{name} 应是完整的网址，以 http:// 或 https:// 开头" in "\n".join(log.err)
    assert not (tmp_path / "dist" / "jixian").exists()
    code, _out, err = cli(["print", "--only", "jixian", "--out", str(tmp_path / "print")])
    assert code == 1 and f"这里是“{value}”" in err and not (tmp_path / "print").exists()


def test_a_changed_file_rebuilds_that_site_saying_what_for_each_kind_and_why(site, tmp_path):
    """The officer's loop: one data file changed, `build --only` says per kind what it made again
    and names the file; the sheets print in a process of their own beside the site (a core spare)."""
    out, data, _stats = site
    data2, out2 = tmp_path / "policy_data", tmp_path / "dist"
    shutil.copytree(data, data2)
    shutil.copytree(out, out2)
    layers = data2 / "jixian" / "layers.yaml"
    layers.write_text(layers.read_text(encoding="utf-8") + "\n# 改了一个值\n", encoding="utf-8")
    [job] = pipeline.plan(["jixian"], {"jixian": data2 / "jixian"}, out2, None)
    assert job.rebuild and job.why == "layers.yaml 改了"
    assert job.print_apart == ((__import__("os").cpu_count() or 1) > 1)
    code, log = run_build(data2, out2, only=["jixian"])
    assert code == 0, log.err
    lines = "\n".join(log.out)
    assert "✓ 集贤县（jixian）已生成" in lines
    assert "网站：" in lines and "页重新生成（layers.yaml 改了）" in lines
    assert "计算器数据、开放数据：重新写出（layers.yaml 改了）" in lines
    # a comment: the data version changed, what the sheets show did not (nothing laid out again)
    assert re.search(r"打印：\d+ 个文件只换了数据版本和日期（印的内容没变，没有重排）", lines)
    assert (out2 / "jixian" / "print" / "leaflet.pdf").is_file()
    code, log = run_build(data2, out2, only=["jixian"])
    assert code == 0 and log.out == ["· 集贤县（jixian）没有变化，未重新生成"]


def test_why_names_the_changed_files_or_says_what_else_changed(data_copy, tmp_path):
    from builder import fingerprint

    out = tmp_path / "dist"
    assert fingerprint.why(out, "zixi", data_copy / "zixi") == "还没有生成过"
    (out / "zixi").mkdir(parents=True)
    (out / "zixi" / "index.html").write_text("x")
    fingerprint.store(out, "zixi", "abc", data_copy / "zixi")
    assert fingerprint.why(out, "zixi", data_copy / "zixi") == "程序、模板、设置（网址、投诉统计）或日期变了"
    for name in ("layers.yaml", "contacts.yaml", "programs.yaml", "diseases.yaml"):
        path = data_copy / "zixi" / name
        path.write_text(path.read_text(encoding="utf-8") + "\n#\n", encoding="utf-8")
    assert fingerprint.why(out, "zixi", data_copy / "zixi") == "contacts.yaml、diseases.yaml、layers.yaml 等 4 个文件改了"


def test_a_failure_in_the_print_process_stops_the_build_with_its_message():
    def broken():
        raise pipeline.BuildError("公示栏放不下")

    assert pipeline.apart(lambda: ["a"])() == ["a"]
    with pytest.raises(pipeline.BuildError, match="公示栏放不下"):
        pipeline.apart(broken)()


def test_a_failed_stage_stops_the_print_process_beside_it():
    import time

    pipeline.apart(lambda: time.sleep(600))
    [pid] = pipeline._children
    started = time.monotonic()
    pipeline._reap()
    assert time.monotonic() - started < 30 and pipeline._children == []
    with pytest.raises(ChildProcessError):
        __import__("os").waitpid(pid, 0)  # gone, and waited for
