"""A watched browser page, screenshots kept as artifacts (and as guide images on request), axe-core."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "e2e"
AXE = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
BIN = Path(sys.executable).parent  # .venv/bin: flask, gunicorn
JID = "zixi"


def build(out: Path, env: dict, *extra: str) -> None:
    """`build.py build` of zixi's site alone (no PDFs), as a data officer runs it."""
    run = subprocess.run([sys.executable, "build.py", "build", "--preview", "--only", JID, "--no-print", "--out", str(out), *extra],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def build_py(*args: str, stdin: dict) -> dict:
    """`build.py calc` / `build.py eligible`: the answer the pages must agree with."""
    run = subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, input=json.dumps(stdin, ensure_ascii=False),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


OPEN: list["Watched"] = []  # pages still open: conftest screenshots them when a test fails


class Watched:
    """A page of the given size that records console errors, failed loads and requests to any host
    other than this session's two servers."""

    def __init__(self, browser, viewport: dict, hosts: set[str], name: str, **context):
        self.context = browser.new_context(**{"viewport": viewport, "device_scale_factor": 1, "locale": "zh-CN",
                                              **context})
        self.context.set_default_timeout(20_000)  # a loaded 2-core machine; a failing step still ends soon
        self.page = self.context.new_page()
        self.name = name
        OPEN.append(self)
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        self.page.on("request", lambda r: urlsplit(r.url).netloc not in hosts | {""}
                     and not r.url.startswith("data:") and self.problems.append(f"outside request: {r.url}"))

    def shot(self, step: str, guide: str | None = None, full_page: bool = True) -> None:
        """Keep a screenshot of this step in tests/artifacts/e2e/<test>/; with GUIDE_IMAGES=<dir>
        set, also the visible screen as <dir>/<guide>, made small for the guides."""
        if guide and os.environ.get("GUIDE_IMAGES"):  # first: a full-page screenshot may move the page
            save_guide_image(self.page.screenshot(), guide)
        folder = ARTIFACTS / self.name
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{step}.png"), full_page=full_page)

    def close(self) -> None:
        OPEN.remove(self)
        self.context.close()


def save_guide_image(png: bytes, name: str) -> None:
    target = os.environ.get("GUIDE_IMAGES")
    if not target:
        return
    from PIL import Image

    Path(target).mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    # 64 colours keep text and the theme's colours readable at a fraction of the size.
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        Path(target) / name, optimize=True)


def host(url: str) -> str:
    return urlsplit(url).netloc


def axe_violations(page, rules_off: dict[str, str] | None = None) -> list[dict]:
    """Run axe-core in the page; serious and critical violations as {id, impact, help, nodes}."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the forms app's CSP forbids inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    rules = {rule: {"enabled": False} for rule in (rules_off or {})}
    result = page.evaluate("rules => axe.run(document, {rules, resultTypes: ['violations']})", rules)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
