"""The officer's loop (issue 25): after a data change, only the sheets whose content changed are
laid out again; the others get the new stamp (data version, date) on their cached layer, and every
PDF is byte for byte what a build from scratch (empty output, empty cache) makes."""
from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import shutil
import subprocess
from collections import Counter
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest

from builder import printing
from builder.pipeline import print_line
from builder.print_facts import jurisdiction_facts, load_scenarios, village_facts
from policy.cases import Service
from policy.loader import load_jurisdiction

ROOT = Path(__file__).resolve().parent.parent
SITE, FORMS = "http://site.test", "http://forms.test"
DAY = dt.date(2020, 6, 1)  # zixi: the 2020 policy in force, nothing announced yet
NEXT_DAY = dt.date(2020, 6, 2)  # the same sheets, another date in the footer
ANNOUNCED = dt.date(2020, 10, 3)  # a change of 2021 is announced: 即将调整 on the notice and leaflet
LAYERS = {"notice", "leaflet", "cards"}


def _zixi():
    """zixi with three villages (two of one township): enough to share a layer, quick to print."""
    jur, problems = load_jurisdiction(ROOT / "policy_data" / "zixi", run_examples=False)
    assert problems == []
    jur.villages = dict(list(jur.villages.items())[:3])
    return jur


@pytest.fixture
def renders(monkeypatch):
    """What WeasyPrint laid out, by template: a layer ("notice", "leaflet", "cards") or a stamp."""
    laid_out: Counter = Counter()
    own = printing.Renderer.render

    def counting(self, kind, jid, **context):
        laid_out[kind] += 1
        return own(self, kind, jid, **context)

    monkeypatch.setattr(printing.Renderer, "render", counting)
    return laid_out


def _print(jur, out: Path, version: str, day: dt.date, cache: Path | None, spare_core: bool = False):
    paths, laid_out, restamped = printing.print_jurisdiction_report(jur, out, version, site_url=SITE,
                                                                    forms_url=FORMS, as_of=day, cache=cache,
                                                                    spare_core=spare_core)
    return paths, {p.name for p in laid_out}, {p.name for p in restamped}


def _stock_print(jur, out: Path, version: str, day: dt.date, monkeypatch, without: str) -> Path:
    """The sheets printed from scratch with the WeasyPrint shortcut `without` turned off (its stock
    path: weasyprint_pins.allowed says no), into `out/print`."""
    from builder import weasyprint_pins

    with monkeypatch.context() as m:
        own = weasyprint_pins.allowed
        m.setattr(weasyprint_pins, "allowed", lambda name: name != without and own(name))
        _print(jur, out, version, day, cache=None)
    return out / "print"


@pytest.fixture(scope="module")
def from_scratch(tmp_path_factory):
    """The sheets a print from scratch (empty output, empty cache) makes of a jurisdiction on a day
    with a version, printed once per module for each different input: several tests compare with
    the same one (zixi unchanged as version-2 on DAY), and a print costs 1-2 s."""
    printed: dict[bytes, Path] = {}

    def sheets(jur, version: str, day: dt.date) -> Path:
        key = hashlib.sha256(pickle.dumps((jur, version, day))).digest()  # equal inputs, equal bytes
        if key not in printed:
            scratch = tmp_path_factory.mktemp("scratch")
            _print(jur, scratch, version, day, cache=scratch / "empty-cache")
            printed[key] = scratch / "print"
        return printed[key]

    return sheets


def _assert_same_as_from_scratch(from_scratch, jur, out: Path, version: str, day: dt.date) -> None:
    scratch = from_scratch(jur, version, day)
    ours = sorted(p.name for p in (out / "print").glob("*.pdf"))
    assert ours == sorted(p.name for p in scratch.glob("*.pdf"))
    differing = [name for name in ours if (out / "print" / name).read_bytes() != (scratch / name).read_bytes()]
    assert differing == []


@pytest.fixture(scope="module")
def first_print(tmp_path_factory):
    """zixi printed once on DAY, its layers cached: where every test that prints again starts."""
    jur = _zixi()
    out = tmp_path_factory.mktemp("first") / "out"
    paths, laid_out, restamped = _print(jur, out, "version-1", DAY, out / ".fingerprints" / "zixi-print")
    assert laid_out == {p.name for p in paths} and restamped == set()
    return out, {p.name for p in paths}


