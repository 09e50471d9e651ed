"""Issue 13: fuzz tests that keep each class of hostile input fixed, not just the examples.

- raw bytes into `calc` / `eligible` (random bytes, and byte edits of a valid case);
- raw text edits into any data file, and YAML alias / nesting shapes, into `check`;
every answer is a result or a clean refusal in bounded time, and no message can carry a
control character (a forged line or a terminal escape) or a Python repr.
The file-system cases are in test_hardening_files.py.
"""
from __future__ import annotations

import json
import shutil
import time

import orjson
import pytest
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_calc_contract import DESIGN_CASE

from builder.cli import respond_bytes
from policy.limits import MAX_MESSAGES
from policy.loader import load_jurisdiction

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REPRS = ("None", "['", "{'", "[0].:", "Traceback", "Expecting", "Error")

ELIGIBLE = {"jurisdiction": "zixi", "date": "2020-06-01",
            "person": {"category": "poverty", "age": 70, "village": "hecheng-dajue"}}
SEEDS = {"calc": json.dumps(DESIGN_CASE, ensure_ascii=False).encode(),
         "eligible": json.dumps(ELIGIBLE, ensure_ascii=False).encode()}
HOSTILE = [b"\x00", b"\n", b"\x1b[31m", b"\xef\xbb\xbf", b"\xff", b"\xc3", b'"', b"\\", b"\\ud800", b"{", b"[",
           b"}", b"]", b",", b":", b"1e999999999", b"9" * 40, b"NaN", b"-0", b"0.001", b'"total": 1,',
           b"2020-W01-1", "\u202e".encode(), "伪造".encode(), b"\r\n", b"null", b"true"]


def assert_clean(code, out, errors, total):
    assert code in (0, 2)
    if code == 0:
        assert out and errors == []
        orjson.loads(out)  # valid JSON, whole
        return
    assert out == b"" and errors
    assert len(errors) <= MAX_MESSAGES and total >= len(errors)
    for message in errors:
        assert isinstance(message, str) and message
        assert message.isprintable() or all(ch.isprintable() or ch == "\u3000" for ch in message), repr(message)
        assert not any(r in message for r in REPRS), message


