"""playground.ui.action_bar: the run controls' clicks are processed exactly once, whatever rerun
coalescing does. The click arithmetic as a pure function; the page in AppTest, driven through the
component's state value; and in headless Chromium, rapid clicks, clicks during Play and Reset.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
for p in (str(ROOT), str(Path(__file__).resolve().parent)):  # playground, and tests/browser.py
    if p not in sys.path:
        sys.path.insert(0, p)

from playground.ui.action_bar import LOG_MAX, ActionBar, ActionButton, Clicks, bounded_out, new_clicks  # noqa: E402

BUTTONS = (ActionButton("step", "Step", primary=True, limit=50), ActionButton("epoch", "Epoch", limit=10),
           ActionButton("phase", "Phase ▸"), ActionButton("reset", "Reset", limit=5))


def sent(*names: str, start: int = 0) -> dict:
    """The browser's state value after clicking ``names`` (numbered from start + 1)."""
    log = [[start + i + 1, name] for i, name in enumerate(names)][-LOG_MAX:]
    return {"n": start + len(names), "log": log}


# --------------------------------------------------------------------------------------------- unit
def test_new_clicks_are_the_ones_above_the_mark_in_click_order() -> None:
    todo, mark = new_clicks(sent("step", "epoch", "step", "reset", "step"), 2, BUTTONS)
    assert todo == [(3, "step"), (4, "reset"), (5, "step")] and mark == 5


def test_coalesced_requests_lose_nothing_and_a_repeat_adds_nothing() -> None:
    """Six clicks whose requests merged into one: the newest value still lists all six."""
    value = sent(*["step"] * 6)
    todo, mark = new_clicks(value, 0, BUTTONS)
    assert [name for _, name in todo] == ["step"] * 6 and mark == 6
    assert new_clicks(value, mark, BUTTONS) == ([], 6)  # the same value on a later rerun


def test_first_sight_takes_what_the_browser_counted_as_processed() -> None:
    assert new_clicks(sent("step", "step"), None, BUTTONS) == ([], 2)  # e.g. a reconnect to a new session
    assert new_clicks(None, None, BUTTONS) == ([], 0)  # a fresh page: no value yet
    assert new_clicks({"clicks": None}, None, BUTTONS) == ([], 0)


def test_a_count_below_the_mark_acts_on_nothing_and_keeps_the_mark() -> None:
    """A restarted browser counter, or a stale value read by an abandoned run that overlaps a newer
    one: lowering the mark would replay clicks already done, so it stays; the browser lifts its
    counter to the mark it gets with the element's data and counts on from there."""
    assert new_clicks(sent("step"), 7, BUTTONS) == ([], 7)
    todo, mark = new_clicks(sent("step", "epoch", start=7), 7, BUTTONS)
    assert todo == [(8, "step"), (9, "epoch")] and mark == 9


def test_no_value_keeps_the_mark() -> None:
    assert new_clicks(None, 4, BUTTONS) == ([], 4)


def test_disabled_and_unknown_buttons_are_ignored_but_marked() -> None:
    todo, mark = new_clicks(sent("step", "reset", "bogus", "step"), 0, BUTTONS, disabled={"reset"})
    assert todo == [(1, "step"), (4, "step")] and mark == 4
    todo, mark = new_clicks(sent("step", "step"), 0, BUTTONS[1:])  # Step hidden: not in the bar
    assert todo == [] and mark == 2


def test_each_button_acts_at_most_its_limit_per_run() -> None:
    todo, mark = new_clicks(sent(*["epoch"] * 30, *["step"] * 80), 0, BUTTONS)
    names = [name for _, name in todo]
    assert names.count("epoch") == 10 and names.count("step") == 50 and mark == 110
    # the browser's log is bounded too: clicks older than it are dropped, never replayed later
    todo, mark = new_clicks(sent(*["step"] * 300), 0, BUTTONS)
    assert len(todo) == 50 and todo[0][0] == 300 - LOG_MAX + 1 and mark == 300


@pytest.mark.parametrize("value", [
    "junk", 3, [], {"n": -1, "log": []}, {"n": True, "log": []}, {"n": "5", "log": [[1, "step"]]},
    {"n": 2, "log": "step"}, {"n": 2, "log": [[1], ["2", "step"], [True, "step"], [2, 3], None]},
])
def test_malformed_values_never_raise_or_act(value) -> None:
    todo, mark = new_clicks(value, 0, BUTTONS)
    assert todo == [] and isinstance(mark, int)


