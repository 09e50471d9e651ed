"""Printed sheets of a jurisdiction: A3 village notices, the county pack, the household leaflet
and contact cards, rendered with WeasyPrint from the Jinja2 templates in `site/print/`.

Speed (shared/design/pitfalls.md; benchmarks/print_notices.py): one `FontConfiguration` and the
parsed CSS are made once per process and reused. All notices of a jurisdiction are ONE document
(site/print/notice.html): what every village shares (the table, examples, process, complaint
box) is laid out once as a base page, each distinct drug-price list once, and each village's page
holds only its own band, drawn over the other two, which pikepdf (qpdf, C++) turns into shared
form XObjects; the QR codes are drawn straight into the page (qr.py). Elements that recur on every
page share their computed styles (shared_styles.py), plain lengths skip WeasyPrint's calc() check
(fast_percentages.py), pages without margin boxes skip making them (fast_pages.py); tests check
that none of them changes a byte. Each village's file is a one-page copy of
the county pack.

The stamp apart (issue 25): what every sheet prints that changes with any data change or any day
(the data version, the as-of date, the staleness warning: the footers, the card's version block)
is laid out in small documents of its own (site/print/*-stamp.html, Stamps) and drawn over the
sheets as form XObjects. What WeasyPrint laid out without it (the layers: notice.html, cards.html,
leaflet.html) is kept in a cache folder that is never published (LayerCache), under the key of
what it shows (SHOWN). So each PDF has two fingerprints, what it shows and its stamp (templates,
CSS, fonts and this code in both): a sheet whose content changed is laid out again; one whose
stamp only changed is composed again from the cached layer with no layout; one with neither is
not written. Either way the result is byte for byte what a build from scratch makes (the same
composing, a /ID from the content). Writes are atomic.

The stamp brings no font of its own: WeasyPrint subsets with HarfBuzz keeping the glyph ids, so
any subset of Noto Sans CJK costs 80–140 KB (the stamps' own made every sheet 220–280 KB bigger).
Each layer is laid out with one more page, its glyph reserve (site/print/glyph-reserve.html,
with_glyph_reserve): every character the stamp draws now or any data version or date may bring,
in the weights it draws them in. Its glyphs join the layer's subsets; the stamp's fonts then point at the layer's
font files (stamp_fonts.stamp_form, where they hold every glyph the stamp uses; else the stamp keeps its own
files), and composing removes the page. The reserve's characters are part of the layer's key, so
a stamp with new ones (a staleness warning) lays the layer out again.
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import logging
import os
import subprocess
from contextlib import contextmanager, nullcontext
from functools import cache
from pathlib import Path

from io import BytesIO

import pikepdf

from policy.cases import Service
from policy.china_time import china_today
from policy.model import Jurisdiction

from .leaflet_columns import columns
from .library_lookup import quick_library_lookup
from .qr import pdf_ops, qr_matrix

with quick_library_lookup():  # before any module here imports WeasyPrint: 0.2 s less per process
    import weasyprint  # noqa: F401

from .fast_pages import fast_pages
from .fast_percentages import fast_percentages
from .kept_subsets import kept_subsets
from .shared_styles import shared_styles
from .stamp_fonts import StampNeedsItsFonts, base_name, drawn_text, stamp_form, without_font_files
from .print_facts import PRINT_DIR, PrintDataError, jurisdiction_facts, load_scenarios, village_facts
from .print_state import FINGERPRINTS, LayerCache, Sheets, layer_kind, remove_stale, write_atomic

FONT_FAMILY = "Noto Sans CJK SC"
CSS_KINDS = ("notice", "leaflet", "cards")
MAX_LEAFLET_PAGES = 2


class PrintError(PrintDataError):
    """A missing font, template or image, or a sheet that does not fit: stops the build."""


def notice_name(township: str, village: str) -> str:
    return f"notice-{township}-{village}.pdf"


def cards_name(village: str) -> str:
    return f"cards-{village}.pdf"


# ------------------------------------------------------------------ inputs of every sheet

@cache
def font_files() -> tuple[str, ...]:
    """The files fontconfig gives for the family; a machine without them cannot print."""
    try:
        out = subprocess.run(["fc-list", f":family={FONT_FAMILY}", "file"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    return tuple(sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()}))


def require_font(jid: str) -> None:
    if not font_files():
        raise PrintError(jid, None, "font",
                         f"找不到字体“{FONT_FAMILY}”：请安装 Debian 的 fonts-noto-cjk（scripts/setup.sh）")


def _template_files() -> list[Path]:
    return sorted(p for p in PRINT_DIR.rglob("*") if p.is_file())


@cache
def _static_fingerprint() -> str:
    """Templates, CSS, scenarios, fonts, this code and WeasyPrint's version."""
    import weasyprint

    digest = hashlib.sha256(weasyprint.__version__.encode())
    code = Path(__file__).parent
    names = ("printing.py", "print_state.py", "print_facts.py", "qr.py", "qr_masks.py", "shared_styles.py",
             "stamp_fonts.py", "fast_percentages.py", "fast_pages.py", "leaflet_columns.py")
    for path in [*_template_files(), *(code / name for name in names)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for font in font_files():
        stat = os.stat(font)
        digest.update(f"{font}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def fingerprint(*parts) -> str:
    digest = hashlib.sha256(_static_fingerprint().encode())
    digest.update(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:24]


# ------------------------------------------------------------------ rendering

class _FailedLoads(logging.Handler):
    """WeasyPrint only logs a missing image or stylesheet; in this build it is an error."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if "Failed to load" in message or record.levelno >= logging.ERROR:
            self.messages.append(message)


def _local_only_fetcher(url: str, *args, **kwargs):
    """Sheets may load files from site/print only: never anything from another host."""
    from weasyprint import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    if not url.startswith("file://") or not Path(url[7:]).resolve().is_relative_to(PRINT_DIR):
        raise ValueError(f"不允许从外部加载：{url}")
    return default_url_fetcher(url, *args, **kwargs)


class Renderer:
    """One per process: the Jinja environment, one FontConfiguration, each CSS parsed once."""

    def __init__(self):
        import jinja2
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(PRINT_DIR), autoescape=True,
                                      undefined=jinja2.StrictUndefined)
        self.env.filters["columns"] = columns  # the leaflet's columns (leaflet_columns.py)
        self.font_config = FontConfiguration()
        self.css = {}
        for name in ("base", *CSS_KINDS):
            path = PRINT_DIR / f"{name}.css"
            if not path.is_file():
                raise PrintError("-", None, f"site/print/{name}.css", "样式文件不见了")
            self.css[name] = CSS(filename=str(path), font_config=self.font_config,
                                 url_fetcher=_local_only_fetcher)

    def keep_compiled(self, folder: Path) -> None:
        """Compiled templates kept in `folder` from one run to the next (Jinja's bytecode cache,
        keyed by each template's source): compiling the leaflet's took 0.1 s of every process
        that lays it out, the officer's loop's longest. A folder that cannot be made costs only
        the compiling."""
        from .site_reuse import bytecode_cache

        if self.env.bytecode_cache is None:
            try:
                self.env.bytecode_cache = bytecode_cache(folder)
            except OSError:
                pass

    def render(self, kind: str, jid: str, *, style: str | None = None, **context):
        """Lay out one document with the style sheet of `style` (default: its kind's,
        "notice-stamp" → notice.css); returns a weasyprint Document."""
        import jinja2
        from weasyprint import HTML

        try:
            html = self.env.get_template(f"{kind}.html").render(**context)
        except jinja2.TemplateNotFound as exc:
            raise PrintError(jid, None, f"site/print/{exc.name}", "模板文件不见了") from None
        except jinja2.UndefinedError as exc:
            raise PrintError(jid, None, f"site/print/{kind}.html", f"模板用到的数据没有：{exc.message}") from None
        handler = _FailedLoads()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        try:
            # the same elements recur on every village's page (shared_styles.py); plain lengths
            # need no calc() check (fast_percentages.py); pages without margin boxes (fast_pages.py)
            with shared_styles(), fast_percentages(), fast_pages():
                document = HTML(string=html, base_url=str(PRINT_DIR) + "/", url_fetcher=_local_only_fetcher).render(
                    stylesheets=[self.css["base"], self.css[style or kind.split("-")[0]]], font_config=self.font_config)
        finally:
            logger.removeHandler(handler)
        if handler.messages:
            raise PrintError(jid, None, f"site/print/{kind}.html", "；".join(handler.messages))
        return document


def preload() -> None:
    """Import WeasyPrint and what it draws with (about 0.5 s) in a process that is about to fork
    its print workers, so that each worker starts with them instead of importing them again."""
    import weasyprint  # noqa: F401
    import weasyprint.text.fonts  # noqa: F401


_compiled_in: Path | None = None  # where the renderer keeps its compiled templates (keep_compiled)


@cache
def renderer() -> Renderer:
    made = Renderer()
    if _compiled_in is not None:
        made.keep_compiled(_compiled_in)
    return made


def keep_compiled(folder: Path) -> None:
    """This process's renderer keeps its compiled templates in `folder`, once it is made: a print
    with nothing to lay out never makes it (its style sheets parsed, 0.03 s)."""
    global _compiled_in
    _compiled_in = folder
    if renderer.cache_info().currsize:
        renderer().keep_compiled(folder)


def leaflet(jid: str, facts: dict):
    """The household leaflet, laid out on at most MAX_LEAFLET_PAGES pages.

    A county's leaflet may run a few lines over (one more contact, a longer program, the
    即将调整 lines while a change is coming: zixi as of 2019-12-31 ran 2 rows onto a third
    page). It is then laid out once more with tighter spacing (leaflet.css `.compact`: the same
    type sizes, less space between lines and blocks), and only then refused."""
    document = renderer().render("leaflet", jid, j=facts, compact=False)
    if len(document.pages) > MAX_LEAFLET_PAGES:
        document = renderer().render("leaflet", jid, j=facts, compact=True)
    if len(document.pages) > MAX_LEAFLET_PAGES:
        raise PrintError(jid, None, "leaflet",
                         f"明白纸排紧以后仍有 {len(document.pages)} 页，最多 {MAX_LEAFLET_PAGES} 页；"
                         f"请缩短各项政策的简介（programs.yaml 的 summary）或减少电话（contacts.yaml）")
    return document


QR_SIDE_MM, QR_PITCH_MM = 34, 44  # each code 34 mm square, one per 44 mm (notice.css .qr-slot)


def _pages_by_anchor(document, ids: list[str], jid: str, prefix: str, field: str) -> list:
    """Each section must be exactly one page: page i starts section i and nothing spills over."""
    pages = document.pages
    for i, page in enumerate(pages):
        if i >= len(ids) or f"{prefix}{ids[i]}" not in page.anchors:
            village = ids[min(i, len(ids)) - 1] if i else ids[0]
            raise PrintError(jid, village, field, "内容超过一页；请缩短该村的文字（开诊时间、地址、村医）")
    if len(pages) != len(ids):
        raise PrintError(jid, ids[len(pages) - 1] if pages else None, field, "页数和村数对不上")
    return pages


# ------------------------------------------------------------------ the jurisdiction's sheets

def print_jurisdiction(jur: Jurisdiction, out_dir: Path, version: str, *, site_url: str, forms_url: str,
                       as_of: dt.date | None = None, preview: bool = False) -> list[Path]:
    """Write every sheet of `jur` under `out_dir/print/`; returns the paths of all its PDFs."""
    return print_jurisdiction_report(jur, out_dir, version, site_url=site_url, forms_url=forms_url,
                                     as_of=as_of, preview=preview)[0]


def print_jurisdiction_report(jur: Jurisdiction, out_dir: Path, version: str, *, site_url: str,
                              forms_url: str, as_of: dt.date | None = None, preview: bool = False,
                              timing: dict | None = None, cache: Path | None = None, spare_core: bool = False,
                              templates: Path | None = None, report: dict | None = None
                              ) -> tuple[list[Path], list[Path], list[Path]]:
    """(all PDFs of the jurisdiction, the ones laid out again because what they show changed, the
    ones that only got a new stamp). `cache`: a folder that is never published, where the layers
    laid out are kept for the next run (None: nothing kept). `spare_core`: a core would otherwise
    wait, so the leaflet is laid out in a process of its own while the notices and cards are
    composed (builder/beside.py). `templates`: a folder for the compiled templates
    (Renderer.keep_compiled). `timing`, if given, gets the seconds each kind of sheet took
    (benchmarks/print_county.py); `report`, if given, gets under "relaid" how many of the sheets
    that only got a new stamp were laid out again all the same (the stamp brought characters
    their layer lacked, or the layer was not kept): `build` then does not say "没有重排"."""
    clock = _Clock(timing)
    require_font(jur.id)
    out = Path(out_dir) / "print"
    out.mkdir(parents=True, exist_ok=True)
    as_of = as_of or china_today()
    facts = jurisdiction_facts(jur, version, Service({jur.id: jur}), as_of=as_of,
                               site_url=site_url, forms_url=forms_url, scenarios=load_scenarios())
    facts["preview"] = preview  # the diagonal 样张 mark on every sheet (_parts.html: preview_mark)
    villages = [village_facts(jur, vid, site_url=site_url, forms_url=forms_url, as_of=as_of) for vid in jur.villages]
    if not villages:
        raise PrintDataError(jur.id, None, "townships", "没有村，印不出公示栏")
    content, stamp = split_facts(facts)
    if templates is not None:
        keep_compiled(templates)
    sheets, layers, stamps = Sheets(out), LayerCache(cache), Stamps(jur.id, facts)
    clock.lap("facts")
    # the font subsets of a layer laid out again with no new character: those of the last print
    with kept_subsets(cache / "subsets" if cache is not None else None):
        leaflet_beside = _leaflet_beside(jur.id, shown(content, "leaflet"), layers, stamps) if spare_core else None
        try:
            _print_notices(jur.id, shown(content, "notice"), villages, sheets, layers, stamps)
            clock.lap("notices + county pack")
            _print_cards(jur.id, shown(content, "cards"), villages, sheets, layers, stamps)
            clock.lap("cards")
            _print_leaflet(jur.id, shown(content, "leaflet"), sheets, layers, stamps, leaflet_beside)
            clock.lap("leaflet")
        finally:
            if leaflet_beside is not None:
                leaflet_beside[1]()  # no child is left behind, whatever stopped the print (a no-op if waited for)
    layers.keep_glyphs(stamps.glyphs_found)
    if report is not None:
        report["relaid"] = sum(layer_kind(p.name) in layers.laid_out for p in sheets.restamped)
    remove_stale(out, set(sheets.new))
    write_atomic(out / FINGERPRINTS, json.dumps(sheets.new, indent=1, sort_keys=True).encode())
    return sorted(out / name for name in sheets.new), sheets.laid_out, sheets.restamped


# The stamp: what every sheet prints that changes with any data change (the data version) or any
# day (the as-of date, the staleness warning), not with what the sheet itself shows.
STAMP_FIELDS = ("version", "as_of", "as_of_cn", "reviewed", "stale")
CARD_STAMP_FIELDS = ("name", "effective_date_cn", "version", "stale")  # the card's version block


# What each layer shows of the jurisdiction's facts (the templates' `j.…`). Each is laid out from
# these only, so a value no template of a kind uses (the bureau's office hours, on the leaflet
# only) does not lay that kind out again; a template that used one more would stop on
# StrictUndefined rather than go stale unnoticed.
SHOWN = {
    "notice": ("name", "full_name", "preview", "has_drugs", "table", "examples", "effective_date_cn", "outpatient",
               "process", "promises", "hotline", "public_hotline", "commitment_days"),
    "leaflet": ("name", "full_name", "preview", "programs", "upcoming", "promises", "examples", "effective_date_cn",
                "site_home", "bring", "glossary", "contacts", "hotline", "complaint_home"),
    "cards": ("preview", "hotline", "public_hotline"),
}


def shown(facts: dict, kind: str) -> dict:
    return {k: facts[k] for k in SHOWN[kind]}


def split_facts(facts: dict) -> tuple[dict, dict]:
    """(what the sheets show, their stamp). The layers are laid out from the first only: a template
    that used a stamp field in a layer would stop on StrictUndefined, not go stale unnoticed."""
    content = {k: v for k, v in facts.items() if k not in STAMP_FIELDS}
    return content, {k: facts[k] for k in STAMP_FIELDS}


def _print_notices(jid: str, content: dict, villages: list[dict], sheets: "Sheets", layers: "LayerCache",
                   stamps: "Stamps") -> None:
    """The county pack and each village's notice: composed again when any of them changed."""
    names = {v["id"]: notice_name(v["township_id"], v["id"]) for v in villages}
    stamp_key, shown_key = fingerprint("footers", stamps.facts), fingerprint(content)  # once, not per village
    changes = [sheets.change("county-pack.pdf", fingerprint("county-pack.pdf", shown_key, villages), stamp_key)]
    changes += [sheets.change(names[v["id"]], fingerprint(names[v["id"]], shown_key, v), stamp_key) for v in villages]
    if not any(changes):
        return
    glyphs = stamps.glyphs("footers")
    layer = layers.get_or_lay_out("notices", fingerprint("notice-layer", shown_key, villages, glyphs),
                                  lambda: notice_layer(jid, content, villages, glyphs))
    pack, singles = stamps.drawn("footers", lambda footers: compose_notices(*layer, footers, villages))
    sheets.write("county-pack.pdf", pack, changes[0])
    for v, change in zip(villages, changes[1:]):
        sheets.write(names[v["id"]], singles[v["id"]], change)


def _print_leaflet(jid: str, content: dict, sheets: "Sheets", layers: "LayerCache", stamps: "Stamps",
                   laid_out_beside=None) -> None:
    change = sheets.change("leaflet.pdf", fingerprint("leaflet-layer", content), fingerprint("footers", stamps.facts))
    if not change:
        return
    glyphs = stamps.glyphs("footers")

    def lay_out() -> tuple[bytes, dict]:
        # What the child laid out for this stamp's glyphs, or, if it failed or laid out for other
        # glyphs, the same work here (a failure then raises what went wrong).
        data = None
        if laid_out_beside is not None:
            started_with, wait = laid_out_beside
            data = wait()  # waited for either way: no child is left behind
            if started_with != glyphs:
                data = None
        return (data if data is not None else _leaflet_layer(jid, content, glyphs)), {}
    layer = layers.get_or_lay_out("leaflet", fingerprint("leaflet-layer", content, glyphs), lay_out)
    sheets.write("leaflet.pdf", stamps.drawn("footers", lambda footers: compose_leaflet(layer[0], footers)), change)


def _leaflet_layer(jid: str, content: dict, glyphs: dict[str, str]) -> bytes:
    return with_glyph_reserve(jid, leaflet(jid, content), "leaflet", glyphs)


def _leaflet_beside(jid: str, content: dict, layers: "LayerCache", stamps: "Stamps"):
    """The leaflet's layer laid out in a child now, when it is not kept: its layout (0.9 s for
    zixi) is then done while this process lays out the stamps and composes the notices and cards.

    The layer holds the stamp's glyphs (its glyph reserve), and laying out the stamp to learn them
    takes 0.3 s: the child starts at once with the glyphs the last print's stamp had
    (LayerCache.last_glyphs), which a new data version or date does not change (GLYPHS_ALWAYS).
    When this run's stamp has others (a staleness warning appearing) or there was no last print,
    _print_leaflet lays the leaflet out again itself / the child waits for the stamp.
    Returns (the glyphs the child lays out with, the wait() of builder.beside), or None when there
    is nothing to lay out. The wait is idempotent."""
    from .beside import beside

    glyphs = layers.last_glyphs("footers") or stamps.glyphs("footers")
    if layers.get("leaflet", fingerprint("leaflet-layer", content, glyphs)) is not None:
        return None
    renderer()  # before the fork: the style sheets and fonts loaded once for both processes
    return glyphs, beside(lambda: _leaflet_layer(jid, content, glyphs))


def _print_cards(jid: str, shows: dict, villages: list[dict], sheets: "Sheets", layers: "LayerCache",
                 stamps: "Stamps") -> None:
    views = [_card_view(v) for v in villages]
    stamp_key, shown_key = fingerprint("card-stamp", stamps.card_facts), fingerprint(shows)
    changes = [sheets.change(cards_name(v["id"]), fingerprint(cards_name(v["id"]), shown_key, view), stamp_key)
               for v, view in zip(villages, views)]
    if not any(changes):
        return
    glyphs = stamps.glyphs("card")
    layer = layers.get_or_lay_out("cards", fingerprint("cards-layer", shown_key, views, glyphs),
                                  lambda: cards_layer(jid, shows, views, glyphs))
    composed = stamps.drawn("card", lambda card: compose_cards(jid, *layer, *card, views))
    for (name, data), change in zip(composed.items(), changes):
        sheets.write(name, data, change)


class Stamps:
    """The stamps of this run, each laid out with its sheet's style sheet the first time a sheet
    needs it: the footers (the notice's and the leaflet's, one PDF of two pages) and the card's
    version block. Each PDF holds what one stamp fingerprint covers, so that a sheet's bytes
    depend on its own stamp only (a new date changes the footers, not the cards). They are
    written without font files (stamp_fonts.without_font_files) unless a layer lacks a glyph
    (drawn)."""

    NOTICE, LEAFLET = range(2)  # the footers' pages

    def __init__(self, jid: str, facts: dict):
        self.jid = jid
        self.facts = {k: facts[k] for k in STAMP_FIELDS}
        self.card_facts = {k: facts[k] for k in CARD_STAMP_FIELDS}
        self._footers: dict[bool, bytes] = {}  # by font_files
        self._card: dict[bool, tuple[bytes, float]] = {}
        self.glyphs_found: dict[str, dict[str, str]] = {}  # glyphs(), by stamp

    def footers(self, font_files: bool = False) -> bytes:
        """The footers' PDF, written without its font files unless `font_files` (drawn())."""
        if font_files not in self._footers:
            r = renderer()
            notice, leaflet_footer = (r.render(kind, self.jid, j=self.facts) for kind in ("notice-stamp", "leaflet-stamp"))
            with nullcontext() if font_files else without_font_files():
                self._footers[font_files] = notice.copy([notice.pages[0], leaflet_footer.pages[0]]).write_pdf()
        return self._footers[font_files]

    def card(self, font_files: bool = False) -> tuple[bytes, float]:
        """(the PDF, the top of the version block in CSS px from the sheet's top)"""
        if font_files not in self._card:
            document = renderer().render("cards-stamp", self.jid, j=self.card_facts)
            with nullcontext() if font_files else without_font_files():
                self._card[font_files] = document.write_pdf(), document.pages[0].anchors["card-stamp"][1]
        return self._card[font_files]

    def drawn(self, which: str, compose):
        """compose(the stamp `which`: footers() or card()) with the stamp written without its font
        files, which the layer's replace (stamp_fonts.without_font_files); written with them when
        the layer lacks one of its glyphs (a layer laid out for another stamp's glyphs)."""
        stamp = self.footers if which == "footers" else self.card
        try:
            return compose(stamp())
        except StampNeedsItsFonts:
            return compose(stamp(font_files=True))

    def glyphs(self, which: str) -> dict[str, str]:
        """What the layers' glyph reserve holds for the stamp `which` ("footers", "card"), by
        weight ("regular", "bold"): every character the stamp draws in that weight now (read from
        its fonts), and in each weight it uses, those any data version or date may bring.
        Part of the layer's key: a stamp with a new character (a staleness warning) lays the layer
        out again, so that a layer is the same bytes however it was reached."""
        if which in self.glyphs_found:
            return self.glyphs_found[which]
        stamp = self.footers() if which == "footers" else self.card()[0]
        chars: dict[str, set[str]] = {"regular": set(), "bold": set()}
        with pikepdf.Pdf.open(BytesIO(stamp)) as pdf:
            for page in pdf.pages:
                for font in page.Resources.get("/Font", pikepdf.Dictionary()).values():
                    weight = chars["bold" if base_name(font).endswith("-Bold") else "regular"]
                    weight.update(drawn_text(font) | set(GLYPHS_ALWAYS))
        found = {weight: "".join(sorted(found - set(" \t\r\n"))) for weight, found in chars.items()}
        self.glyphs_found[which] = found
        return found


# A data version is 12 hex digits (builder/version.py), a date is digits and 年月日: a new one
# brings no character the layers' glyph reserve does not hold already.
GLYPHS_ALWAYS = "0123456789abcdef年月日"


def with_glyph_reserve(jid: str, document, style: str, glyphs: dict[str, str]) -> bytes:
    """The layer's PDF with one more page, its glyph reserve: `glyphs` (Stamps.glyphs) in their
    weights, laid out with the sheet's style sheet (site/print/glyph-reserve.html). Its glyphs join
    the layer's font subsets, so that the stamp can be drawn with the layer's fonts (stamp_form)
    instead of bringing subsets of its own: WeasyPrint subsets with HarfBuzz keeping the glyph
    ids, so that every subset of Noto Sans CJK costs 80–140 KB however few glyphs it holds. The
    composing removes the page (compose_*: drop_glyph_reserve): no reader and no text extraction
    sees it."""
    reserve = renderer().render("glyph-reserve", jid, style=style, glyphs=glyphs)
    if len(reserve.pages) != 1:
        raise PrintError(jid, None, "site/print/glyph-reserve.html", "字形页超过一页（模板或样式改坏了）")
    return document.copy([*document.pages, *reserve.pages]).write_pdf()


def drop_glyph_reserve(pdf: pikepdf.Pdf) -> None:
    """Remove the layer's last page, its glyph reserve: its glyphs stay in the fonts' subsets."""
    del pdf.pages[-1]


STAMP_NAME = pikepdf.Name("/HptStamp")


def compose_leaflet(layer: bytes, stamp: bytes) -> bytes:
    """The leaflet: each page of the layer with the stamp's footer drawn under it."""
    with pikepdf.Pdf.open(BytesIO(layer)) as pdf, pikepdf.Pdf.open(BytesIO(stamp)) as stamps:
        footer = stamp_form(pdf, stamps, Stamps.LEAFLET)  # before the reserve goes: see _font_files
        drop_glyph_reserve(pdf)
        for page in pdf.pages:
            page.add_resource(footer, pikepdf.Name.XObject, STAMP_NAME)
            page.contents_add(pdf.make_stream(f"q {STAMP_NAME} Do Q\n".encode()), prepend=True)
        return pdf_bytes(pdf)


class _Clock:
    """Seconds per stage into `timing` (when given): each lap() ends the stage it names."""

    def __init__(self, timing: dict | None):
        import time

        self.timing, self.now = timing, time.perf_counter
        self.last = self.now()

    def lap(self, name: str) -> None:
        if self.timing is not None:
            now = self.now()
            self.timing[name] = self.timing.get(name, 0.0) + now - self.last
            self.last = now


# ------------------------------------------------------------------ notices: base + village layer

BASE_NAME = pikepdf.Name("/HptNoticeBase")
DRUGS_NAME = "/HptNoticeDrugs"  # + the list's number
MM = 96 / 25.4  # CSS px per mm: page anchors are in CSS px
GAP_MM = 1.5


def notices(jid: str, facts: dict, villages: list[dict], singles: list[str], *,
            r: Renderer | None = None) -> tuple[bytes, dict[str, bytes]]:
    """The county pack and the one-page files of the `singles` villages, laid out from scratch
    (notice_layer, then compose_notices with the footer's stamp)."""
    stamps = Stamps(jid, facts)
    layer = notice_layer(jid, shown(facts, "notice"), villages, stamps.glyphs("footers"), r=r)
    pack, files = stamps.drawn("footers", lambda footers: compose_notices(*layer, footers, villages))
    return pack, {vid: files[vid] for vid in singles}


def notice_layer(jid: str, content: dict, villages: list[dict], glyphs: dict[str, str], *,
                 r: Renderer | None = None) -> tuple[bytes, dict]:
    """notice.html laid out, without the stamp, and its glyph reserve for the stamp's `glyphs`
    (with_glyph_reserve): (its PDF, what compose_notices needs of it).

    Each village's page is three layers, its stamp and its QR codes, each laid out as seldom as it can be:
    - the base page, what is the same on every notice of the jurisdiction (the title, the table,
      the examples, the process, the complaint box): laid out ONCE;
    - the clinic's drug prices: laid out once per distinct list (most villages post the county's);
    - the village's own band (its name, clinic, doctors);
    - the footer (the stamp: data version and date), laid out apart (Stamps), on every page;
    - its two QR codes, drawn into the page's content (builder.qr) on the base page's QR slot.
    The first three are pages of one document (notice.html: one layout, one font subset); the first
    two kinds become form XObjects drawn under every page that shows them, then leave the page list.
    Anchors placed in the templates check that nothing runs over into the next part.
    """
    with fewer_collections():
        return _notice_layer(jid, content, villages, glyphs, r or renderer())


@contextmanager
def fewer_collections():
    """Laying out and writing a county pack allocates millions of small objects, most of which
    live until the pack is written; with the default thresholds the garbage collector walks them
    over and over (about 15 % of the time). Collect young objects every 100,000 allocations
    instead of 700 for the while; what is left is collected after."""
    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _notice_layer(jid: str, content: dict, villages: list[dict], glyphs: dict[str, str], r: Renderer) -> tuple[bytes, dict]:
    boxes: dict[str, int] = {}
    drug_of: list[int | None] = [None] * len(villages)
    if content["has_drugs"]:
        for i, v in enumerate(villages):
            drug_of[i] = boxes.setdefault(json.dumps(drug_box(v), ensure_ascii=False, sort_keys=True), len(boxes))
    document = r.render("notice", jid, j=content, boxes=[json.loads(key) for key in boxes], villages=villages)
    pages = document.pages
    ids = [v["id"] for v in villages]
    expected = ["base"] + [f"drugs-{k}" for k in range(len(boxes))] + [f"notice-{vid}" for vid in ids]
    for i, page in enumerate(pages):
        if i >= len(expected) or expected[i] not in page.anchors:
            _spilled(jid, expected[i - 1], villages, drug_of)
    if len(pages) != len(expected):
        raise PrintError(jid, None, "notice", "页数和村数对不上（模板或样式改坏了）")

    anchors = pages[0].anchors
    _check_base_fits(jid, anchors)
    band_end = anchors["band-bottom"][1] - GAP_MM * MM
    # the list most clinics post first: shortening it helps the most villages
    for k in sorted(range(len(boxes)), key=lambda k: -drug_of.count(k)):
        end_y = pages[1 + k].anchors[f"drugs-end-{k}"][1]
        if end_y > band_end:
            _spilled(jid, f"drugs-{k}", villages, drug_of, f"超出公示栏上方的位置 {(end_y - band_end) / MM:.1f} mm")
    # The drug box has a margin of its own above it; the band's end needs a gap below it.
    part_end = anchors["drugs-top"][1] if boxes else band_end
    for vid, page in zip(ids, pages[1 + len(boxes):]):
        if page.anchors[f"band-{vid}"][1] > part_end:
            over = (page.anchors[f"band-{vid}"][1] - part_end) / MM
            raise PrintError(jid, vid, "clinic", f"村卫生室和村医的内容太长，超出公示栏上方留给它们的位置 {over:.1f} mm；"
                                                 "请缩短开诊时间或村医信息")
    # The QR codes' operators are kept with the layer (the URLs are part of its key): making
    # them (segno) took longer than putting a new stamp on the whole county.
    slot, page_height = anchors["qr-slot"], pages[0].height  # CSS px, the same on every page (@page)
    layout = {"lists": len(boxes), "drug_of": drug_of, "codes": [qr_codes_ops(v, slot, page_height) for v in villages]}
    return with_glyph_reserve(jid, document, "notice", glyphs), layout


def compose_notices(layer: bytes, layout: dict, stamp: bytes, villages: list[dict]) -> tuple[bytes, dict[str, bytes]]:
    """The county pack and every village's one-page file, from notice_layer's PDF and the stamp."""
    with fewer_collections(), pikepdf.Pdf.open(BytesIO(stamp)) as footer:
        whole = pdf_bytes(stack(layer, layout["lists"], layout["drug_of"], layout["codes"], footer))
    # Split the saved pack, not the one just put together in memory: qpdf copies pages out of a
    # parsed file about twice as fast (1.3 against 2.3 ms a village).
    with pikepdf.Pdf.open(BytesIO(whole)) as saved:
        return whole, {v["id"]: page_pdf(saved, i) for i, v in enumerate(villages)}


def _spilled(jid: str, section: str, villages: list[dict], drug_of: list, how: str = "超过一页") -> None:
    """Stop with what ran over: the shared part, a drug-price list (naming a clinic that posts it),
    or a village's band."""
    if section == "base":
        raise PrintError(jid, None, "notice", "公示栏的公共部分超过一页；请缩短保障线、承诺或算例的文字")
    if section.startswith("drugs-"):
        k = int(section.removeprefix("drugs-"))
        users = [v["id"] for v, d in zip(villages, drug_of) if d == k]
        who = f"（{len(users)} 个村卫生室用这份价格）" if len(users) > 1 else ""
        raise PrintError(jid, users[0], "drugs.yaml", f"药品价格一栏太长{who}，{how}；请缩短药品的名称、规格（drugs.yaml）")
    raise PrintError(jid, section.removeprefix("notice-"), "notice", "内容超过一页；请缩短该村的文字（开诊时间、地址、村医）")


def drug_box(v: dict) -> dict:
    """What the notice's drug box shows for village `v` (print_facts.drug_prices)."""
    return {"drugs": v["drugs"], "more": v["drugs_more"], "label": v["drugs_label"], "date_cn": v["drugs_date_cn"]}


PT_PER_PX = 0.75  # WeasyPrint lays out in CSS px (1/96 in) and draws in PDF points (1/72 in)


def qr_codes_ops(v: dict, slot: tuple[float, float], page_height: float) -> str:
    """PDF operators for the village's two codes (its page, the complaint form), side by side
    on the QR slot whose top-left corner is `slot` (CSS px from the page's top left)."""
    ops = []
    for i, url in enumerate((v["village_url"], v["complaint_url"])):
        left = (slot[0] + (i * QR_PITCH_MM + (QR_PITCH_MM - QR_SIDE_MM) / 2) * MM) * PT_PER_PX
        top = (page_height - slot[1]) * PT_PER_PX  # PDF y grows upwards from the page's bottom
        ops.append(pdf_ops(qr_matrix(url), left, top, QR_SIDE_MM * MM * PT_PER_PX))
    return "".join(ops)



FLOW_SPARE_MM = 4  # at least this much free between the promises and the complaint box


def _check_base_fits(jid: str, anchors: dict) -> None:
    """The shared part must leave room above the complaint box, or the two would overprint.

    The message names each part with its height, so a data officer knows which text to shorten.
    """
    spare = (anchors["complain-top"][1] - anchors["flow-end"][1]) / MM
    if spare >= FLOW_SPARE_MM:
        return
    tops = [("报销表（layers.yaml 各道保障线）", "table-top"), ("算例（site/print/scenarios.yaml）", "examples-top"),
            ("门诊报销（layers.yaml 的门诊保障线、discretionary）", "outpatient-top"),
            ("承诺（programs.yaml 的 summary、layers.yaml 的 description）", "promises-top"),
            ("看病报销流程（process.yaml 各步的 title、text）", "process-top"),
            ("投诉栏（contacts.yaml 监督电话的 hours、commitments.yaml）", "complain-top")]
    tops = [(name, key) for name, key in tops if key in anchors]  # the notice shows some of these parts
    ends = [anchors[key][1] for _, key in tops[1:]] + [anchors["complain-end"][1]]
    sizes = "，".join(f"{name}高 {(end - anchors[key][1]) / MM:.0f} mm" for (name, key), end in zip(tops, ends))
    raise PrintError(jid, None, "notice",
                     f"公示栏放不下：{sizes}，还差 {FLOW_SPARE_MM - spare:.1f} mm；请缩短其中最长的一项的文字")


def stack(document_pdf: bytes, lists: int, drug_of: list[int | None], codes: list[str],
          stamp: pikepdf.Pdf | None = None) -> pikepdf.Pdf:
    """The county pack from notice_layer's PDF: page 0 is the base, pages 1..`lists` the drug-price
    lists, one page per village after them, the glyph reserve last. Village page i gets the base,
    the `stamp`'s notice footer (Stamps.NOTICE) and drug list `drug_of[i]` drawn under its band,
    and the QR operators `codes[i]` over it. `stamp` must stay open until the pack is saved (qpdf
    copies its streams then).

    The base and each list become form XObjects shared by their pages: the pack holds the table
    once, not once per village, and no content stream is parsed or rewritten.
    """
    pack = pikepdf.Pdf.open(BytesIO(document_pdf))
    shared = [pikepdf.Page(page).as_form_xobject() for page in pack.pages[:1 + lists]]
    del pack.pages[:1 + lists]
    if len(pack.pages) != len(codes) + 1 or len(codes) != len(drug_of):
        raise ValueError("one page, one drug list and one pair of codes per village")
    # WeasyPrint's pages share one /Resources dictionary: each list gets a name of its own.
    footer = stamp_form(pack, stamp, Stamps.NOTICE) if stamp is not None else None
    drop_glyph_reserve(pack)  # after stamp_form: see _font_files
    first = f"q {BASE_NAME} Do Q" + (f" q {STAMP_NAME} Do Q" if footer is not None else "")
    under = {None: pack.make_stream(f"{first} q\n".encode())}
    for k in range(lists):
        under[k] = pack.make_stream(f"{first} q {DRUGS_NAME}{k} Do Q q\n".encode())
    for page, k, ops in zip(pack.pages, drug_of, codes):
        page.add_resource(shared[0], pikepdf.Name.XObject, BASE_NAME)
        if footer is not None:
            page.add_resource(footer, pikepdf.Name.XObject, STAMP_NAME)
        if k is not None:
            page.add_resource(shared[1 + k], pikepdf.Name.XObject, pikepdf.Name(f"{DRUGS_NAME}{k}"))
        # the band's own content between "q" and "Q": whatever state it leaves, the codes start clean
        page.contents_add(under[k], prepend=True)
        page.contents_add(pack.make_stream(("Q\n" + ops).encode()))
    return pack


# Streams are copied as WeasyPrint compressed them (decoding and recompressing them took longer
# than everything else); the small objects go into compressed object streams. The file's /ID is
# computed from its content, not from the clock: the same sheet is the same bytes in every run.
_SAVE = {"stream_decode_level": pikepdf.StreamDecodeLevel.none,
         "object_stream_mode": pikepdf.ObjectStreamMode.generate, "deterministic_id": True}


def pdf_bytes(pdf: pikepdf.Pdf) -> bytes:
    buffer = BytesIO()
    pdf.save(buffer, **_SAVE)
    return buffer.getvalue()


def page_pdf(pdf: pikepdf.Pdf, index: int) -> bytes:
    """Page `index` of `pdf` (with what it uses: fonts, the shared base) as a PDF of its own."""
    one = pikepdf.Pdf.new()
    one.pages.append(pdf.pages[index])
    if "/Title" in pdf.docinfo:
        one.docinfo["/Title"] = pdf.docinfo["/Title"]
    return pdf_bytes(one)


# ------------------------------------------------------------------ cards: one laid out, drawn eight times

CARDS_PER_SHEET = 8  # cards.html: copy n at (n % 2, n // 2) cards from the first, the cards touching


def cards(jid: str, facts: dict, villages: list[dict], *, r: Renderer | None = None) -> dict[str, bytes]:
    """The sheet of cards of each of `villages`, laid out from scratch: {file name: PDF}."""
    views = [_card_view(v) for v in villages]
    stamps = Stamps(jid, facts)
    layer = cards_layer(jid, shown(facts, "cards"), views, stamps.glyphs("card"), r=r)
    return stamps.drawn("card", lambda card: compose_cards(jid, *layer, *card, views))


def cards_layer(jid: str, shown: dict, views: list[dict], glyphs: dict[str, str], *,
                r: Renderer | None = None) -> tuple[bytes, dict]:
    """cards.html laid out, one card per village and without its version block, and its glyph
    reserve for the version block's `glyphs` (with_glyph_reserve): (its PDF, where each village's
    card is and where its content ends, in CSS px from the sheet's top left).

    The eight cards of a sheet are the same card: compose_cards draws this one seven more times."""
    r = r or renderer()
    with fewer_collections():
        document = r.render("cards", jid, j=shown, villages=views, copies=1)
        pages = _pages_by_anchor(document, [v["id"] for v in views], jid, "cards-", "cards")
        layout = {"cards": [{"box": list(page.anchors[f"card-{v['id']}"]), "end": page.anchors[f"card-end-{v['id']}"][1],
                             "height": page.height} for v, page in zip(views, pages)]}
        return with_glyph_reserve(jid, document, "cards", glyphs), layout


CARD_GAP_MM = 0.5  # at least this much between a card's content and its version block


def _check_cards_leave_room(jid: str, layout: dict, stamp_top: float, views: list[dict]) -> None:
    """The version block sits at a fixed place at the card's bottom: content running into it
    would be printed over. Stop, naming the village and what to shorten."""
    for v, card in zip(views, layout["cards"]):
        over = (card["end"] - (stamp_top - CARD_GAP_MM * MM)) / MM
        if over > 0:
            raise PrintError(jid, v["id"], "cards",
                             f"{v['name']}的联系卡内容太长，会压住卡片底部的数据版本一行（多出 {over:.1f} mm）；"
                             "请缩短村医（姓名、电话）或卫生室、卫生院的名称")


def compose_cards(jid: str, layer: bytes, layout: dict, stamp: bytes, stamp_top: float,
                  views: list[dict]) -> dict[str, bytes]:
    """Each village's sheet of cards from cards_layer's PDF: the stamp (the version block, laid out
    where the first card is) is drawn into the card, then pikepdf draws that page seven more times
    as a shared form XObject, clipped to the card and moved to each copy's place. The PDFs are
    split from the saved document, as the notices are."""
    _check_cards_leave_room(jid, layout, stamp_top, views)
    with fewer_collections(), pikepdf.Pdf.open(BytesIO(stamp)) as stamps:
        sheets = pikepdf.Pdf.open(BytesIO(layer))
        version_block = stamp_form(sheets, stamps, 0)
        drop_glyph_reserve(sheets)  # after stamp_form: see _font_files
        for page, card_at in zip(sheets.pages, layout["cards"]):
            _draw_copies(sheets, page, card_at, version_block)
        saved = pikepdf.Pdf.open(BytesIO(pdf_bytes(sheets)))
    with saved:
        return {cards_name(v["id"]): page_pdf(saved, i) for i, v in enumerate(views)}


def _draw_copies(sheets: pikepdf.Pdf, page: pikepdf.Page, card_at: dict, version_block: pikepdf.Object) -> None:
    x1, y1, x2, y2 = card_at["box"]  # the first card's border box, CSS px
    w, h = (x2 - x1) * PT_PER_PX, (y2 - y1) * PT_PER_PX
    left, bottom = x1 * PT_PER_PX, (card_at["height"] - y2) * PT_PER_PX  # PDF y grows upwards
    # the version block first, into the page: the card made of the page carries it to every copy
    page.add_resource(version_block, pikepdf.Name.XObject, STAMP_NAME)
    page.contents_add(sheets.make_stream(f"q {STAMP_NAME} Do Q\n".encode()), prepend=True)
    card = page.as_form_xobject()
    card.write(card.read_bytes())  # a copy of the page as it is now: it is about to change
    # WeasyPrint's pages share one /Resources dictionary; the card goes into one of this
    # page's own, so that each village's file holds its own card and no other.
    shared = page.obj.Resources
    own = pikepdf.Dictionary({key: shared[key] for key in shared.keys()})
    own.XObject = pikepdf.Dictionary({**(dict(shared.XObject.items()) if "/XObject" in shared else {}),
                                      str(CARD_NAME): card})
    page.obj.Resources = own
    copies = "".join(f"q 1 0 0 1 {(n % 2) * w:.3f} {-(n // 2) * h:.3f} cm "
                     f"{left:.3f} {bottom:.3f} {w:.3f} {h:.3f} re W n {CARD_NAME} Do Q\n"
                     for n in range(1, CARDS_PER_SHEET))
    # the copies first: the page's own content (the first card, the cut marks, a preview
    # mark "over everything") is drawn over them
    page.contents_add(sheets.make_stream(copies.encode()), prepend=True)


CARD_NAME = pikepdf.Name("/HptCard")


def _card_view(v: dict) -> dict:
    """What a card shows (not the QR codes or URLs), so a URL change does not reprint cards."""
    return {"clinic": {k: v["clinic"][k] for k in ("name", "phone")},
            **{k: v[k] for k in ("id", "name", "doctors", "health_center", "illustrative")}}
