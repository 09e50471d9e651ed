"""The built sites: every page at its agreed path, in Chinese, strict, self-contained, from the data."""
from __future__ import annotations

import csv
import json
import re
from urllib.parse import urlsplit

import pytest

from builder import settings, urls
from builder.version import data_version, last_changed
from policy.cases import Service, run_calc
from policy.china_time import china_today
from policy.examples import example_case


def page(out, jid, path=""):
    return (out / jid / path / "index.html").read_text(encoding="utf-8")


def text_of(html: str) -> str:
    """Visible text, roughly: tags dropped, whitespace squeezed."""
    html = re.sub(r"</?a\b[^>]*>", "", html)  # a link inside a sentence (the glossary's) splits no word
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_agreed_page_path_exists(site, jurisdictions):
    out = site[0]
    for jid, j in jurisdictions.items():
        paths = ["", "examples/", "diseases/", "hospitals/", "changes/", "open-data/", "stats/",
                 "complain/", "villages/", "lines/", "programs/"]
        paths += [f"lines/{raw['id']}/" for raw in j.layers]
        paths += [f"programs/{p['id']}/" for p in j.programs]
        paths += [f"villages/{t['id']}/{vid}/" for vid, (t, _v) in j.villages.items()]
        missing = [p for p in paths if not (out / jid / p / "index.html").is_file()]
        assert missing == [], jid
        # The URL helpers the notices and forms app use point at these very pages.
        t, v = next(iter(j.villages.values()))
        assert urls.village_url(jid, t["id"], v["id"]).endswith(f"/{jid}/villages/{t['id']}/{v['id']}/")
    assert 'href="zixi/"' in (out / "index.html").read_text(encoding="utf-8")
    assert 'href="jixian/"' in (out / "index.html").read_text(encoding="utf-8")


def test_every_page_is_chinese_and_footed_with_the_data_version(site, jurisdictions):
    out, data, _ = site
    for jid in jurisdictions:
        version, changed = data_version(data / jid), last_changed(data / jid).isoformat()
        pages = list((out / jid).rglob("*.html"))
        assert len(pages) > 50
        for path in pages:
            html = path.read_text(encoding="utf-8")
            assert '<html lang="zh-CN"' in html, path
            if path.name == "404.html":
                continue
            assert f'<span class="data-version">{version}</span>' in html, path
            assert f"数据最后更新 {changed}" in html, path


def test_the_404_page_speaks_chinese_and_links_home(site, jurisdictions):
    out, _, _ = site
    for jid in jurisdictions:
        html = (out / jid / "404.html").read_text(encoding="utf-8")
        assert "Not found" not in html
        assert "<h1>没有这个页面</h1>" in html
        assert f'href="/{jid}/.">回到本县健康扶贫网站首页' in html  # the site's home, from any depth


# Absolute URLs that are names, not requests: XML namespaces in inline SVG and the sitemap, the
# licence banners kept in the theme's CSS and JS, and the help link the search worker prints to the
# console. Each is matched exactly, so a new URL of any kind fails the test.
NOT_REQUESTS = {
    "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink", "http://www.sitemaps.org/schemas/sitemap/0.9",
    "https://fontawesome.com", "https://fontawesome.com/license/free", "https://clipboardjs.com",
    "http://lunrjs.com", "http://tartarus.org/~martin/PorterStemmer/js.txt", "https://bit.ly/2s3ChXG",
}
URL = re.compile(r"""(?:https?|wss?|ftp)://[A-Za-z0-9.-]+(?::\d+)?[^\s"'`)<>\\]*""")
# Scheme-less ("//host/...") URLs in the places a browser fetches them from.
PROTOCOL_RELATIVE = re.compile(r"""(?:(?:src|href|action|srcset)\s*=\s*["']?|url\(\s*["']?|import\s*["'])//[A-Za-z]""")
SCANNED = (".html", ".css", ".js", ".mjs", ".json", ".xml", ".csv", ".svg", ".txt", ".webmanifest")


def _zixi_forms() -> str:
    """zixi's forms address as the build resolves it (jurisdiction.yaml, FORMS_URL overriding)."""
    from builder.cli import DEFAULT_DATA
    from builder.pipeline import _declared
    return settings.forms_url(_declared(DEFAULT_DATA / "zixi"))


ZIXI_FORMS = _zixi_forms()


