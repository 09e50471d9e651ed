"""Which files of a jurisdiction folder `check` reads, and a word about every file it does not.

A worked example in `examples/basic.yml` or a township in `townships/hecheng - 副本.yaml` (the
name Windows gives a copy) must never pass unseen: every file is either read or named.
- read: the files of formats.FILES, and `*.yaml` / `*.yml` in townships/ and examples/;
- a problem (check fails): a copy (`副本`, `copy`, `(1)`), a YAML file with a name the format
  does not know, `layers.yml` for `layers.yaml` — each is data the officer meant to be read;
- a warning (check passes): system and editor files (`.DS_Store`, `Thumbs.db`, `x.yaml~`),
  other files and folders, which hold no data.
"""
from __future__ import annotations

import re
from pathlib import Path

from . import formats
from .problems import Problem
from .safefiles import Unreadable, kind_of, list_folder

YAML_SUFFIXES = (".yaml", ".yml")
FOLDERS = ("townships", "examples")
_COPY = re.compile(r"副本|拷贝|复件|[ _-]*\bcopy\b|[ ]?[(（][0-9]+[)）]$", re.IGNORECASE)
_JUNK = re.compile(r"^(\..*|~\$.*|.*~|.*\.(bak|swp|swo|tmp|orig)|thumbs\.db|desktop\.ini)$", re.IGNORECASE)


def is_copy(path: Path) -> bool:
    return bool(_COPY.search(path.stem))


def data_files(folder: Path, root: Path, show, problems, warnings) -> list[Path]:
    """The YAML files of townships/ or examples/ to read, sorted; names every other entry."""
    try:
        names = list_folder(folder, root)
    except Unreadable:
        return []  # the loader reports an unreadable or missing folder itself
    out = []
    for name in names:
        path = folder / name
        if _JUNK.match(name):
            warnings.append(Problem(show(path), None, "", "系统或编辑器生成的文件，没有读取"))
        elif kind_of(path) == "dir":
            warnings.append(Problem(show(path), None, "", f"{folder.name}/ 里的子文件夹不会被读取，里面的文件都没有检查"))
        elif not name.lower().endswith(YAML_SUFFIXES):
            warnings.append(Problem(show(path), None, "", "不是 .yaml 文件，没有读取"))
        elif is_copy(path):
            problems.append(Problem(show(path), None, "", _copy_message(path)))
        else:
            out.append(path)
    return out


def top_level(folder: Path, root: Path, show, problems, warnings) -> None:
    """Names every entry of the jurisdiction folder itself that is not one of its files."""
    try:
        names = list_folder(folder, root)
    except Unreadable:
        return
    known = set(formats.FILES) | set(formats.OPTIONAL_FILES) | set(FOLDERS)
    for name in names:
        path = folder / name
        if name in known:
            continue
        if _JUNK.match(name):
            warnings.append(Problem(show(path), None, "", "系统或编辑器生成的文件，没有读取"))
        elif kind_of(path) == "dir":
            warnings.append(Problem(show(path), None, "", "不认识的文件夹，里面的文件都没有读取"
                                                          f"（数据只放在 {'、'.join(FOLDERS)} 两个文件夹里）"))
        elif not name.lower().endswith(YAML_SUFFIXES):
            warnings.append(Problem(show(path), None, "", "不是 .yaml 文件，没有读取"))
        elif is_copy(path):
            problems.append(Problem(show(path), None, "", _copy_message(path)))
        elif f"{path.stem}.yaml" in formats.FILES or f"{path.stem}.yaml" in formats.OPTIONAL_FILES:
            twin = f"{path.stem}.yaml"
            also = f"，这里同时还有 {twin}：只读 {twin}，请把两个文件合并成一个" if twin in names else f"，请把它改名为 {twin}"
            problems.append(Problem(show(path), None, "", f"扩展名应是 .yaml（不是 {path.suffix}），这个文件没有读取{also}"))
        else:
            problems.append(Problem(show(path), None, "", "不认识的文件名，这个文件没有读取：地区文件夹里只能有这些文件："
                                                          f"{'、'.join(formats.FILES)}（可以没有：{'、'.join(formats.OPTIONAL_FILES)}），"
                                                          "以及 townships/、examples/ 两个文件夹"))


def _copy_message(path: Path) -> str:
    return (f"“{path.name}”看起来是复制出来的副本，检查不读它：如果改动写在副本里，请把改动抄回原文件；"
            "然后删掉这个副本（备份请放到数据文件夹以外）")
