"""Printed sheets, read back from the PDFs: text, fonts, page boxes, QR codes and the numbers.

Rendering is slow, so each sample jurisdiction is printed ONCE per session with two of its
villages (from two townships); every test reads those files.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from builder import leaflet_columns, printing
from builder.print_facts import PrintDataError, jurisdiction_facts, village_facts, yuan
from builder.version import data_version
from policy.cases import Service
from policy.china_time import china_today
from policy.coverage import layer_params
from policy.china_time import china_today
from policy.loader import load_jurisdiction

ROOT = Path(__file__).resolve().parent.parent
SITE, FORMS = "http://site.test", "http://forms.test"
AS_OF = china_today()  # taken once: a run across Beijing midnight still compares like with like
A3 = (841.89, 1190.55)  # points
A4 = (595.28, 841.89)


def _trimmed(jid: str):
    """The jurisdiction with the first village of its first two townships only."""
    jur, problems = load_jurisdiction(ROOT / "policy_data" / jid, run_examples=False)
    assert problems == []
    firsts = {}
    for vid, (township, _) in jur.villages.items():
        firsts.setdefault(township["id"], vid)
    keep = list(firsts.values())[:2]
    jur.villages = {vid: jur.villages[vid] for vid in keep}
    return jur


@pytest.fixture(scope="session")
def printed(tmp_path_factory):
    out = {}
    for jid in ("zixi", "jixian"):
        jur = _trimmed(jid)
        folder = tmp_path_factory.mktemp(jid)
        version = data_version(jur.folder)
        # One date for the sheets and the facts read back (Beijing's day, not the server's).
        paths, rendered, _ = printing.print_jurisdiction_report(jur, folder, version, site_url=SITE, forms_url=FORMS,
                                                                as_of=AS_OF)
        facts = jurisdiction_facts(jur, version, Service({jid: jur}), as_of=AS_OF,
                                   site_url=SITE, forms_url=FORMS)
        villages = [village_facts(jur, vid, site_url=SITE, forms_url=FORMS, as_of=AS_OF) for vid in jur.villages]
        out[jid] = {"jur": jur, "dir": folder / "print", "out": folder, "paths": paths, "rendered": rendered,
                    "facts": facts, "villages": villages, "version": version}
    return out


JIDS = ("zixi", "jixian")


def _notice(p, v) -> Path:
    return p["dir"] / f"notice-{v['township_id']}-{v['id']}.pdf"


def _text(path: Path) -> str:
    """pdftotext, with white space removed: CJK lines break anywhere."""
    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", raw)


def test_harfbuzz_subsetter_is_in_use():
    import weasyprint.pdf.fonts as fonts

    assert fonts.harfbuzz_subset is not None, "libharfbuzz-subset0 missing: fonts would be subset 70x slower"


@pytest.mark.parametrize("jid", JIDS)
def test_every_document_is_written(printed, jid):
    p = printed[jid]
    names = {path.name for path in p["paths"]}
    expected = {"county-pack.pdf", "leaflet.pdf"}
    for v in p["villages"]:
        expected |= {_notice(p, v).name, f"cards-{v['id']}.pdf"}
    assert names == expected
    assert all(path.is_file() for path in p["paths"])
    assert not list(p["dir"].glob("*.tmp")), "a temporary file was left behind"


@pytest.mark.parametrize("jid", JIDS)
def test_each_notice_is_exactly_one_a3_page(printed, jid):
    p = printed[jid]
    for v in p["villages"]:
        reader = PdfReader(_notice(p, v))
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A3, abs=1)
    pack = PdfReader(p["dir"] / "county-pack.pdf")
    assert len(pack.pages) == len(p["villages"])


@pytest.mark.parametrize("jid", JIDS)
def test_notice_text_names_village_doctors_phones_hotline_and_version(printed, jid):
    p = printed[jid]
    for v in p["villages"]:
        text = _text(_notice(p, v))
        assert v["name"] in text and v["township"] in text
        assert v["clinic"]["phone"] in text and v["health_center"]["phone"] in text
        for doctor in v["doctors"]:
            assert doctor["name"] in text and doctor["qualification"] in text
        assert p["facts"]["hotline"]["phone"] in text
        assert p["version"] in text
        day = china_today()  # what the print used (the fixture's facts take the machine's date)
        assert f"按{day.year}年{day.month}月{day.day}日执行的政策" in text


@pytest.mark.parametrize("jid", JIDS)
def test_notice_shows_the_datas_deductibles_caps_and_ratios_with_their_marks(printed, jid):
    """Every deductible and cap of an inpatient line, as the data has it on the effective date."""
    p = printed[jid]
    text = _text(_notice(p, p["villages"][0]))
    date = dt.date.fromisoformat(p["facts"]["effective_date"])
    shown = 0
    for raw in p["jur"].layers:
        if "inpatient" not in raw["kinds"] or raw["method"] == "waiver":
            continue
        for which in ("deductible", "cap"):
            param = raw[which]
            if param is None:
                continue
            for _, series in param.series():
                value = series.at(date)
                if value is not None:
                    assert f"{yuan(value.value)}元" in text, (raw["id"], which, value.value)
                    shown += 1
    assert shown >= 3
    if any(v.illustrative for raw in p["jur"].layers for prm in layer_params(raw) for _, s in prm.series()
           for v in s.values):
        assert "示例数字" in text


@pytest.mark.parametrize("jid", JIDS)
def test_worked_examples_equal_build_py_calc(printed, jid):
    p = printed[jid]
    cases = [r["input"] for ex in p["facts"]["examples"] for r in ex["results"]]
    assert len(p["facts"]["examples"]) == 3
    done = subprocess.run([sys.executable, "build.py", "calc", "--no-explain", "--no-compare"], cwd=ROOT,
                          input=json.dumps(cases), capture_output=True, text=True, check=True)
    answers = json.loads(done.stdout)
    text = _text(_notice(p, p["villages"][0]))
    leaflet = _text(p["dir"] / "leaflet.pdf")
    first = p["facts"]["examples"][0]["results"][0]["category_name"]
    for case, answer in zip(cases, answers):
        claim = answer["claims"][0]
        assert Decimal(claim["reimbursed"]) + Decimal(claim["self_pay"]) == Decimal(case["claims"][0]["total"])
        assert f"自己付{claim['self_pay']}元" in leaflet and f"报销{claim['reimbursed']}元" in leaflet
    # The notice: in full, or beside drug prices the first category's share of each example.
    for ex in p["facts"]["examples"]:
        for r in ex["results"][:1] if p["jur"].drugs else ex["results"]:
            claim = answers[cases.index(r["input"])]["claims"][0]
            assert f"自己付{claim['self_pay']}元" in text, (ex["level_name"], r["category_name"])
    if p["jur"].drugs:
        assert f"{first}住院" in text


@pytest.mark.parametrize("jid", JIDS)
def test_notice_lists_every_drug_of_the_clinic_with_its_price_up_to_twenty(printed, jid):
    """Read back from the PDF: each drug the notice lists, with specification and price, from the
    clinic's list computed from drugs.yaml (not from the facts the template was given)."""
    from policy.drugs import clinic_list
    p = printed[jid]
    assert p["jur"].drugs, "the sample has a drug list"
    for v in p["villages"]:
        text = _text(_notice(p, v))
        posted = clinic_list(p["jur"].drugs, v["id"], AS_OF)
        for d in posted[:20]:
            assert f"{d['name']}{d['spec'].replace(' ', '')}{d['fen'] // 100}.{d['fen'] % 100:02d}元/{d['unit']}" in text, d
        for d in posted[20:]:
            assert d["name"] not in text, f"{d['name']} is beyond the first 20 but printed"
        if len(posted) > 20:
            assert f"另有{len(posted) - 20}种药：扫码看本村政策" in text
        assert "本卫生室药品价格示例数字" in text  # the sample prices are illustrative, and say so