def outside_urls(out) -> tuple[int, list[str]]:
    from builder.cli import DEFAULT_DATA
    from builder.pipeline import _declared

    # The site's own addresses: each jurisdiction's site_url / forms_url (issue 20), or the overrides.
    declared = [_declared(folder) for folder in sorted(DEFAULT_DATA.iterdir()) if folder.is_dir()]
    allowed = {urlsplit(f(d)).netloc for d in [None, *declared] for f in (settings.site_url, settings.forms_url)}
    offenders, scanned = [], 0
    for path in out.rglob("*"):
        if path.suffix not in SCANNED:
            continue
        scanned += 1
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.relative_to(out)}: {m.group(0)}" for m in PROTOCOL_RELATIVE.finditer(text)]
        for match in URL.finditer(text):
            url = match.group(0)
            if urlsplit(url).netloc in allowed or url.rstrip("/.,;") in NOT_REQUESTS:
                continue
            offenders.append(f"{path.relative_to(out)}: {url}")
    return scanned, offenders


def test_no_file_names_an_outside_host(site):
    scanned, offenders = outside_urls(site[0])
    assert scanned > 100
    assert offenders == []


def test_the_outside_host_scan_catches_fonts_and_cdns(tmp_path):
    """The scan above is not vacuous: Material's Google Fonts link or a CDN script would be caught."""
    (tmp_path / "a.html").write_text('<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">')
    (tmp_path / "b.css").write_text("@font-face{src:url(//fonts.gstatic.com/a.woff2)}")
    (tmp_path / "c.js").write_text('_t("https://unpkg.com/resize-observer-polyfill")')
    assert len(outside_urls(tmp_path)[1]) == 3


def test_line_pages_show_values_dates_sources_and_marks(site):
    html = page(site[0], "zixi", "lines/critical")
    text = text_of(html)
    # 大病保险: the poor's ratio at county level is the plan's own number (no mark); the deductible
    # is one reading of the plan (按本县理解); the cap is a sample number (示例数字).
    ratio = re.search(r"建档立卡贫困人口 · 二级（县级医院）\s*</td>\s*<td><strong>85%</strong>(.*?)</td>", html)
    assert ratio and ratio.group(1).strip() == ""
    deductible = re.search(r"<strong>5946.30 元</strong>(.*?)</td>", html)
    assert deductible and "按本县理解" in deductible.group(1)
    cap = re.search(r"<strong>300000 元</strong>(.*?)</td>", html)
    assert cap and "示例数字" in cap.group(1)
    assert "《县2020年健康扶贫工作计划》 二(一)1" in text
    # A value that changed: both periods, with their dates.
    chronic = page(site[0], "zixi", "lines/chronic_class2")
    assert re.search(r"3000 元</strong>.*?</td>\s*<td>2019年1月1日起，到2019年12月31日", chronic)
    assert re.search(r"5000 元</strong>.*?</td>\s*<td>2020年1月1日起</td>", chronic)


def test_every_value_that_is_not_official_is_marked_on_its_line_page(site, jurisdictions):
    from builder.facts import layer_view
    for jid, j in jurisdictions.items():
        for raw in j.layers:
            rows = [row for p in layer_view(j, raw)["params"] for row in p["rows"]]
            html = page(site[0], jid, f"lines/{raw['id']}")
            assert html.count('class="mark-illustrative"') == sum(r["mark"] == "示例数字" for r in rows)
            assert html.count('class="mark-interpreted"') == sum(r["mark"] == "按本县理解" for r in rows)
            assert sum(r["mark"] == "" for r in rows) + html.count('class="mark-') == len(rows)


def test_worked_examples_are_computed_by_the_engine(site, jurisdictions):
    for jid, j in jurisdictions.items():
        text = text_of(page(site[0], jid, "examples/officers"))
        service = Service({jid: j})
        calc = [ex for ex in j.examples if ex["kind"] == "calc"]
        assert calc
        for ex in calc:
            answer = run_calc(service, example_case(j, ex), explain=False)
            for claim in answer["claims"]:
                assert f"自己付 {claim['self_pay']} 元" in text, ex["name"]
                assert f"合计报销 {claim['reimbursed']}" in text, ex["name"]


