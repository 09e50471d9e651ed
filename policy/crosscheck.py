"""Checks across the jurisdictions of one data folder.

A county is added by copying another county's folder. Two folders with the same `name` would
publish two sites under one name (a problem); and a contact, hospital or example still naming
the county it was copied from is a leftover of the copy (a warning: a county may rightly
mention its neighbour, say a hospital across the border).
"""
from __future__ import annotations

from pathlib import Path

from . import formats
from .inventory import YAML_SUFFIXES, is_copy
from .problems import Problem
from .rawscan import code_part
from .safefiles import Unreadable, list_folder, read_bytes

_SUFFIXES = ("自治县", "县", "市", "区", "旗")


def name_forms(name: str) -> list[str]:
    """A jurisdiction's name and its short form: 资溪县 -> [资溪县, 资溪]."""
    forms = [name]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            forms.append(name[: -len(suffix)])
            break
    return forms


def duplicate_names(entries: list[tuple[str, str, str]]) -> list[Problem]:
    """entries: (folder shown, id, name). A problem for every folder whose name another has
    (on each of them: which one is the copy is for the officer to say)."""
    by_name: dict[str, list] = {}
    for shown, jid, name in entries:
        if name:
            by_name.setdefault(name, []).append((shown, jid))
    out = []
    for name, folders in by_name.items():
        for shown, jid in folders if len(folders) > 1 else ():
            others = "、".join(f"“{other}”（{other_shown}）" for other_shown, other in folders if other != jid)
            out.append(Problem(f"{shown}/jurisdiction.yaml", None, "name",
                               f"地区名称“{name}”与{others}重复：复制别的县的文件夹后，请把 name、full_name 改成本县的"))
    return out


def files_of(folder: Path, root: Path) -> list[Path]:
    """The data files check reads in a jurisdiction folder."""
    out = [folder / name for name in formats.FILES]
    for sub in ("townships", "examples"):
        try:
            names = list_folder(folder / sub, root)
        except Unreadable:
            continue
        out += [folder / sub / n for n in names if n.lower().endswith(YAML_SUFFIXES) and not is_copy(Path(n))]
    return out


def other_names(folder: Path, root: Path, shown, others: list[tuple[str, str]]) -> list[Problem]:
    """Warnings for lines of this jurisdiction's files that name another jurisdiction.
    others: (id, name) of the other jurisdictions. One warning per file and name."""
    forms = [(jid, name, form) for jid, name in others for form in name_forms(name)]
    if not forms:
        return []
    out = []
    for path in files_of(folder, root):
        try:
            text = read_bytes(path, root).decode("utf-8-sig")
        except (Unreadable, UnicodeDecodeError):
            continue  # reported by the check of the folder itself
        seen = set()
        for jid, name, form in forms:
            if jid in seen or form not in text:
                continue
            # Comments are notes for the next officer ("类别与资溪县相同"), never published.
            lines = [n for n, line in enumerate(text.split("\n"), 1) if form in code_part(line)]
            if not lines:
                continue
            seen.add(jid)
            line = lines[0]
            more = f"，这个文件里共 {len(lines)} 行有它" if len(lines) > 1 else ""
            out.append(Problem(shown(path), line, "",
                               f"这里写着另一个地区的名字“{form}”（{jid}：{name}）{more}。如果是从那个县复制来的，"
                               "请改成本县的内容；确实要提到那个县（如县外的医院）就不用改"))
    return out