def test_a_clinics_own_price_and_missing_drug_are_what_its_notice_shows(printed):
    p = printed["zixi"]
    v = next(v for v in p["villages"] if v["id"] == "gaofu-gaofu")
    other = next(v for v in p["villages"] if v["id"] != "gaofu-gaofu")
    own, county = _text(_notice(p, v)), _text(_notice(p, other))
    assert "板蓝根颗粒10g×20袋11.80元/包" in own and "板蓝根颗粒10g×20袋12.50元/包" in county
    # glucose is within the first 20 of the county list, and gaofu-gaofu does not stock it
    assert "葡萄糖注射液" not in own and "葡萄糖注射液" in county


@pytest.mark.parametrize("jid", JIDS)
def test_notice_prints_the_numbered_process_with_the_hotline_step(printed, jid):
    p = printed[jid]
    text = _text(_notice(p, p["villages"][0]))
    steps = p["jur"].process
    assert steps
    for n, step in enumerate(steps, 1):
        assert f"{n}{step['title']}" in text and step["text"].replace(" ", "") in text
    assert f"{len(steps) + 1}哪一步没做到" in text


@pytest.mark.parametrize("jid", JIDS)
def test_fonts_are_noto_sans_cjk_sc_embedded_and_never_type3(printed, jid):
    p = printed[jid]
    for path in [_notice(p, p["villages"][0]), p["dir"] / "leaflet.pdf", p["dir"] / f"cards-{p['villages'][0]['id']}.pdf"]:
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = out.splitlines()[2:]
        assert rows, path
        assert any("Noto-Sans-CJK-SC" in row for row in rows), out
        assert all(" yes " in row for row in rows), f"a font is not embedded:\n{out}"
        assert "Type 3" not in out


@pytest.mark.parametrize("jid", JIDS)
def test_notice_text_stays_inside_its_boxes(printed, jid):
    """No character runs over a box's border. The full-width boxes (drug prices, the table, the
    examples, the process steps, the complaint box) are each drawn as two filled outlines, the
    border's outer and inner edge; a character whose middle lies between a box's top and bottom
    must lie between its edges left and right (the steps' list indent once pushed step 5 out)."""
    p = printed[jid]
    for v in p["villages"]:
        with pdfplumber.open(_notice(p, v)) as pdf:
            page = pdf.pages[0]
            boxes = [c for c in page.curves if c["x1"] - c["x0"] > page.width / 2]
            assert len(boxes) >= 8, "the boxes' outlines were not found"
            outside = [c["text"] for c in page.chars if c["text"].strip()
                       for box in boxes if box["top"] < (c["top"] + c["bottom"]) / 2 < box["bottom"]
                       and (c["x0"] < box["x0"] or c["x1"] > box["x1"])]
        assert outside == [], f"{v['id']}: {''.join(outside)}"


@pytest.mark.parametrize("jid", JIDS)
def test_title_is_at_least_36pt_and_all_text_at_least_14pt(printed, jid):
    p = printed[jid]
    with pdfplumber.open(_notice(p, p["villages"][0])) as pdf:
        sizes = [round(c["size"], 1) for c in pdf.pages[0].chars if c["text"].strip()]
    assert max(sizes) >= 36
    assert min(sizes) >= 14


