"""Reading a data folder that may hold anything: links out of it, pipes, devices, files and
folders without permission, huge files.

`check` runs on folders that arrive by e-mail or in pull requests (in public CI), so a file is
read only when it is a regular file inside the data folder (after following every link), no
larger than MAX_FILE_BYTES; anything else is one clear problem saying what was found. Nothing
outside the data folder is ever opened, so its contents cannot leak into a message, and a
pipe or /proc file cannot hang the check.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .limits import MAX_FILE_BYTES

_KINDS = [
    (stat.S_ISDIR, "这里应是一个文件，却是一个文件夹"),
    (stat.S_ISFIFO, "这是一个管道（FIFO），不是普通文件，不读取"),
    (stat.S_ISCHR, "这是一个设备文件，不是普通文件，不读取"),
    (stat.S_ISBLK, "这是一个设备文件，不是普通文件，不读取"),
    (stat.S_ISSOCK, "这是一个套接字，不是普通文件，不读取"),
]


class Unreadable(Exception):
    """The path cannot be used; the message says what was found, in Chinese."""


def inside(path: Path, root: Path) -> Path:
    """The real path of `path` (every link followed), refused unless it lies inside `root`
    (itself already resolved)."""
    try:
        real = Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        if os.path.islink(path):
            raise Unreadable("这是一个链接，但它指向的文件不存在") from None
        raise Unreadable("缺少这个文件") from None
    except PermissionError:
        raise Unreadable("无法读取：没有权限进入它所在的文件夹") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Unreadable("链接形成了循环（链接指向自己或互相指向），无法读取") from None
        raise Unreadable(_os_reason(exc)) from None
    if real != root and not real.is_relative_to(root):
        raise Unreadable("这是一个指向数据文件夹以外的链接：为安全起见不读取，请把文件本身放进数据文件夹")
    return real


def read_bytes(path: Path, root: Path) -> bytes:
    """The bytes of a regular file inside `root`, or Unreadable."""
    real = inside(path, root)
    try:
        info = os.stat(real)
    except OSError as exc:
        raise Unreadable(_os_reason(exc)) from None
    _regular(info)
    if info.st_size > MAX_FILE_BYTES:
        raise Unreadable(f"文件太大（{info.st_size // 1024 // 1024} MB，最多 {MAX_FILE_BYTES // 1024 // 1024} MB）")
    try:
        # O_NONBLOCK: should the file be swapped for a pipe after the check above, opening it
        # still returns at once (and fstat below refuses it).
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise Unreadable(_os_reason(exc)) from None
    try:
        _regular(os.fstat(fd))
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise Unreadable(_os_reason(exc)) from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"文件太大（最多 {MAX_FILE_BYTES // 1024 // 1024} MB）")
    return data


def list_folder(folder: Path, root: Path) -> list[str]:
    """The names in a folder inside `root`, sorted, or Unreadable."""
    real = inside(folder, root)
    if not real.is_dir():
        raise Unreadable("这里应是一个文件夹，却是一个文件")
    try:
        with os.scandir(real) as entries:
            return sorted(entry.name for entry in entries)
    except OSError as exc:
        raise Unreadable(_os_reason(exc, folder=True)) from None


def kind_of(path: Path) -> str | None:
    """"dir", "file", "missing" or None (something else) for `path`, links followed."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return None
    return "dir" if stat.S_ISDIR(info.st_mode) else "file" if stat.S_ISREG(info.st_mode) else None


def _regular(info: os.stat_result) -> None:
    for test, reason in _KINDS:
        if test(info.st_mode):
            raise Unreadable(reason)
    if not stat.S_ISREG(info.st_mode):
        raise Unreadable("这不是普通文件，不读取")


def _os_reason(exc: OSError, folder: bool = False) -> str:
    what = "文件夹" if folder else "文件"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"无法读取这个{what}：没有读取权限（请检查文件权限）"
    if exc.errno == errno.ENOENT:
        return "缺少这个文件"
    if exc.errno == errno.ELOOP:
        return "链接形成了循环，无法读取"
    return f"无法读取这个{what}（错误代码 {errno.errorcode.get(exc.errno, exc.errno)}）"