def test_residents_examples_are_typical_situations_not_the_engine_tests(site, jurisdictions):
    """/<jid>/examples/ showed 41 engine test cases ("正好半分向上入", "in_county为false"): a
    resident gets a few typical situations, a poor and an ordinary resident side by side."""
    from builder.pages import situation_claim, typical_situations
    for jid, j in jurisdictions.items():
        html = page(site[0], jid, "examples")
        text = text_of(html)
        for ex in j.examples:  # no engine test case, no raw code
            assert ex["name"] not in text, ex["name"]
        assert not re.search(r"[a-z_]+为(true|false)|\bin_county\b", text)
        assert len(re.findall(r"<h2", html)) >= 3 and len(re.findall(r"<h2", html)) <= 5
        assert "在县里的医院住一次院，一共花了 2 万元" in text and "得了大病" in text
        assert ("有门诊特殊慢性病证" in text) == bool(j.chronic_classes)
        # The figures are the engine's, for the same claims, each category beside the other.
        today = china_today()  # the day the site fixture was built for
        spec = typical_situations(j, today)
        service = Service({jid: j})
        first = spec[0]
        claims = [situation_claim({"kind": "inpatient", "hospital_level": "county", "total": 20000, "month": 6},
                                  today, None)]
        for row, category in zip(first["rows"], ("poverty", "general"), strict=True):
            answer = run_calc(service, {"jurisdiction": jid, "person": {"category": category}, "claims": claims},
                              explain=False, compare=False)
            assert row["self_pay"] == answer["claims"][0]["self_pay"]
            assert f"{j.categories[category]['name']} 20000.00 {answer['claims'][0]['reimbursed']} {row['self_pay']}" in text
        assert 'href="officers/"' in html  # the officers' page stays published, off the menu


def test_changes_page_lists_old_and_new_values(site):
    text = text_of(page(site[0], "zixi", "changes"))
    assert re.search(r"2020年1月1日起：II类门诊特殊慢性病年度最高支付限额.*?原来：3000 元.{0,12}现在：\s*5000 元", text)
    # A deadline whose number stayed while the regulation it rests on was replaced.
    assert "2022年5月1日起" in text and "依据改为《信访工作条例》" in text


def test_chinese_headings_keep_their_words_in_their_anchors(site):
    html = page(site[0], "zixi", "changes")
    anchors = re.findall(r'<h[23] id="([^"]+)"', html)
    assert anchors, "the changes page has section headings"
    assert not [a for a in anchors if re.fullmatch(r"_\d*", a)], anchors
    assert any(re.search(r"[\u4e00-\u9fff]", a) for a in anchors), anchors


def test_village_page_has_clinic_doctors_qr_and_a_preselected_complaint_link(site, jurisdictions):
    j = jurisdictions["zixi"]
    township, village = j.villages["hecheng-dajue"]
    html = page(site[0], "zixi", "villages/hecheng/hecheng-dajue")
    text = text_of(html)
    assert "鹤城镇大觉村" in text and "大觉村卫生室" in text
    for doctor in village["clinic"]["doctors"]:
        assert f"{doctor['name']} （{doctor['qualification']}）" in text or doctor["name"] in text
    assert 'href="tel:13800000001"' in html
    assert "<svg" in html and 'class="qr"' in html
    assert f'href="{urls.complaint_url("zixi", village="hecheng-dajue", forms_url=ZIXI_FORMS)}"' in html
    # The printable notice is linked, and the link leads to the PDF the print step wrote.
    link = re.search(r'href="([^"]*notice-hecheng-hecheng-dajue\.pdf)"', html)
    assert link, "the village page links its printable notice"
    village_dir = site[0] / "zixi" / "villages" / "hecheng" / "hecheng-dajue"
    assert (village_dir / link[1]).resolve().is_file()


def test_complain_page_links_into_the_forms_app(site):
    html = page(site[0], "zixi", "complain")
    assert urls.complaint_url("zixi", forms_url=ZIXI_FORMS) in html
    assert f'href="{urls.track_url("zixi", forms_url=ZIXI_FORMS)}"' in html
    text = text_of(html)
    assert "15 天" in text and "60 天" in text  # the commitments in force (calendar days, issue 21 item 4)


def test_statistics_page_with_and_without_figures(site):
    text = text_of(page(site[0], "zixi", "stats"))
    assert "2026年10月" in text and "12" in text and "办结用时" in text
    assert "暂未公布统计数字" in text_of(page(site[0], "jixian", "stats"))


def test_statistics_page_in_words_in_the_datas_order_with_the_staff_pages_status_names(site):
    """Issue 27 point 15: the date as residents write it, the categories in complaints.yaml's order
    (not the export's alphabetical one), the statuses under forms_app/lifecycle.py's names."""
    from forms_app.lifecycle import status_name
    text = text_of(page(site[0], "zixi", "stats"))
    assert "统计时间：2026年11月25日" in text and "2026-11-25" not in text and "2026-10" not in text
    shown = [text.index(name) for name in ("住院被收了押金", "村卫生室在公布的时间关门", "工作人员态度不好")]
    assert shown == sorted(shown), "categories in the order of complaints.yaml"
    assert status_name("closed") in text and status_name("in_progress") in text
    assert text.index(status_name("in_progress")) < text.index(status_name("closed"))  # the lifecycle's order


