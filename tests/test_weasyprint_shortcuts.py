"""The three WeasyPrint shortcuts (builder/fast_pages.py, fast_percentages.py, shared_styles.py)
are pinned to the WeasyPrint source they were checked against (builder/weasyprint_pins.py):
another source turns a shortcut off with one warning, and the sheets come out the same; the
same changes written as patches against WeasyPrint (docs/upstream/) apply to the pinned version
and print the very same bytes. The byte-identity of the shortcuts themselves is in
tests/test_printing.py. The fourth and fifth, builder/stamp_fonts.py's (a stamp written without
font files) and builder/kept_subsets.py's (font subsets kept for the next document and print), are
pinned the same way; their byte-identity is in tests/test_print_incremental.py."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import weasyprint
from weasyprint.layout import percent

from builder import printing, weasyprint_pins
from builder.fast_pages import fast_pages
from builder.fast_percentages import fast_percentages
from builder.shared_styles import shared_styles
from policy.loader import load_jurisdiction

ROOT = Path(__file__).resolve().parent.parent
SITE, FORMS = "http://site.test", "http://forms.test"
AS_OF = dt.date(2026, 1, 1)
PATCHES = sorted((ROOT / "docs" / "upstream").glob("*.patch"))


def test_the_installed_weasyprint_is_the_pinned_one_and_every_shortcut_is_on():
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert f"weasyprint=={weasyprint_pins.CHECKED_VERSION}" in pins["print"]
    assert weasyprint.__version__ == weasyprint_pins.CHECKED_VERSION
    assert weasyprint_pins.changed() == {}
    assert all(weasyprint_pins.allowed(name) for name in weasyprint_pins.EXPECTED)


def test_a_changed_weasyprint_function_turns_its_shortcut_off_with_one_warning(monkeypatch):
    """As if a newer WeasyPrint had rewritten `percentage()`: the same results, another source."""
    stock = percent.percentage

    def percentage(value, computed, refer_to):
        return stock(value, computed, refer_to)

    jur, problems = load_jurisdiction(ROOT / "policy_data" / "jixian", run_examples=False)
    assert problems == []
    facts = printing.jurisdiction_facts(jur, "v-test", printing.Service({jur.id: jur}), as_of=AS_OF,
                                        site_url=SITE, forms_url=FORMS, scenarios=printing.load_scenarios())
    expected = printing.renderer().render("leaflet", jur.id, j=facts).write_pdf()  # all three shortcuts on
    monkeypatch.setattr(percent, "percentage", percentage)
    weasyprint_pins.recheck()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert not weasyprint_pins.allowed("fast_percentages")
            assert weasyprint_pins.allowed("fast_pages") and weasyprint_pins.allowed("shared_styles")
            with shared_styles(), fast_percentages(), fast_pages():
                assert percent.percentage is percentage, "the stock path, not the shortcut"
            fallback = printing.renderer().render("leaflet", jur.id, j=facts).write_pdf()
            for _ in range(3):
                weasyprint_pins.allowed("fast_percentages")
        assert [w.category for w in caught] == [weasyprint_pins.ShortcutWarning], "exactly one warning"
        message = str(caught[0].message)
        assert "fast_percentages" in message and "weasyprint.layout.percent:percentage" in message
        assert "fast_pages" not in message and "shared_styles" not in message
        assert fallback == expected
    finally:
        monkeypatch.undo()
        weasyprint_pins.recheck()
    assert weasyprint_pins.allowed("fast_percentages")


def test_the_pinned_files_vouch_for_every_function_only_while_they_define_it(monkeypatch):
    """The quick check (the function is its module file's own, and that file is as checked) says
    yes for every pinned function here, where the slow one (each function's source) agrees; a
    function swapped in from elsewhere, or a file changed elsewhere, goes to the slow check."""
    targets = {t: digest for pins in weasyprint_pins.EXPECTED.values() for t, digest in pins.items()}
    assert {t: weasyprint_pins.source_hash(t) for t in targets} == targets
    assert [t for t in targets if not weasyprint_pins.in_checked_file(t)] == []
    stock = percent.percentage

    def percentage(value, computed, refer_to):
        return stock(value, computed, refer_to)
    with monkeypatch.context() as m:
        m.setattr(percent, "percentage", percentage)
        assert not weasyprint_pins.in_checked_file("weasyprint.layout.percent:percentage")
        assert list(weasyprint_pins.changed()) == ["fast_percentages"]
    with monkeypatch.context() as m:  # another function of the same file under the pinned name
        m.setattr(percent, "percentage", percent.resolve_one_percentage)
        assert not weasyprint_pins.in_checked_file("weasyprint.layout.percent:percentage")
    with monkeypatch.context() as m:  # another release or a local patch that left the functions be
        m.setitem(weasyprint_pins.FILES, "weasyprint/layout/percent.py", "0" * 16)
        assert not weasyprint_pins.in_checked_file("weasyprint.layout.percent:percentage")
        assert weasyprint_pins.changed() == {}, "the functions themselves are still the ones checked"
    assert weasyprint_pins.file_key("/x/site-packages/weasyprint/pdf/fonts.py") == "weasyprint/pdf/fonts.py"


def test_a_missing_weasyprint_function_counts_as_changed(monkeypatch):
    monkeypatch.delattr(percent, "percentage")
    assert weasyprint_pins.source_hash("weasyprint.layout.percent:percentage") is None
    assert list(weasyprint_pins.changed()) == ["fast_percentages"]


def sheets_digests(root: Path) -> dict[str, str]:
    """sha256 of WeasyPrint's PDF of jixian's notice (three villages), leaflet and cards, as
    builder.printing lays them out (shortcuts on where builder.weasyprint_pins allows)."""
    import hashlib
    import json

    from builder import printing
    from policy.loader import load_jurisdiction

    jur, problems = load_jurisdiction(root / "policy_data" / "jixian", run_examples=False)
    assert problems == []
    facts = printing.jurisdiction_facts(jur, "v-test", printing.Service({jur.id: jur}), as_of=AS_OF,
                                        site_url=SITE, forms_url=FORMS, scenarios=printing.load_scenarios())
    villages = [printing.village_facts(jur, vid, site_url=SITE, forms_url=FORMS) for vid in list(jur.villages)[:3]]
    boxes = list({json.dumps(printing.drug_box(v), sort_keys=True): printing.drug_box(v) for v in villages}.values())
    contexts = {"notice": {"j": facts, "boxes": boxes, "villages": villages}, "leaflet": {"j": facts},
                "cards": {"j": facts, "villages": villages}}
    r = printing.renderer()
    return {kind: hashlib.sha256(r.render(kind, jur.id, **c).write_pdf()).hexdigest() for kind, c in contexts.items()}


CHILD = """
import json, sys, warnings
from pathlib import Path
sys.path.insert(1, sys.argv[1])
import weasyprint
assert weasyprint.__file__.startswith(sys.argv[2]), weasyprint.__file__
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from builder import weasyprint_pins
    from tests.test_weasyprint_shortcuts import sheets_digests
    digests = sheets_digests(Path(sys.argv[1]))
print(json.dumps({"changed": sorted(weasyprint_pins.changed()), "warnings": len(caught), "digests": digests}))
"""


def test_the_upstream_patches_apply_to_the_pinned_weasyprint_and_print_the_same_bytes(tmp_path):
    """docs/upstream/*.patch, applied to a copy of the installed WeasyPrint: that copy (whose
    changed functions turn the shortcuts off) lays out jixian's sheets exactly as the stock
    WeasyPrint with the shortcuts does."""
    import json

    assert [p.name for p in PATCHES] == ["fast-pages.patch", "fast-percentages.patch", "shared-styles.patch"]
    patched = tmp_path / "patched"
    shutil.copytree(Path(weasyprint.__file__).parent, patched / "weasyprint",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for patch in PATCHES:
        run = subprocess.run(["git", "apply", "-p1", str(patch)], cwd=patched, capture_output=True, text=True)
        assert run.returncode == 0, f"{patch.name}: {run.stderr}"
    env = dict(os.environ, PYTHONPATH=str(patched))
    run = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(patched)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    child = json.loads(run.stdout.strip().splitlines()[-1])
    assert child["changed"] == ["fast_pages", "fast_percentages", "shared_styles"] and child["warnings"] == 1
    assert child["digests"] == sheets_digests(ROOT)


def test_a_changed_font_clean_turns_the_stamp_fonts_shortcut_off(monkeypatch):
    """stamp_fonts.without_font_files replaces `Font.clean` (the subsetting) while a stamp is
    written; with another `Font.clean` it leaves WeasyPrint's own, which subsets as before."""
    from weasyprint.pdf import fonts

    from builder import stamp_fonts

    stock = fonts.Font.clean
    with stamp_fonts.without_font_files():
        assert fonts.Font.clean is not stock, "the shortcut is on with the pinned WeasyPrint"
    assert fonts.Font.clean is stock, "and left WeasyPrint as it was"

    def clean(self, to_unicode, hinting):
        return stock(self, to_unicode, hinting)

    monkeypatch.setattr(fonts.Font, "clean", clean)
    weasyprint_pins.recheck()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert not weasyprint_pins.allowed("stamp_fonts")
            with stamp_fonts.without_font_files():
                assert fonts.Font.clean is clean, "the stock path, not the shortcut"
        assert [w.category for w in caught] == [weasyprint_pins.ShortcutWarning]
        assert "stamp_fonts" in str(caught[0].message) and "Font.clean" in str(caught[0].message)
    finally:
        monkeypatch.undo()
        weasyprint_pins.recheck()
