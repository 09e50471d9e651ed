"""The prefecture benchmark's generator (benchmarks/prefecture.py) makes data that loads cleanly."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from policy.loader import load_all, load_jurisdiction

ROOT = Path(__file__).resolve().parent.parent


def _load_module():
    spec = importlib.util.spec_from_file_location("bench_prefecture", ROOT / "benchmarks" / "prefecture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


prefecture = _load_module()


def test_small_prefecture_loads_with_zero_problems(tmp_path):
    # 80 villages -> zixi's 7 townships (61 villages) topped up to 10 villages each, plus one
    # new township with its own health centre; zixi's worked examples run on each copy.
    out = tmp_path / "small"
    counts = prefecture.generate(out, jurisdictions=2, villages_per_jurisdiction=80)
    loaded, problems = load_all(out, run_examples=True)
    assert problems == []
    assert sorted(loaded) == ["pref01", "pref02"]
    assert counts["villages"] == 160
    zixi, _ = load_jurisdiction(ROOT / "policy_data" / "zixi", run_examples=False)
    for j in loaded.values():
        assert len(j.examples) == len(zixi.examples)
        assert len(j.villages) == 80
        assert len(j.townships) == 8
        for t in j.townships.values():
            assert j.hospitals[t["health_center"]]["level"] == "township"
        for _, v in j.villages.values():
            assert 1 <= len(v["clinic"]["doctors"]) <= 3


def test_default_prefecture_is_10_jurisdictions_and_1600_villages(tmp_path):
    out = tmp_path / "prefecture"
    counts = prefecture.generate(out)
    assert counts["jurisdictions"] == 10 and counts["townships"] == 160 and counts["villages"] == 1600
    loaded, problems = load_all(out, run_examples=True)
    assert problems == []
    assert len(loaded) == 10
    assert sum(len(j.villages) for j in loaded.values()) == 1600
    assert all(j.name != "资溪县" and j.id == folder for folder, j in loaded.items())


def test_generator_refuses_to_wipe_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "keep.txt").write_text("not generated", encoding="utf-8")
    with pytest.raises(SystemExit):
        prefecture.generate(tmp_path, jurisdictions=1, villages_per_jurisdiction=10)
    assert (tmp_path / "keep.txt").is_file()
