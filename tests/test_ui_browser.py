"""End to end: `streamlit run app.py` in headless Debian Chromium. Buttons, Play/Pause and the
five live charts as a user sees them. One server for the module; a fresh page (session) per test.

Needs /usr/bin/chromium and the playwright package; without them these tests fail with a clear
message (deselect with ``-m "not browser"``).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/: the shared helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # repo root: playground

from browser import browser_page, browser_pages, require_chromium, streamlit_server  # noqa: E402

from playground.phases import phases  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

KEYS = ("network", "deltas", "surface", "loss", "matrices")
WAIT_MS = 30_000

_METRIC_JS = """(label) => {
  const el = document.querySelector(`.live-metric[data-metric="${label}"] .live-metric-value`);
  return el ? el.textContent.trim() : null;
}"""

_CHARTS_JS = """(keys) => {
  const hosts = [...document.querySelectorAll('[data-testid^="stBidiComponent"]')];
  const plots = hosts.flatMap((h) => [...h.querySelectorAll('.js-plotly-plot')]);
  const per = {};
  for (const k of keys) {
    const els = plots.filter((e) => e.dataset.key === k);
    per[k] = {n: els.length, drawn: els.filter((e) => e.querySelector('.main-svg')
                 && e.getBoundingClientRect().height > 0).length};
  }
  return {total: plots.length, all: document.querySelectorAll('.js-plotly-plot').length, per};
}"""


@pytest.fixture(scope="module")
def app_url():
    require_chromium()  # fail (not skip) before starting anything
    with streamlit_server("app.py") as url:
        yield url


@pytest.fixture
def page(app_url):
    with browser_page(app_url, timeout_ms=WAIT_MS) as (pg, log):
        pg.wait_for_function(
            "(keys) => keys.every((k) => document.querySelector(`.live-chart.js-plotly-plot[data-key=\"${k}\"]`))",
            arg=list(KEYS), timeout=60_000)
        wait_epoch(pg, 0)
        pg.log = log
        yield pg
        assert no_exception(pg)
        assert not log.problems(), log.problems()


# --------------------------------------------------------------------------------------------- helpers
def metric(pg, label: str) -> str | None:
    return pg.evaluate(_METRIC_JS, label)


def epoch(pg) -> int:
    return int(metric(pg, "Epoch").replace(",", ""))


def idle(pg) -> None:
    """Until Streamlit says no script is running (its status widget is gone)."""
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS)


def wait_epoch(pg, n: int) -> None:
    pg.wait_for_function(f"() => ({_METRIC_JS})('Epoch') === '{n:,}'", timeout=WAIT_MS)


def charts(pg) -> dict:
    return pg.evaluate(_CHARTS_JS, list(KEYS))


def no_exception(pg) -> bool:
    return pg.locator('[data-testid="stException"]').count() == 0


def button(pg, label: str):
    """A button by its accessible name: st.button or the run controls' action bar (in a shadow root)."""
    return pg.get_by_role("button", name=label, exact=True).first


def play_toggle(pg):
    return pg.locator('[data-testid="stCheckbox"] label').filter(has_text="Play").filter(
        has_not_text="speed").first


def updates_of(pg, key: str) -> int:
    return pg.evaluate(f"""() => Number(document.querySelector('.live-chart[data-key="{key}"]').dataset.updates)""")


# --------------------------------------------------------------------------------------------- tests
def test_page_loads_with_five_drawn_charts(page) -> None:
    assert no_exception(page)
    c = charts(page)
    assert c["total"] == 5 and c["all"] == 5, c
    assert all(v == {"n": 1, "drawn": 1} for v in c["per"].values()), c
    assert metric(page, "Epoch") == "0"
    assert metric(page, "J(W,b), eq. (6)") not in (None, "pending")
    assert not page.log.problems(), page.log.problems()


