"""What a print leaves for the next one, beside its sheets and in its cache (issue 25).

- Each sheet's fingerprints (print/.fingerprints.json): what it shows and its stamp, so that the
  next print knows which sheets changed and how (`Sheets`).
- The layers laid out (`LayerCache`, in the output's .fingerprints folder, never published): a
  PDF and what composing it needs, per kind, under the key of what it shows.
- Writes that leave no half file (`write_atomic`).

builder/printing.py lays the sheets out and composes them; this is its bookkeeping, kept apart so
that each can be read on its own.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

FINGERPRINTS = ".fingerprints.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: a reader never sees half a PDF."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_fingerprints(out: Path) -> dict:
    try:
        return json.loads((out / FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def remove_stale(out: Path, keep: set[str]) -> None:
    """PDFs of villages no longer in the data would mislead: remove them."""
    for path in out.glob("*.pdf"):
        if path.name not in keep:
            path.unlink()


def layer_kind(name: str) -> str:
    """The layer (LayerCache kind) a sheet of print/ is composed from."""
    return "cards" if name.startswith("cards-") else "leaflet" if name == "leaflet.pdf" else "notices"


class Sheets:
    """The PDFs of print/: what changed in each since the last run, and what was written.

    Each PDF's fingerprint is two: what it shows ("content") and its stamp. Every file of a kind
    is composed again when any of them changed, and written when its bytes differ: the files of
    one layer share its fonts, so a new character in one village's card changes every card."""

    def __init__(self, out: Path):
        self.out, self.old = out, read_fingerprints(out)
        self.new: dict[str, str] = {}
        self.laid_out: list[Path] = []
        self.restamped: list[Path] = []

    def change(self, name: str, content: str, stamp: str) -> str:
        """"content", "stamp" or "" (nothing changed and the file is there)."""
        self.new[name] = f"{content}:{stamp}"
        old = self.old.get(name, "")
        if not (self.out / name).is_file() or old.split(":")[0] != content:
            return "content"
        return "stamp" if old != self.new[name] else ""

    def write(self, name: str, data: bytes, change: str) -> None:
        """Write the file if `change` says so, or if its bytes differ (a font subset it shares)."""
        path = self.out / name
        if not change:
            try:
                if path.read_bytes() == data:
                    return
            except OSError:
                pass
        write_atomic(path, data)
        (self.restamped if change == "stamp" else self.laid_out).append(path)


class LayerCache:
    """What WeasyPrint laid out, without the stamp: a PDF and what composing it needs, per kind
    (notices, leaflet, cards), kept under the key of what it shows. Never published (it sits in
    the output's .fingerprints folder). A file missing, unreadable or not what its index says is
    laid out again, never a failure."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.laid_out: set[str] = set()  # the kinds laid out in this run (not taken from the folder)

    GLYPHS = "stamp-glyphs.json"

    def last_glyphs(self, which: str) -> dict[str, str] | None:
        """The glyphs (Stamps.glyphs) the last print's stamp `which` had, or None."""
        return self._kept_glyphs().get(which)

    def _kept_glyphs(self) -> dict[str, dict[str, str]]:
        """The stamps' glyphs kept by the last print, those that read as glyphs."""
        if self.folder is None:
            return {}
        try:
            kept = json.loads((self.folder / self.GLYPHS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(kept, dict):
            return {}
        return {which: found for which in ("footers", "card") if isinstance(found := kept.get(which), dict)
                and set(found) == {"regular", "bold"} and all(isinstance(v, str) for v in found.values())}

    def keep_glyphs(self, found: dict[str, dict[str, str]]) -> None:
        """Keep the glyphs of the stamps this print laid out, for the next (a guess it checks)."""
        if self.folder is None or not found:
            return
        kept = self._kept_glyphs()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / self.GLYPHS, json.dumps({**kept, **found}, sort_keys=True).encode())
        except OSError:
            pass

    def get_or_lay_out(self, kind: str, key: str, lay_out) -> tuple[bytes, dict]:
        """The layer kept under `key`, or `lay_out()`'s (then kept)."""
        layer = self.get(kind, key)
        if layer is None:
            layer = lay_out()
            self.laid_out.add(kind)
            self.put(kind, key, *layer)
        return layer

    def get(self, kind: str, key: str) -> tuple[bytes, dict] | None:
        if self.folder is None:
            return None
        try:
            index = json.loads((self.folder / f"{kind}.json").read_text(encoding="utf-8"))
            if index["key"] != key:
                return None
            data = (self.folder / f"{kind}.pdf").read_bytes()
            if hashlib.sha256(data).hexdigest() != index["sha256"]:
                return None
            return data, index["layout"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, kind: str, key: str, data: bytes, layout: dict) -> None:
        """Keep a layer; a cache that cannot be written costs the next build a layout, not this one
        its sheets. The PDF first, its index last: a reader between the two finds the PDF is not
        what the index says (sha256) and lays out again."""
        if self.folder is None:
            return
        index = {"key": key, "sha256": hashlib.sha256(data).hexdigest(), "layout": layout}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / f"{kind}.pdf", data)
            write_atomic(self.folder / f"{kind}.json", json.dumps(index, sort_keys=True).encode())
        except OSError:
            pass