def test_a_click_is_marked_when_the_loop_moves_past_it() -> None:
    record = {"done": 0}
    todo, mark = new_clicks(sent("step", "phase", "step"), 0, BUTTONS)
    clicks = Clicks(todo, mark, record)
    assert clicks.counts == {"step": 2, "phase": 1} and len(clicks) == 3
    seen = []
    with pytest.raises(RuntimeError):
        for name in clicks:
            assert record["done"] == len(seen)  # the clicks before this one are marked
            seen.append(name)
            if len(seen) == 2:
                raise RuntimeError("a rerun abandons the run while acting on click 2")
    assert record["done"] == 1, "an unfinished click must be redone, not skipped"
    todo, mark = new_clicks(sent("step", "phase", "step"), record["done"], BUTTONS)
    assert list(Clicks(todo, mark, record)) == ["phase", "step"] and record["done"] == 3


def record(done: int | None = 0) -> dict:
    import threading

    return {"done": done, "lock": threading.Lock()}


def test_the_bar_holds_its_lock_while_clicks_are_acted_on() -> None:
    rec = record()
    with ActionBar(sent("step", "reset"), rec, BUTTONS, frozenset()) as clicks:
        assert rec["lock"].locked() and clicks.names == ["step", "reset"]
        for _ in clicks:
            pass
    assert not rec["lock"].locked() and rec["done"] == 2
    with pytest.raises(KeyError), ActionBar(sent("step", "reset", "step"), rec, BUTTONS, frozenset()) as clicks:
        for _ in clicks:
            raise KeyError("abandoned")  # a RerunException/StopException in a real run
    assert not rec["lock"].locked() and rec["done"] == 2, "the lock is released and the click is not marked"


def test_an_overlapping_run_waits_and_then_sees_the_clicks_done() -> None:
    """fastReruns: the abandoned run is still acting when the new one reaches the bar."""
    import threading

    rec, acted, inside = record(), [], threading.Event()
    value = sent("step", "step", "step")

    def old_run() -> None:
        with ActionBar(value, rec, BUTTONS, frozenset()) as clicks:
            for name in clicks:
                inside.set()
                threading.Event().wait(0.05)
                acted.append(("old", name))

    t = threading.Thread(target=old_run)
    t.start()
    inside.wait(5)
    with ActionBar(value, rec, BUTTONS, frozenset()) as clicks:  # blocks until the old run is done
        acted.extend(("new", name) for name in clicks)
    t.join(5)
    assert acted == [("old", "step")] * 3 and rec["done"] == 3


def test_a_disabled_only_batch_is_marked_without_iterating() -> None:
    rec = record()
    with ActionBar(sent("reset", "reset"), rec, BUTTONS, frozenset({"reset"})) as clicks:
        assert not clicks
    assert rec["done"] == 2


def test_exclusive_is_the_lock_the_bar_acts_under(monkeypatch) -> None:
    from playground.ui import action_bar as ab

    session = ab.state.Session()
    monkeypatch.setattr(ab.state, "session", lambda: session)
    lock = ab.exclusive("bar")
    assert ab.exclusive("bar") is lock and session.action_records["bar"] == {"done": None, "lock": lock}


# --------------------------------------------------------------------------------------------- AppTest
APP = str(ROOT / "app.py")
BAR = "action_bar:run_controls"  # the component's key: its state is st.session_state[BAR]["clicks"]


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def bar_data(at: AppTest) -> dict:
    (data,) = [d for d in (json.loads(el.proto.json) for el in at.get("bidi_component"))
               if d.get("key") == "run_controls"]
    return data


def set_clicks(at: AppTest, *labels: str) -> None:
    """Click the bar's buttons as the browser would, for the next ``at.run()``: one state value that
    lists every click so far (several labels: clicks whose rerun requests were merged).
    Other AppTest modules can drive the run controls with it."""
    names = {b["label"]: b["name"] for b in bar_data(at)["buttons"]}
    value = (at.session_state[BAR] if BAR in at.session_state else {}).get("clicks") or {"n": 0, "log": []}
    n, log = value["n"], list(value["log"])
    for label in labels:
        n += 1
        log.append([n, names[label]])
    at.session_state[BAR] = {"clicks": {"n": n, "log": log[-LOG_MAX:]}}


def press(at: AppTest, *labels: str) -> AppTest:
    set_clicks(at, *labels)
    return ok(at.run())


def epoch_shown(at: AppTest) -> str:
    from live_elements import readout

    return readout(at)["Epoch"]


