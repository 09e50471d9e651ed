"""policy.json, the classic bundles and the two pages, as `write_pages` writes them."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from conftest import ROOT

from builder.calcdata import policy_data
from builder.calculator_pages import BUNDLES, SOURCE, write_pages
from builder.currency import in_force
from policy.china_time import china_today
from policy.examples import example_case
from policy.loader import load_jurisdiction
from policy.money import fmt
from policy.readings import label


@pytest.fixture(scope="module")
def docs(jurisdictions, tmp_path_factory):
    root = tmp_path_factory.mktemp("docs")
    for jid, j in jurisdictions.items():
        write_pages(j, root / jid, "v123")
    return root


def test_write_pages_writes_both_pages_their_scripts_and_policy_json(docs):
    zixi = docs / "zixi"
    for path in ("calculator/index.md", "screener/index.md", "data/policy.json", "assets/calculator/engine.js",
                 "assets/calculator/eligibility.js", "assets/calculator/policy.js", "assets/calculator/page.js",
                 "assets/calculator/calculator.js", "assets/calculator/screener.js",
                 "assets/calculator/calculator.css"):
        assert (zixi / path).is_file(), path
    page = (zixi / "calculator" / "index.md").read_text(encoding="utf-8")
    # classic scripts, relative paths: the page works opened from a folder (file://), offline
    assert 'type="module"' not in page and "http" not in page
    assert re.findall(r'src="([^"]+)"', page) == [f"../assets/calculator/{n}" for n in
                                                 ("engine.js", "policy.js", "page.js", "calculator.js")]
    data = json.loads((zixi / "data" / "policy.json").read_text(encoding="utf-8"))
    assert data["version"] == "v123" and data["jurisdiction"]["id"] == "zixi"
    inline = (zixi / "assets" / "calculator" / "policy.js").read_text(encoding="utf-8")
    assert json.loads(inline.removeprefix("window.POLICY_DATA = ").rstrip().removesuffix(";")) == data


def test_without_javascript_the_calculator_shows_the_rates_with_their_marks_and_where_to_ask(docs, jurisdictions):
    page = (docs / "zixi" / "calculator" / "index.md").read_text(encoding="utf-8")
    assert "| **大病保险**" in page
    # each value carries the mark its reading gives (none for official and derived values)
    j = jurisdictions["zixi"]
    critical = next(raw for raw in j.layers if raw["id"] == "critical")
    for keys, series in critical["deductible"].series():
        value = series.all_values()[-1]
        mark = f' <span class="hc-mark">{label(value)}</span>' if label(value) else ""
        assert f"| {fmt(value.value)} 元{mark} |" in page
    assert "起付线（每次）（二级（县级医院）） | 300.00 元 <span class=\"hc-mark\">示例数字</span>" in page
    assert re.search(r"\| [0-9.]+(元|%) \|$", page, re.M), "no official value shown plainly"
    assert "## 哪里可以问" in page and "0794-0000003" in page
    screener = (docs / "zixi" / "screener" / "index.md").read_text(encoding="utf-8")
    for program in jurisdictions["zixi"].programs:  # the ones in force today (issue 20: not the ended ones)
        shown = f"](../programs/{program['id']}/index.md)" in screener
        assert shown is in_force(program, china_today()), program["id"]


def test_policy_json_holds_money_as_fen_and_ratios_as_exact_decimal_text(jurisdictions):
    data = policy_data(jurisdictions["zixi"], "v")
    critical = next(layer for layer in data["layers"] if layer["id"] == "critical")
    poor = dict(critical["deductible"]["tree"]["branches"])["poor"]
    assert [entry[:2] for entry in poor] == [["2019-01-01", 594630]]
    general = dict(critical["parts"][0]["ratio"]["tree"]["branches"])["general"]
    assert general == [["2019-01-01", "0.50", "interpreted"]]  # exact text, and the reading beside it
    basic = next(layer for layer in data["layers"] if layer["id"] == "basic")
    assert dict(basic["deductible"]["tree"]["branches"])["county"] == [["2019-01-01", 30000, "illustrative"]]

    def floats(node):
        if isinstance(node, float):
            yield node
        elif isinstance(node, dict):
            for v in node.values():
                yield from floats(v)
        elif isinstance(node, list):
            for v in node:
                yield from floats(v)
    assert list(floats(data)) == []


def test_policy_json_follows_the_data_it_is_built_from(data_copy):
    layers = data_copy / "zixi" / "layers.yaml"
    text = layers.read_text(encoding="utf-8")
    assert text.count("values: {2019-01-01: 250000}") == 1  # the supplementary insurance's cap
    layers.write_text(text.replace("values: {2019-01-01: 250000}", "values: {2019-01-01: 250000, 2021-01-01: 260000.50}"),
                      encoding="utf-8")
    j, problems = load_jurisdiction(data_copy / "zixi", run_examples=False)
    assert problems == []
    supplementary = next(layer for layer in policy_data(j, "v")["layers"] if layer["id"] == "supplementary")
    assert [e[:2] for e in supplementary["cap"]["tree"]] == [["2019-01-01", 25000000], ["2021-01-01", 26000050]]


def test_sources_have_no_literal_spanning_lines_so_the_compact_form_is_safe():
    for path in sorted(SOURCE.glob("*.*js")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("//")[0] if line.lstrip().startswith("//") else line
            assert code.count("`") % 2 == 0, f"{path.name}:{n}: a template literal runs over lines"
            assert not code.rstrip().endswith("\\"), f"{path.name}:{n}: a string continues on the next line"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_classic_bundles_answer_every_worked_example_as_the_modules_do(docs, jurisdictions, service):
    """The pages run the bundles, not the modules: run them as a browser would (one global scope)."""
    from builder.cli import respond
    cases = [example_case(j, ex) for j in jurisdictions.values() for ex in j.examples if ex["kind"] == "calc"]
    assets = docs / "zixi" / "assets" / "calculator"
    script = """
const fs = require('fs');
const [assets, zixi, jixian, casesFile] = process.argv.slice(1);
const window = {};
for (const f of BUNDLES) new Function('window', fs.readFileSync(assets + '/' + f, 'utf8'))(window);
const HC = window.HealthCalc;
const toMaps = (v) => Array.isArray(v) ? v.map(toMaps) : v === null ? null : typeof v === 'object'
  ? new Map(Object.entries(v).map(([k, x]) => [k, toMaps(x)]))
  : typeof v === 'number' ? new HC.Num(String(v), Number.isInteger(v)) : v;
const service = new HC.Service([zixi, jixian].map((p) => JSON.parse(fs.readFileSync(p, 'utf8'))));
process.stdout.write(JSON.stringify(HC.runCalc(service, toMaps(JSON.parse(fs.readFileSync(casesFile, 'utf8'))))));
"""
    cases_file = docs / "cases.json"
    cases_file.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    script = script.replace("BUNDLES", json.dumps(list(BUNDLES)))
    done = subprocess.run(["node", "-e", script, str(assets), str(docs / "zixi" / "data" / "policy.json"),
                           str(docs / "jixian" / "data" / "policy.json"), str(cases_file)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    code, out, _ = respond("calc", service, json.dumps(cases, ensure_ascii=False), explain=False, compare=False)
    assert code == 0
    assert json.loads(done.stdout) == json.loads(out)
