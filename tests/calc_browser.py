"""Using the calculator and screener pages the way a resident does (Playwright), for the browser tests."""
from __future__ import annotations


def choose_category(page, category: str) -> None:
    """The calculator's required category: one radio button per category, none chosen at first."""
    page.check(f"input[name=category][value={category}]")


def claim_boxes(page, items, fieldset: str):
    """(the item's fieldset, the item) for each item, the page's 再加一 button pressed for every
    item after the first: the calculator's stays (hc-claim-input), the slip page's slips (hc-slip-input)."""
    for i, item in enumerate(items):
        if i:
            page.click("button.hc-add")
        yield page.locator(f"fieldset.{fieldset}").nth(i), item


def fill_claim(box, claim) -> None:
    """The fields a stay and a settlement slip share, in the `calc` contract's names."""
    box.locator("input[name=date]").fill(claim["date"])
    box.locator("select[name=kind]").select_option(claim["kind"])
    if "hospital" in claim:
        box.locator("select[name=hospital]").select_option(claim["hospital"])
    box.locator("select[name=level]").select_option(claim["hospital_level"])
    if "chronic_class" in claim:
        box.locator("select[name=chronic]").select_option(claim["chronic_class"])
    for name, field in (("total", "total"), ("ooc", "out_of_catalog_necessary"), ("sf", "self_funded")):
        box.locator(f"input[name={name}]").fill(claim.get(field, ""))
    if claim.get("fee_items"):
        box.locator("details.hc-fees").evaluate("d => { d.open = true; }")
    for item, amount in claim.get("fee_items", {}).items():
        box.locator(f"input[name='fee:{item}']").fill(amount)


def fill_claims(page, claims):
    for box, claim in claim_boxes(page, claims, "hc-claim-input"):
        fill_claim(box, claim)


def answer_screener(page, category: str, age: int, sex: str, township: str, village: str) -> None:
    """Answer the screener question by question (no disease, no disability) up to its answer."""
    page.check(f"input[name=c][value={category}]")
    page.click("button.hc-next")
    page.fill("input[name=a]", str(age))
    page.click("button.hc-next")
    page.check(f"input[name=s][value={sex}]")
    page.click("button.hc-next")
    page.select_option("select[name=t]", township)
    page.select_option("select[name=v]", village)
    for _ in range(3):  # diseases, disability; the pregnancy question is skipped for a man
        if page.locator("button.hc-next").count() == 0:
            break
        page.click("button.hc-next")
    page.wait_for_selector("section.hc-program")
