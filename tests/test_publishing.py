"""Safe to publish (issue 20): public addresses or a marked preview, an explicit as-of date in the
data version and on every sheet, upcoming changes, ended programs, stale data, open data that
opens right."""
from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder import currency, opendata, printing, settings
from builder.calculator_pages import calculator_page, rates_table, screener_page
from builder.pages import SiteContext, write_pages
from builder.pipeline import address_problems
from builder.print_facts import jurisdiction_facts
from builder.version import data_version
from policy.cases import Service
from policy.loader import load_jurisdiction

ROOT = Path(__file__).resolve().parent.parent
MARK = "样张（预览，不得张贴）"


# ------------------------------------------------------------------ addresses

@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.1:8000", "本机地址"), ("http://[::1]/", "本机地址"), ("http://localhost:8000", "保留"),
    ("https://10.1.2.3/", "内网"), ("https://192.168.1.20/", "内网"), ("https://172.16.0.5/", "内网"),
    ("http://169.254.10.1/", "链路本地"), ("https://zixi.example/", "保留"), ("https://example.org/", "保留"),
    ("https://zixi.example.org/", "保留"), ("https://www.example.com/", "保留"), ("https://a.example.net", "保留"),
    ("https://site.test/", "保留"), ("https://forms.invalid/", "保留"), ("https://x.localhost/", "保留"),
    ("http://intranet/", "机器的名字"),
])
def test_each_kind_of_non_public_address_is_named(url, why):
    problem = settings.address_problem(url)
    assert problem is not None and why in problem


@pytest.mark.parametrize("url", ["https://ybj.zixi.gov.cn/", "https://zixi.example.gov.cn", "http://8.8.8.8/",
                                 "https://examples.org/"])
def test_public_addresses_pass(url):
    assert settings.address_problem(url) is None


