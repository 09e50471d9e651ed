"""`build.py print`: every printed sheet of each jurisdiction, one process per core.

Processes, not threads: layout is pure Python and holds the GIL. Each worker loads its own
jurisdiction from its folder (cheaper than pickling a loaded one) and keeps one renderer.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from policy.china_time import china_today

from . import settings
from .version import data_version


def run(data: Path, out: Path, only: list[str] | None = None, *, as_of: dt.date | None = None,
        preview: bool = False) -> int:
    from policy.loader import jurisdiction_dirs

    from .pipeline import _declared, address_problems

    folders, problems = jurisdiction_dirs(data)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    if only:
        unknown = sorted(set(only) - {f.name for f in folders})
        if unknown:
            print(f"没有这些地区的数据：{'、'.join(unknown)}（可选：{'、'.join(f.name for f in folders)}）", file=sys.stderr)
            return 1
        folders = [f for f in folders if f.name in only]
    problems = address_problems([f.name for f in folders], {f.name: f for f in folders}, preview)
    if problems:  # refused before any sheet is written (builder/settings.py)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    as_of = as_of or china_today()
    # Fewer counties than cores: each lays out its leaflet beside its notices and cards.
    spare = len(folders) < (os.cpu_count() or 1)
    jobs = [(f, Path(out) / f.name, settings.site_url(_declared(f)), settings.forms_url(_declared(f)), as_of, preview,
             spare) for f in folders]
    started = time.perf_counter()
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers > 1:
        from .printing import preload
        preload()  # before the fork: the workers start with WeasyPrint imported
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(print_folder, jobs))
    else:
        results = [print_folder(job) for job in jobs]
    code = 0
    for jid, ok, message in results:
        print(message, file=sys.stdout if ok else sys.stderr)
        code = code if ok else 1
    if code == 0:
        print(f"打印文件全部完成，用时 {time.perf_counter() - started:.1f} 秒")
    return code


def print_folder(job) -> tuple[str, bool, str]:
    """One jurisdiction: (id, ok, a line for the person running the build)."""
    from policy.loader import load_jurisdiction

    from .pipeline import print_cache
    from .print_facts import PrintDataError
    from .site_reuse import template_cache
    from .printing import print_jurisdiction_report

    folder, out_dir, site_url, forms_url, as_of, preview, spare_core = job
    jur, problems = load_jurisdiction(folder, run_examples=False)
    if problems:
        return folder.name, False, "\n".join(map(str, problems)) + "\n政策数据有问题；请先运行 scripts/check.sh"
    try:
        paths, laid_out, restamped = print_jurisdiction_report(
            jur, out_dir, data_version(folder, as_of), site_url=site_url, forms_url=forms_url, as_of=as_of,
            preview=preview, cache=print_cache(out_dir.parent, jur.id), spare_core=spare_core,
            templates=template_cache(out_dir.parent))
    except PrintDataError as exc:
        return jur.id, False, f"无法生成打印文件：{exc}"
    return jur.id, True, (f"{jur.name}（{jur.id}）：{len(paths)} 个 PDF 在 {out_dir / 'print'}，"
                          f"本次重排 {len(laid_out)} 个（印的内容变了），{len(restamped)} 个只换了数据版本和日期，"
                          f"其余没有变化")
