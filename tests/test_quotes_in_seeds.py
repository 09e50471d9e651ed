"""Every quote in the sample data occurs verbatim in the source document it cites.

Whitespace is ignored; seed 004 (traditional characters with pinyin glosses) is compared after
stripping the glosses and converting with OpenCC, so nobody retypes it (policy/seedtext.py).
"""
from pathlib import Path

import pytest
from conftest import DATA

from policy.loader import load_all
from policy.seedtext import all_quotes, quote_found, seeds_dir

REPO = Path(__file__).resolve().parent.parent
SEEDS = seeds_dir(REPO)
JURISDICTIONS, _ = load_all(DATA, run_examples=False)


def _cases():
    for j in JURISDICTIONS.values():
        for where, source, quote in all_quotes(j):
            yield pytest.param(j, source, quote, id=f"{j.id}:{where}")


@pytest.mark.skipif(SEEDS is None, reason="找不到原文文件夹 ../shared/seeds，无法核对引文")
@pytest.mark.parametrize("j, source, quote", list(_cases()))
def test_quote_occurs_in_its_seed(j, source, quote):
    seed = j.sources[source].get("seed")
    if seed is None:
        pytest.skip(f"出处“{source}”不在资料库里（没有 seed），引文无法自动核对")
    assert quote_found(quote, SEEDS / seed), f"在 {seed} 中找不到引文：{quote}"


def test_sample_data_quotes_every_official_source_value():
    # every source with a seed is quoted at least once: the data cites, it does not paraphrase
    quoted = {source for j in JURISDICTIONS.values() for _, source, _ in all_quotes(j)}
    assert {"plan2020", "speech_sys"} <= quoted


def test_a_retyped_quote_is_not_found():
    if SEEDS is None:
        pytest.skip("找不到原文文件夹 ../shared/seeds")
    assert quote_found("市人民医院在此基础上住院床费减收30%", SEEDS / "004_c8f224d492c09cf3.txt")
    assert not quote_found("市人民医院在此基础上住院床费减收百分之三十", SEEDS / "004_c8f224d492c09cf3.txt")
    assert quote_found("由11892.6元 下降到5946.3元", SEEDS / "001_540bc8294ad6423b.txt")  # whitespace only