def test_statistics_status_names_are_the_staff_pages_names():
    """The site cannot import forms_app: its names for stats files exported without `status_names`
    are kept equal to the staff pages' here, and a file's own names win."""
    from builder.pages import STATUS_NAMES, stats_view
    from forms_app.lifecycle import STATUSES, status_name
    assert {s: STATUS_NAMES[s] for s in STATUSES} == {s: status_name(s) for s in STATUSES}
    assert list(STATUS_NAMES)[:len(STATUSES)] == list(STATUSES)
    j = type("J", (), {"complaint_categories": [{"id": "b", "name": "乙"}, {"id": "a", "name": "甲"}]})()
    view = stats_view(j, {"generated": "2026-12-06T09:30:00+08:00",
                          "status_names": {"closed": "办完了", "accepted": "收下了"},
                          "months": [{"month": "2026-12", "received": 3, "by_category": {"a": 1, "b": 1, "zz": 1},
                                      "by_status": {"accepted": 1, "closed": 2}}]})
    assert view["generated"] == "2026年12月6日" and view["months"][0]["month"] == "2026年12月"
    assert [c["name"] for c in view["months"][0]["by_category"]] == ["乙", "甲", "zz"]
    assert [s["name"] for s in view["months"][0]["by_status"]] == ["办完了", "收下了"]


def test_open_data_matches_its_schema_and_carries_the_version(site):
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    out, data, _ = site
    folder = out / "zixi" / "data"
    doc = json.loads((folder / "policy-data.json").read_text(encoding="utf-8"))
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    jsonschema_rs.validator_for(schema).validate(doc)
    assert doc["data_version"] == data_version(data / "zixi")
    rows = list(csv.DictReader((folder / "parameters.csv").open(encoding="utf-8-sig")))
    assert {r["data_version"] for r in rows} == {doc["data_version"]}
    assert any(r["parameter"] == "layers.critical.deductible" and r["amount_yuan"] == "5946.30"
               and r["value"] == "" for r in rows)
    villages = list(csv.DictReader((folder / "villages.csv").open(encoding="utf-8-sig")))
    assert len(villages) == 61
    drugs = list(csv.DictReader((folder / "drug-prices.csv").open(encoding="utf-8-sig")))
    assert {r["data_version"] for r in drugs} == {doc["data_version"]} and {r["status"] for r in drugs} == {"illustrative"}
    county = {(r["drug_id"], r["from"]): r["price_yuan"] for r in drugs if not r["clinic_village"]}
    assert county[("amoxicillin_caps", "2019-01-01")] == "8.50" and county[("amoxicillin_caps", "2020-07-01")] == "7.80"
    assert any(r["clinic_village"] == "gaofu-gaofu" and r["not_stocked"] == "yes" for r in drugs)
    assert "drug-prices.csv" in page(out, "zixi", "open-data")


def test_programs_say_who_where_and_what_to_bring(site):
    text = text_of(page(site[0], "zixi", "programs/moxibustion_elderly"))
    assert "属于建档立卡贫困人口" in text and "年满 65 岁" in text and "下面任意一条符合即可" in text
    assert "资溪县中医院" in text and "扶贫手册" in text


# ------------------------------------------------------------------ drug prices and the process (drugs.yaml, process.yaml)

def _price(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d} 元"


@pytest.mark.parametrize("jid", ["zixi", "jixian"])
def test_village_page_lists_every_drug_of_its_clinic_with_its_price_and_mark(site, jurisdictions, jid):
    import datetime as dt
    from policy.drugs import clinic_list
    j = jurisdictions[jid]
    for vid, (township, _) in list(j.villages.items())[:3]:
        text = text_of(page(site[0], jid, f"villages/{township['id']}/{vid}"))
        section = text[text.index("药品价格"):text.index("全县药品价格和调价记录")]
        posted = clinic_list(j.drugs, vid, dt.date.today())
        assert posted
        for d in posted:  # all of them, not only the 20 of the notice
            assert f"{d['name']} {d['spec']} {_price(d['fen'])}/{d['unit']}" in section, d
        assert "示例数字" in section


def test_a_clinics_own_price_and_missing_drug_show_on_its_page(site):
    own = text_of(page(site[0], "zixi", "villages/gaofu/gaofu-gaofu"))
    other = text_of(page(site[0], "zixi", "villages/gaotian/gaotian-gaotian"))
    assert "板蓝根颗粒 10g×20袋 11.80 元/包 （本卫生室价格）" in own
    assert "板蓝根颗粒 10g×20袋 12.50 元/包" in other
    assert "葡萄糖注射液" not in own and "葡萄糖注射液" in other
    assert f'href="{urls.complaint_url("zixi", village="gaofu-gaofu", category="drug_price", forms_url=ZIXI_FORMS)}"'.replace("&", "&amp;") \
        in page(site[0], "zixi", "villages/gaofu/gaofu-gaofu")


