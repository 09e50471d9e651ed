"""One badge style for 示例数字 and 按本县理解 everywhere residents read: the site (and the
calculator on it), the forms app and paper use the same two classes with the same colours."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT

from policy.readings import LABELS, badge_class

STYLES = {"site": "site/mkdocs/assets/site.css", "forms app": "forms_app/static/forms.css", "paper": "site/print/base.css"}
COLOURS = {"mark-illustrative": ("#8a4b00", "#fff4e0"), "mark-interpreted": ("#1d4f91", "#e8f0fb")}


@pytest.mark.parametrize("where", STYLES)
def test_each_output_styles_the_two_badges_alike(where):
    css = (ROOT / STYLES[where]).read_text(encoding="utf-8")
    for cls, (fg, bg) in COLOURS.items():
        rule = re.search(rf"^\.{cls}\s*\{{([^}}]*)\}}", css, re.M)
        assert rule, (where, cls)
        assert f"color: {fg}" in rule[1] and f"background: {bg}" in rule[1], (where, cls, rule[1])


def test_no_other_badge_style_is_left():
    for path in ("site/calculator/calculator.css", "site/calculator/calculator.js", "site/calculator/screener.js",
                 "builder/calculator_pages.py"):
        assert "hc-mark" not in (ROOT / path).read_text(encoding="utf-8"), path
    for path in ("query_answer.html", "receipt.html", "case_status.html"):
        text = (ROOT / "forms_app/templates" / path).read_text(encoding="utf-8")
        assert 'class="tag">{{ mark' not in text and 'class="tag">示例数字' not in text, path


def test_every_reading_but_official_is_marked():
    assert [badge_class(LABELS[s]) for s in ("derived", "interpreted", "illustrative")] == [
        "mark-interpreted", "mark-interpreted", "mark-illustrative"]
    assert LABELS["official"] == ""