@pytest.mark.parametrize("jid", JIDS)
def test_qr_codes_decode_to_the_village_page_and_the_complaint_form(printed, jid, tmp_path):
    import zxingcpp
    from PIL import Image

    p = printed[jid]
    for v in p["villages"]:
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(_notice(p, v)), str(tmp_path / v["id"])], check=True)
        image = Image.open(next(tmp_path.glob(f"{v['id']}*.png")))
        found = {result.text for result in zxingcpp.read_barcodes(image)}
        assert found == {f"{SITE}/{jid}/villages/{v['township_id']}/{v['id']}/",
                         f"{FORMS}/{jid}/complaint?village={v['id']}"}


def _text_over_qr_codes(path: Path, urls: set[str], tmp_path: Path) -> list[str]:
    """Characters of the page drawn on a QR code or its quiet zone (4 modules around it).

    Where the codes are comes from decoding the rendered page (zxing-cpp), not from how they are
    drawn; every URL in `urls` must be found, so the check cannot pass on a page without codes.
    """
    import segno
    import zxingcpp
    from PIL import Image

    dpi = 100
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(path), str(tmp_path / path.stem)], check=True)
    image = Image.open(next(tmp_path.glob(f"{path.stem}*.png")))
    boxes = {}
    for result in zxingcpp.read_barcodes(image):
        corners = [result.position.top_left, result.position.top_right,
                   result.position.bottom_right, result.position.bottom_left]
        xs = [c.x * 72 / dpi for c in corners]
        ys = [c.y * 72 / dpi for c in corners]
        quiet = 4 * (max(xs) - min(xs)) / segno.make(result.text, error="m").symbol_size(border=0)[0]
        boxes[result.text] = (min(xs) - quiet, min(ys) - quiet, max(xs) + quiet, max(ys) + quiet)
    assert set(boxes) == urls
    over = []
    with pdfplumber.open(path) as pdf:
        for c in pdf.pages[0].chars:
            for x0, top, x1, bottom in boxes.values():
                if c["x0"] < x1 and c["x1"] > x0 and c["top"] < bottom and c["bottom"] > top:
                    over.append(f"{c['text']}@({c['x0']:.0f},{c['top']:.0f})")
    return over


@pytest.mark.parametrize("jid", JIDS)
def test_no_text_is_drawn_on_a_qr_code(printed, jid, tmp_path):
    p = printed[jid]
    for v in p["villages"]:
        urls = {f"{SITE}/{jid}/villages/{v['township_id']}/{v['id']}/", f"{FORMS}/{jid}/complaint?village={v['id']}"}
        assert _text_over_qr_codes(_notice(p, v), urls, tmp_path) == []


def _supervision(jur) -> dict:
    return next(c for c in jur.contacts if c.get("role") == "supervision")


def test_a_longer_complaint_text_moves_up_and_still_never_runs_under_the_qr_codes(tmp_path):
    jur = _trimmed("zixi")
    jur.villages = dict(list(jur.villages.items())[:1])
    # Once, not twice: the leaflet (which prints the hours too, beside its glossary) holds no more.
    _supervision(jur)["hours"] = "工作日 8:00-12:00，14:30-17:30；节假日值班电话转接，"
    printing.print_jurisdiction(jur, tmp_path, "v1", site_url=SITE, forms_url=FORMS)
    vid, (township, _) = next(iter(jur.villages.items()))
    path = tmp_path / "print" / printing.notice_name(township["id"], vid)
    assert "节假日值班电话转接" in _text(path)
    urls = {f"{SITE}/zixi/villages/{township['id']}/{vid}/", f"{FORMS}/zixi/complaint?village={vid}"}
    assert _text_over_qr_codes(path, urls, tmp_path) == []


def test_a_complaint_text_too_long_for_the_page_stops_naming_the_field(tmp_path):
    jur = _trimmed("zixi")
    _supervision(jur)["hours"] = "工作日 8:00-12:00，14:30-17:30；节假日值班电话转接，" * 12
    with pytest.raises(printing.PrintError) as err:
        printing.print_jurisdiction(jur, tmp_path, "v1", site_url=SITE, forms_url=FORMS)
    message = str(err.value)
    assert "zixi" in message and "公示栏放不下" in message and "contacts.yaml 监督电话的 hours" in message
    assert not list(tmp_path.rglob("*.pdf"))


def test_qr_operators_paint_exactly_segnos_dark_modules_inside_the_square():
    """Replays the rectangles of builder.qr.pdf_ops through its transform and compares the
    painted module centres with segno's own matrix; the square with its quiet zone is where asked."""
    import segno

    from builder.qr import BORDER, pdf_ops, qr_matrix

    url = f"{FORMS}/zixi/complaint?village=gaofu-baishi"
    matrix = [[bool(m) for m in row] for row in segno.make(url, error="m").matrix]
    assert qr_matrix(url) == matrix
    left, top, side = 100.0, 500.0, 96.0
    lines = pdf_ops(matrix, left, top, side).splitlines()
    assert lines[0].startswith("q 0 g") and lines[0].endswith(" cm") and lines[-1] == "f Q"
    a, _, _, d, e, f = map(float, lines[0].split()[3:9])
    n = len(matrix)
    module = side / (n + 2 * BORDER)
    assert a == pytest.approx(module, abs=1e-4) and d == pytest.approx(-module, abs=1e-4)
    painted = [[False] * n for _ in range(n)]
    for line in lines[1:-1]:
        x, y, w, h, op = line.split()
        assert op == "re" and float(h) == pytest.approx(1.02)
        x0, x1 = a * int(x) + e, a * (int(x) + int(w)) + e  # page coordinates
        y0, y1 = d * float(y) + f, d * (float(y) + float(h)) + f
        assert left + BORDER * module - 1e-3 <= x0 < x1 <= left + side - BORDER * module + 1e-3
        assert top - side + BORDER * module - 0.02 * module <= y1 < y0 <= top - BORDER * module + 0.02 * module
        row = round((top - (y0 + y1) / 2) / module) - BORDER  # the module row at the rectangle's middle
        for col in range(round((x0 - left) / module) - BORDER, round((x1 - left) / module) - BORDER):
            assert not painted[row][col], "a module painted twice"
            painted[row][col] = True
    assert painted == matrix