def test_drug_page_lists_the_whole_list_its_common_names_and_changes_over_time(site, jurisdictions):
    j = jurisdictions["zixi"]
    text = text_of(page(site[0], "zixi", "drugs"))
    for d in j.drugs["drugs"]:
        assert d["name"] in text
        for common in d["common_names"]:
            assert common in text
    changes = text[text.index("从新到旧"):]
    # amoxicillin went from 8.50 to 7.80 on 2020-07-01; gauze left the list on 2021-01-01
    assert "2020年7月1日 阿莫西林胶囊（0.25g×24粒） 全县 7.80 元/盒（原 8.50 元）" in changes
    assert "2021年1月1日 医用纱布绷带（6cm×600cm） 全县 不再列出" in changes
    assert changes.index("2021年1月1日") < changes.index("2020年7月1日") < changes.index("2019年1月1日")
    assert "示例数字" in text and "不是官方价格" in text


@pytest.mark.parametrize("jid", ["zixi", "jixian"])
def test_home_page_shows_the_process_as_numbered_steps_with_their_sources(site, jurisdictions, jid):
    html = page(site[0], jid)
    steps = jurisdictions[jid].process
    flow = html[html.index('id="process"'):]
    items = re.findall(r"<li>(.*?)</li>", flow[:flow.index("</ol>")], re.S)
    assert len(items) == len(steps) + 1  # and the last: what to do when a step fails
    for item, step in zip(items, steps):
        assert step["title"] in item and step["quote"] in item
    assert "哪一步没做到" in items[-1]


def test_search_dictionary_has_drug_names_and_common_names(jurisdictions):
    from builder import mkdocs_site
    words = {line.split(" ")[0] for line in mkdocs_site.user_dictionary(jurisdictions["zixi"]).splitlines()}
    assert {"对乙酰氨基酚片", "扑热息痛", "黄连素", "药品价格"} <= words


def test_search_index_finds_a_drug_by_its_common_name(site):
    index = json.loads((site[0] / "zixi" / "search" / "search_index.json").read_text(encoding="utf-8"))
    found = [doc["location"] for doc in index["docs"] if "扑热息痛" in doc["text"]]
    assert found and all(loc.startswith("drugs/") for loc in found)


def test_glossary_explains_the_terms_and_pages_link_to_it(site, jurisdictions):
    from builder.glossary import terms
    named = {t["term"] for t in terms()}
    for term in ("起付线", "目录内", "目录外", "转外就医", "建档立卡", "特困供养", "兜底", "一站式结算", "先诊疗后付费"):
        assert term in named, term
    for jid in jurisdictions:
        html = page(site[0], jid, "glossary")
        for t in terms():
            assert f'<h2 id="{t["id"]}">{t["term"]}</h2>' in html and t["plain"] in html
        # A page's first use of a term links to its entry, relative to where the page is.
        line = page(site[0], jid, "lines/basic") if (site[0] / jid / "lines/basic").exists() else page(site[0], jid, "lines")
        assert re.search(r'<a class="term" href="(\.\./)+glossary/#qifu" title="词语解释">起付线</a>', line)
        home = page(site[0], jid)
        assert re.search(r'<a class="term" href="glossary/#\w+"', home)
        # never inside a heading or a link
        assert not re.search(r'<h[1-6][^>]*>[^<]*<a class="term"', home)
        assert not re.search(r'<a [^>]*>[^<]*<a class="term"', line)


def test_village_page_links_to_the_calculator_and_examples_and_marks_doctors(site, jurisdictions):
    j = jurisdictions["zixi"]
    township, village = j.villages["hecheng-dajue"]
    html = page(site[0], "zixi", "villages/hecheng/hecheng-dajue")
    assert 'href="../../../calculator/"' in html and 'href="../../../examples/"' in html
    doctors = html[html.index("村医</h2>"):html.index("</ul>", html.index("村医</h2>"))]
    assert doctors.count('class="mark-illustrative"') == len(village["clinic"]["doctors"])
    index = page(site[0], "zixi", "villages")
    # the township hospital's phone is its own paragraph, not among the village links
    links = re.findall(r'<p class="village-links">(.*?)</p>', index, re.S)
    assert links and all("卫生院" not in x and "tel:" not in x for x in links)
    assert '<p class="health-center">乡镇卫生院（不是村卫生室）' in index
