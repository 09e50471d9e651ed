"""WeasyPrint computes each element's style once per element; here twins share the work.

In a document of 160 village notices the same elements recur 160 times with the same rules
and the same parents' styles, and WeasyPrint computed every property of every one of them anew
(`ComputedStyle.__missing__`, about a third of the layout time of a village's page). Inside
`shared_styles()`, elements that are twins share the values computed so far: the same tag, the
same cascaded declarations (the same objects, from the same parsed style sheets) and a parent
that is a twin too, so that inherited and relative values are the same. The few properties
computed from the element itself (its `id`, `href`, `lang` or `attr()`) are computed for each
element as before. tests/test_printing.py checks that the PDFs are byte for byte the same.
Checked against WeasyPrint's source (builder/weasyprint_pins.py): with another WeasyPrint the
block does nothing. The same change against WeasyPrint: docs/upstream/shared-styles.patch.
"""
from __future__ import annotations

from contextlib import contextmanager

from weasyprint import css as wcss
from weasyprint.layout.page import PageType

from . import weasyprint_pins

weasyprint_pins.allowed("shared_styles")  # checked at import: its warning now, not halfway through a build

# Computed from the element's own attributes (css/computed_values.py): never shared. `page` is
# never stored by WeasyPrint either; custom properties (`__*`) are left alone.
OWN = frozenset({"anchor", "link", "lang", "content", "string_set", "bookmark_label", "page"})
SPECIFIED = ("position", "float", "display")


class TwinStyle(wcss.ComputedStyle):
    """A ComputedStyle that takes what a twin has computed and gives what it computes."""

    shared: dict
    shared_specified: dict

    def __missing__(self, key):
        if key in OWN or key[:2] == "__":
            return super().__missing__(key)
        if key in self.shared:
            # Take everything the twins have computed so far at once (a dict update in C, where
            # one __missing__ call per property cost ~10 % of a village page's layout). `float`
            # and `display` come with `position` and `float` (WeasyPrint computes them together),
            # so they are in `shared` together; their specified values come along.
            self.update(self.shared)
            self.specified.update(self.shared_specified)
            return self[key]
        value = super().__missing__(key)
        self.shared[key] = value
        if key in SPECIFIED and key in self.specified:
            self.shared_specified[key] = self.specified[key]
        return value

    def copy(self):
        return wcss.ComputedStyle.copy(self)


def _set_computed_styles(self, element, parent, root=None, pseudo_type=None, base_url=None,
                         target_collector=None):
    """`StyleFor.set_computed_styles`, making TwinStyle objects grouped by twin signature."""
    cascaded_styles = self.get_cascaded_styles()
    computed_styles = self.get_computed_styles()
    twins = self.__dict__.setdefault("_twins", {})
    signatures = self.__dict__.setdefault("_signatures", {})
    if element == root and pseudo_type is None:
        assert parent is None
        parent_style, parent_signature = None, None
        root_style = wcss.InitialStyle(self.font_config)
    else:
        assert parent is not None
        parent_style = computed_styles[parent, None]
        parent_signature = signatures.get((parent, None))
        root_style = computed_styles[root, None]
    cascaded = cascaded_styles.get((element, pseudo_type), {})
    computed = computed_styles[element, pseudo_type] = TwinStyle(
        parent_style, cascaded, element, pseudo_type, root_style, base_url,
        self.font_config, self.initial_page_sizes)
    # An element's tag; a page type (@page) without its page number: pages that match the same
    # @page rules (the cascaded part of the signature) get the same styles.
    tag = element._replace(index=None) if isinstance(element, PageType) else getattr(element, "tag", element)
    signature = (parent_signature, tag, pseudo_type,
                 frozenset((name, id(value)) for name, (value, _weight) in cascaded.items()))
    if parent_style is None:
        signature = ("root", id(element))  # the root shares with nothing
    signatures[element, pseudo_type] = signature
    computed.shared, computed.shared_specified = twins.setdefault(signature, ({}, {}))
    if target_collector and computed["anchor"]:
        target_collector.collect_anchor(computed["anchor"])


@contextmanager
def shared_styles():
    """Documents rendered inside this block compute each twin's styles once."""
    if not weasyprint_pins.allowed("shared_styles"):  # another WeasyPrint: its own path
        yield
        return
    own = wcss.StyleFor.set_computed_styles
    wcss.StyleFor.set_computed_styles = _set_computed_styles
    try:
        yield
    finally:
        wcss.StyleFor.set_computed_styles = own
