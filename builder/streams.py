"""Standard input and output for the subcommands, where nothing may fail silently.

Output is written with os.write in bounded chunks and every short write is continued, so a
large answer is never cut in the middle (a single write of over 2 GiB is cut by the kernel);
any error (a full disk, a closed stdout, a reader that went away, as in `| head -c 10`)
becomes a Chinese message on stderr and exit code 3. Nothing says success unless every byte
was written. Messages on stderr stop after MAX_MESSAGES, followed by the total.
"""
from __future__ import annotations

import errno
import io
import os
import sys

from policy.limits import MAX_MESSAGES

EXIT_OUTPUT = 3  # the answer could not be written in full
_CHUNK = 1 << 20


class OutputError(Exception):
    """The answer could not be written; the message says why, in Chinese."""


def _fileno(stream) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # StringIO in tests has no descriptor
        return None


def _reason(exc: OSError) -> str:
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        return "接收输出的程序已经关闭了管道（例如 | head），输出没有全部写出"
    if exc.errno == errno.ENOSPC:
        return "磁盘已满，输出没有全部写出"
    if exc.errno == errno.EBADF:
        return "标准输出已关闭，无法写出结果"
    name = errno.errorcode.get(exc.errno, str(exc.errno))
    return f"写出结果时出错（错误代码 {name}），输出没有全部写出"


def write_out(data: bytes | str, stream=None) -> None:
    """Write all of `data` to stdout (or `stream`), or raise OutputError."""
    stream = sys.stdout if stream is None else stream
    if stream is None:  # Python sets sys.stdout to None when descriptor 1 was closed
        raise OutputError("标准输出已关闭，无法写出结果")
    fd = _fileno(stream)
    try:
        if fd is None:
            stream.write(data.decode("utf-8") if isinstance(data, bytes) else data)
            return
        stream.flush()
        view = memoryview(data.encode("utf-8") if isinstance(data, str) else data)
        while view:
            written = os.write(fd, view[:_CHUNK])
            view = view[written:]
    except OSError as exc:
        _silence(fd)
        raise OutputError(_reason(exc)) from None
    except ValueError:  # "I/O operation on closed file"
        raise OutputError("标准输出已关闭，无法写出结果") from None


def _silence(fd: int | None) -> None:
    """Point a failed stdout at /dev/null, so that the interpreter's own flush at exit does
    not print an English traceback after our message."""
    if fd is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except OSError:
        pass


def err(line: str) -> None:
    """One line on stderr; nothing to be done if stderr itself is gone."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


def report(messages, total: int | None = None, limit: int = MAX_MESSAGES) -> None:
    """Print at most `limit` messages, then how many were left out of `total`."""
    shown = 0
    for message in messages:
        if shown == limit:
            break
        err(str(message))
        shown += 1
    total = max(total or 0, len(messages))
    if total > shown:
        err(f"……另有 {total - shown:,} 个问题没有列出（共 {total:,} 个；改正上面的问题后再运行可以看到其余的）")


def read_stdin(limit: int) -> bytes | str | None:
    """Up to `limit` + 1 bytes of stdin (the caller refuses more), or None when there is none."""
    stream = sys.stdin
    if stream is None:
        return None
    source = getattr(stream, "buffer", stream)
    try:
        return source.read(limit + 1)
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