@pytest.fixture
def printed_once(first_print, tmp_path):
    """A copy of the first print (sheets and cache) for the test to print over, and zixi loaded
    afresh for it to change (a print costs 1-2 s; copying it, a few milliseconds)."""
    first, names = first_print
    out = tmp_path / "out"
    shutil.copytree(first, out)
    return _zixi(), out, out / ".fingerprints" / "zixi-print", names


def test_a_new_data_version_only_restamps_every_sheet_with_no_layout(printed_once, renders, from_scratch):
    jur, out, cache, names = printed_once
    _, laid_out, restamped = _print(jur, out, "version-2", DAY, cache)
    assert set(renders) == {"notice-stamp", "leaflet-stamp", "cards-stamp"}  # no layer laid out again
    assert sum(renders.values()) == 3  # each stamp once, for every sheet
    assert laid_out == set() and restamped == names
    _assert_same_as_from_scratch(from_scratch, jur, out, "version-2", DAY)


def test_the_bureaus_office_hours_lay_out_the_leaflet_only(printed_once, renders, from_scratch):
    """contacts.yaml's first hours: shown in the leaflet's contact table, on no other sheet."""
    jur, out, cache, names = printed_once
    bureau = jur.contacts[0]
    assert bureau["role"] != "supervision"  # the hotline's hours are on the notice too
    bureau["hours"] = "工作日 8:30-12:00，14:00-17:30"
    _, laid_out, restamped = _print(jur, out, "version-2", DAY, cache)
    assert set(renders) & LAYERS == {"leaflet"}
    assert laid_out == {"leaflet.pdf"} and restamped == names - {"leaflet.pdf"}
    text = subprocess.run(["pdftotext", str(out / "print" / "leaflet.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "8:30-12:00" in text
    _assert_same_as_from_scratch(from_scratch, jur, out, "version-2", DAY)


def test_one_villages_doctor_lays_out_the_notices_and_cards_not_the_leaflet(printed_once, renders, from_scratch):
    jur, out, cache, names = printed_once
    vid = next(iter(jur.villages))
    township, village = jur.villages[vid]
    village["clinic"]["doctors"][0]["phone"] = "13800000099"  # digits the font subset has already
    _, laid_out, restamped = _print(jur, out, "version-2", DAY, cache)
    assert set(renders) & LAYERS == {"notice", "cards"}
    mine = {printing.notice_name(township["id"], vid), "county-pack.pdf", printing.cards_name(vid)}
    assert laid_out == mine
    assert restamped == names - mine  # the other villages' sheets and the leaflet: the new version only
    _assert_same_as_from_scratch(from_scratch, jur, out, "version-2", DAY)


def test_another_day_with_the_same_policy_only_restamps_the_notices_and_the_leaflet(printed_once, renders,
                                                                                   from_scratch):
    """The footers print the date; the cards do not (their version block names the policy's
    effective date), so they are not even written."""
    jur, out, cache, names = printed_once
    cards_before = {p.name: p.stat().st_mtime_ns for p in (out / "print").glob("cards-*.pdf")}
    _, laid_out, restamped = _print(jur, out, "version-1", NEXT_DAY, cache)
    assert set(renders) == {"notice-stamp", "leaflet-stamp"}
    assert laid_out == set() and restamped == {n for n in names if not n.startswith("cards-")}
    assert {p.name: p.stat().st_mtime_ns for p in (out / "print").glob("cards-*.pdf")} == cards_before
    _assert_same_as_from_scratch(from_scratch, jur, out, "version-1", NEXT_DAY)


def test_a_day_when_a_change_is_announced_lays_out_the_notices_and_the_leaflet(printed_once, renders, from_scratch):
    jur, out, cache, names = printed_once
    _, laid_out, restamped = _print(jur, out, "version-1", ANNOUNCED, cache)
    assert set(renders) & LAYERS == {"notice", "leaflet"}
    assert {"county-pack.pdf", "leaflet.pdf"} <= laid_out
    assert not any(n.startswith("cards-") for n in laid_out | restamped)
    _assert_same_as_from_scratch(from_scratch, jur, out, "version-1", ANNOUNCED)


def test_a_corrupt_or_missing_cache_is_laid_out_again_not_a_failure(printed_once, renders, from_scratch):
    jur, out, cache, names = printed_once
    (cache / "notices.pdf").write_bytes(b"%PDF-1.7 half a file")
    (cache / "leaflet.json").write_text("{not json")
    (cache / "cards.pdf").unlink()
    _, laid_out, restamped = _print(jur, out, "version-2", DAY, cache)
    assert set(renders) & LAYERS == LAYERS
    _assert_same_as_from_scratch(from_scratch, jur, out, "version-2", DAY)
    renders.clear()
    _print(jur, out, "version-3", DAY, cache)  # the cache is whole again
    assert set(renders) & LAYERS == set()


def test_kept_stamp_glyphs_that_do_not_read_as_glyphs_are_no_guess_and_are_written_again(printed_once, from_scratch):
    """The leaflet's child starts with the last print's stamp glyphs (stamp-glyphs.json): a file
    that does not read as glyphs is no guess, the print is the same, and the file is whole again."""
    jur, out, cache, _ = printed_once
    layers = printing.LayerCache(cache)
    kept = layers.last_glyphs("footers")
    assert set(kept) == {"regular", "bold"} and "0" in kept["regular"]
    for junk in ("{not json", "[1, 2]", '{"footers": {"regular": 1, "bold": ""}}', '{"footers": "abc"}'):
        (cache / layers.GLYPHS).write_text(junk)
        assert layers.last_glyphs("footers") is None and layers.last_glyphs("card") is None, junk
    jur.contacts[0]["hours"] = "工作日 8:20-12:00，14:30-17:30"
    _, laid_out, _ = _print(jur, out, "version-2", DAY, cache, spare_core=True)
    assert laid_out == {"leaflet.pdf"}
    _assert_same_as_from_scratch(from_scratch, jur, out, "version-2", DAY)
    assert layers.last_glyphs("footers") == kept


def test_a_cache_folder_that_cannot_be_written_does_not_stop_the_print(tmp_path):
    jur = _zixi()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    paths, laid_out, _ = _print(jur, tmp_path / "out", "version-1", DAY, cache=blocked / "zixi-print")
    assert laid_out == {p.name for p in paths} and len(paths) == 2 * 3 + 2


def test_without_a_cache_a_new_version_is_laid_out_and_still_exact(tmp_path, renders, from_scratch):
    jur = _zixi()
    out = tmp_path / "out"
    _print(jur, out, "version-1", DAY, cache=None)
    renders.clear()
    _, laid_out, restamped = _print(jur, out, "version-2", DAY, cache=None)
    assert set(renders) & LAYERS == LAYERS
    assert restamped and not laid_out  # the content did not change: the files only got the new stamp
    _assert_same_as_from_scratch(from_scratch, jur, out, "version-2", DAY)


STALE = dt.date(2021, 6, 1)  # past what zixi's files cover: the footers and cards warn, in bold


def _font_files(path: Path) -> Counter:
    """How many embedded font files each font (its name without the subset tag) has in the PDF."""
    files: dict[str, set] = {}
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                font_file = obj.get("/FontFile3") or obj.get("/FontFile2")
                files.setdefault(str(obj.FontName).split("+")[-1], set()).add(font_file.objgen)
    return Counter({name: len(ids) for name, ids in files.items()})


def _text(path: Path) -> str:
    """pdftotext's text without its spaces and line breaks (a line may break anywhere)."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())


def _sheets(folder: Path) -> list[Path]:
    """A village's notice, the county pack, the leaflet and a card sheet (of a print folder)."""
    return [next(folder.glob("notice-*.pdf")), folder / "county-pack.pdf", folder / "leaflet.pdf",
            next(folder.glob("cards-*.pdf"))]


@pytest.mark.parametrize("day", [DAY, STALE])
def test_the_stamp_is_drawn_with_the_layers_font_files_not_subsets_of_its_own(from_scratch, day):
    """Every subset of Noto Sans CJK costs 80–140 KB (HarfBuzz keeps the glyph ids): a stamp
    bringing its own made every sheet 220–280 KB bigger. One file per weight, the layer's, and
    the stamp's text is extracted as it is printed (its "·" too, which the layer's bullets share)."""
    printed = from_scratch(_zixi(), "0123456789ab", day)
    stale = "注意：数字依据2020年的文件" if day == STALE else ""
    for path in _sheets(printed):
        assert _font_files(path) == Counter({"Noto-Sans-CJK-SC": 1, "Noto-Sans-CJK-SC-Bold": 1}), path.name
        text = _text(path)
        assert "数据版本0123456789ab" in text and stale in text, path.name
        if not path.name.startswith("cards-"):
            assert "数据版本0123456789ab·按" in text, path.name


def test_a_stamp_with_glyphs_the_layer_lacks_keeps_its_own_font_files(tmp_path, monkeypatch):
    """A layer laid out without the stamp's glyphs (an empty reserve): the stamp's fonts that need
    them keep their own files, bigger but right; those the layer covers still share its file.
    The stamps, first written without font files (stamp_fonts.without_font_files), are written
    again with them."""
    jur = _zixi()
    monkeypatch.setattr(printing.Stamps, "glyphs", lambda self, which: {"regular": "", "bold": ""})
    asked = []
    own_footers, own_card = printing.Stamps.footers, printing.Stamps.card
    monkeypatch.setattr(printing.Stamps, "footers", lambda self, font_files=False: asked.append(("footers", font_files))
                        or own_footers(self, font_files))
    monkeypatch.setattr(printing.Stamps, "card", lambda self, font_files=False: asked.append(("card", font_files))
                        or own_card(self, font_files))
    _print(jur, tmp_path / "out", "ffffeeeedddd", STALE, cache=None)
    assert {("footers", True), ("card", True)} <= set(asked)
    for path in _sheets(tmp_path / "out" / "print"):
        files = _font_files(path)
        assert files["Noto-Sans-CJK-SC-Bold"] == 2, path.name  # the warning's bold characters
        assert set(files.values()) <= {1, 2}, path.name
        text = _text(path)
        assert "数据版本ffffeeeedddd" in text and "注意：数字依据2020年的文件" in text, path.name


def test_stamps_are_written_without_font_files_and_every_sheet_is_as_with_them(tmp_path, monkeypatch, from_scratch):
    """A stamp's font files are the layer's (stamp_form), so WeasyPrint need not subset its own
    (0.04 s a font): stamp_fonts.without_font_files writes a placeholder. Every sheet is byte for
    byte what the print makes with the stamps' own subsets (the shortcut turned off)."""
    from builder import stamp_fonts

    jur = _zixi()
    fast_print = from_scratch(jur, "0123456789ab", STALE)  # before the shortcut is turned off below
    facts = jurisdiction_facts(jur, "0123456789ab", Service({"zixi": jur}), as_of=DAY, site_url=SITE,
                               forms_url=FORMS, scenarios=load_scenarios())
    facts["preview"] = False
    stamps = printing.Stamps("zixi", facts)

    def placeholders(pdf_bytes: bytes) -> list[bool]:  # per font (of the pages or of a form): without its file?
        with pikepdf.open(BytesIO(pdf_bytes)) as pdf:
            return [stamp_fonts._has_no_file(obj) for obj in pdf.objects
                    if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and "/DescendantFonts" in obj]

    for without, with_files in ((stamps.footers(), stamps.footers(font_files=True)),
                                (stamps.card()[0], stamps.card(font_files=True)[0])):
        assert placeholders(without) and all(placeholders(without)) and not any(placeholders(with_files))
        assert len(without) < 20_000 < 100_000 < len(with_files)  # the subsets: 80-140 KB each

    stock_print = _stock_print(jur, tmp_path / "stock", "0123456789ab", STALE, monkeypatch, "stamp_fonts")
    fast, stock = sorted(fast_print.glob("*.pdf")), sorted(stock_print.glob("*.pdf"))
    assert [p.name for p in fast] == [p.name for p in stock] and len(fast) == 2 * 3 + 2
    assert [p.name for p, q in zip(fast, stock) if p.read_bytes() != q.read_bytes()] == []
    for path in fast:
        fonts = placeholders(path.read_bytes())
        assert len(fonts) >= 4 and not any(fonts), path.name  # the layer's two, the stamp's two


def test_a_card_whose_content_would_run_into_its_version_block_is_refused_naming_the_village():
    jur = _zixi()
    facts = jurisdiction_facts(jur, "v", Service({"zixi": jur}), as_of=DAY, site_url=SITE, forms_url=FORMS,
                               scenarios=load_scenarios())
    facts["preview"] = False
    v = village_facts(jur, next(iter(jur.villages)), site_url=SITE, forms_url=FORMS, as_of=DAY)
    printing.cards("zixi", facts, [v])  # as it is, it fits
    v["doctors"] = v["doctors"] * 5
    with pytest.raises(printing.PrintError) as err:
        printing.cards("zixi", facts, [v])
    message = str(err.value)
    assert v["id"] in message and v["name"] in message and "村医" in message and "数据版本" in message


def test_the_build_line_tells_laid_out_sheets_from_restamped_ones():
    p = Path("print")
    assert print_line([p / "leaflet.pdf"], [p / f"notice-{i}.pdf" for i in range(123)]) == \
        "打印：重排 明白纸（印的内容变了）；另有 123 个文件只换了数据版本和日期"
    assert print_line([], [p / "leaflet.pdf"] * 124) == "打印：124 个文件只换了数据版本和日期（印的内容没变，没有重排）"
    assert print_line([p / "county-pack.pdf", p / "notice-a-b.pdf", p / "cards-b.pdf"], []) == \
        "打印：重排 1 张公示栏、全县合订本、1 张联系卡（印的内容变了）"
    assert print_line([], []) == "打印：没有变化（印的内容、数据版本和日期都没变）"
    assert print_line([], [p / "leaflet.pdf"] * 124, relaid=124) == \
        "打印：124 个文件只换了数据版本和日期（印的内容没变，版面重新排过）"


def test_a_stamp_that_brings_new_characters_lays_the_layers_out_again_and_the_line_says_so(printed_once, renders):
    """The officer records the day the data was last checked: every footer says 数据核对于 …, with
    a character (于) the glyph reserve of the notices' and the leaflet's layers did not hold. What
    the sheets show is the same (only restamped: they may wait), but those two layers are laid
    out again for the stamp's glyphs, and the build's line does not say they were not."""
    jur, out, cache, names = printed_once
    jur.reviewed = dt.date(2020, 5, 1)
    report: dict = {}
    _, laid_out, restamped = printing.print_jurisdiction_report(jur, out, "version-2", site_url=SITE, forms_url=FORMS,
                                                                as_of=DAY, cache=cache, report=report)
    assert laid_out == [] and {p.name for p in restamped} == names
    assert set(renders) & LAYERS == {"notice", "leaflet"}
    assert report["relaid"] == len([n for n in names if not n.startswith("cards-")])
    assert print_line(laid_out, restamped, report["relaid"]).endswith("（印的内容没变，版面重新排过）")
    assert "数据核对于2020年5月1日" in _text(out / "print" / "leaflet.pdf")
    renders.clear()
    _, laid_out, restamped = printing.print_jurisdiction_report(jur, out, "version-3", site_url=SITE, forms_url=FORMS,
                                                                as_of=DAY, cache=cache, report=report)
    assert set(renders) & LAYERS == set() and report["relaid"] == 0
    assert print_line(laid_out, restamped, report["relaid"]).endswith("（印的内容没变，没有重排）")


def test_the_last_builds_sheets_are_hard_linked_and_a_new_sheet_leaves_them_alone(tmp_path):
    """pipeline._print starts from the last build's print folder: linked, not copied (45 MB), which
    is safe because every PDF is replaced by write_atomic's rename, never written in place."""
    import os
    import shutil

    from builder import pipeline

    last = tmp_path / "site" / "print"
    last.mkdir(parents=True)
    (last / "leaflet.pdf").write_bytes(b"last build's leaflet")
    shutil.copytree(last, tmp_path / "work" / "print", copy_function=pipeline._link_or_copy)
    linked = tmp_path / "work" / "print" / "leaflet.pdf"
    assert os.stat(linked).st_ino == os.stat(last / "leaflet.pdf").st_ino
    printing.write_atomic(linked, b"this build's leaflet")
    assert (last / "leaflet.pdf").read_bytes() == b"last build's leaflet"
    assert pipeline.print_cache(tmp_path / "dist", "zixi") == tmp_path / "dist" / ".fingerprints" / "zixi-print"


def test_a_leaflet_laid_out_beside_the_notices_is_the_same_and_fails_the_same(printed_once, monkeypatch, from_scratch):
    """With a core to spare the leaflet is laid out in a child process (builder/beside.py) while
    the notices and cards are composed: the same bytes; and when its layout fails, the same
    message as without the child (the print does the work again itself to raise it)."""
    jur, out, cache, _ = printed_once
    jur.contacts[0]["hours"] = "工作日 8:20-12:00，14:30-17:30"
    _, laid_out, _ = _print(jur, out, "version-2", DAY, cache, spare_core=True)
    assert laid_out == {"leaflet.pdf"}
    _assert_same_as_from_scratch(from_scratch, jur, out, "version-2", DAY)

    monkeypatch.setattr(printing, "MAX_LEAFLET_PAGES", 1)
    jur.contacts[0]["hours"] = "工作日 8:30-12:00，14:30-17:30"
    with pytest.raises(printing.PrintError, match="明白纸排紧以后仍有 2 页，最多 1 页"):
        _print(jur, out, "version-3", DAY, cache, spare_core=True)


def test_compiled_templates_are_kept_for_the_next_process(tmp_path):
    """Renderer.keep_compiled: the next process that lays out the leaflet loads its compiled
    template instead of compiling it (0.1 s of the officer's loop)."""
    first = printing.Renderer()
    first.keep_compiled(tmp_path / "jinja")
    first.env.get_template("leaflet.html")
    assert list((tmp_path / "jinja").iterdir())

    later = printing.Renderer()
    later.keep_compiled(tmp_path / "jinja")
    compiled, own = [], later.env.compile
    later.env.compile = lambda *args, **kwargs: compiled.append(args) or own(*args, **kwargs)
    later.env.get_template("leaflet.html")
    assert compiled == []

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    unkept = printing.Renderer()
    unkept.keep_compiled(blocked / "jinja")  # cannot be made: compiled as before, no failure
    assert unkept.env.bytecode_cache is None and unkept.env.get_template("leaflet.html")


def _harfbuzz_subsets(monkeypatch) -> list:
    """Each font HarfBuzz subsets from now on (Font._harfbuzz_subset), by family."""
    from weasyprint.pdf import fonts

    made, own = [], fonts.Font._harfbuzz_subset
    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", lambda self, *args: made.append(self.family) or own(self, *args))
    return made


def test_a_layer_laid_out_again_with_no_new_character_takes_the_last_prints_font_subsets(printed_once, monkeypatch,
                                                                                         tmp_path):
    """The bureau's hours changed to digits the leaflet has: its layer is laid out again, and its
    two fonts' subsets come from the print cache (not from this process: emptied first), not from
    HarfBuzz; every sheet is byte for byte what subsets made afresh give."""
    from builder import kept_subsets

    jur, out, cache, _ = printed_once
    assert len(list((cache / "subsets").glob("*.subset"))) >= 6  # three layers, two weights each
    jur.contacts[0]["hours"] = "工作日 8:00-12:00，14:00-18:00"
    monkeypatch.setattr(kept_subsets, "_kept", type(kept_subsets._kept)())
    made = _harfbuzz_subsets(monkeypatch)
    _, laid_out, _ = _print(jur, out, "version-2", DAY, cache)
    assert laid_out == {"leaflet.pdf"} and made == []
    stock = _stock_print(jur, tmp_path / "stock", "version-2", DAY, monkeypatch, "kept_subsets")
    assert len(made) >= 6, "the stock print made its subsets itself"
    names = sorted(p.name for p in stock.glob("*.pdf"))
    assert names == sorted(p.name for p in (out / "print").glob("*.pdf"))
    assert [n for n in names if (stock / n).read_bytes() != (out / "print" / n).read_bytes()] == []


def test_a_kept_subset_that_does_not_read_whole_is_made_again(printed_once, monkeypatch, tmp_path):
    from builder import kept_subsets

    jur, out, cache, _ = printed_once
    for kept in (cache / "subsets").glob("*.subset"):
        data = kept.read_bytes()
        kept.write_bytes(data[:32] + data[32:-1] + bytes([data[-1] ^ 1]))  # one bit off
    monkeypatch.setattr(kept_subsets, "_kept", type(kept_subsets._kept)())
    made = _harfbuzz_subsets(monkeypatch)
    jur.contacts[0]["hours"] = "工作日 8:00-12:00，14:00-18:00"
    _print(jur, out, "version-2", DAY, cache)
    assert len(made) == 2  # the leaflet's two fonts, made again
    stock = _stock_print(jur, tmp_path / "stock", "version-2", DAY, monkeypatch, "kept_subsets")
    assert (stock / "leaflet.pdf").read_bytes() == (out / "print" / "leaflet.pdf").read_bytes()
    assert kept_subsets._read(cache / "subsets", next(iter(kept_subsets._kept))) is not None  # whole again