def test_plotly_js_comes_from_static_serving_and_stays_fresh_in_the_browser_cache(page) -> None:
    """plotly.js is served by Streamlit's static file serving (.streamlit/config.toml) at a URL with
    its content hash, with a Last-Modified so old that a browser's heuristic freshness (a tenth of
    the age) keeps it for months: a returning visitor neither downloads nor recompiles it."""
    import email.utils
    import urllib.request

    src = page.evaluate("() => document.querySelector('script[data-live-chart=\"plotly\"]').src")
    assert "/app/static/vendor/plotly-cartesian.min.js?v=" in src, src
    with urllib.request.urlopen(src, timeout=30) as res:
        assert res.status == 200 and "javascript" in res.headers["Content-Type"]
        assert "Cache-Control" not in res.headers  # else the heuristic below would not apply
        age = email.utils.parsedate_to_datetime(res.headers["Date"]) - email.utils.parsedate_to_datetime(
            res.headers["Last-Modified"])
        assert age.days / 10 >= 60, age
        assert "plotly.js" in res.read(300).decode()


def test_step_advances_epoch_and_cost(page) -> None:
    j0 = metric(page, "J(W,b), eq. (6)")
    button(page, "Step").click()
    wait_epoch(page, 1)
    page.wait_for_function(f"() => ({_METRIC_JS})('J(W,b), eq. (6)') !== {j0!r}", timeout=WAIT_MS)
    assert charts(page)["total"] == 5


_LIVE_JS = """(keys) => {
  const out = {epoch: (__METRIC__)("Epoch"), charts: {}};
  for (const k of keys) {
    const el = document.querySelector(`.live-chart[data-key="${k}"]`);
    out.charts[k] = el ? {updates: Number(el.dataset.updates || 0), epoch: el.dataset.epoch} : null;
  }
  return out;
}""".replace("__METRIC__", _METRIC_JS)


def live(pg) -> dict:
    return pg.evaluate(_LIVE_JS, list(KEYS))


