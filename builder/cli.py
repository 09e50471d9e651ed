"""Subcommands of build.py. Every subcommand takes `--data DIR` (default `policy_data/`).

Exit codes: 0 success; 1 the policy data has problems (`check`); 2 bad input (`calc`,
`eligible`), with one message per problem on stderr and nothing on stdout.
"""
from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

import orjson

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "policy_data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py", description="健康扶贫政策数据：检查、计算、资格判断")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name, help_text):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="政策数据文件夹（默认 policy_data/）")
        return p

    add("check", "检查全部政策数据，列出所有问题（文件、行号、字段、原因）")
    calc = add("calc", "从标准输入读入 JSON 案例，计算报销结果")
    calc.add_argument("--no-explain", action="store_true", help="不输出每一层的计算说明（只输出金额）")
    calc.add_argument("--no-compare", action="store_true",
                      help="不计算“普通居民能报多少”的对比（批量重算时用，约快四分之一）")
    add("eligible", "从标准输入读入 JSON 人员信息，判断可以享受哪些政策")
    printing = add("print", "生成打印文件：各村公示栏（A3）、全县合订本、政策明白纸、联系卡（PDF）")
    printing.add_argument("--only", nargs="+", metavar="ID", help="只生成这些辖区（默认全部）")
    printing.add_argument("--out", type=Path, default=Path("dist"), help="输出文件夹（默认 dist/）")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.data)
    if args.command == "print":
        from .print_command import run

        return run(args.data, args.out, args.only)
    # Bytes, not text: a wrongly encoded input gets a clear message instead of a traceback.
    stdin = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    return answer(args.command, args.data, stdin, explain=not getattr(args, "no_explain", False),
                  compare=not getattr(args, "no_compare", False))


def check(data: Path) -> int:
    from policy.loader import check_all

    results, problems = check_all(data)
    problems = problems + [p for r in results for p in r.problems]
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"\n发现 {len(problems)} 个问题，请逐条修改后再运行 python build.py check", file=sys.stderr)
        for r in results:
            if r.examples_skipped:
                print(f"（{r.name}的 {r.examples} 个示例要等上面的问题改正后才会运行）", file=sys.stderr)
        return 1
    examples = sum(r.examples for r in results)
    names = "、".join(f"{r.name}（{r.id}）" for r in results)
    print(f"政策数据检查通过：{names}；{examples} 个示例计算结果全部一致。")
    return 0


def answer(command: str, data: Path, text: str | bytes, explain: bool = True, compare: bool = True) -> int:
    from policy.cases import Service
    from policy.loader import load_all

    jurisdictions, problems = load_all(data, run_examples=False)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("政策数据有问题，无法计算；请先运行 python build.py check", file=sys.stderr)
        return 1
    code, out, errors = respond(command, Service(jurisdictions), text, explain, compare)
    for message in errors:
        print(message, file=sys.stderr)
    if out:
        sys.stdout.write(out + "\n")
    return code


def respond(command: str, service, text: str | bytes, explain: bool = True,
            compare: bool = True) -> tuple[int, str, list[str]]:
    """Answer one `calc` / `eligible` input: (exit code, JSON text for stdout, messages for stderr).

    What the command line runs, and what benchmarks/calc_throughput.py times.
    """
    from policy.cases import parse_json, run_calc, run_eligible
    from policy.problems import InputError

    # This is a short-lived process whose answer holds no reference cycles: the cyclic garbage
    # collector would only walk the growing answer again and again (measured: ~20% of a
    # 100,000-claim batch). Reference counting still frees everything as usual.
    enabled = gc.isenabled()
    gc.disable()
    try:
        data_in = parse_json(text)
        result = (run_calc(service, data_in, explain, compare) if command == "calc"
                  else run_eligible(service, data_in))
        # One case is read by people: indent it. A batch is read by programs: compact.
        # orjson writes the same JSON as the standard library about 8x faster (measured on a
        # 100,000-claim answer); answers hold only str, int, bool, None, lists and dicts.
        option = 0 if isinstance(result, list) else orjson.OPT_INDENT_2
        return 0, orjson.dumps(result, option=option).decode("utf-8"), []
    except InputError as exc:
        return 2, "", exc.problems
    finally:
        if enabled:
            gc.enable()