@st.composite
def edited(draw, seed: bytes):
    """A valid case with a few bytes inserted, deleted or replaced."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        what = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(HOSTILE) | st.binary(min_size=1, max_size=4))
        if what == "insert":
            data[at:at] = piece
        elif what == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        else:
            data[at:at + len(piece)] = piece
    return bytes(data)


@pytest.mark.parametrize("command", ["calc", "eligible"])
@FAST
@given(data=st.data())
def test_raw_bytes_are_answered_or_refused_cleanly(service, command, data):
    raw = data.draw(st.one_of(st.binary(max_size=300), edited(SEEDS[command]),
                              st.lists(st.sampled_from(HOSTILE), max_size=30).map(b"".join)))
    started = time.perf_counter()
    assert_clean(*respond_bytes(command, service, raw))
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("command", ["calc", "eligible"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=st.sampled_from(["[]", "{}", "1", '""', "null", '"x\\n\\u001b"']), count=st.integers(0, 300_000))
def test_floods_of_anything_give_a_bounded_number_of_messages(service, command, shape, count):
    started = time.perf_counter()
    assert_clean(*respond_bytes(command, service, ("[" + ",".join([shape] * count) + "]").encode()))
    assert time.perf_counter() - started < 10


# ------------------------------------------------------------------ check

FILES = sorted(p.relative_to(DATA / "zixi").as_posix() for p in (DATA / "zixi").rglob("*.yaml"))
TEXT_PIECES = ["&a ", "*a", "!!python/object:os.system ", "!!binary ", "<<: *a\n", "? ", "- ", ": ", "\t", "\n",
               "#", "'", '"', "|\n", ">\n", "{", "}", "[", "]", ",", "\x1b[2J", "\x00", "\u202e", "\ud7ff",
               "0x10", "1_000", "1:30", ".inf", "1.0e+30", "0.1234567", "9999-12-31", "2020-W01-1",
               "\"\\ud800\"", "\"\\e]0;x\\a\"", "~", "=", "%YAML 1.1\n---\n", "...\n",
               # issue 12: what a Chinese keyboard types (policy/rawscan.py finds these before parsing)
               "：", "\u3000", "1,500", "65%", "６５％", "０.６５", "，", "“", "”", "－", "- 副本"]


@pytest.fixture(scope="module")
def zixi_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz") / "zixi"
    shutil.copytree(DATA / "zixi", folder)
    return folder


def assert_check_clean(folder, started):
    _, problems = load_jurisdiction(folder)
    assert time.perf_counter() - started < 10
    for problem in problems:
        text = str(problem)
        assert problem.file and problem.message and "\n" not in text and "\x1b" not in text
        assert text.isprintable() or all(ch.isprintable() or ch == "\u3000" for ch in text), repr(text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(rel=st.sampled_from(FILES), data=st.data())
def test_raw_text_edits_to_any_file_give_problems_never_a_crash(zixi_copy, rel, data):
    path = zixi_copy / rel
    original = (DATA / "zixi" / rel).read_text(encoding="utf-8")
    text = original
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(text)))
        piece = data.draw(st.sampled_from(TEXT_PIECES) | st.text(max_size=3))
        cut = data.draw(st.integers(0, 3))
        text = text[:at] + piece + text[at + cut:]
    try:
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        assert_check_clean(zixi_copy, time.perf_counter())
    finally:
        path.write_text(original, encoding="utf-8")


@st.composite
def alias_shapes(draw):
    """Anchors that refer to earlier anchors (or to themselves), wrapped in nesting."""
    lines, names = [], []
    for i in range(draw(st.integers(1, 12))):
        name = f"a{i}"
        fan = draw(st.integers(1, 12))
        pool = names + ([name] if draw(st.booleans()) and names else [])
        items = [f"*{draw(st.sampled_from(pool))}" if pool and draw(st.booleans()) else "x" for _ in range(fan)]
        if draw(st.booleans()) and pool:
            items = [f"{{k: *{draw(st.sampled_from(pool))}}}"] + items
        lines.append(f"  {name}: &{name} [{', '.join(items)}]")
        names.append(name)
    depth = draw(st.integers(0, 120))
    lines.append(f"  deep: {'[' * depth}*{draw(st.sampled_from(names))}{']' * depth}")
    return "contacts:\n" + "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(text=alias_shapes(), rel=st.sampled_from(["contacts.yaml", "layers.yaml", "townships/hecheng.yaml"]))
def test_alias_and_nesting_shapes_are_bounded_in_time_and_answered_with_problems(zixi_copy, text, rel):
    path = zixi_copy / rel
    original = (DATA / "zixi" / rel).read_text(encoding="utf-8")
    try:
        path.write_text(text if rel == "contacts.yaml" else original + "\n" + text.replace("contacts:", "zz_fuzz:"),
                        encoding="utf-8")
        assert_check_clean(zixi_copy, time.perf_counter())
    finally:
        path.write_text(original, encoding="utf-8")


# ------------------------------------------------------------------ issue 12: keyboard mistakes, whole check

KEYBOARD = ["：", ":", "\u3000", "\t", "1,500", "65%", "０.６５", "，", "- ", "  ", "", "2021-02-30", "副本"]


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory):
    """Both sample counties (so the checks across jurisdictions run too)."""
    folder = tmp_path_factory.mktemp("keyboard") / "policy_data"
    shutil.copytree(DATA, folder)
    return folder


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(rel=st.sampled_from(FILES), data=st.data())
def test_keyboard_mistakes_at_keys_and_values_give_messages_never_a_traceback(two_counties, cli, rel, data):
    """Edits where an officer types: right around a key's colon, at the start of a value, in
    the indentation; the whole `check` command answers with problem lines (or passes)."""
    path = two_counties / "zixi" / rel
    original = (DATA / "zixi" / rel).read_text(encoding="utf-8")
    lines = original.split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        candidates = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
        i = candidates[data.draw(st.integers(0, len(candidates) - 1))]
        at = data.draw(st.sampled_from([lines[i].index(": "), lines[i].index(": ") + 1, lines[i].index(": ") + 2, 0]))
        cut = data.draw(st.integers(0, 2))
        lines[i] = lines[i][:at] + data.draw(st.sampled_from(KEYBOARD)) + lines[i][at + cut:]
    try:
        path.write_text("\n".join(lines), encoding="utf-8")
        started = time.perf_counter()
        code, out, err = cli(["check", "--data", str(two_counties)])
        assert time.perf_counter() - started < 20
        assert code in (0, 1) and "Traceback" not in err and "内部错误" not in err
        if code == 1:
            problems = [line for line in err.splitlines() if line.startswith(str(two_counties))]
            assert problems and all(": " in line for line in problems)
    finally:
        path.write_text(original, encoding="utf-8")