def test_play_animates_every_chart_in_step_with_the_epoch_and_pause_holds(page) -> None:
    """While playing: one chart per key, every chart redrawn several times a second, the Epoch number
    climbing and always the epoch the charts show. After Pause: nothing moves, and the number on
    screen is the run's own (a Step then shows exactly one more)."""
    play_toggle(page).click()
    page.wait_for_function(f"() => Number(({_METRIC_JS})('Epoch').replace(/,/g, '')) > 0", timeout=WAIT_MS)
    first, t0 = live(page), time.monotonic()
    samples = []
    for _ in range(20):  # ~4 s of play
        samples.append((charts(page), live(page)))
        assert no_exception(page)
        page.wait_for_timeout(200)
    last, seconds = live(page), time.monotonic() - t0
    for c, _ in samples:
        ok = c["total"] == 5 and c["all"] == 5 and all(v["n"] == 1 and v["drawn"] == 1 for v in c["per"].values())
        assert ok, f"a live chart was missing or doubled while playing (torn down and re-created?): {c}"
    epochs = [int(s["epoch"].replace(",", "")) for _, s in samples]
    assert epochs == sorted(epochs) and len(set(epochs)) >= 5, f"the Epoch number should climb: {epochs}"
    in_step = [s for _, s in samples if all(c["epoch"] == s["epoch"].replace(",", "") for c in s["charts"].values())]
    assert len(in_step) >= 0.9 * len(samples), f"charts and Epoch disagree: {[s for _, s in samples]}"
    for k in KEYS:  # a generous floor (tests are not benchmarks): several redraws a second
        rate = (last["charts"][k]["updates"] - first["charts"][k]["updates"]) / seconds
        assert rate >= 2, f"{k} updated {rate:.1f} times a second while playing"

    play_toggle(page).click()  # Pause: the page settles on the run's own numbers
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stCheckbox"] input[aria-checked="true"], '
              + '[data-testid="stCheckbox"] input:checked')""", timeout=WAIT_MS)
    idle(page)  # the Pause rerun has finished on the server
    settled, deadline = None, time.monotonic() + 30
    while time.monotonic() < deadline:  # the last drawing has played out and arrived in full
        e1 = epoch(page)
        page.wait_for_timeout(1500)
        if epoch(page) == e1:
            settled = e1
            break
    assert settled is not None, "the Epoch number kept moving after Pause"
    page.wait_for_timeout(1500)
    assert epoch(page) == settled, "training went on after Pause"
    button(page, "Step").click()
    page.wait_for_function(f"() => ({_METRIC_JS})('Epoch') !== '{settled:,}'", timeout=WAIT_MS)
    idle(page)
    page.wait_for_timeout(1000)
    # the number shown after Pause was the run's epoch, not a stale frame: a Step shows exactly one more
    assert epoch(page) == settled + 1, f"after Pause the page showed epoch {settled}, a Step then {epoch(page)}"
    assert charts(page)["total"] == 5


def _surface_ranges(pg) -> list[list[float]]:
    return pg.evaluate("""() => { const l = document.querySelector('.live-chart[data-key="surface"]')._fullLayout;
                                  return [l.xaxis.range, l.yaxis.range]; }""")


def test_zoom_on_the_prediction_surface_survives_a_step(page) -> None:
    """A user's box zoom (a real mouse drag on the plot) is kept when Step redraws the chart.

    A programmatic ``Plotly.relayout(el, {'xaxis.range': [0, 1]})`` is not used: plotly.js records
    only GUI edits for ``uirevision``, and the surface figure pins ``xaxis.range`` to the data, so
    ``Plotly.react`` (rightly) replaces a scripted range but keeps a user's zoom.
    """
    original = _surface_ranges(page)
    drag = page.locator('.live-chart[data-key="surface"] .nsewdrag').first
    drag.scroll_into_view_if_needed()
    box = drag.bounding_box()
    x0, y0 = box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 0.3 * box["width"], y0 + 0.25 * box["height"], steps=8)
    page.mouse.up()
    page.wait_for_function(
        """(x0) => document.querySelector('.live-chart[data-key="surface"]')._fullLayout.xaxis.range[0] !== x0""",
        arg=original[0][0], timeout=WAIT_MS)
    zoomed = _surface_ranges(page)
    assert zoomed[0][1] - zoomed[0][0] < 0.5 * (original[0][1] - original[0][0]), (original, zoomed)

    before = updates_of(page, "surface")
    button(page, "Step").click()
    wait_epoch(page, 1)
    page.wait_for_function(
        f"""() => Number(document.querySelector('.live-chart[data-key="surface"]').dataset.updates) > {before}""",
        timeout=WAIT_MS)
    after = _surface_ranges(page)
    assert after[0] == pytest.approx(zoomed[0]) and after[1] == pytest.approx(zoomed[1]), (zoomed, after)


def test_phase_button_walks_the_phase_bar(page) -> None:
    labels = [p.label for p in phases(4)]  # default network (2, 4, 2, 1): n_l = 4
    for k, label in enumerate(labels):
        button(page, "Phase ▸").click()
        page.get_by_text("One update, phase by phase:").wait_for(timeout=WAIT_MS)
        current = page.locator('[data-testid="stMarkdownContainer"]', has_text="One update, phase by phase:")
        # the phase under way is marked ▶; after the update the walk is complete and says so
        mark = f"▶ {label}" if k < len(labels) - 1 else f"{label} (7, 8) ✓"
        current.filter(has_text=mark).first.wait_for(timeout=WAIT_MS)
        assert no_exception(page)
        if k < labels.index("Cost J(W,b)"):
            assert metric(page, "J(W,b), eq. (6)") == "pending"
    wait_epoch(page, 1)
    page.get_by_text("Update applied: J").wait_for(timeout=WAIT_MS)
    assert charts(page)["total"] == 5


_FORMULAS_JS = """() => Array.from(document.querySelectorAll('.live-math .live-math-group')).map((g) => ({
  title: g.querySelector('.live-math-title').textContent, katex: !!g.querySelector('.katex .katex-html'),
  text: g.querySelector('.live-math-tex').textContent, superscript: (() => {
    const s = g.querySelector('.katex .msupsub .sizing');
    const size = (el) => parseFloat(getComputedStyle(el).fontSize);
    return s ? size(s) / size(g.querySelector('.katex')) : null;
  })()}))"""


def test_equations_are_typeset_and_follow_a_step(page) -> None:
    """The formulas are KaTeX, styled by the page's KaTeX CSS (a superscript is set smaller than its
    base), and after a Step they show the new numbers."""
    page.wait_for_function("() => document.querySelectorAll('.live-math .katex').length >= 5", timeout=WAIT_MS)
    groups = page.evaluate(_FORMULAS_JS)
    assert [g["title"] for g in groups] == ["Forward pass", "Cost", "Error terms, backwards", "Gradients", "Update"]
    assert all(g["katex"] for g in groups)
    assert all(g["superscript"] is not None and g["superscript"] < 0.9 for g in groups), groups
    before = groups[4]["text"]  # eq. (7)'s numbers: the weight and its gradient before the update
    button(page, "Step").click()
    wait_epoch(page, 1)
    page.wait_for_function(f"() => ({_FORMULAS_JS})()[4].text !== {before!r}", timeout=WAIT_MS)
    assert no_exception(page) and not page.log.problems(), page.log.problems()


def test_rapid_step_clicks_neither_lose_nor_double_an_update(page) -> None:
    for _ in range(6):
        button(page, "Step").click()  # as fast as Playwright clicks: no waiting in between
    wait_epoch(page, 6)
    page.wait_for_timeout(1500)
    assert epoch(page) == 6, "a click was doubled"
    assert no_exception(page)


def test_two_browser_sessions_train_independently(app_url) -> None:
    with browser_pages(app_url, 2, timeout_ms=WAIT_MS) as [(a, log_a), (b, _)]:
        for pg in (a, b):
            pg.wait_for_selector('.live-chart.js-plotly-plot[data-key="loss"]', timeout=60_000)
            wait_epoch(pg, 0)
        for _ in range(3):
            button(a, "Step").click()
            a.wait_for_timeout(300)
        wait_epoch(a, 3)
        b.wait_for_timeout(1000)
        assert epoch(b) == 0, "session A's training showed in session B"
        button(b, "Step").click()
        wait_epoch(b, 1)
        assert epoch(a) == 3
        assert no_exception(a) and no_exception(b) and not log_a.problems()


def test_a_shared_link_opens_the_same_experiment_at_the_same_epoch0_cost(app_url) -> None:
    """The link in the address bar after changing settings reproduces the experiment exactly."""
    from playground.config import DEFAULT, replace
    from playground.experiment import new_run
    from playground.share import to_query

    cfg = replace(DEFAULT, dataset="xor", hidden=(3,), alpha=0.3, seed=4, data_seed=2)
    query = "&".join(f"{k}={v}" for k, v in to_query(cfg).items())
    expected = f"{new_run(cfg).current_trace().J:.4g}"
    with browser_page(f"{app_url}?{query}", timeout_ms=WAIT_MS) as (pg, log):
        pg.wait_for_selector('.live-chart.js-plotly-plot[data-key="loss"]', timeout=60_000)
        wait_epoch(pg, 0)
        assert metric(pg, "J(W,b), eq. (6)") == expected
        assert "data=xor" in pg.url and "layers=3" in pg.url, pg.url  # the address bar keeps the link
        assert no_exception(pg) and not log.problems()


def test_two_downloads_in_a_row_both_arrive(page) -> None:
    """A download does not rerun the page (on_click="ignore"): a second click right after the
    first finds its file (before, it found an id the rerun had replaced, and nothing came)."""
    page.get_by_text("Share, export, import").click()
    button = page.get_by_role("button", name="History (CSV)")
    button.wait_for(timeout=WAIT_MS)
    names = []
    for _ in range(2):
        with page.expect_download(timeout=WAIT_MS) as info:
            button.click()
        download = info.value
        names.append(download.suggested_filename)
        assert Path(download.path()).read_text().startswith("epoch"), "a history CSV"
    assert names == ["history.csv", "history.csv"]


# --------------------------------------------------------------------------------------------- screens
_CUT_JS = """() => {
  // Every element (shadow roots too) whose text is cut: a label, a metric, a formula.
  const all = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) { all.push(el); if (el.shadowRoot) walk(el.shadowRoot); }
  };
  walk(document);
  const cut = (el) => el.scrollWidth > el.clientWidth + 1;
  const out = [];
  for (const el of all) {
    if (el.matches('.action-bar button .label, .live-metric-value, .live-math-tex') && cut(el))
      out.push(el.className + ': ' + el.textContent.slice(0, 30));
  }
  const play = [...document.querySelectorAll('[data-testid="stCheckbox"] label')]
    .find((l) => /Play/.test(l.textContent));
  const text = play && [...play.querySelectorAll('*')]
    .find((e) => e.textContent.trim() === 'Play' && e.children.length === 0);
  if (!text || text.getBoundingClientRect().width < 20 || cut(text)) out.push('Play label');
  return out;
}"""


@pytest.mark.parametrize("width", [1024, 1280, 1440])
def test_no_label_metric_or_formula_is_cut_at_laptop_widths(app_url, width: int) -> None:
    with browser_page(app_url, viewport={"width": width, "height": 900}, timeout_ms=WAIT_MS) as (pg, log):
        pg.wait_for_function(
            "(keys) => keys.every((k) => document.querySelector(`.live-chart.js-plotly-plot[data-key=\"${k}\"]`))",
            arg=list(KEYS), timeout=60_000)
        button(pg, "Step").click()
        wait_epoch(pg, 1)
        pg.wait_for_function("() => Number(document.querySelector('.live-math')?.dataset.rendered) > 0",
                             timeout=WAIT_MS)
        pg.wait_for_timeout(500)
        assert pg.evaluate(_CUT_JS) == []
        assert not log.problems(), log.problems()


def test_on_a_phone_the_first_chart_starts_on_the_first_screen(app_url) -> None:
    with browser_page(app_url, viewport={"width": 390, "height": 844}, timeout_ms=WAIT_MS) as (pg, log):
        pg.wait_for_selector('.live-chart[data-key="network"][data-drawn="1"]', timeout=60_000)
        top = pg.evaluate("() => document.querySelector('.live-chart').getBoundingClientRect().top")
        assert top < 844, f"the first chart starts {top:.0f} px down"
        assert pg.locator(".modebar").count() == 0  # no mode bar over the charts' labels
        # Labels and metrics fit; a formula too wide for a phone even at 60 % scrolls in its box.
        assert [c for c in pg.evaluate(_CUT_JS) if not c.startswith("live-math-tex")] == []
        assert set(pg.evaluate("""() => [...document.querySelectorAll('.live-math-tex')].map(
            (el) => getComputedStyle(el).overflowX)""")) <= {"auto"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_chart_follows_the_theme(app_url, scheme: str) -> None:
    """No chart is a light box on a dark page (nor a dark one on a light page)."""
    with browser_page(app_url, timeout_ms=WAIT_MS) as (pg, log):
        pg.emulate_media(color_scheme=scheme)
        pg.reload()
        pg.wait_for_function(
            "(keys) => keys.every((k) => document.querySelector(`.live-chart[data-key=\"${k}\"][data-drawn=\"1\"]`))",
            arg=list(KEYS), timeout=60_000)
        papers = pg.evaluate("""() => [...document.querySelectorAll('.live-chart')].map((el) =>
            [el.dataset.key, el._fullLayout.paper_bgcolor, getComputedStyle(el).color,
             el._fullLayout.font.color])""")
        for key, paper, _, font in papers:
            if scheme == "dark":
                assert paper in ("rgba(0, 0, 0, 0)", "rgba(0,0,0,0)", "transparent"), (key, paper)
                assert font.lower() not in ("#262730", "#2f3e4e"), (key, font)  # light text on the dark page
            else:
                assert paper in ("white", "#ffffff", "rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), (key, paper)