def load(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return ok(at.run())


def test_the_page_draws_the_bar_with_the_four_buttons_and_their_help() -> None:
    at = load()
    data = bar_data(at)
    assert [b["label"] for b in data["buttons"]] == ["Step", "Epoch", "Phase ▸", "Reset"]
    assert [b["primary"] for b in data["buttons"]] == [True, False, False, False]
    assert all(b["help"] for b in data["buttons"]) and not any(b["disabled"] for b in data["buttons"])
    assert not [b for b in at.button if b.label in ("Step", "Epoch", "Phase ▸", "Reset")]
    assert [t.label for t in at.toggle if t.key == "playing"] == ["Play"]


def test_merged_clicks_each_update_once_and_a_plain_rerun_none() -> None:
    at = load()
    run = at.session_state["session"].run
    press(at, *["Step"] * 6)  # six requests coalesced into one rerun
    assert run.epoch == 6 and run.updates == 6 and epoch_shown(at) == "6"
    ok(at.run())  # a rerun with the same value (another widget, a Play tick) adds nothing
    assert run.epoch == 6
    press(at, "Step")
    assert run.epoch == 7
    assert list(run.history.columns()["epoch"]) == list(range(8))  # one J row per epoch, none twice


def test_epoch_phase_and_reset_in_click_order() -> None:
    at = load()
    run = at.session_state["session"].run
    press(at, "Phase ▸")
    assert run.phase == 0 and run.epoch == 0
    press(at, "Step")  # finishes the phase walk's update
    assert run.epoch == 1
    press(at, "Epoch", "Step", "Reset")  # merged: Reset came last, so the new run is at epoch 0
    fresh = at.session_state["session"].run
    assert fresh is not run and fresh.epoch == 0 and epoch_shown(at) == "0"
    press(at, "Reset", "Step")  # Step came after Reset: one update on the new run
    assert at.session_state["session"].run.epoch == 1 and epoch_shown(at) == "1"


def test_locked_buttons_are_drawn_disabled_and_ignore_clicks_hidden_ones_are_not_drawn() -> None:
    at = load({"lock": "step", "hide": "reset"})
    data = bar_data(at)
    assert [(b["label"], b["disabled"]) for b in data["buttons"]] == [
        ("Step", True), ("Epoch", True), ("Phase ▸", False)]
    run = at.session_state["session"].run
    press(at, "Step", "Epoch", "Phase ▸")
    assert run.epoch == 0 and run.phase == 0


def test_a_flood_is_bounded_per_run() -> None:
    at = load()
    run = at.session_state["session"].run
    press(at, *["Step"] * 80)
    assert run.epoch == 50  # at most 50 Steps per run; the other 30 are dropped, not carried over
    warnings = [w.value for w in at.warning]  # … and the page says so
    assert any("50 Step clicks were done and 30 more dropped" in w for w in warnings), warnings
    press(at, "Step")
    assert run.epoch == 51 and not at.warning


def test_bounded_out_counts_what_the_limits_leave_out() -> None:
    assert bounded_out(sent(*["epoch"] * 30, *["step"] * 60), 0, BUTTONS) == {"epoch": 20, "step": 10}
    # clicks older than the browser's log (LOG_MAX) are counted too, whichever button they were
    assert bounded_out(sent(*["epoch"] * 30, *["step"] * 80), 0, BUTTONS) == {"epoch": 10, "step": 30, "": 10}
    assert bounded_out(sent(*["step"] * 50), 0, BUTTONS) == {}
    assert bounded_out(sent(*["reset"] * 9), 0, BUTTONS, disabled={"reset"}) == {}  # disabled: ignored, not dropped
    assert bounded_out(sent("step"), None, BUTTONS) == {} and bounded_out("junk", 0, BUTTONS) == {}


# --------------------------------------------------------------------------------------------- browser
browser = pytest.mark.browser

# Under a flood of reruns the page's download buttons may ask for files of an abandoned run; the
# same happens with st.button (a Streamlit media-file race, not this component's doing).
_RERUN_NOISE = ("Download Button source error", "status of 404")


@pytest.fixture(scope="module")
def app_url():
    from browser import require_chromium, streamlit_server

    require_chromium()
    with streamlit_server("app.py") as url:
        yield url


@pytest.fixture
def page(app_url):
    from browser import browser_page

    with browser_page(app_url, timeout_ms=30_000) as (pg, log):
        pg.wait_for_selector('.live-chart.js-plotly-plot[data-key="loss"]', timeout=60_000)
        wait_epoch(pg, 0)
        yield pg
        assert pg.locator('[data-testid="stException"]').count() == 0
        problems = [m for m in log.problems() if not any(s in m for s in _RERUN_NOISE)]
        assert not problems, problems


from test_ui_browser import _METRIC_JS  # noqa: E402  (tests/ is on sys.path under pytest)


def epoch(pg) -> int:
    return int(pg.evaluate(_METRIC_JS, "Epoch").replace(",", ""))


def wait_epoch(pg, n: int) -> None:
    pg.wait_for_function(f"() => ({_METRIC_JS})('Epoch') === '{n:,}'", timeout=30_000)


def button(pg, label: str):
    return pg.get_by_role("button", name=label, exact=True).first


def play_toggle(pg):
    return pg.locator('[data-testid="stCheckbox"] label').filter(has_text="Play").filter(
        has_not_text="speed").first


def loss_epochs(pg) -> list[int]:
    """The epochs on the J curve as drawn (the loss chart's first trace)."""
    pg.wait_for_function(f"""() => {{ const gd = document.querySelector('.live-chart[data-key="loss"]');
        const x = gd && gd._fullData && gd._fullData[0].x;
        return x && Number(x[x.length - 1]) === Number(({_METRIC_JS})('Epoch').replace(/,/g, '')); }}""",
                         timeout=30_000)
    return pg.evaluate("""() => Array.from(document.querySelector('.live-chart[data-key="loss"]')._fullData[0].x,
                                           Number)""")


@browser
@pytest.mark.timeout(120)
def test_browser_six_rapid_steps_give_exactly_six_updates(page) -> None:
    step = button(page, "Step")
    step.wait_for()
    for _ in range(6):
        step.click(delay=0)  # no waiting in between: the requests coalesce on the server
    wait_epoch(page, 6)
    page.wait_for_timeout(1500)
    assert epoch(page) == 6, "a click was doubled"
    button(page, "Reset").click()
    wait_epoch(page, 0)
    page.wait_for_timeout(1000)
    assert epoch(page) == 0


_BAR_JS = """() => [...document.querySelectorAll('[data-testid^="stBidiComponent"]')]
    .map((h) => h.shadowRoot && h.shadowRoot.querySelector('.action-bar')).find(Boolean)"""


def server_mark(pg) -> int:
    """The processed mark the server sent with the bar on its latest full run."""
    return int(pg.evaluate(f"() => ({_BAR_JS})().dataset.done"))


@browser
@pytest.mark.timeout(180)
def test_browser_bursts_lose_nothing_while_reruns_are_abandoned(app_url) -> None:
    """Twenty clicks in one JavaScript task, then twenty-five 25 ms apart, each on the button then
    on the page, while Streamlit abandons run after run (fastReruns)."""
    from browser import browser_page

    with browser_page(app_url, timeout_ms=30_000) as (pg, log):
        pg.wait_for_selector('.live-chart.js-plotly-plot[data-key="loss"]', timeout=60_000)
        wait_epoch(pg, 0)
        pg.evaluate(f"() => {{ const b = ({_BAR_JS})().querySelector('[data-name=step]');"
                    "for (let i = 0; i < 20; i++) b.click(); }")
        wait_epoch(pg, 20)
        pg.evaluate(f"""async () => {{ for (let i = 0; i < 25; i++) {{
            ({_BAR_JS})().querySelector('[data-name=step]').click();
            await new Promise((r) => setTimeout(r, 25)); }} }}""")
        wait_epoch(pg, 45)
        pg.wait_for_timeout(1500)
        assert epoch(pg) == 45, "a click was doubled"
        assert loss_epochs(pg) == list(range(46))
        assert pg.locator('[data-testid="stException"]').count() == 0
        problems = [m for m in log.problems() if not any(s in m for s in _RERUN_NOISE)]
        assert not problems, problems


@browser
@pytest.mark.timeout(120)
def test_browser_step_during_play_neither_loses_nor_doubles(page) -> None:
    play_toggle(page).click()
    page.wait_for_function(f"() => Number(({_METRIC_JS})('Epoch').replace(/,/g, '')) > 0", timeout=30_000)
    for _ in range(5):
        button(page, "Step").click()
        page.wait_for_timeout(150)
    page.wait_for_timeout(800)
    play_toggle(page).click()  # Pause
    page.wait_for_timeout(1500)
    shown = epoch(page)
    for _ in range(10):  # a loaded machine may still be drawing the last tick's frames: until they end
        page.wait_for_timeout(1000)
        if epoch(page) == shown:
            break
        shown = epoch(page)
    page.wait_for_timeout(1000)
    assert epoch(page) == shown, "training went on after Pause"
    assert loss_epochs(page) == list(range(shown + 1)), "the J history skipped or repeated an epoch"
    assert server_mark(page) == 5, "every Step click was processed, once"
    for _ in range(3):  # and Step still adds exactly one each after Pause
        button(page, "Step").click()
        shown += 1
        wait_epoch(page, shown)
    page.wait_for_timeout(1000)
    assert epoch(page) == shown
