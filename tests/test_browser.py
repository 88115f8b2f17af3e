"""The whole journey in a real browser: Debian's chromium driven by Playwright, against the
app served on loopback with the demo case, at a desktop and a phone viewport.

Add a debt, see its timeline, fill the budget, import a sample Alipay export, pick a plan,
generate a script, record a contact and a promise, download the calendar and the PDF and
check their contents. Screenshots of every step go to ``test-output/<viewport>/`` (not
committed). Skipped, saying why, when chromium or Playwright is missing (``make test``
installs both).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import CHROMIUM, CHROMIUM_ARGS, OUTPUT, VIEWPORTS, running_server
from xieshang.cli.serve import build_demo_store
from xieshang.clock import today
from xieshang.engine.money import format_money
from xieshang.output import Output
from xieshang.present.views import status_lines
from xieshang.store.db import Store
from xieshang.store.model import Commitment, Contact, Debt, StatementImport

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing: the browser tests need Debian's chromium, which "
                "`make test` installs where apt can be used (root)",
                allow_module_level=True)

STATEMENTS = Path(__file__).parent / "data" / "statements"

#: Run in the page: the accessibility problems found (empty when there are none).
ACCESSIBILITY = r"""() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} h1 elements`);
  let level = 0;
  for (const h of document.querySelectorAll("main h1, main h2, main h3, main h4")) {
    const next = Number(h.tagName[1]);
    if (level && next > level + 1) {
      problems.push(`heading skips to ${h.tagName}: ${h.textContent.trim()}`);
    }
    level = next;
  }
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    if (!(el.labels && el.labels.length) && !el.getAttribute("aria-label")
        && !el.getAttribute("aria-labelledby")) problems.push(`no label: ${el.name || el.id}`);
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    const name = (el.textContent || el.getAttribute("aria-label") || el.title || "").trim();
    if (!name && !el.hidden) problems.push(`no name: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll("img")) {
    if (!el.hasAttribute("alt")) problems.push(`no alt: ${el.src}`);
  }
  for (const svg of document.querySelectorAll("main svg")) {
    const figure = svg.closest("figure");
    const named = svg.getAttribute("aria-label") || svg.getAttribute("aria-labelledby")
      || (figure && figure.querySelector("figcaption"));
    if (!named) problems.push("a chart without a name");
  }
  // text contrast (WCAG AA): 4.5:1, or 3:1 for large text
  const rgb = (text) => (text.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      const opaque = colour.length === 3 || (colour.length === 4 && colour[3] > 0.5);
      if (opaque) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  for (const el of document.querySelectorAll("body *:not(svg *):not(option)")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const [a, b] = [luminance(rgb(style.color).slice(0, 3)), luminance(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      problems.push(`contrast ${ratio.toFixed(2)}: ${el.textContent.trim().slice(0, 40)}`);
    }
  }
  const ids = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (ids.has(el.id)) problems.push(`duplicate id: ${el.id}`);
    ids.add(el.id);
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Journey:
    """One person's way through the pages, with a screenshot at every step."""

    def __init__(self, page: Any, base: str, folder: Path) -> None:
        self.page = page
        self.base = base
        self.folder = folder
        self.shots = 0
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        # a form sent back with its errors answers 422 on purpose; anything else counts
        if message.type == "error" and "status of 422" not in message.text:
            self.errors.append(message.text)

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None
        assert response.status == 200, (path, response.status)
        self.accessible()

    def accessible(self) -> None:
        """What a screen-reader or keyboard user needs: a language, one h1, headings in
        order, a label for every control, a name for every button, link and chart."""
        problems = self.page.evaluate(ACCESSIBILITY)
        assert problems == [], (self.page.url, problems)

    def shot(self, name: str) -> None:
        self.shots += 1
        self.page.screenshot(path=str(self.folder / f"{self.shots:02d}-{name}.png"),
                             full_page=True)

    def submit(self, button: str) -> None:
        """Click a submit button and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(button)

    def no_sideways_scroll(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        viewport = self.page.viewport_size["width"]
        assert width <= viewport + 1, f"{self.page.url}: {width}px wide in {viewport}px"


def figures(opener: Callable[[], Store]) -> dict[str, Any]:
    with opener() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        lines = status_lines(Output.make("en", False), tx, case.id, today())
        return {"case": case.id, "lines": lines,
                "debts": tx.count(Debt, case_id=case.id),
                "contacts": tx.count(Contact, case_id=case.id),
                "commitments": tx.count(Commitment, case_id=case.id),
                "imports": tx.count(StatementImport, case_id=case.id)}


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_whole_journey(browser: Any, viewport: str, tmp_path: Path) -> None:
    opener = build_demo_store(tmp_path / "store")
    folder = OUTPUT / viewport
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    before = figures(opener)
    with running_server(opener, lang="en") as base:
        context = browser.new_context(accept_downloads=True, locale="en-GB",
                                      **VIEWPORTS[viewport])
        page = context.new_page()
        journey = Journey(page, base, folder)

        # Today: the figures of `xieshang status`; the keyboard reaches "skip to the content"
        journey.go("/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        total = sum((line["total"] for line in before["lines"]), start=before["lines"][0]
                    ["total"] * 0)
        assert page.inner_text("#total") == format_money(total)
        assert page.locator("#next-actions li").count() == 3
        journey.no_sideways_scroll()
        journey.shot("today")

        # 1 Start: the reason is there, the checklist can be saved
        journey.go("/start")
        assert page.locator("h1").count() == 1
        journey.shot("start")

        # 2 Debts: add a Huabei bill 20 days overdue
        journey.go("/debts/new")
        page.select_option("#f-product", "huabei")
        journey.submit("form[action='/debts/new'] button[type=submit]")
        page.fill("#f-label", "花呗 十月账单")
        page.fill("#f-amount", "abc")
        journey.submit("form[action='/debts/new'] button[type=submit]")
        assert "is not an amount" in page.inner_text("#f-amount-error")
        assert page.locator("#error-summary").is_visible()
        journey.shot("debt-error")
        page.fill("#f-amount", "1,234.50")
        overdue_since = today().toordinal() - 20
        from datetime import date

        page.fill("#f-overdue_since", date.fromordinal(overdue_since).isoformat())
        journey.submit("form[action='/debts/new'] button[type=submit]")
        assert page.url.startswith(base + "/debts")
        assert "花呗 十月账单" in page.content()
        journey.no_sideways_scroll()
        journey.shot("debts")
        after_debt = figures(opener)
        assert after_debt["debts"] == before["debts"] + 1
        new = next(line for line in after_debt["lines"] if "十月账单" in line["name"])

        # 3 Consequences: its timeline and the chart of what waiting costs
        journey.go(f"/consequences#debt-{new['id']}")
        section = page.locator(f"#debt-{new['id']}")
        assert section.count() == 1
        assert format_money(new["total"]) in section.inner_text()
        assert section.locator("svg").count() >= 1
        journey.no_sideways_scroll()
        journey.shot("consequences")

        # 4 Budget: change the food line, save, see the affordable amount
        journey.go("/budget/edit")
        page.fill("#f-amount_food", "2200")
        journey.submit("button[name=action][value=save]")
        assert "/budget" in page.url
        journey.shot("budget")
        # import the sample Alipay export: preview first, then save
        journey.go("/budget/import")
        page.set_input_files("#f-file", str(STATEMENTS / "alipay_sample.csv"))
        journey.submit("form[action='/budget/import'] button[type=submit]")
        assert "/budget/import/" in page.url
        assert figures(opener)["imports"] == before["imports"]  # nothing saved yet
        journey.shot("import-preview")
        journey.submit("form[action$='/budget/import/'] button[type=submit], "
                       "main form[method=post]:not([action$='discard']) button[type=submit]")
        assert figures(opener)["imports"] == before["imports"] + 1
        journey.shot("import-saved")

        # 5 Plan: pick the avalanche strategy
        journey.go("/plan")
        page.select_option("#f-strategy", "avalanche")
        journey.submit("form[action='/plan'] button[type=submit]")
        assert "strategy=avalanche" in page.url
        assert page.locator("svg").count() >= 1
        journey.no_sideways_scroll()
        journey.shot("plan")

        # 6 Negotiate: the phone script of the new debt, shown and downloaded
        journey.go(f"/negotiate/{new['id']}")
        script = page.locator("a[href$='/documents/phone.txt']")
        with page.expect_download() as info:
            script.first.click()
        download = info.value
        text = Path(download.path()).read_text(encoding="utf-8")
        assert download.suggested_filename == f"xieshang-debt{new['id']}-phone-en.txt"
        assert "花呗 十月账单" in text or "Huabei" in text
        journey.shot("negotiate")

        # 7 Log & promises: a contact, then a promise
        journey.go("/log/contacts/new")
        page.select_option("#f-debt", str(new["id"]))
        page.select_option("#f-channel", index=1)
        page.fill("#f-asked", "Asked for 6 monthly installments without the penalty.")
        page.fill("#f-offered", "Will call back within 3 working days.")
        journey.submit("form[action='/log/contacts/new'] button[type=submit]")
        assert figures(opener)["contacts"] == before["contacts"] + 1
        journey.go("/log/promises/new")
        page.select_option("#f-debt", str(new["id"]))
        page.select_option("#f-by", "me")
        page.fill("#f-amount", "300")
        page.fill("#f-due", date.fromordinal(today().toordinal() + 5).isoformat())
        journey.submit("form[action='/log/promises/new'] button[type=submit]")
        assert figures(opener)["commitments"] == before["commitments"] + 1
        journey.shot("log")
        with page.expect_download() as info:
            page.click("a[href='/log/calendar.ics']")
        calendar = Path(info.value.path()).read_text(encoding="utf-8")
        assert calendar.startswith("BEGIN:VCALENDAR")
        due = date.fromordinal(today().toordinal() + 5).strftime("%Y%m%d")
        assert f"DTSTART;VALUE=DATE:{due}" in calendar

        # 8 Dossier: the PDF, with the case's figures in it
        journey.go("/dossier")
        journey.shot("dossier")
        with page.expect_download() as info:
            page.click("#pdf")
        pdf = Path(info.value.path())
        assert pdf.read_bytes().startswith(b"%PDF")
        if shutil.which("pdftotext"):
            words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                                   capture_output=True, text=True).stdout
            assert format_money(new["total"]).lstrip("¥") in words

        # Questions: searchable, with the person's own figure
        journey.go("/questions?q=grace")
        assert page.locator(".question").count() >= 1
        journey.shot("questions")

        # The language switch: Traditional Chinese
        journey.go("/?lang=zh-Hant")
        assert page.get_attribute("html", "lang") == "zh-Hant"
        journey.shot("today-zh-hant")
        context.close()
    assert journey.errors == []
    assert len(list(folder.glob("*.png"))) == journey.shots


def test_forms_work_without_javascript(browser: Any, tmp_path: Path) -> None:
    opener = build_demo_store(tmp_path / "store")
    with running_server(opener, lang="en") as base:
        context = browser.new_context(java_script_enabled=False, **VIEWPORTS["desktop"])
        page = context.new_page()
        page.goto(base + "/budget/edit")
        page.fill("#f-amount_food", "lots")
        with page.expect_navigation():
            page.click("button[name=action][value=save]")
        error = page.inner_text("#f-amount_food-error")
        assert re.search(r"not an amount", error)
        assert page.input_value("#f-amount_food") == "lots"  # what was typed stays
        page.fill("#f-amount_food", "2100")
        with page.expect_navigation():
            page.click("button[name=action][value=save]")
        assert page.url.endswith("/budget?saved=1")
        context.close()


# ---------------------------------------------------------------- issue 15: the first run

#: One persona's facts (issue 15), as the first-run page asks them: (action, selector,
#: value). An action is "fill" (a typed field), "select" (a field chosen from a list),
#: "click", or "open" (a folded part: with JavaScript the page opens it when the product is
#: an installment loan, without it the person clicks it open). The persona: a Huabei bill
#: overdue; 借呗 ¥20,000 in 12 periods at 0.045 % a day, 等额本息, first due three months
#: ago, 1 period repaid (so two installments missed); income of ¥6,000 that starts next
#: month; rent and food.
PERSONA: list[tuple[str, str, str]] = [
    ("select", "#f-d1_product", "huabei"),
    ("fill", "#f-d1_amount", "3,200"),
    ("fill", "#f-d1_missed", "{missed_huabei}"),
    ("click", "details.more > summary", ""),
    ("select", "#f-d2_product", "jiebei"),
    ("open", "#d2-loan", ""),
    ("fill", "#f-d2_borrowed", "20000"),
    ("fill", "#f-d2_periods", "12"),
    ("fill", "#f-d2_rate", "0.045%"),
    ("select", "#f-d2_method", "annuity"),
    ("fill", "#f-d2_first_due", "{first_due}"),
    ("fill", "#f-d2_paid", "1"),
    ("fill", "#f-income", "6000"),
    ("fill", "#f-income_starts", "{income_starts}"),
    ("fill", "#f-rent", "1800"),
    ("fill", "#f-food", "1500"),
]

#: The first run's viewports: a phone and a laptop.
FIRST_RUN_VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": VIEWPORTS["phone"],
    "laptop": {"viewport": {"width": 1366, "height": 900}},
}


class Counted:
    """A page whose typed fields and clicks are counted."""

    def __init__(self, page: Any, javascript: bool) -> None:
        self.page = page
        self.javascript = javascript
        self.fields = 0
        self.clicks = 0

    def do(self, action: str, selector: str, value: str = "") -> None:
        if action == "fill":
            self.fields += 1
            self.page.fill(selector, value)
        elif action == "select":
            self.fields += 1
            self.page.select_option(selector, value)
        elif action == "open":
            if self.javascript:  # the page opens it for an installment product
                self.page.wait_for_selector(f"{selector}[open]", state="attached")
            else:
                self.clicks += 1
                self.page.click(f"{selector} > summary")
        else:
            self.clicks += 1
            self.page.click(selector)

    def go_by_click(self, selector: str) -> None:
        self.clicks += 1
        with self.page.expect_navigation():
            self.page.click(selector)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", sorted(FIRST_RUN_VIEWPORTS))
def test_first_run_reaches_the_script_in_few_steps(browser: Any, viewport: str,
                                                   javascript: bool, tmp_path: Path) -> None:
    """From an empty store: three questions, then the bill, the affordable amount, the
    ladder and the phone script, within 25 typed fields and 20 clicks."""
    from datetime import timedelta

    from xieshang.engine.schedules import add_months
    from xieshang.store.db import open_store

    day = today()
    # period 1 due three months ago (less three days) and repaid: periods 2 and 3 missed,
    # period 4 due in three days (on 2026-12-07: first due 2026-09-10)
    first_due = add_months(day, -3) + timedelta(days=3)
    next_month = add_months(day.replace(day=1), 1)
    facts = {"missed_huabei": (day - timedelta(days=20)).isoformat(),
             "first_due": first_due.isoformat(), "income_starts": next_month.isoformat()}
    opener: Callable[[], Store] = lambda: open_store(data_dir=tmp_path)  # noqa: E731
    with running_server(opener, lang="zh") as base:
        context = browser.new_context(java_script_enabled=javascript, locale="zh-CN",
                                      **FIRST_RUN_VIEWPORTS[viewport])
        page = context.new_page()
        counted = Counted(page, javascript)
        page.goto(base + "/")
        assert page.locator("#first-run").is_visible()
        assert "xieshang serve" not in page.inner_text("main")  # never a terminal command
        assert page.evaluate(ACCESSIBILITY) == []
        for action, selector, value in PERSONA:
            counted.do(action, selector, value.format(**facts))
        assert page.evaluate(ACCESSIBILITY) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"] + 1  # the loan's terms fit the phone
        counted.go_by_click("#first-run-submit")
        # the bill, what can be afforded and from when, the recommendation with its start
        assert page.inner_text("#total").startswith("¥")
        affordable = page.inner_text("#affordable")
        assert "¥" in affordable
        assert re.search(r"\d{4}-\d{2}-\d{2}", affordable), affordable  # says when
        recommendation = page.inner_text("#recommendation")
        assert "借呗" in recommendation
        assert re.search(r"\d{4}-\d{2}-\d{2}", recommendation), recommendation
        assert page.evaluate(ACCESSIBILITY) == []
        counted.go_by_click("#to-script")
        # the ladder and the phone script, at the top of the negotiate page
        assert page.locator("#ladder-short li").count() >= 2
        # the installment loan: bring the arrears current, or reschedule the whole balance
        assert page.locator("#arrears-intro").count() == 1
        assert page.locator("#ladder-whole-short li").count() >= 2
        assert page.evaluate(ACCESSIBILITY) == []
        act = page.locator("#act").bounding_box()
        assert act is not None
        if viewport == "phone":  # the action starts within the first screen
            assert act["y"] < page.viewport_size["height"]
        counted.go_by_click("#act a[href='#document-phone']")
        script = page.inner_text("#doc-phone")
        assert "¥" in script
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"] + 1
        print(f"\nfirst run, {viewport}, {'with' if javascript else 'without'} JavaScript: "
              f"{counted.fields} typed fields, {counted.clicks} clicks")
        assert counted.fields <= 25
        assert counted.clicks <= 20
        context.close()


#: Every page reached by an address (the import preview is added by the test).
PAGES_TO_MEASURE = ["/", "/start", "/debts", "/debts/new", "/debts/new?product=huabei",
                    "/debts/new?product=jiebei",
                    "/consequences", "/budget", "/budget/edit", "/budget/import", "/plan",
                    "/negotiate", "/negotiate/{debt}", "/log", "/log/contacts/new",
                    "/log/promises/new", "/dossier", "/questions", "/glossary"]


def test_no_page_scrolls_sideways_at_360(browser: Any, tmp_path: Path) -> None:
    """At 360×740, in Chinese and English, no page is wider than the screen."""
    opener = build_demo_store(tmp_path / "store")
    debt = figures(opener)["lines"][0]["id"]
    wide: list[str] = []
    with running_server(opener, lang="zh") as base:
        for lang in ("zh", "en"):
            context = browser.new_context(viewport={"width": 360, "height": 740},
                                          is_mobile=True, has_touch=True)
            page = context.new_page()
            page.goto(f"{base}/?lang={lang}")
            paths = [p.format(debt=debt) for p in PAGES_TO_MEASURE]
            for path in paths:
                page.goto(base + path)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 361:
                    wide.append(f"{lang} {path}: {width}px")
            page.goto(base + "/budget/import")
            page.set_input_files("#f-file", str(STATEMENTS / "alipay_sample.csv"))
            with page.expect_navigation():
                page.click("form[action='/budget/import'] button[type=submit]")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 361:
                wide.append(f"{lang} import preview: {width}px")
            context.close()
    assert wide == []


def test_many_debts_load_each_lenders_ask_when_opened(browser: Any, tmp_path: Path) -> None:
    """With more debts owing than the Today page works out at once (the demo's 3 and 4
    more), opening "Why, and what to ask each lender" loads every ask (htmx); without
    JavaScript its link opens them as a page."""
    from datetime import timedelta
    from decimal import Decimal

    from xieshang.engine.money import money
    from xieshang.web.pages.welcome import INLINE_ASKS

    opener = build_demo_store(tmp_path / "store")
    with opener() as store, store.begin() as tx:
        case = tx.current_case()
        assert case is not None
        for number in range(1, 5):
            tx.add(Debt(case_id=case.id, preset_id="jiebei", label=f"more {number}",
                        principal=money(f"{number}000.00"),
                        due_date=today() - timedelta(days=10 * number),
                        contract_rate=Decimal("0.18"), contract_rate_basis="annual"))
    owing = [line for line in figures(opener)["lines"] if line["total"] > 0]
    assert len(owing) == 7 > INLINE_ASKS
    with running_server(opener, lang="en") as base:
        context = browser.new_context(locale="en-GB", **VIEWPORTS["desktop"])
        page = context.new_page()
        journey = Journey(page, base, tmp_path)
        journey.go("/")
        assert page.locator("#reasons li strong").count() == 0
        page.click("#reasons summary")
        page.wait_for_selector("#reasons-list ol")
        asks = page.locator("#reasons-list ol > li > strong a")
        assert asks.count() == 7
        assert sorted(asks.all_inner_texts()) == sorted(line["name"] for line in owing)
        journey.accessible()
        assert journey.errors == []
        context.close()
        still = browser.new_context(locale="en-GB", java_script_enabled=False,
                                    **VIEWPORTS["desktop"])
        page = still.new_page()
        journey = Journey(page, base, tmp_path)
        journey.go("/")
        page.click("#reasons summary")
        with page.expect_navigation():
            page.click("#reasons-list a")
        assert page.url == base + "/answer/asks"
        assert page.locator("#reasons ol > li > strong a").count() == 7
        journey.accessible()
        still.close()
