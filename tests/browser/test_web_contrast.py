"""The web edition in Chromium: every interactive element readable in every state, at three widths.

For each of the four reference editions' page, at 320, 375 and 1 280 px, each element the keyboard
reaches (links, buttons, summaries, form controls) is put in its default, hover and focus states
(forced through the DevTools protocol, all at once: one pass per state). ``contrast.js`` then
measures, on the page as painted, each of its texts against the background under it (4.5:1, or
3:1 for large text) and, in the focus state, its focus ring against what is beside it (3:1).
axe-core's colour-contrast audit runs too: a violation fails, and each text it leaves « to
review » (over an image, a gradient, a positioned box) is measured by ``contrast.js`` instead of
being let through. At 320 px the page must not scroll sideways.

One browser for the session (``browser`` in conftest.py), one page per edition, resized between
widths. Slow: the four editions are built (or found up to date) and audited.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import AXE, REPO
from reportgen.builder import build
from reportgen.errors import set_display_root
from reportgen.project import Project

SCRIPT = Path(__file__).with_name("contrast.js")
WIDTHS = (320, 375, 1280)
STATES = {"défaut": [], "survol": ["hover"], "focus": ["focus", "focus-visible"]}
REFERENCE = ("ardeche/2023", "artois/2017", "landes/2017", "lille-douai/2019")


def open_page(browser, index: Path):
    """The page, its DevTools session (to force states) and the two scripts loaded."""
    page = browser.new_page(viewport={"width": WIDTHS[-1], "height": 900})
    page.goto(index.resolve().as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    page.add_script_tag(path=str(SCRIPT))
    page.add_script_tag(path=str(AXE))
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    return page, cdp


def resize(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def force(cdp, classes: list[str]) -> None:
    """Force ``classes`` (« hover », « focus »…) on every marked element, or clear them with []."""
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-rg-focus]"})["nodeIds"]:
        cdp.send("CSS.forcePseudoState", {"nodeId": node, "forcedPseudoClasses": classes})


def states(page, cdp, width: int) -> list[dict]:
    """The contrast failures of every marked element in each state, at ``width``."""
    failures = []
    for state, classes in STATES.items():
        if classes:
            force(cdp, classes)
        found = page.evaluate("s => rgContrast.check(s)", state)
        failures += [{"largeur": width, **f} for f in found]
    force(cdp, [])
    return failures


def axe_contrast(page, width: int) -> list[dict]:
    """axe-core's colour-contrast: its violations, and its « to review » measured by contrast.js."""
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']},
                                           resultTypes: ['violations', 'incomplete']});
        const nodes = kind => r[kind].flatMap(rule => rule.nodes.map(n => ({target: n.target.join(' '),
                                                                          why: n.any.map(a => a.message).join(' ')})));
        return {violations: nodes('violations'), incomplete: nodes('incomplete')};
    }""")
    failures = [{"largeur": width, "axe": "violation", **n} for n in found["violations"]]
    measured = page.evaluate("s => rgContrast.texts(s)", [n["target"] for n in found["incomplete"]])
    failures += [{"largeur": width, "axe": "à vérifier", **f} for f in measured]
    return failures, len(found["incomplete"])


def audit(page, cdp) -> dict:
    """Everything measured on one page at each width."""
    out = {"contraste": [], "axe": [], "a_verifier": {}, "focusables": {}, "debord": None}
    for width in WIDTHS:
        resize(page, width)
        page.evaluate("window.scrollTo(0, 0)")
        failures, unsure = axe_contrast(page, width)
        out["axe"] += failures
        out["contraste"] += [{"largeur": width, **f} for f in page.evaluate("rgContrast.overDecorations()")]
        out["a_verifier"][width] = unsure
        if width == 320:
            out["debord"] = page.evaluate("rgContrast.overflow()")
        out["focusables"][width] = page.evaluate("rgContrast.focusables()")
        out["contraste"] += states(page, cdp, width)
        # the summaries once open, and what the details hide (a chart's data)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        if page.evaluate("rgContrast.focusables('details')"):
            out["contraste"] += states(page, cdp, width)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
    return out


def axe_all(page) -> list[dict]:
    """Every rule of axe-core: its violations, whatever their impact."""
    return page.evaluate("""async () => {
        const found = await axe.run(document, {resultTypes: ['violations']});
        return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")


@pytest.fixture(scope="module", params=[pytest.param(name, marks=pytest.mark.slow) for name in REFERENCE])
def reference_edition(request):
    """A reference edition, built (or found up to date): its web folder."""
    project = Project(REPO)
    set_display_root(project.root)
    return request.param, build(project, request.param).web.parent


@pytest.fixture(scope="module")
def reference_page(reference_edition, browser):
    """A reference edition's web page, open in the browser."""
    name, folder = reference_edition
    page, cdp = open_page(browser, folder / "index.html")
    yield name, page, cdp
    page.close()


def test_every_state_of_every_control_is_readable_and_the_page_fits_320_px(reference_page):
    name, page, cdp = reference_page
    found = audit(page, cdp)
    assert all(n > 10 for n in found["focusables"].values()), found["focusables"]   # the sommaire's links at least
    assert found["contraste"] == [], (name, found["contraste"][:10])
    assert found["axe"] == [], (name, found["axe"][:10])
    assert found["debord"]["scroll"] <= found["debord"]["width"], (name, found["debord"])


def test_the_forced_focus_is_the_keyboard_s(reference_page):
    """The focus forced through DevTools draws what a real Tab draws, on the first stops of the page."""
    _, page, cdp = reference_page
    resize(page, 1280)
    page.evaluate("rgContrast.focusables()")
    page.mouse.click(1, 1)
    tabbed = []
    for _ in range(5):
        page.keyboard.press("Tab")
        marked = page.evaluate("document.activeElement.getAttribute('data-rg-focus')")
        assert marked is not None, "the keyboard reaches an element contrast.js does not check"
        tabbed.append((marked, page.evaluate("s => rgContrast.ring(s)", f'[data-rg-focus="{marked}"]')))
    page.evaluate("document.activeElement.blur()")
    force(cdp, ["focus", "focus-visible"])
    forced = [(marked, page.evaluate("s => rgContrast.ring(s)", f'[data-rg-focus="{marked}"]')) for marked, _ in tabbed]
    force(cdp, [])
    assert all(ring for _, ring in tabbed)
    assert forced == tabbed


def test_the_accessibility_statement_passes_axe_and_reads_in_every_state(reference_edition, browser):
    """The statement page (accessibilite.html) at the three widths: no axe-core violation, every
    control readable in every state, nothing wider than the screen."""
    name, folder = reference_edition
    page, cdp = open_page(browser, folder / "accessibilite.html")
    try:
        found = audit(page, cdp)
        violations = []
        for width in WIDTHS:
            resize(page, width)
            violations += [{"largeur": width, **v} for v in axe_all(page)]
    finally:
        page.close()
    assert found["contraste"] == [] and found["axe"] == [], (name, found["contraste"][:10], found["axe"][:10])
    assert found["debord"]["scroll"] <= found["debord"]["width"], (name, found["debord"])
    assert violations == [], (name, violations)


CASES = """<!DOCTYPE html><html lang="fr"><head><style>
  body { margin: 0; background: #ffffff; color: #1d2b44; font: 16px sans-serif; }
  a { color: #0c419a; }
  #same { background: #0c419a; color: #0c419a; }
  #hover:hover { color: #9fb3d9; }
  #thin:focus { outline: 3px solid #00a3e0; outline-offset: 2px; }
  #two:focus { outline: 3px solid #1d2b44; outline-offset: 2px; box-shadow: 0 0 0 2px #ffffff; }
  #none:focus { outline: none; }
  .banner { position: relative; background: #0c419a; color: white; height: 120px; }
  .motif { position: absolute; top: 0; right: 0; width: 50%; height: 100%;
           background-image: url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3Crect fill='%23ffffff' width='9' height='9'/%3E%3C/svg%3E"); }
  .banner p { position: relative; margin: 0; padding: 40px 10px; white-space: nowrap; }
  .grey { color: #808080; }
  .big { color: #808080; font-size: 24px; }
  .clip { overflow: hidden; width: 300px; }
  .clip a { display: block; }
  .clip a:focus { outline: 3px solid #1d2b44; outline-offset: 2px; }
  .wide { width: 330px; height: 4px; }
</style></head><body>
  <p><a id="same" href="#a">même couleur que son fond</a></p>
  <p><a id="hover" href="#b">pâle au survol</a></p>
  <p><a id="thin" href="#c">anneau d'une couleur claire</a></p>
  <p><a id="two" href="#d">anneau à deux tons</a></p>
  <p><a id="none" href="#e">sans anneau</a></p>
  <div class="clip"><a id="cut" href="#f">anneau coupé par son cadre</a></div>
  <div class="banner"><div class="motif"></div><p>Un texte blanc qui court sous le motif blanc du bandeau</p></div>
  <p class="grey">Texte gris, 3,9:1</p><p class="big">Grand texte gris, 3,9:1</p>
  <div class="wide"></div>
</body></html>"""


def test_the_contrast_check_sees_what_it_must(browser):
    """contrast.js on a page made of faults: each is found, in its state; what is right passes."""
    page = browser.new_page(viewport={"width": 320, "height": 900})
    try:
        page.set_content(CASES)
        page.add_script_tag(path=str(SCRIPT))
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        assert page.evaluate("rgContrast.focusables()") == 6
        found = states(page, cdp, 320)
        failed = {(f["state"], f["element"].split(" ")[0]) for f in found}
        assert failed == {("défaut", "a#same"), ("survol", "a#same"), ("focus", "a#same"),
                          ("survol", "a#hover"), ("focus", "a#thin"), ("focus", "a#none"), ("focus", "a#cut")}
        thin = next(f for f in found if f["element"].startswith("a#thin"))
        assert thin["ratio"] == 2.87 and thin["needed"] == 3           # the accent ring on white, measured
        assert "coupé" in next(f["problem"] for f in found if f["element"].startswith("a#cut"))
        under_motif = page.evaluate("rgContrast.overDecorations()")
        assert [f["text"][:22] for f in under_motif] == ["Un texte blanc qui cou"] and under_motif[0]["ratio"] == 1
        grey = page.evaluate("rgContrast.texts(['.grey', '.big'])")
        assert [(f["element"].split(" ")[0], f["needed"]) for f in grey] == [("p.grey", 4.5)]   # large text: 3:1
        wide = page.evaluate("rgContrast.overflow()")
        assert wide["scroll"] > wide["width"] and wide["culprits"][0].startswith("div.wide")
    finally:
        page.close()
