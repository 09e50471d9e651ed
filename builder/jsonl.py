"""`calc --jsonl` / `eligible --jsonl`: JSON Lines in, JSON Lines out, answered as read.

One case object per input line; one output line per case, in the same order: the answer, or
`{"line": N, "errors": [...]}` when that line is refused (the same messages go to stderr as
"第 N 行：..."). Blank lines are skipped. Memory does not grow with the number of lines: each
case is parsed, answered, written and dropped before the next is read (benchmarks/calc_stream.py
measures it). Exit code 0 when every line was answered, 2 when any line was refused, 3 when the
output could not be written.
"""
from __future__ import annotations

import gc

import orjson

from policy.limits import MAX_LINE_BYTES, MAX_MESSAGES

from .streams import EXIT_OUTPUT, OutputError, err, write_out

_FLUSH_AT = 256 * 1024


def run_jsonl(command: str, service, source, explain: bool = True, compare: bool = True,
              out=None) -> int:
    """Answer every line of the binary stream `source`; returns the exit code."""
    from policy.cases import parse_json, run_calc, run_eligible
    from policy.problems import InputError

    enabled = gc.isenabled()
    gc.disable()  # answers hold no cycles; reference counting frees each one (as in respond)
    buffer = bytearray()
    refused = messages = lines = answered = 0
    try:
        number = 0
        while True:
            raw = source.readline(MAX_LINE_BYTES + 1)
            if not raw:
                break
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                _skip_rest(source)
                problems = [f"这一行太长（超过 {MAX_LINE_BYTES // 1024} KB）：每行只放一个案例"]
            elif not raw.strip():
                continue
            else:
                problems = None
            lines += 1
            if problems is None:
                try:
                    case = parse_json(raw, what="这一行")
                    if not isinstance(case, dict):
                        raise InputError(["每行应是一个案例对象 {...}（不是列表或其他值）"])
                    answer = (run_calc(service, case, explain, compare) if command == "calc"
                              else run_eligible(service, case))
                    buffer += orjson.dumps(answer)
                    buffer += b"\n"
                    answered += 1
                except InputError as exc:
                    problems = exc.problems
            if problems is not None:
                refused += 1
                buffer += orjson.dumps({"line": number, "errors": problems})
                buffer += b"\n"
                for message in problems:
                    if messages < MAX_MESSAGES:
                        err(f"第 {number} 行：{message}")
                    messages += 1
            if len(buffer) >= _FLUSH_AT:
                write_out(bytes(buffer), out)
                buffer.clear()
        if buffer:
            write_out(bytes(buffer), out)
    except OutputError as exc:
        err(str(exc))
        return EXIT_OUTPUT
    finally:
        if enabled:
            gc.enable()
    if messages > MAX_MESSAGES:
        err(f"……另有 {messages - MAX_MESSAGES:,} 个问题没有列出（共 {messages:,} 个）")
    if lines == 0:
        err("输入是空的：请每行提供一个 JSON 案例")
        return 2
    if refused:
        err(f"{lines:,} 行中有 {refused:,} 行无法计算（已在输出中对应的行写明原因），{answered:,} 行已计算")
        return 2
    return 0


def _skip_rest(source) -> None:
    """Read past the end of an over-long line without holding it."""
    while True:
        chunk = source.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return