def _urls(count: int, seed: int) -> list[str]:
    """URLs of many lengths (so many QR versions) and random characters (so many byte patterns)."""
    import random

    rng = random.Random(seed)
    chars = "abcdefghijklmnopqrstuvwxyz0123456789-/?=&.%"
    urls = [f"{FORMS}/pref{i:02d}/complaint?village={''.join(rng.choices(chars, k=rng.randint(1, 200)))}"
            for i in range(count)]
    return urls + ["".join(rng.choices(chars, k=n)) for n in range(1, 40)]


def test_fast_mask_choice_makes_exactly_segnos_codes():
    """builder.qr_masks picks segno's mask: same mask number and same matrix as segno alone."""
    import segno

    from builder.qr_masks import fast_masks

    urls = _urls(150, seed=8)
    own = [segno.make(url, error="m") for url in urls]
    with fast_masks():
        fast = [segno.make(url, error="m") for url in urls]
    assert {code.version for code in own} >= set(range(2, 9)), "too few QR versions tried"
    assert [(c.mask, c.matrix) for c in fast] == [(c.mask, c.matrix) for c in own]
    assert segno.encoder.find_and_apply_best_mask.__module__ == "segno.encoder", "segno left patched"


def test_fast_mask_score_equals_segnos_on_random_matrices():
    """The penalty score itself (N1–N4), also on matrices segno's masks would rarely produce."""
    import random

    from segno import encoder

    from builder.qr_masks import score

    rng = random.Random(8)
    for _ in range(200):
        size = rng.choice([21, 25, 33, 41, 57])
        dark = rng.choice([0.1, 0.5, 0.9])  # long runs and 2x2 blocks as well as noise
        rows = [bytearray(int(rng.random() < dark) for _ in range(size)) for _ in range(size)]
        if rng.random() < 0.5:  # finder-like 1011101 patterns with and without light around them
            row = rng.randrange(size)
            at = rng.randrange(size - 6)
            rows[row][at:at + 7] = bytes((1, 0, 1, 1, 1, 0, 1))
        assert score([bytes(r) for r in rows], size) == encoder.evaluate_mask(rows, size, size)


@pytest.mark.parametrize("jid", JIDS)
def test_shared_styles_fast_percentages_and_fast_pages_change_no_byte_of_any_sheet(jid):
    """builder.shared_styles lets recurring elements share computed styles, builder.fast_percentages
    skips WeasyPrint's calc() check for plain lengths, builder.fast_pages skips margin boxes that
    generate nothing: every sheet must be byte for byte what WeasyPrint makes without them (the
    stamps have their footers in margin boxes), and twins must really have shared."""
    from weasyprint import HTML
    from weasyprint.layout import percent

    from builder.fast_pages import fast_pages
    from builder.fast_percentages import fast_percentages
    from builder.print_facts import PRINT_DIR, load_scenarios
    from builder.shared_styles import TwinStyle, shared_styles

    jur, problems = load_jurisdiction(ROOT / "policy_data" / jid, run_examples=False)
    assert problems == []
    facts = jurisdiction_facts(jur, "v-test", Service({jid: jur}), as_of=dt.date(2026, 1, 1), site_url=SITE,
                               forms_url=FORMS, scenarios=load_scenarios())
    villages = [village_facts(jur, vid, site_url=SITE, forms_url=FORMS) for vid in list(jur.villages)[:6]]
    assert len(villages) >= 3
    r = printing.renderer()
    boxes = list({json.dumps(printing.drug_box(v), sort_keys=True): printing.drug_box(v) for v in villages}.values())
    content, stamp = printing.split_facts(facts)
    sheets = {"notice": {"j": content, "boxes": boxes, "villages": villages},
              "leaflet": {"j": content}, "cards": {"j": content, "villages": villages},
              "notice-stamp": {"j": stamp}, "leaflet-stamp": {"j": stamp}}
    from weasyprint import layout as wlayout

    calls, margins = [], []
    own, own_margins = percent.percentage, wlayout.make_margin_boxes
    percent.percentage = lambda *args: calls.append(args) or own(*args)  # counts WeasyPrint's own calls
    wlayout.make_margin_boxes = lambda *args: margins.append(args) or own_margins(*args)
    try:
        for kind, context in sheets.items():
            html = r.env.get_template(f"{kind}.html").render(**context)
            css = [r.css["base"], r.css[kind.split("-")[0]]]
            calls.clear()
            plain = HTML(string=html, base_url=f"{PRINT_DIR}/").render(stylesheets=css, font_config=r.font_config)
            plain_calls = len(calls)
            with shared_styles(), fast_percentages(), fast_pages():
                calls.clear()
                margins.clear()
                fast = HTML(string=html, base_url=f"{PRINT_DIR}/").render(stylesheets=css, font_config=r.font_config)
            assert fast.write_pdf() == plain.write_pdf(), kind
            if kind.endswith("stamp"):
                assert len(margins) == len(fast.pages), "the stamps' footers are in margin boxes"
                continue
            assert len(calls) < plain_calls / 10, "the fast path was not taken"
            if kind == "notice":
                assert margins == [], "no page of the notice has a margin box (the footer is the stamp)"
                styles = [box.style for page in fast.pages for box in page._page_box.descendants()
                          if isinstance(box.style, TwinStyle)]
                groups = {id(style.shared) for style in styles}
                assert len(styles) > 3 * len(groups), "the villages' elements did not share their styles"
    finally:
        percent.percentage, wlayout.make_margin_boxes = own, own_margins
    assert percent.percentage is own


