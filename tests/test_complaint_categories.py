"""Complaint categories are policy data: each ties a complaint to a commitment and a site page."""
from __future__ import annotations

from pathlib import Path

from policy.loader import load_all, load_jurisdiction

from test_check_errors import PROBLEM_LINE, line_of, plant

DATA = Path(__file__).resolve().parent.parent / "policy_data"


def test_samples_load_their_categories_in_listed_order():
    jurs, problems = load_all(DATA, run_examples=False)
    assert problems == []
    zixi = [c["id"] for c in jurs["zixi"].complaint_categories]
    assert zixi[0] == "deposit_charged" and zixi[-1] == "other"
    # zixi promises the 10% ceiling, jixian waives fees: each list follows its own seed.
    assert "self_pay_over_ceiling" in zixi and "fee_not_waived" not in zixi
    jixian = [c["id"] for c in jurs["jixian"].complaint_categories]
    assert "fee_not_waived" in jixian and "self_pay_over_ceiling" not in jixian


def test_every_sample_category_points_at_a_page_the_site_builds():
    jurs, _ = load_all(DATA, run_examples=False)
    for j in jurs.values():
        programs = {p["id"] for p in j.programs}
        layers = {lay["id"] for lay in j.layers}
        for c in j.complaint_categories:
            kind, _, rest = c["page"].partition("/")
            if kind == "programs":
                assert rest.rstrip("/") in programs, c
            elif kind == "lines":
                assert rest.rstrip("/") in layers, c


def _problems(folder: Path):
    _, problems = load_jurisdiction(folder, run_examples=False)
    return [str(p) for p in problems]


def test_a_page_naming_a_missing_program_is_reported_on_its_line(data_copy):
    line = plant(data_copy, "zixi/complaints.yaml", "page: programs/family_doctor/",
                 "page: programs/family_doctors/")
    found = _problems(data_copy / "zixi")
    assert len(found) == 1, found
    m = PROBLEM_LINE.match(found[0])
    assert m["file"].endswith("zixi/complaints.yaml")
    # The message points at the category's entry, a line or two above the page.
    assert 0 <= line - int(m["line"]) <= 4
    assert m["path"] == "categories[4].page"
    assert "programs.yaml 里没有这个项目" in m["message"]


def test_a_page_outside_the_site_is_refused_with_the_allowed_forms(data_copy):
    plant(data_copy, "jixian/complaints.yaml", "page: programs/fee_waiver/", "page: https://example.com/")
    found = _problems(data_copy / "jixian")
    assert len(found) == 1 and "不是网站上的页面" in found[0] and "programs/<项目编号>/" in found[0]


def test_duplicate_category_ids_are_refused(data_copy):
    plant(data_copy, "zixi/complaints.yaml", "id: staff_conduct", "id: clinic_closed")
    found = _problems(data_copy / "zixi")
    assert len(found) == 1 and "clinic_closed" in found[0], found


def test_a_missing_complaints_file_is_reported(data_copy):
    (data_copy / "jixian" / "complaints.yaml").unlink()
    found = _problems(data_copy / "jixian")
    assert len(found) == 1 and found[0].endswith("缺少这个文件"), found
