"""The built site (issue 20): the preview banner on every page, the as-of date in every footer,
data/version.json, and a rebuild whenever the as-of date changes what is shown."""
from __future__ import annotations

import datetime as dt
import json

from site_helpers import run_build

from builder.version import data_version
from policy.china_time import china_today

MARK = "样张（预览，不得张贴）"


def _pages(out, jid):
    return sorted((out / jid).rglob("*.html"))


def test_every_page_of_a_preview_carries_the_banner_and_the_as_of_date(site):
    out, data, _ = site
    for jid in ("zixi", "jixian"):
        version = json.loads((out / jid / "data" / "version.json").read_text(encoding="utf-8"))
        # built today in Beijing (the day before, when the session crossed midnight there)
        day = dt.date.fromisoformat(version["as_of"])
        assert version["jurisdiction"] == jid and 0 <= (china_today() - day).days <= 1
        assert version["data_version"] == data_version(data / jid, day)
        footer = f'按 <span class="as-of">{day.year}年{day.month}月{day.day}日</span> 执行的政策'
        assert dt.datetime.fromisoformat(version["built_at"]).utcoffset() == dt.timedelta(hours=8)
        pages = _pages(out, jid)
        assert len(pages) > 20
        for path in pages:
            html = path.read_text(encoding="utf-8")
            assert MARK in html and 'class="hpt-preview"' in html, path
            assert footer in html and version["data_version"] in html, path


def test_the_staleness_warning_is_on_every_page_when_the_data_covers_an_earlier_year(site):
    out, _, _ = site
    for path in _pages(out, "zixi"):
        assert "本页数字依据 2020 年的文件；2021 年以后的文件还没有录入" in path.read_text(encoding="utf-8"), path
    # jixian's sources say no period: no warning, and its footer says the data was never reviewed
    home = (out / "jixian" / "index.html").read_text(encoding="utf-8")
    assert "本页数字依据" not in home and "数据未注明核对日期" in home


def test_a_public_build_has_no_banner_and_a_new_as_of_date_rebuilds(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://ybj.jixian.gov.cn")
    monkeypatch.setenv("FORMS_URL", "https://ts.jixian.gov.cn")
    out = tmp_path / "dist"
    first, second = dt.date(2026, 12, 1), dt.date(2026, 12, 2)
    code, log = run_build(data_copy, out, only=["jixian"], print_step=False, preview=False, as_of=first)
    assert code == 0, log.err
    home = (out / "jixian" / "index.html").read_text(encoding="utf-8")
    assert MARK not in home and "hpt-preview" not in home and "按 <span class=\"as-of\">2026年12月1日</span>" in home
    assert 'href="https://ts.jixian.gov.cn/jixian/complaint' in (out / "jixian" / "complain" / "index.html").read_text(
        encoding="utf-8")
    code, log = run_build(data_copy, out, only=["jixian"], print_step=False, preview=False, as_of=first)
    assert code == 0 and any("没有变化" in line for line in log.out)
    code, log = run_build(data_copy, out, only=["jixian"], print_step=False, preview=False, as_of=second)
    assert code == 0 and not any("没有变化" in line for line in log.out), log.out
    version = json.loads((out / "jixian" / "data" / "version.json").read_text(encoding="utf-8"))
    assert version["as_of"] == "2026-12-02"
    assert "按 <span class=\"as-of\">2026年12月2日</span>" in (out / "jixian" / "index.html").read_text(encoding="utf-8")


def test_a_build_that_renders_sheets_again_never_says_no_change(site):
    out, data, stats = site
    notice = sorted((out / "jixian" / "print").glob("notice-*.pdf"))[0]
    notice.unlink()
    code, log = run_build(data, out, stats_dir=stats, only=["jixian"])
    assert code == 0 and notice.is_file()
    line = next(line for line in log.out if "集贤县" in line)
    assert "没有变化，未重新生成" not in line and "打印文件重新生成了" in line, line
