"""Subcommands of build.py. Every subcommand takes `--data DIR` (default `policy_data/`).

Exit codes: 0 success; 1 the policy data has problems (`check`); 2 bad input (`calc`,
`eligible`), with one message per problem on stderr and nothing on stdout; 3 the answer could
not be written in full (builder/streams.py). At most 200 messages are printed, then the total.
"""
from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

import orjson

from .currency import parse_as_of
from .streams import EXIT_OUTPUT, OutputError, err, read_stdin, report, write_out

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "policy_data"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "dist"


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
    eligible = add("eligible", "从标准输入读入 JSON 人员信息，判断可以享受哪些政策")
    for p in (calc, eligible):
        p.add_argument("--jsonl", action="store_true",
                       help="逐行输入输出（JSON Lines）：每行一个案例，读一行答一行，内存不随行数增长")
    build = add("build", "生成每个地区的网站、开放数据（和打印件、计算器，如果已安装）；只重新生成有变化的地区")
    build.add_argument("--only", nargs="+", metavar="ID", help="只生成这些地区（地区编号）")
    build.add_argument("--out", type=Path, default=DEFAULT_OUT, help="输出文件夹（默认 dist/）")
    build.add_argument("--stats", type=Path, metavar="DIR",
                       help="投诉统计文件夹（forms app 导出的 DIR/<地区>/complaint-stats.json）")
    build.add_argument("--no-print", action="store_true", help="只生成网站，不生成打印文件（PDF）")
    printing = add("print", "生成打印文件：各村公示栏（A3）、全县合订本、政策明白纸、联系卡（PDF）")
    for p in (build, printing):
        p.add_argument("--as-of", type=parse_as_of, metavar="YYYY-MM-DD",
                       help="按哪一天执行的政策生成（默认：北京时间今天）")
        p.add_argument("--preview", action="store_true",
                       help="预览：网址可以是本机或示例地址，每页标明“样张（预览，不得张贴）”")
    portal = add("portal", "重新写出门户页 index.html，列出输出文件夹里已有的每个地区的网站（几台机器分别 build --only 后合并 dist/ 时用）")
    portal.add_argument("--out", type=Path, default=DEFAULT_OUT, help="输出文件夹（默认 dist/）")
    printing.add_argument("--only", nargs="+", metavar="ID", help="只生成这些地区（默认全部）")
    printing.add_argument("--out", type=Path, default=DEFAULT_OUT, help="输出文件夹（默认 dist/）")
    audit = add("audit", "核对医院结算单导出文件（CSV 或 .xlsx）：逐张按政策重算，列出与政策不符的金额")
    audit.add_argument("files", nargs="*", type=Path, metavar="FILE", help="结算单导出文件（CSV：UTF-8 或 GBK；或 .xlsx）")
    audit.add_argument("--jurisdiction", metavar="ID", help="地区编号（policy_data 下的文件夹名）")
    audit.add_argument("--out", type=Path, required=True, help="输出文件夹：findings.csv、rejected.csv、summary.json、report.html")
    audit.add_argument("--shard", default="1/1", metavar="K/N", help="只核对第 K 份（按参保人编号分成 N 份，可在 N 台机器上同时运行）")
    audit.add_argument("--merge", nargs="+", type=Path, metavar="DIR", help="把各分片的输出文件夹合并成一份结果")
    serve = sub.add_parser("serve", help="在本机打开生成好的网站（dist/），供人查看")
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    serve.add_argument("--out", type=Path, default=DEFAULT_OUT, help="要打开的文件夹（默认 dist/）")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.data)
    if args.command == "build":
        if args.stats is not None and not args.stats.is_dir():
            # Silently building without figures would unpublish a site's 投诉办理情况 page.
            err(f"--stats {args.stats}：这个文件夹不存在。请先运行 flask --app forms_app stats export --out {args.stats}，"
                "或检查路径")
            return 2
        from .pipeline import build as build_all
        return build_all(args.data, args.out, only=args.only, stats_dir=args.stats, print_step=not args.no_print,
                         as_of=args.as_of, preview=args.preview, bars=sys.stderr.isatty())
    if args.command == "portal":
        from .pipeline import portal as write_portal
        return write_portal(args.data, args.out)
    if args.command == "print":
        from .print_command import run as print_all
        return print_all(args.data, args.out, args.only, as_of=args.as_of, preview=args.preview)
    if args.command == "audit":
        return run_audit(args, parser)
    if args.command == "serve":
        from .serve import serve as serve_dir
        return serve_dir(args.out, args.port)
    explain, compare = not getattr(args, "no_explain", False), not getattr(args, "no_compare", False)
    if args.jsonl:
        return answer_lines(args.command, args.data, explain, compare)
    from policy.limits import MAX_INPUT_BYTES

    # Bytes, not text: a wrongly encoded input gets a clear message instead of a traceback.
    # One byte over the limit is enough to refuse; the rest is never read into memory.
    stdin = read_stdin(MAX_INPUT_BYTES)
    if stdin is None:
        err("没有标准输入：请用 < 文件 或管道提供 JSON")
        return 2
    return answer(args.command, args.data, stdin, explain=explain, compare=compare)


