"""The browser engine answers exactly what the Python engine answers, to the fen.

Every worked example and 10,000 generated calc cases per jurisdiction (multi-claim years, caps
used up, half-fen results, every category, kind and level, dates on both sides of every
parameter change), plus refusals, go through the Node entry `site/calculator/cli.mjs` (one
process per batch) and through `builder.cli.respond_bytes` — what `build.py calc --no-explain
--no-compare` runs — and are compared value by value. The same for `eligible` on 2,000+
generated persons and households. A failure prints the smallest input that differs.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import threading
from contextlib import redirect_stderr

import pytest
from calc_vectors import Generator, dumps
from conftest import DATA, ROOT

from builder.calcdata import write_policy_json
from builder.cli import respond_bytes
from builder.streams import report
from policy.cases import parse_calc_case, parse_json, run_calc, run_eligible
from policy.examples import example_case
from policy.problems import InputError

CLI = ROOT / "site" / "calculator" / "cli.mjs"
CALC_CASES = 10_000
SCREENINGS = 2_000
pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


@pytest.fixture(scope="module")
def policies(jurisdictions, tmp_path_factory):
    folder = tmp_path_factory.mktemp("policy")
    return [str(write_policy_json(j, folder / j.id / "policy.json", "test")) for j in jurisdictions.values()]


def node(policies, text: str | bytes, command: str = "calc") -> tuple[int, str, list[str]]:
    return node_start(policies, text, command)()


def node_start(policies, text: str | bytes, command: str = "calc"):
    """Start the Node entry on `text`; returns a function that waits for (exit code, stdout, stderr lines)."""
    args = ["node", str(CLI), command]
    for p in policies:
        args += ["--policy", p]
    data = text.encode("utf-8") if isinstance(text, str) else text
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    done = {}
    feeder = threading.Thread(target=lambda: done.update(zip(("out", "err"), proc.communicate(data, timeout=300))))
    feeder.start()

    def wait():
        feeder.join()
        err = done["err"].decode("utf-8")
        return proc.returncode, done["out"].decode("utf-8"), [line for line in err.splitlines() if line]
    return wait


def python(service, text: str | bytes, command: str = "calc") -> tuple[int, str, list[str]]:
    """What `build.py` prints: the answer, or the messages (at most MAX_MESSAGES, then the count)."""
    code, out, errors, total = respond_bytes(command, service, text, explain=False, compare=False)
    err = io.StringIO()
    with redirect_stderr(err):
        report(errors, total)
    return code, (out.decode() + "\n" if out else ""), err.getvalue().splitlines()


def both(policies, service, text, command="calc"):
    """The same input through Node and through Python, side by side (two cores, half the wait)."""
    wait = node_start(policies, text, command)
    py = python(service, text, command)
    return wait(), py


def classify(service, cases, command="calc"):
    """Split cases by what Python does with each alone: answered, refused on input, refused by the engine."""
    ok, bad_input, bad_policy = [], [], []
    for case in cases:
        data = parse_json(dumps(case))
        try:
            if command == "calc":
                run_calc(service, data, explain=False, compare=False)
            else:
                run_eligible(service, data)
            ok.append(case)
        except InputError as exc:
            (bad_policy if _policy_refusal(service, data, exc) else bad_input).append(case)
    return ok, bad_input, bad_policy


def _policy_refusal(service, data, exc) -> bool:
    """Was the input sound and only the policy unable to answer (no value in force)?"""
    try:
        parse_calc_case(service, data, "")
    except InputError:
        return False
    return True


def first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: only in {'JavaScript' if key in a else 'Python'}"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: JavaScript {a!r} != Python {b!r}"


def assert_same_answers(cases, js_out, py_out):
    if js_out == py_out:  # the very same bytes: nothing more to compare
        return
    js, py = json.loads(js_out), json.loads(py_out)
    assert len(js) == len(py) == len(cases)
    differing = [(len(dumps(c)), i) for i, (a, b) in enumerate(zip(js, py, strict=True)) if a != b]
    if differing:
        _, i = min(differing)
        pytest.fail(f"{len(differing)} of {len(cases)} cases differ; the smallest:\n{dumps(cases[i])}\n"
                    f"{first_difference(js[i], py[i])}")
    pytest.fail("same values, different bytes (formatting of the JSON text)")


def assert_same_refusals(cases, js, py):
    assert js[0] == py[0] == 2, (js[0], py[0])
    assert js[1] == py[1] == ""
    if js[2] != py[2]:
        def by_case(lines):
            out = {}
            for line in lines:
                out.setdefault(line.split("]", 1)[0], []).append(line)
            return out
        a, b = by_case(js[2]), by_case(py[2])
        differing = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
        smallest = min(differing, key=lambda k: len(dumps(cases[int(k.strip("["))])) if k.startswith("[") else 0)
        index = int(smallest.strip("[")) if smallest.startswith("[") else 0
        pytest.fail(f"refusals differ for {len(differing)} cases; the smallest:\n{dumps(cases[index])}\n"
                    f"JavaScript: {a.get(smallest)}\nPython:     {b.get(smallest)}")


JIDS = ["zixi", "jixian"]


@pytest.mark.parametrize("jid", JIDS)
def test_calc_parity_on_worked_examples_and_generated_cases(jid, jurisdictions, service, policies):
    j = jurisdictions[jid]
    gen = Generator(j, seed=9)
    examples = [example_case(j, ex) for ex in j.examples if ex["kind"] == "calc"]
    ok = examples + [gen.case() for _ in range(CALC_CASES)]  # all valid: Python answers the batch
    text = dumps(ok)
    js, py = both(policies, service, text)
    assert py[0] == 0, py[2][:5]
    assert (js[0], js[2]) == (0, []), js[2][:5]
    assert_same_answers(ok, js[1], py[1])
    # what was generated really covers the ground: every category, kind and level, multi-claim
    # years, half-fen payments, caps used up, and layers that pay nothing
    answers = json.loads(py[1])
    assert {c["person"]["category"] for c in ok} == set(j.categories)
    assert {(cl["kind"], cl.get("hospital_level") or j.hospitals[cl["hospital"]]["level"])
            for c in ok for cl in c["claims"]} >= {
        (k, lv) for k in ("inpatient", "outpatient_general", "outpatient_chronic") for lv in j.levels}
    assert {cl.get("hospital") for c in ok for cl in c["claims"]} >= set(j.hospitals)
    assert sum(1 for c in ok if len(c["claims"]) >= 4) > 500
    assert sum(1 for a in answers for y in a["year"].values() if y["monitoring_alert"]) > 100


@pytest.mark.parametrize("jid", JIDS)
def test_calc_refusals_are_the_same(jid, jurisdictions, service, policies):
    j = jurisdictions[jid]
    gen = Generator(j, seed=10)
    cases = [gen.broken() for _ in range(1500)] + [gen.no_value_in_force() for _ in range(200)]
    _, bad_input, bad_policy = classify(service, cases)
    assert len(bad_input) > 1000 and len(bad_policy) >= 150
    for group in (bad_input, bad_policy):
        text = dumps(group)
        assert_same_refusals(group, *both(policies, service, text))


SINGLE_INPUTS = [
    "5", "[]", "", "   \n", "{", "[1,]", '{"a" 1}', "NaN", "[Infinity]", '"x"', "null", "{}", "\ufeff{}",
    '{"jurisdiction": "zixi", "person": {"category": "poverty"}, "claims": [{"date": "2018-01-01", '
    '"kind": "inpatient", "hospital_level": "county", "total": "100.00"}]}',
    '{"jurisdiction": "zixi", "person": {"category": "poverty", "name": "王某\\u7532"}, "claims": [{"date": '
    '"2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": 1E+2, "id": -0}]}',
    '{"jurisdiction": ["zixi"], "person": 1}', '{"jurisdiction": "zixi", "person": {"category": 1.50}, "claims": 1}',
    '{"jurisdiction": "zixi", "person": {"category": "general"}, "claims": [{"date": 2.5e3, "kind": '
    '{"a": [1, "b", null, true]}, "hospital_level": "it\'s", "total": "１２"}]}',
]


@pytest.mark.parametrize("text", SINGLE_INPUTS)
def test_single_inputs_and_malformed_json_are_answered_alike(text, service, policies):
    js, py = both(policies, service, text)
    assert js[0] == py[0] and js[1] == py[1]
    if py[2] and py[2][0].startswith("输入不是有效的 JSON："):
        # The parser's own words after the colon are Python's; the JavaScript reader says the
        # same thing for the common mistakes, position included.
        assert js[2][0].split("：")[0] == py[2][0].split("：")[0]
    else:
        assert js[2] == py[2]


def test_input_that_is_not_utf8_is_refused_at_the_same_byte(service, policies):
    text = b'{"jurisdiction": "zixi", "x": "\xe4\xb8"}'
    js, py = both(policies, service, text)
    assert js == py and js[0] == 2


@pytest.mark.parametrize("jid", JIDS)
def test_eligible_parity_on_generated_persons_and_households(jid, jurisdictions, service, policies):
    j = jurisdictions[jid]
    gen = Generator(j, seed=11)
    examples = [example_case(j, ex) for ex in j.examples if ex["kind"] == "eligible"]
    for case in examples:
        case.setdefault("date", "2020-06-01")
    cases = examples + [gen.screening() for _ in range(SCREENINGS + 200)]
    ok, bad, _ = classify(service, cases, "eligible")
    assert len(ok) >= SCREENINGS and sum(1 for c in ok if "household" in c) > 500
    text = dumps(ok)
    js, py = both(policies, service, text, "eligible")
    assert (js[0], js[2]) == (0, []), js[2][:5]
    assert_same_answers(ok, js[1], py[1])
    answers = json.loads(py[1])
    flat = [a for x in answers for a in (x.get("household") or [x])]
    assert all(any(a[k] for a in flat) for k in ("eligible", "not_eligible", "need_more_info"))
    text = dumps(bad)
    assert_same_refusals(bad, *both(policies, service, text, "eligible"))


def test_build_py_calc_itself_agrees_with_the_node_entry(policies, jurisdictions):
    """Once through the real command line, not only its in-process function."""
    j = jurisdictions["jixian"]
    gen = Generator(j, seed=12)
    text = dumps([gen.case() for _ in range(200)])
    py = subprocess.run([str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else "python3",
                         "build.py", "calc", "--no-explain", "--no-compare", "--data", str(DATA)],
                        input=text.encode(), capture_output=True, cwd=ROOT, timeout=120)
    js = node(policies, text)
    assert (py.returncode, py.stdout.decode()) == (js[0], js[1])
