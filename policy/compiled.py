"""Plans compiled to straight-line Python, for computing amounts without explanations fast.

A plan (one claim situation: category, kind, level, ... with every parameter already looked up)
is turned into one small function whose body is the layers' arithmetic with the numbers written
in. It computes exactly what `Engine._share` / `_ceiling` / `_waiver` compute, without their
bookkeeping for explanations: a batch of claims runs about twice as fast this way.

The two must agree to the fen; `tests/test_engine_properties.py::
test_explanations_never_change_the_money` compares them on random claims (explanations use the
readable methods, plain amounts use this).
"""
from __future__ import annotations

from typing import Callable

# Where each base lives while a claim is computed (see Engine._claim's `remaining`).
_VAR = {"in_catalog": "ic", "out_of_catalog_necessary": "ooc"}


def compile_plan(plan: list, waiver: Callable) -> Callable:
    """-> run(claim, year_used) returning each step's payment in fen, in plan order."""
    src = ["def run(claim, used):",
           "    total = claim.total",
           "    ooc = claim.out_of_catalog_necessary",
           "    ic = total - ooc - claim.self_funded",
           "    cu = {}  # per-claim deductible / cap pools",
           "    paid = 0"]
    names: dict = {"waiver": waiver}
    for i, step in enumerate(plan):
        src.append(f"    # {step.layer.id}")
        if step.skipped:
            src.append(f"    p{i} = 0")
            continue
        if step.parts:
            _share(src, names, i, step)
        elif step.ceiling:
            _ceiling(src, names, i, step)
        else:
            names[f"S{i}"] = step
            src.append(f"    a = waiver(S{i}, claim, False)[0]")
            _reduce(src)
            src.append(f"    p{i} = a")
        src.append(f"    paid += p{i}")
    src.append(f"    return ({''.join(f'p{i}, ' for i in range(len(plan)))})")
    exec(compile("\n".join(src), f"<plan {plan[0].layer.id if plan else ''}>", "exec"), names)  # noqa: S102
    return names["run"]


def _limit(src, names, i, which, limit, var):
    """`var` = what is left of a deductible or cap (never below 0)."""
    amount, per_year, key = limit
    names[f"{which}{i}"] = key
    src.append(f"    {var} = {amount} - {'used' if per_year else 'cu'}.get({which}{i}, 0)")
    src.append(f"    if {var} < 0: {var} = 0")


def _add(src, which, i, limit, value):
    table = "used" if limit[1] else "cu"
    src.append(f"    {table}[{which}{i}] = {table}.get({which}{i}, 0) + {value}")


def _share(src, names, i, step):
    ded, cap = step.deductible, step.cap
    den = step.share[2] if step.share else 1
    if ded:
        _limit(src, names, i, "D", ded, "dl")
        src.append(f"    dld = dl * {den}")
    if cap:
        _limit(src, names, i, "C", cap, "cl")
    share_pending = step.share is not None
    if share_pending:
        src.append(f"    sn = claim.{step.share[0]} * {step.share[1]}")
    src.append("    tp = 0")
    for base, n, d, _ratio, _name in step.parts:
        var = _VAR[base]
        src.append(f"    b = {var} * {den}")
        if share_pending and base == "in_catalog":
            src += ["    b -= sn if sn < b else b"]
            share_pending = False
        if ded:
            src += ["    u = b if b < dld else dld", "    dld -= u", "    b -= u"]
        src.append(f"    a = (b * {2 * n} + {den * d}) // {2 * den * d}")
        if cap:
            src += ["    if a > cl: a = cl", "    cl -= a"]
        src += [f"    {var} -= a", "    tp += a"]
    if ded and den == 1:
        _add(src, "D", i, ded, "dl - dld")
    if cap:
        _add(src, "C", i, cap, "tp")
    src.append(f"    p{i} = tp")


def _ceiling(src, names, i, step):
    n, d, _ratio = step.ceiling
    src += [f"    c = (total * {2 * n} + {d}) // {2 * d}",
            "    sp = total - paid",
            "    a = sp - c if sp > c else 0"]
    if step.cap:
        _limit(src, names, i, "C", step.cap, "cl")
        src.append("    if a > cl: a = cl")
        _add(src, "C", i, step.cap, "a")
    _reduce(src)
    src.append(f"    p{i} = a")


def _reduce(src):
    """A waiver or backstop lowers the in-catalog cost first, then the rest (engine._reduce)."""
    src += ["    t = a if a < ic else ic", "    ic -= t", "    t = a - t", "    ooc -= t if t < ooc else ooc"]