@pytest.mark.parametrize("jid", JIDS)
def test_leaflet_is_at_most_two_a4_pages_with_contacts(printed, jid):
    p = printed[jid]
    reader = PdfReader(p["dir"] / "leaflet.pdf")
    assert 1 <= len(reader.pages) <= 2
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=1)
    text = _text(p["dir"] / "leaflet.pdf")
    for contact in p["facts"]["contacts"]:
        assert contact["phone"] in text
    assert p["version"] in text


@pytest.mark.parametrize("jid", JIDS)
def test_leaflet_programs_and_glossary_print_every_entry_in_columns_side_by_side(printed, jid):
    """The programs' two columns and the glossary's three are split by leaflet_columns.columns (whole
    entries) and set as floats (CSS columns were laid out again and again to balance them): every
    program and term is printed, each column starts on the first line of its part, and the
    programs' columns end within about a program of each other."""
    p = printed[jid]
    text = _text(p["dir"] / "leaflet.pdf")
    programs, glossary = p["facts"]["programs"], p["facts"]["glossary"]
    assert len(programs) >= 6 and len(glossary) >= 3
    for program in programs:
        assert program["name"].replace(" ", "") in text
    for entry in glossary:
        assert entry["term"] + "：" in text and entry["plain"].replace(" ", "") in text, entry["term"]
    with pdfplumber.open(p["dir"] / "leaflet.pdf") as pdf:
        # (page, top, left, text) of each word: a column's gap splits words
        words = [(n, w["top"], w["x0"], w["text"]) for n, page in enumerate(pdf.pages) for w in page.extract_words()]

    def top(first_words: str) -> tuple[float, float]:
        return next((n * 10_000 + t, x) for n, t, x, word in words if word.startswith(first_words))

    for split, lead in ((leaflet_columns.columns(programs, 2, "programs"), lambda e: e["name"][:6]),
                        (leaflet_columns.columns(glossary, 3, "terms"), lambda e: e["term"] + "：")):
        if not all(split):
            continue  # a column left empty: nothing to line up (not so in the samples)
        tops = [top(lead(column[0])) for column in split]
        assert max(t for t, _ in tops) - min(t for t, _ in tops) < 1, tops  # side by side
        assert [x for _, x in tops] == sorted(x for _, x in tops)  # in order, left to right
    # the programs' columns: where each one's last program starts, within a program's height
    left, right = leaflet_columns.columns(programs, 2, "programs")
    ends = [top(column[-1]["name"][:6])[0] for column in (left, right)]
    assert abs(ends[0] - ends[1]) < 60, ends  # about four lines of 11.5 pt


def test_columns_keep_entries_whole_in_order_and_about_as_long():
    entry = lambda n: {"term": "词", "plain": "字" * n}  # noqa: E731 - 2 + n characters, 18 a line
    entries = [entry(n) for n in (30, 40, 10, 50, 20, 35)]  # 2, 3, 1, 3, 2, 3 lines
    split = leaflet_columns.columns(entries, 3, "terms")
    assert [e for column in split for e in column] == entries
    assert [len(c) for c in split] == [2, 2, 2]  # 5, 4, 5 lines: no split has a shorter longest
    assert [len(c) for c in leaflet_columns.columns(entries[:1], 3, "terms")] == [1, 0, 0]  # the first fills first
    assert leaflet_columns.columns([], 3, "terms") == [[], [], []]
    # Latin letters and digits take half the width of a CJK character
    assert leaflet_columns.ESTIMATED_LINES["terms"]({"term": "A", "plain": "1" * 33}) == 1
    assert leaflet_columns.ESTIMATED_LINES["terms"]({"term": "词", "plain": "字" * 33}) == 2
    program = lambda name, n: {"name": name, "label": "", "summary": "字" * n}  # noqa: E731
    programs = [program("一", 40), program("二", 10), program("三", 10), program("四", 10), program("五", 10)]
    left, right = leaflet_columns.columns(programs, 2, "programs")
    assert [q["name"] for q in left] == ["一", "二"] and [q["name"] for q in right] == ["三", "四", "五"]


@pytest.mark.parametrize("jid", JIDS)
def test_cards_put_eight_of_a_village_on_one_a4_sheet(printed, jid):
    p = printed[jid]
    v = p["villages"][0]
    path = p["dir"] / f"cards-{v['id']}.pdf"
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    text = _text(path)
    assert text.count(f"{v['name']}健康联系卡") == 8
    assert text.count(p["facts"]["hotline"]["phone"]) == 8
    assert text.count(v["doctors"][0]["name"]) == 8


def _chars(path: Path) -> list[tuple]:
    with pdfplumber.open(path) as pdf:
        # by line, then across (whole points: copies of a card share their x to a hundredth)
        chars = sorted(pdf.pages[0].chars, key=lambda c: (round(c["top"]), round(c["x0"]), c["text"]))
        return [(c["x0"], c["top"], c["text"]) for c in chars]


