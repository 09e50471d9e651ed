"""One rule for amounts typed by residents, in Python (policy/amounts.py) and in the browser
(site/calculator/amounts.mjs): both over the same vectors, so neither can drift."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from conftest import ROOT

from policy.amounts import parse_amount

VECTORS = json.loads((ROOT / "tests" / "amount_vectors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("text,fen", VECTORS["accept"])
def test_python_accepts_what_residents_type(text, fen):
    assert parse_amount(text) == fen


@pytest.mark.parametrize("text,message", VECTORS["refuse"])
def test_python_refuses_with_the_message(text, message):
    with pytest.raises(ValueError) as caught:
        parse_amount(text)
    assert str(caught.value) == message


_NODE = """
import { parseAmount } from %s;
import { readFileSync } from 'node:fs';
const v = JSON.parse(readFileSync(%s, 'utf8'));
const run = (t) => { try { return ['ok', parseAmount(t)]; } catch (e) { return ['error', e.message]; } };
process.stdout.write(JSON.stringify({accept: v.accept.map((a) => run(a[0])), refuse: v.refuse.map((a) => run(a[0]))}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_javascript_gives_the_same_answers():
    script = _NODE % (json.dumps((ROOT / "site/calculator/amounts.mjs").as_uri()),
                      json.dumps(str(ROOT / "tests/amount_vectors.json")))
    out = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True,
                         check=True, timeout=60)
    got = json.loads(out.stdout)
    assert got["accept"] == [["ok", fen] for _, fen in VECTORS["accept"]]
    assert got["refuse"] == [["error", message] for _, message in VECTORS["refuse"]]
