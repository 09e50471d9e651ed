"""`calc --jsonl` / `eligible --jsonl`: JSON Lines in, JSON Lines out, answered as read.

One case object per input line; one output line per case, in the same order: the answer, or
`{"line": N, "errors": [...]}` when that line is refused (the same messages go to stderr as
"第 N 行：..."). Blank lines are skipped. Memory does not grow with the number of lines: lines
are read, answered, written and dropped a small batch at a time (at most BATCH_LINES lines or
BATCH_BYTES bytes of input; benchmarks/calc_stream.py measures it). Exit code 0 when every line
was answered, 2 when any line was refused, 3 when the output could not be written.
"""
from __future__ import annotations

import gc

import orjson

from policy.limits import MAX_LINE_BYTES, MAX_MESSAGES

from .streams import EXIT_OUTPUT, OutputError, err, write_out

# A batch is validated, then computed, then written (cf. policy.cases.run_calc_each): as fast
# per claim as the array form, in memory bounded by the batch.
BATCH_LINES = 256
BATCH_BYTES = 1024 * 1024
_APPEND = orjson.OPT_APPEND_NEWLINE


class _Tally:
    def __init__(self):
        self.lines = self.refused = self.answered = self.messages = 0


def run_jsonl(command: str, service, source, explain: bool = True, compare: bool = True,
              out=None) -> int:
    """Answer every line of the binary stream `source`; returns the exit code."""
    enabled = gc.isenabled()
    gc.disable()  # answers hold no cycles; reference counting frees each one (as in respond)
    tally = _Tally()
    try:
        for batch in _batches(source):
            write_out(_answer_batch(command, service, batch, explain, compare, tally), out)
    except OutputError as exc:
        err(str(exc))
        return EXIT_OUTPUT
    finally:
        if enabled:
            gc.enable()
    if tally.messages > MAX_MESSAGES:
        err(f"……另有 {tally.messages - MAX_MESSAGES:,} 个问题没有列出（共 {tally.messages:,} 个）")
    if tally.lines == 0:
        err("输入是空的：请每行提供一个 JSON 案例")
        return 2
    if tally.refused:
        err(f"{tally.lines:,} 行中有 {tally.refused:,} 行无法计算（已在输出中对应的行写明原因），"
            f"{tally.answered:,} 行已计算")
        return 2
    return 0


def _batches(source):
    """Lists of (line number, bytes or None for an over-long line), blank lines left out."""
    batch, size, number = [], 0, 0
    while True:
        raw = source.readline(MAX_LINE_BYTES + 1)
        if not raw:
            break
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            _skip_rest(source)
            raw = None
        elif raw.isspace():
            continue
        batch.append((number, raw))
        size += len(raw or b"")
        if len(batch) >= BATCH_LINES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _answer_batch(command, service, batch, explain, compare, tally) -> bytes:
    from policy.cases import parse_json, run_calc_each, run_eligible
    from policy.problems import InputError

    cases = []
    for number, raw in batch:
        if raw is None:
            cases.append(InputError([f"这一行太长（超过 {MAX_LINE_BYTES // 1024} KB）：每行只放一个案例"]))
            continue
        try:
            case = parse_json(raw, what="这一行")
            if not isinstance(case, dict):
                raise InputError(["每行应是一个案例对象 {...}（不是列表或其他值）"])
            cases.append(case)
        except InputError as exc:
            cases.append(exc)
    good = [c for c in cases if not isinstance(c, InputError)]
    if command == "calc":
        answers = iter(run_calc_each(service, good, explain, compare))
    else:
        answers = iter([_eligible(service, c, run_eligible, InputError) for c in good])
    out = bytearray()
    tally.lines += len(batch)
    for (number, _), case in zip(batch, cases):
        answer = case if isinstance(case, InputError) else next(answers)
        if isinstance(answer, InputError):
            tally.refused += 1
            out += orjson.dumps({"line": number, "errors": answer.problems}, option=_APPEND)
            for message in answer.problems:
                if tally.messages < MAX_MESSAGES:
                    err(f"第 {number} 行：{message}")
                tally.messages += 1
        else:
            tally.answered += 1
            out += orjson.dumps(answer, option=_APPEND)
    return bytes(out)


def _eligible(service, case, run_eligible, InputError):
    try:
        return run_eligible(service, case)
    except InputError as exc:
        return exc


def _skip_rest(source) -> None:
    """Read past the end of an over-long line without holding it."""
    while True:
        chunk = source.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return