def test_addresses_come_from_the_data_and_the_environment_overrides_them(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("FORMS_URL", raising=False)
    jur = {"site_url": "https://ybj.zixi.gov.cn/", "forms_url": "https://ts.zixi.gov.cn/"}
    assert settings.site_url(jur) == "https://ybj.zixi.gov.cn" and settings.forms_url(jur) == "https://ts.zixi.gov.cn"
    assert settings.forms_url({"site_url": "https://ybj.zixi.gov.cn/"}) == settings.DEFAULT_FORMS_URL
    monkeypatch.setenv("SITE_URL", "https://other.gov.cn/")
    assert settings.site_url(jur) == "https://other.gov.cn"


def test_the_samples_are_refused_without_preview_naming_jurisdiction_address_and_how(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("FORMS_URL", raising=False)
    folders = {jid: ROOT / "policy_data" / jid for jid in ("zixi", "jixian")}
    problems = address_problems(["zixi"], folders, preview=False)
    assert len(problems) == 2
    site = next(p for p in problems if "site_url" in p)
    assert "资溪县（zixi）" in site and "https://zixi.example.org" in site
    assert "policy_data/zixi/jurisdiction.yaml" in site and "SITE_URL" in site and "--preview" in site
    assert address_problems(["zixi"], folders, preview=True) == []
    monkeypatch.setenv("SITE_URL", "https://ybj.zixi.gov.cn")
    monkeypatch.setenv("FORMS_URL", "https://ts.zixi.gov.cn")
    assert address_problems(["zixi", "jixian"], folders, preview=False) == []


@pytest.mark.parametrize("command", ["print", "build"])
def test_build_and_print_refuse_a_loopback_override_and_write_nothing(command, monkeypatch, tmp_path, cli):
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8000")
    monkeypatch.setenv("FORMS_URL", "https://ts.jixian.gov.cn")
    code, _out, err = cli([command, "--only", "jixian", "--out", str(tmp_path / "out")])
    assert code == 1 and "集贤县（jixian）的公开地址 http://127.0.0.1:8000 是本机地址" in err
    assert "环境变量 SITE_URL" in err and "--preview" in err and "FORMS_URL" not in err.split("设置环境变量")[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.pdf"))


def test_as_of_must_be_a_date(capsys, tmp_path):
    from builder.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["print", "--preview", "--as-of", "2027-13-01", "--out", str(tmp_path)])
    assert exit_.value.code == 2 and "日期应写成 YYYY-MM-DD" in capsys.readouterr().err


# ------------------------------------------------------------------ as-of, upcoming, preview on sheets

def _with_dated_change(data_copy: Path) -> Path:
    """jixian with the basic insurance's county-hospital ratio raised from 65% to 70% on 2027-01-01."""
    layers = data_copy / "jixian" / "layers.yaml"
    text = layers.read_text(encoding="utf-8")
    assert text.count("county: {2019-01-01: 0.65}") == 1
    layers.write_text(text.replace("county: {2019-01-01: 0.65}", "county: {2019-01-01: 0.65, 2027-01-01: 0.70}"),
                      encoding="utf-8")
    return data_copy / "jixian"


def _trimmed(folder: Path):
    jur, problems = load_jurisdiction(folder, run_examples=False)
    assert problems == []
    keep = list(jur.villages)[:1]
    jur.villages = {vid: jur.villages[vid] for vid in keep}
    return jur


def _text(path: Path) -> str:
    """The PDF's text, the rotated preview mark included (pdfplumber drops rotated runs)."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_two_as_of_dates_around_a_change_give_two_versions_values_and_the_earlier_says_upcoming(data_copy, tmp_path):
    folder = _with_dated_change(data_copy)
    before, after = dt.date(2026, 12, 15), dt.date(2027, 1, 5)
    assert data_version(folder, before) != data_version(folder, after)
    assert data_version(folder, before) == data_version(folder, dt.date(2026, 12, 20))  # nothing changes between
    jur = _trimmed(folder)
    texts = {}
    for name, day, preview in (("before", before, True), ("after", after, False)):
        out = tmp_path / name
        paths, *_ = printing.print_jurisdiction_report(jur, out, data_version(folder, day), site_url="https://a.gov.cn",
                                                      forms_url="https://b.gov.cn", as_of=day, preview=preview)
        notice = next(p for p in paths if p.name.startswith("notice-"))
        texts[name] = {"notice": _text(notice), "leaflet": _text(out / "print" / "leaflet.pdf"),
                       "cards": _text(next(p for p in paths if p.name.startswith("cards-")))}
    b, a = texts["before"], texts["after"]
    # the footer: the version and the as-of date
    assert data_version(folder, before) in b["notice"] and "按 2026年12月15日 执行的政策" in b["notice"]
    assert data_version(folder, after) in a["notice"] and "按 2027年1月5日 执行的政策" in a["notice"]
    # the value in force, and the change announced before it takes effect
    flat = {k: v.replace("\n", "") for k, v in b.items()}
    assert "65%（即将调整：自2027年1月1日起 70%）" in flat["notice"] and "即将调整：自2027年1月1日起" in flat["leaflet"]
    assert "即将调整" not in a["notice"] and "70%" in a["notice"]
    # preview: the diagonal mark on every sheet, read back from the PDF text
    for sheet in ("notice", "leaflet", "cards"):
        assert MARK in b[sheet].replace("\n", "") and MARK not in a[sheet].replace("\n", ""), sheet


def test_the_full_zixi_notice_announces_an_upcoming_change_and_still_fits(data_copy, tmp_path):
    """zixi's notice carries drug prices and outpatient lines: its page was full, and a value's
    upcoming change (a line more in the table) once made the build refuse it."""
    import pdfplumber

    layers = data_copy / "zixi" / "layers.yaml"
    text = layers.read_text(encoding="utf-8")
    basic = "        county: {2019-01-01: 0.80}\n        city: {2019-01-01: 0.60}"  # the basic insurance's ratio
    assert text.count(basic) == 1
    layers.write_text(text.replace(basic, basic.replace("0.80}", "0.80, 2027-01-01: 0.85}")), encoding="utf-8")
    jur = _trimmed(data_copy / "zixi")
    day = dt.date(2026, 12, 31)  # the day before
    paths, *_ = printing.print_jurisdiction_report(jur, tmp_path, "v", site_url="https://a.gov.cn",
                                                  forms_url="https://b.gov.cn", as_of=day)
    notice = next(p for p in paths if p.name.startswith("notice-"))
    said = _text(notice).replace("\n", "")
    assert "县级医院 80% 按本县理解 （即将调整：自2027年1月1日起 85%）" in said
    assert "注意：数字依据 2020 年的文件" in said  # the staleness footer too, on the same page
    mm = 72 / 25.4
    with pdfplumber.open(notice) as pdf:
        (page,) = pdf.pages
        near = [c["text"] for c in page.chars if c["text"].strip() and (
            c["x0"] < 10 * mm or c["top"] < 10 * mm or c["x1"] > page.width - 10 * mm
            or c["bottom"] > page.height - 10 * mm)]
    assert near == []


def test_line_pages_changes_page_and_calculator_label_the_upcoming_value(data_copy, tmp_path):
    folder = _with_dated_change(data_copy)
    jur, problems = load_jurisdiction(folder, run_examples=False)
    assert problems == []
    ctx = SiteContext(version="v", last_changed=dt.date(2026, 1, 1), site_url="https://a.gov.cn",
                      forms_url="https://b.gov.cn", today=dt.date(2026, 12, 15))
    write_pages(jur, tmp_path / "docs", ctx)
    basic = next(raw["id"] for raw in jur.layers if raw["ratio"] is not None and "0.70" in
                 str([str(v.value) for _, s in raw["ratio"].series() for v in s.values]))
    line = (tmp_path / "docs" / "lines" / basic / "index.md").read_text(encoding="utf-8")
    assert "**即将调整：自2027年1月1日起**" in line
    changes = (tmp_path / "docs" / "changes" / "index.md").read_text(encoding="utf-8")
    upcoming, in_force = changes.split("## 已生效")
    assert "## 尚未生效" in upcoming and "即将调整：自2027年1月1日起" in upcoming and "调整后：**70%**" in upcoming
    assert "2027年1月1日" not in in_force
    assert "**即将调整：自2027年1月1日起** 70%" in rates_table(jur, dt.date(2026, 12, 15))
    assert "即将调整" not in rates_table(jur, dt.date(2027, 1, 5))


# ------------------------------------------------------------------ ended programs, staleness

def test_an_ended_program_is_listed_as_current_nowhere(jurisdictions, tmp_path):
    zixi = jurisdictions["zixi"]
    ended = next(p for p in zixi.programs if p["id"] == "family_doctor")
    assert ended["valid"]["until"] == dt.date(2020, 12, 31)
    service = Service({"zixi": zixi})
    for day, listed in ((dt.date(2020, 6, 1), True), (dt.date(2026, 12, 6), False)):
        ctx = SiteContext(version="v", last_changed=day, site_url="https://a.gov.cn",
                          forms_url="https://b.gov.cn", today=day)
        docs = tmp_path / day.isoformat()
        write_pages(zixi, docs, ctx)
        home = (docs / "index.md").read_text(encoding="utf-8")
        facts = jurisdiction_facts(zixi, "v", service, as_of=day, site_url="https://a.gov.cn",
                                   forms_url="https://b.gov.cn")
        screener = screener_page(zixi, "v", day)
        assert ("家庭医生签约服务" in home) is listed
        assert ("家庭医生签约服务" in [p["name"] for p in facts["programs"]]) is listed  # notice and leaflet
        assert ("家庭医生签约服务" in screener) is listed
    programs = (tmp_path / "2026-12-06" / "programs" / "index.md").read_text(encoding="utf-8")
    assert "已经结束或还没开始的项目" in programs and "本项目已于2020年12月31日结束" in programs


def test_an_ended_program_is_absent_from_the_printed_leaflet(jurisdictions, tmp_path):
    jur = _trimmed(ROOT / "policy_data" / "zixi")
    printing.print_jurisdiction_report(jur, tmp_path, "v", site_url="https://a.gov.cn", forms_url="https://b.gov.cn",
                                       as_of=dt.date(2026, 12, 6))
    assert "家庭医生签约服务" not in _text(tmp_path / "print" / "leaflet.pdf").replace("\n", "")


def test_the_staleness_notice_appears_when_as_of_is_past_every_source(jurisdictions):
    zixi = jurisdictions["zixi"]
    assert currency.staleness(zixi, dt.date(2020, 6, 1)) == ""
    stale = currency.staleness(zixi, dt.date(2026, 12, 6))
    assert "本页数字依据 2020 年的文件；2021 年以后的文件还没有录入" in stale
    assert stale in calculator_page(zixi, "v", dt.date(2026, 12, 6))
    assert "本页数字依据" not in calculator_page(zixi, "v", dt.date(2020, 6, 1))
    assert "按 2026年12月6日 执行" in calculator_page(zixi, "v", dt.date(2026, 12, 6))
    facts = jurisdiction_facts(zixi, "v", Service({"zixi": zixi}), as_of=dt.date(2026, 12, 6),
                               site_url="https://a.gov.cn", forms_url="https://b.gov.cn")
    assert facts["stale"] == "数字依据 2020 年的文件，以县医保局最新规定为准"  # every sheet's footer (_parts.html)
    jur = _trimmed(ROOT / "policy_data" / "zixi")
    with tempfile.TemporaryDirectory() as folder:
        paths, *_ = printing.print_jurisdiction_report(jur, Path(folder), "v", site_url="https://a.gov.cn",
                                                      forms_url="https://b.gov.cn", as_of=dt.date(2026, 12, 6))
        for path in paths:
            if path.name != "county-pack.pdf":  # every sheet: each page's footer, and each of the 8 cards
                said = _text(path).replace("\n", "").count("注意：数字依据 2020 年的文件，以县医保局最新规定为准")
                assert said == (8 if path.name.startswith("cards-") else len(PdfReader(path).pages)), path


def test_a_review_more_than_a_year_old_is_said_and_its_absence_shown(jurisdictions):
    import copy
    jixian = copy.copy(jurisdictions["jixian"])
    assert currency.reviewed_text(jixian) == "数据未注明核对日期"
    jixian.reviewed = dt.date(2025, 6, 1)
    assert currency.staleness(jixian, dt.date(2026, 1, 1)) == ""
    assert "最后一次对照县里文件核对是在 2025年6月1日，已超过一年" in currency.staleness(jixian, dt.date(2026, 12, 6))


def test_covers_and_reviewed_are_checked(data_copy, cli):
    path = data_copy / "zixi" / "jurisdiction.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("covers: {from: 2020-01-01, until: 2020-12-31}", "covers: {from: 2020-01-01, until: 2019-12-31}")
                    .replace("forms_url: https://forms.zixi.example.org/\n", "forms_url: https://forms.zixi.example.org/\nreviewed: 2026-02-30\n"),
                    encoding="utf-8")
    code, _out, err = cli(["check", "--data", str(data_copy)])
    assert code == 1
    assert "sources[0].covers.until" in err and "结束日期 2019-12-31 早于开始日期 2020-01-01" in err
    assert "reviewed" in err


# ------------------------------------------------------------------ open data

@pytest.mark.parametrize("jid", ["zixi", "jixian"])
def test_the_data_package_validates_with_frictionless(jid, jurisdictions, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    folder = tmp_path / jid
    opendata.write(jurisdictions[jid], folder, "0123456789ab", "2026-12-01")
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note", "rowNumber", "fieldName"])[:5]
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"] for r in package["resources"]}
    assert {p.name for p in folder.iterdir()} - {"datapackage.json"} <= described
    doc = json.loads((folder / "policy-data.json").read_text(encoding="utf-8"))
    assert (folder / doc["$schema"]).is_file()  # the $schema link resolves beside the file
    codes = list(csv.DictReader((folder / "codes.csv").open(encoding="utf-8-sig")))
    assert {"field": "unit", "code": "yuan", "meaning": "元"} in codes
    # a wrong cell is caught: the validation is real
    params = folder / "parameters.csv"
    lines = params.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    row = next(i for i, line in enumerate(lines) if ",yuan," in line)
    cells = lines[row].split(",")
    cells[header.index("amount_yuan")] = "一百"
    lines[row] = ",".join(cells)
    params.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    assert not frictionless.validate(str(folder / "datapackage.json")).valid


def test_money_in_the_csv_is_yuan_with_two_decimals(jurisdictions, tmp_path):
    opendata.write(jurisdictions["zixi"], tmp_path, "0123456789ab", "2026-12-01")
    rows = list(csv.DictReader((tmp_path / "parameters.csv").open(encoding="utf-8-sig")))
    money = [r for r in rows if r["unit"] == "yuan" and r["ended"] != "yes"]
    assert money and all(r["value"] == "" and r["amount_yuan"].count(".") == 1
                         and len(r["amount_yuan"].split(".")[1]) == 2 for r in money)
    deductible = next(r for r in money if r["description"] == "基本医疗保险住院起付线（每次住院）"
                      and r["applies_to"] == "hospital_level=township")
    assert deductible["amount_yuan"] == "100.00"  # a 100-yuan deductible, not 10000


def test_the_guide_shows_the_refusal_exactly_as_build_prints_it(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("FORMS_URL", raising=False)
    guide = (ROOT / "docs" / "data-officer-guide.md").read_text(encoding="utf-8")
    shown = next(line for line in guide.splitlines() if line.startswith("资溪县（zixi）的公开地址"))
    assert shown in address_problems(["zixi"], {"zixi": ROOT / "policy_data" / "zixi"}, preview=False)