def test_a_sheet_of_cards_is_one_laid_out_card_drawn_where_eight_laid_out_cards_would_be(printed, tmp_path):
    """builder.printing.cards lays out one card per village and draws it seven more times: every
    character lands where laying out all eight puts it, the page looks the same, and each
    village's file holds its own card only."""
    import pikepdf

    p = printed["zixi"]
    first, second = p["villages"]
    stamp = {k: p["facts"][k] for k in printing.CARD_STAMP_FIELDS}  # all eight laid out, with their versions
    eight = printing.renderer().render("cards", "zixi", j=p["facts"], villages=[first], stamp=stamp)
    (tmp_path / "eight.pdf").write_bytes(eight.write_pdf())
    ours = p["dir"] / f"cards-{first['id']}.pdf"
    one_card = [c for c in _chars(tmp_path / "eight.pdf") if c[0] < A4[0] / 2 and c[1] < 90 * 72 / 25.4]
    assert len(one_card) > 40
    drawn, laid_out = _chars(ours), _chars(tmp_path / "eight.pdf")
    # the same characters at the same places, to a hundredth of a point (a rounding to two
    # decimals once split 353.975 into .97 and .98)
    assert len(drawn) == len(laid_out)
    assert all(a[2] == b[2] and abs(a[0] - b[0]) < 0.02 and abs(a[1] - b[1]) < 0.02 for a, b in zip(drawn, laid_out))
    assert len(_chars(ours)) == 8 * len(one_card)
    pictures = []
    for pdf in (ours, tmp_path / "eight.pdf"):
        subprocess.run(["pdftoppm", "-gray", "-r", "40", str(pdf), str(pdf.with_suffix(""))], check=True)
        pictures.append(next(pdf.parent.glob(f"{pdf.stem}-*.pgm")).read_bytes())
    differing = sum(a != b for a, b in zip(*pictures))
    assert len(pictures[0]) == len(pictures[1]) and differing < len(pictures[0]) / 200, differing
    with pikepdf.open(ours) as pdf:
        forms = [k for k, x in pdf.pages[0].Resources.XObject.items() if x.get("/Subtype") == "/Form"]
        assert sorted(forms) == ["/HptCard", "/HptStamp"]
    assert second["name"] not in _text(ours) and first["name"] in _text(ours)


def test_second_run_renders_nothing_and_a_changed_village_only_its_own_sheets(printed):
    p = printed["zixi"]
    jur = p["jur"]
    _, rendered, restamped = printing.print_jurisdiction_report(jur, p["out"], p["version"], site_url=SITE,
                                                                 forms_url=FORMS, as_of=AS_OF)
    assert rendered == [] and restamped == []
    first, second = p["villages"]
    _, village = jur.villages[first["id"]]
    old = village["clinic"]["hours"]
    village["clinic"]["hours"] = "周一至周五 8:00-12:00"
    try:
        _, rendered, restamped = printing.print_jurisdiction_report(jur, p["out"], p["version"], site_url=SITE,
                                                                     forms_url=FORMS, as_of=AS_OF)
        # the notice's layer is one document: the other village's file changes with its font subset
        assert {"county-pack.pdf", _notice(p, first).name} <= {path.name for path in rendered}
        assert not any(path.name.startswith(("cards-", "leaflet")) for path in rendered + restamped)
        assert "周一至周五8:00-12:00" in _text(_notice(p, first))
    finally:
        village["clinic"]["hours"] = old
        printing.print_jurisdiction_report(jur, p["out"], p["version"], site_url=SITE, forms_url=FORMS, as_of=AS_OF)


def test_a_village_without_doctors_stops_naming_jurisdiction_village_and_field(printed):
    jur = _trimmed("jixian")
    vid = next(iter(jur.villages))
    jur.villages[vid][1]["clinic"]["doctors"] = []
    with pytest.raises(PrintDataError) as err:
        village_facts(jur, vid, site_url=SITE, forms_url=FORMS)
    assert "jixian" in str(err.value) and vid in str(err.value) and "clinic.doctors" in str(err.value)


def test_a_village_with_too_many_doctors_stops_naming_it_and_by_how_much(tmp_path):
    """The village's part of the band has a fixed height above the drug prices: twelve doctors
    do not fit, and the message says which village, which field and how many mm too many."""
    jur = _trimmed("jixian")
    vid = list(jur.villages)[1]
    clinic = jur.villages[vid][1]["clinic"]
    clinic["doctors"] = [dict(clinic["doctors"][0], name=f"某医生{i}") for i in range(12)]
    with pytest.raises(printing.PrintError) as err:
        printing.print_jurisdiction(jur, tmp_path, "v1", site_url=SITE, forms_url=FORMS)
    message = str(err.value)
    assert f"村 {vid}" in message and "字段 clinic" in message and "村医" in message
    over = float(re.search(r"超出公示栏上方留给它们的位置 ([0-9.]+) mm", message).group(1))
    assert 40 < over < 120  # nine doctors' lines more than fit, at about 6.4 mm each
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_drug_list_too_long_for_the_band_stops_naming_a_clinic_that_posts_it(tmp_path):
    jur = _trimmed("zixi")
    vid = list(jur.villages)[1]
    jur.drugs = dict(jur.drugs, clinics=[c for c in jur.drugs["clinics"] if c["village"] != vid])
    long = [dict(d, name=d["name"] * 4) for d in jur.drugs["drugs"]]  # every name four times as long
    jur.drugs = dict(jur.drugs, drugs=long)
    with pytest.raises(printing.PrintError) as err:
        printing.print_jurisdiction(jur, tmp_path, "v1", site_url=SITE, forms_url=FORMS)
    message = str(err.value)
    assert "字段 drugs.yaml" in message and "药品价格一栏太长" in message and "drugs.yaml" in message
    assert re.search(r"村 [a-z-]+", message)
    assert not list(tmp_path.rglob("*.pdf"))