def run_audit(args, parser) -> int:
    from .audit.run import audit, merge, parse_shard

    if args.merge:
        if args.files or args.jurisdiction:
            err("audit --merge DIR... --out DIR 只合并分片结果，不再读入结算单文件")
            return 2
        return merge(args.data, args.merge, args.out)
    if not args.jurisdiction or not args.files:
        err("用法：build.py audit --jurisdiction 地区编号 文件... --out 输出文件夹 [--shard K/N]")
        return 2
    try:
        shard = parse_shard(args.shard)
    except ValueError as exc:
        err(str(exc))
        return 2
    return audit(args.data, args.jurisdiction, args.files, args.out, shard)


CHECK_COMMAND = "scripts/check.sh"  # what data officers run (docs/data-officer-guide.md)


def check(data: Path) -> int:
    from dataclasses import replace

    from policy.loader import check_all
    from policy.problems import by_file_and_line

    results, problems = check_all(data)
    problems = by_file_and_line(problems + [p for r in results for p in r.problems])
    warnings = by_file_and_line([replace(w, message=f"提醒：{w.message}") for r in results for w in r.warnings or ()])
    total = len(problems) + sum(r.hidden for r in results)
    if problems:
        report(problems, total)
        report(warnings)
        err(f"\n发现 {total:,} 个问题，请逐条修改后再运行 {CHECK_COMMAND}")
        for r in results:
            if r.examples_skipped:
                err(f"（{r.name}的 {r.examples} 个示例要等上面的问题改正后才会运行）")
        return 1
    if warnings:
        report(warnings)
        err(f"（以上 {len(warnings)} 条是提醒，不影响通过；请看一眼是否需要改）")
    examples = sum(r.examples for r in results)
    names = "、".join(f"{r.name}（{r.id}）" for r in results)
    return _emit(f"政策数据检查通过：{names}；{examples} 个示例计算结果全部一致。\n", 0)


def _emit(data: bytes | str, code: int) -> int:
    """Write the answer; only a complete write keeps the exit code."""
    try:
        write_out(data)
    except OutputError as exc:
        err(str(exc))
        return EXIT_OUTPUT
    return code


def _service(data: Path):
    """The loaded data for calc/eligible, or None after saying why there is none."""
    from policy.cases import Service
    from policy.loader import load_all

    jurisdictions, problems = load_all(data, run_examples=False)
    if problems:
        report(problems)
        err(f"政策数据有问题，无法计算；请先运行 {CHECK_COMMAND}")
        return None
    return Service(jurisdictions)


def answer_lines(command: str, data: Path, explain: bool = True, compare: bool = True) -> int:
    """`--jsonl`: answer stdin line by line (builder/jsonl.py)."""
    from .jsonl import run_jsonl

    service = _service(data)
    if service is None:
        return 1
    if sys.stdin is None:
        err("没有标准输入：请用 < 文件 或管道提供 JSON Lines")
        return 2
    return run_jsonl(command, service, getattr(sys.stdin, "buffer", None) or _TextLines(sys.stdin),
                     explain, compare)


class _TextLines:
    """A text stdin (tests run main() with a StringIO) read as UTF-8 lines."""

    def __init__(self, stream):
        self.stream = stream

    def readline(self, limit: int = -1) -> bytes:
        return self.stream.readline(limit).encode("utf-8")


def answer(command: str, data: Path, text: str | bytes, explain: bool = True, compare: bool = True) -> int:
    service = _service(data)
    if service is None:
        return 1
    code, out, errors, total = respond_bytes(command, service, text, explain, compare)
    report(errors, total)
    if out:
        return _emit(out + b"\n", code)
    return code


def respond(command: str, service, text: str | bytes, explain: bool = True,
            compare: bool = True) -> tuple[int, str, list[str]]:
    """Answer one `calc` / `eligible` input: (exit code, JSON text for stdout, messages for stderr).

    What the command line runs (as bytes, `respond_bytes`), and what
    benchmarks/calc_throughput.py times.
    """
    code, out, errors, _ = respond_bytes(command, service, text, explain, compare)
    return code, out.decode("utf-8"), errors


def respond_bytes(command: str, service, text: str | bytes, explain: bool = True,
                  compare: bool = True) -> tuple[int, bytes, list[str], int]:
    """respond() with the answer as UTF-8 bytes (a 2 GB answer is not copied into a str), and
    the total number of problems (only the first MAX_MESSAGES are kept)."""
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
        return 0, orjson.dumps(result, option=option), [], 0
    except InputError as exc:
        return 2, b"", exc.problems, exc.total
    finally:
        if enabled:
            gc.enable()
