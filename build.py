#!/usr/bin/env python3
"""Command-line entry: `python build.py check|calc|eligible [--data DIR] ...`.

Kept thin on purpose; the work is in the `builder` and `policy` packages. Data officers run
`scripts/check.sh`, which sets up the .venv on first use and then runs `build.py check`.
"""
import sys

try:
    from builder.cli import main
except ModuleNotFoundError as exc:  # run with a Python that was never set up (python3 build.py ...)
    if exc.name is None or exc.name.split(".")[0] in ("builder", "policy"):
        raise
    sys.stderr.write(f"缺少运行所需的程序包“{exc.name}”：这个 Python 还没有安装本项目需要的程序。"
                     "检查数据请运行 scripts/check.sh（第一次会自动安装）；其他命令请先运行 scripts/setup.sh，"
                     "再用 .venv/bin/python build.py …\n")
    sys.exit(2)

if __name__ == "__main__":
    try:
        sys.exit(main())
    except ModuleNotFoundError as exc:  # a .venv set up by check.sh only: `build`, `print`, `serve` need more
        if exc.name is None or exc.name.split(".")[0] in ("builder", "policy"):
            raise
        from pathlib import Path

        venv = Path(__file__).resolve().parent / ".venv"
        if (venv / "bin" / "python").exists() and Path(sys.prefix).resolve() != venv.resolve():
            # `python build.py …` with a Python other than the project's (the venv not activated)
            sys.stderr.write(f"缺少程序包“{exc.name}”：这个 Python（{sys.executable}）不是本项目的 .venv。"
                             f"请用 .venv/bin/python build.py {' '.join(sys.argv[1:])}"
                             "（或先运行 source .venv/bin/activate）。\n")
        else:
            sys.stderr.write(f"缺少程序包“{exc.name}”：“{' '.join(sys.argv[1:2])}”需要的程序还没有安装"
                             "（scripts/check.sh 只装了检查数据用的）。请先运行 scripts/setup.sh（只需一次），再运行这个命令。\n")
        sys.exit(2)
