"""Computing a worked example under another reading of an ambiguous value.

An interpreted value lists its alternatives (`alternatives: [{value, reading}, ...]`). A worked
example may say which alternative it also shows (`reading: {parameter, alternative, output}`):
`check` then computes it a second time with that alternative in place of every value of the
parameter that lists one at that position, and compares `reading.output` as it compares
`output`. docs/readings.md prints both results side by side, so the difference a reading makes
is computed from the data, never typed.

Only alternatives with a number can be computed; one whose value is null ("the source gives no
number") is refused with a message naming it.
"""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager

from .coverage import layer_params
from .model import Jurisdiction


def find_param(j: Jurisdiction, name: str):
    """The layer parameter called `name` (layers.basic.ratio_bonus), or None."""
    from .engine import compile_layers
    compile_layers(j)  # gives parameters their dotted names
    for raw in j.layers:
        for param in layer_params(raw):
            if param.name == name:
                return param
    return None


def alternative_problems(j: Jurisdiction, name: str, index: int) -> list[str]:
    """Why `alternative: index` of parameter `name` cannot be computed ([] when it can)."""
    param = find_param(j, name)
    if param is None:
        return [f"reading.parameter: 没有叫 {name} 的参数（写法如 layers.basic.ratio_bonus）"]
    found = False
    for _, series in param.series():
        for v in series.values:
            if len(v.alternatives) >= index:
                found = True
                if v.alternatives[index - 1].value is None:
                    return [f"reading.alternative: {name} 的第 {index} 种理解没有数字（value: null），无法计算"]
    if not found:
        return [f"reading.alternative: {name} 没有列出第 {index} 种理解（alternatives 的第 {index} 项）"]
    return []


@contextmanager
def alternative_in_place(j: Jurisdiction, name: str, index: int):
    """Within the block, every value of parameter `name` with an `index`-th alternative (1-based)
    takes that alternative's number; the data is restored on leaving, even on error."""
    param = find_param(j, name)
    saved = []
    for _, series in param.series():
        for i, v in enumerate(series.values):
            if len(v.alternatives) >= index and v.alternatives[index - 1].value is not None:
                saved.append((series, i, v))
                series.values[i] = dataclasses.replace(v, value=v.alternatives[index - 1].value)
    try:
        yield param
    finally:
        for series, i, v in saved:
            series.values[i] = v


def run_under_alternative(j: Jurisdiction, example: dict):
    """-> (answer under the example's `reading` alternative, [mismatches with reading.output])."""
    from .cases import Service, run_calc
    from .examples import compare_calc, example_case
    reading = example["reading"]
    with alternative_in_place(j, reading["parameter"], reading["alternative"]):
        actual = run_calc(Service({j.id: j}), example_case(j, example))  # a fresh engine sees the swap
    return actual, [f"reading.output.{m}" for m in compare_calc(reading["output"], actual)]