def test_villages_with_the_same_drug_list_share_one_drawing_of_it(tmp_path):
    """The county pack holds the base page once and each distinct drug list once, as form
    XObjects drawn by the villages' pages; a clinic with its own prices gets a list of its own."""
    import pikepdf

    from policy.drugs import clinic_list

    jur, problems = load_jurisdiction(ROOT / "policy_data" / "zixi", run_examples=False)
    assert problems == []
    own = jur.drugs["clinics"][0]["village"]  # gaofu-gaofu: its own prices, a drug it does not stock
    jur.villages = {vid: jur.villages[vid] for vid in [*[v for v in jur.villages if v != own][:3], own]}
    printing.print_jurisdiction(jur, tmp_path, "v1", site_url=SITE, forms_url=FORMS)
    lists = {json.dumps(clinic_list(jur.drugs, vid, AS_OF)[:20], sort_keys=True) for vid in jur.villages}
    assert len(lists) == 2
    with pikepdf.open(tmp_path / "print" / "county-pack.pdf") as pack:
        assert len(pack.pages) == 4
        drawn = {}
        for page in pack.pages:
            names = re.findall(rb"/(HptNotice\w+) Do", b"".join(c.read_bytes() for c in page.Contents)
                               if isinstance(page.Contents, pikepdf.Array) else page.Contents.read_bytes())
            for name in names:
                drawn.setdefault(name.decode(), set()).add(page.Resources.XObject["/" + name.decode()].objgen)
    assert len(drawn.pop("HptNoticeBase")) == 1
    assert len(drawn) == 2 and all(len(objs) == 1 for objs in drawn.values())
    own_file = tmp_path / "print" / printing.notice_name(jur.villages[own][0]["id"], own)
    assert "11.80元/包" in _text(own_file)  # its own price, not the county's 12.50


def test_missing_font_stops_the_print(monkeypatch, tmp_path):
    monkeypatch.setattr(printing, "font_files", lambda: ())
    with pytest.raises(printing.PrintError, match="Noto Sans CJK SC"):
        printing.print_jurisdiction(_trimmed("zixi"), tmp_path, "v", site_url=SITE, forms_url=FORMS)


