#!/usr/bin/env python3
"""Command-line entry: `python build.py check|calc|eligible [--data DIR] ...`.

Kept thin on purpose; the work is in the `builder` and `policy` packages.
"""
import sys

from builder.cli import main

if __name__ == "__main__":
    sys.exit(main())