def test_build_py_print_exits_1_naming_the_field_and_writes_nothing(data_copy, tmp_path, capsys):
    from builder.cli import main

    hospitals = data_copy / "zixi" / "hospitals.yaml"
    text = hospitals.read_text(encoding="utf-8")
    hospitals.write_text(text.replace('phone: "0794-0000402"', ""), encoding="utf-8")  # 高阜镇卫生院
    code = main(["print", "--preview", "--data", str(data_copy), "--only", "zixi", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "zixi" in err and "gaofu-" in err and "gaofu_hc.phone" in err
    assert not list(tmp_path.rglob("*.pdf"))


def test_write_atomic_leaves_no_half_file_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "x.pdf"
    printing.write_atomic(target, b"%PDF-1.7 one")
    assert target.read_bytes() == b"%PDF-1.7 one"

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(printing.os, "replace", broken)
    with pytest.raises(OSError):
        printing.write_atomic(target, b"%PDF-1.7 two")
    assert target.read_bytes() == b"%PDF-1.7 one"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


# ------------------------------------------------------------------ what residents read (issue 22)

MM_PT = 72 / 25.4


def _sheets(p) -> list[Path]:
    v = p["villages"][0]
    return [_notice(p, v), p["dir"] / "leaflet.pdf", p["dir"] / f"cards-{v['id']}.pdf"]


@pytest.mark.parametrize("jid", JIDS)
def test_every_word_is_at_least_10mm_from_every_edge_of_the_paper(printed, jid):
    """Printers clip: the notice's last footer line was 3 mm from the paper's edge."""
    for path in _sheets(printed[jid]):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                edge = 10 * MM_PT
                near = [c["text"] for c in page.chars if c["text"].strip() and (
                    c["x0"] < edge or c["top"] < edge or c["x1"] > page.width - edge or c["bottom"] > page.height - edge)]
                assert near == [], f"{path.name}: {''.join(near)}"


@pytest.mark.parametrize("jid", JIDS)
def test_the_version_is_printed_beside_the_date_on_every_sheet(printed, jid):
    p = printed[jid]
    dates = r"\d{4}年\d{1,2}月\d{1,2}日"  # the as-of date (Beijing's, which the fixture's facts may not share)
    for path in _sheets(p):
        text = _text(path)
        assert (re.search(rf"{dates}起?执行的政策[·•]数据版本{p['version']}", text)
                or re.search(rf"数据版本{p['version']}[·•]按{dates}起?执行的政策", text)), path.name


def test_the_notice_covers_outpatient_and_chronic_care_not_only_inpatient(printed):
    zixi = _text(_notice(printed["zixi"], printed["zixi"]["villages"][0]))
    assert "门诊看病也能报" in zixi
    assert re.search(r"门诊统筹：报销乡镇卫生院78%；资溪县中医院50%", zixi)
    assert re.search(r"I类门诊特殊慢性病报销：报销乡镇卫生院90%；县级医院80%；省、市医院60%，一年最多报150000元示例数字", zixi)
    assert "II类门诊特殊慢性病报销：报销比例同上，一年最多报5000元按本县理解" in zixi
    jixian = _text(_notice(printed["jixian"], printed["jixian"]["villages"][0]))
    assert "年底再补偿：年底可能再补偿5%–10%，视资金结余" in jixian


def test_jixians_fee_waiver_step_says_where_it_applies(printed):
    text = _text(_notice(printed["jixian"], printed["jixian"]["villages"][0]))
    assert "二级以上医院免挂号费" in text and "在二级以上医院看门诊，免普通挂号费" in text


INTERNAL = re.compile(r"原文|讲话|没有给出|没有列出|没有写|示例数据|\bTODO\b")


@pytest.mark.parametrize("jid", JIDS)
def test_no_internal_note_and_one_name_for_the_insurance_in_what_residents_read(printed, jid):
    p = printed[jid]
    for path in _sheets(p):
        text = _text(path)
        assert not INTERNAL.findall(text), (path.name, INTERNAL.findall(text))
        # the old name only where it is explained as the old name
        assert "新农合" not in text.replace("（原新农合）", "").replace("叫“新农合”", ""), path.name


@pytest.mark.parametrize("jid", JIDS)
def test_what_to_bring_names_each_thing_once(printed, jid):
    bring = printed[jid]["facts"]["bring"]
    assert bring
    for i, item in enumerate(bring):
        for other in bring[:i]:
            assert item not in other, (item, other)  # "身份证" after "身份证或户口本" says it twice
    text = _text(printed[jid]["dir"] / "leaflet.pdf")
    assert "、".join(bring) in text


@pytest.mark.parametrize("jid", JIDS)
def test_cards_have_12pt_body_text_and_the_12345_line(printed, jid):
    p = printed[jid]
    v = p["villages"][0]
    path = p["dir"] / f"cards-{v['id']}.pdf"
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(extra_attrs=["size"])
        small = {w["text"] for w in words if w["size"] < 12 - 0.05}
        # Only the version line, the badges and the staleness line are smaller than the body.
        stale = "注意：" + p["facts"]["stale"]
        assert all(re.fullmatch(r"[\w·.]*|示例数字|按本县理解", t) or t in stale for t in small), small
        body = [w for w in words if v["doctors"][0]["name"] in w["text"] or p["facts"]["hotline"]["phone"] in w["text"]]
        assert body and min(w["size"] for w in body) >= 12 - 0.05
        # Nothing is cut off at a card's bottom edge (the cards clip what runs over).
        grid_top, card_h = 24.5 * MM_PT, 62 * MM_PT
        for c in page.chars:
            if c["text"].strip() and c["top"] > grid_top:
                row_bottom = grid_top + (int((c["top"] - grid_top) // card_h) + 1) * card_h
                assert c["bottom"] <= row_bottom - 2 * MM_PT, c["text"]
    assert _text(path).count("政务服务热线：12345") == 8


@pytest.mark.parametrize("jid", JIDS)
def test_illustrative_doctors_are_marked_on_the_notice_and_the_cards(printed, jid):
    p = printed[jid]
    v = p["villages"][0]
    assert v["illustrative"], "the samples' villages are illustrative"
    assert "村医（家庭医生）示例数字" in _text(_notice(p, v))
    card = _text(p["dir"] / f"cards-{v['id']}.pdf")
    assert card.count(f"{v['doctors'][-1]['phone']}示例数字") == 8


def test_a_leaflet_a_few_lines_over_two_pages_is_laid_out_tighter_not_refused():
    """zixi as of 2019-12-31 (the 即将调整 lines of 2020-01-01 on it) ran two contact rows onto a
    third page and the build failed. Laid out again with less space, it keeps two pages and every
    contact; a leaflet that fits is laid out as before (the tighter layout only when needed)."""
    jur, _ = load_jurisdiction(ROOT / "policy_data" / "zixi", run_examples=False)

    def facts_on(day: dt.date) -> dict:
        facts = jurisdiction_facts(jur, "v", Service({"zixi": jur}), as_of=day, site_url=SITE, forms_url=FORMS)
        facts["preview"] = False
        return facts

    crowded = facts_on(dt.date(2019, 12, 31))
    assert len(printing.renderer().render("leaflet", "zixi", j=crowded).pages) > printing.MAX_LEAFLET_PAGES
    document = printing.leaflet("zixi", crowded)
    assert len(document.pages) == printing.MAX_LEAFLET_PAGES
    text = "".join(_pdf_text(document.write_pdf()))
    assert "即将调整" in text and all(c["phone"] in text for c in crowded["contacts"])

    roomy = facts_on(AS_OF)
    assert printing.leaflet("zixi", roomy).write_pdf() == printing.renderer().render("leaflet", "zixi", j=roomy).write_pdf()


def _pdf_text(data: bytes) -> list[str]:
    import io
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def test_a_leaflet_too_long_even_laid_out_tighter_names_what_to_shorten():
    """Twelve more contacts: the officer is told which files hold what makes the leaflet long."""
    jur, _ = load_jurisdiction(ROOT / "policy_data" / "zixi", run_examples=False)
    facts = jurisdiction_facts(jur, "v", Service({"zixi": jur}), as_of=AS_OF, site_url=SITE, forms_url=FORMS)
    facts["preview"] = False
    facts["contacts"] = facts["contacts"] + [dict(facts["contacts"][0], name=f"示例乡镇卫生院{i}") for i in range(12)]
    with pytest.raises(printing.PrintError) as raised:
        printing.leaflet("zixi", facts)
    assert "明白纸排紧以后仍有 3 页" in str(raised.value) and "programs.yaml" in str(raised.value)
    assert "contacts.yaml" in str(raised.value)
