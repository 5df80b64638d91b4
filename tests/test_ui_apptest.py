"""The page driven headlessly with Streamlit's AppTest: every button and setting does what the
sidebar promises, checked against the Run in session state and the core it wraps.

Uploads and imports through the page are in tests/test_ui_files.py; parsing itself in
tests/test_data_upload.py.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # AppTest runs app.py in this process; it imports `playground`
    sys.path.insert(0, str(ROOT))

from live_elements import live_elements, readout  # noqa: E402

from playground import config as C  # noqa: E402
from playground.experiment import new_run  # noqa: E402

APP = str(ROOT / "app.py")
TIMEOUT = 60


# --------------------------------------------------------------------------------------------- helpers
def ok(at: AppTest) -> AppTest:
    """Every rerun must end without an uncaught exception on the page."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def load() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return ok(at.run())


def click(at: AppTest, label: str) -> AppTest:
    buttons = [b for b in at.button if b.label == label]
    if buttons:
        (btn,) = buttons
        btn.click()
    else:  # Step, Epoch, Phase ▸, Reset: the run controls' action bar (a Components v2 element)
        from test_action_bar import set_clicks

        set_clicks(at, label)
    return ok(at.run())


def metric(at: AppTest, label: str) -> str:
    return readout(at)[label]


def run_of(at: AppTest):
    return at.session_state["session"].run


def weights(run) -> list[np.ndarray]:
    return [w.copy() for w in run.net.W] + [b.copy() for b in run.net.b]


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def texts(elements) -> list[str]:
    return [e.value for e in elements]


J = "J(W,b), eq. (6)"


# --------------------------------------------------------------------------------------------- tests
def test_first_load_shows_a_fresh_default_run() -> None:
    at = load()
    run = run_of(at)
    assert metric(at, "Epoch") == "0"
    assert run.epoch == 0 and run.updates == 0 and run.phase is None
    assert run.net.sizes == (2, 4, 2, 1)
    assert run.cfg.activation == "tanh" and run.cfg == C.DEFAULT
    assert [run.net.f[l].name for l in range(2, run.net.n_l + 1)] == ["tanh"] * 3  # eq. (4): the output uses f too
    assert float(metric(at, J)) > 0
    assert not at.error and not at.warning
    live = live_elements(at)
    assert set(live) == {"preload", "readout", "network", "deltas", "surface", "loss", "matrices", "equations"}
    assert float(metric(at, J)) == pytest.approx(run.current_trace().J, rel=1e-3)
    live.pop("equations")  # formulas, rendered after the charts and on no clock (test below)
    assert live.pop("preload")["kind"] == "preload"  # starts plotly.js loading at the top of the page
    for key, data in live.items():  # paused: one snapshot each, shown at once, all of the same drawing
        assert len(data["frames"]) == 1 and data["span"] == 0 and data["tick"] == live["readout"]["tick"], key
        if key != "readout":
            assert data["kind"] == "chart" and json.loads(data["structure"])["data"], key


def test_step_is_one_core_update_on_the_same_data() -> None:
    at = load()
    j0 = metric(at, J)
    click(at, "Step")
    run = run_of(at)
    assert metric(at, "Epoch") == "1" and run.epoch == 1 and run.updates == 1
    assert metric(at, J) != j0

    twin = new_run(run.cfg)  # the same Config rebuilds the same data and initial weights
    np.testing.assert_array_equal(twin.data.X_train, run.data.X_train)
    twin.net.step(twin.data.X_train, twin.Y_train, run.cfg.alpha, run.cfg.lam)
    assert same(weights(run), weights(twin))


def test_epoch_in_mini_batch_mode_runs_ceil_m_over_batch_updates() -> None:
    at = load()
    at.radio(key="batch_mode").set_value("Mini-batch")
    ok(at.run())
    at.number_input(key="batch_size").set_value(32)
    ok(at.run())
    run = run_of(at)
    assert run.cfg.batch_size == 32 and run.epoch == 0
    m = len(run.data.y_train)
    per_epoch = math.ceil(m / 32)

    click(at, "Epoch")
    assert run_of(at) is run
    assert run.epoch == 1 and run.updates == per_epoch and metric(at, "Epoch") == "1"
    click(at, "Epoch")
    assert run.epoch == 2 and run.updates == 2 * per_epoch


def test_phase_walk_reveals_one_update_in_order() -> None:
    at = load()
    run = run_of(at)
    before = weights(run)
    labels = [p.label for p in run.phases]
    kinds = [p.kind for p in run.phases]
    assert kinds[-1] == "update" and "cost" in kinds

    for k, (label, kind) in enumerate(zip(labels, kinds, strict=True)):
        click(at, "Phase ▸")
        assert run_of(at) is run and run.phase == k
        bar = [md for md in texts(at.markdown) if md.startswith("**One update, phase by phase:**")]
        # the phase under way is marked ▶; once the update is applied every phase is done (✓)
        assert len(bar) == 1 and (f"▶ {label}" if kind != "update" else f"{label} (7, 8) ✓") in bar[0], bar
        cost_shown = k >= kinds.index("cost")
        assert (metric(at, J) == "pending") is not cost_shown
        if kind != "update":
            assert run.epoch == 0 and same(weights(run), before), "nothing changes before the update phase"
    assert run.epoch == 1 and run.updates == 1 and metric(at, "Epoch") == "1"

    twin = new_run(run.cfg)  # the walk applied exactly one ordinary update
    twin.step()
    assert same(weights(run), weights(twin))


@pytest.mark.parametrize("key, value", [("alpha", 0.3), ("lam", 0.1)])
def test_steering_alpha_or_lambda_keeps_the_run(key: str, value: float) -> None:
    at = load()
    for _ in range(3):
        click(at, "Step")
    run = run_of(at)
    assert run.epoch == 3
    at.select_slider(key=key).set_value(value)
    ok(at.run())
    assert run_of(at) is run, "steering must not replace the run"
    assert run.epoch == 3 and metric(at, "Epoch") == "3"
    assert getattr(run.cfg, key) == value
    assert not any("restarted" in t for t in texts(at.info))
    if key == "lam":
        assert float(metric(at, "λ term")) > 0
        assert run.trace.J_decay > 0
    click(at, "Step")
    assert run.epoch == 4


@pytest.mark.parametrize("kind, key, value, check", [
    ("number_input", "n_hidden", 3, lambda run: run.net.sizes == (2, 4, 2, 4, 1)),
    ("number_input", "neurons_0", 6, lambda run: run.net.sizes == (2, 6, 2, 1)),
    ("selectbox", "activation", "relu", lambda run: run.cfg.activation == "relu"),
    ("selectbox", "dataset", "xor", lambda run: run.cfg.dataset == "xor"),
])
def test_structure_or_data_change_restarts_at_epoch_0(kind, key, value, check) -> None:
    at = load()
    click(at, "Step")
    click(at, "Step")
    old = run_of(at)
    getattr(at, kind)(key=key).set_value(value)
    ok(at.run())
    run = run_of(at)
    assert run is not old and run.epoch == 0 and run.updates == 0
    assert metric(at, "Epoch") == "0"
    assert check(run)
    infos = texts(at.info)
    assert any("restarted at epoch 0" in t for t in infos), infos
    assert not at.error


def test_regenerate_keeps_epoch_and_weights_but_draws_new_data() -> None:
    """Regression: Regenerate once assigned st.session_state["data_seed"] after the "Data seed"
    widget was drawn (StreamlitWidgetAlreadyInstantiatedError); it must go through a callback."""
    at = load()
    click(at, "Step")
    click(at, "Step")
    run = run_of(at)
    X0, W0 = run.data.X_train.copy(), weights(run)
    seed0 = run.cfg.data_seed

    click(at, "Regenerate")  # asserts no exception
    assert run_of(at) is run
    assert run.epoch == 2 and same(weights(run), W0)
    assert run.cfg.data_seed == seed0 + 1
    assert not np.array_equal(run.data.X_train, X0)
    assert any("New data drawn" in t for t in texts(at.info))


def test_divergence_is_refused_with_a_warning() -> None:
    at = load()
    at.selectbox(key="dataset").set_value("plane")
    ok(at.run())
    at.selectbox(key="activation").set_value("linear")
    ok(at.run())
    at.select_slider(key="alpha").set_value(10.0)
    ok(at.run())
    run = run_of(at)
    assert run.data.task == "regression" and run.cfg.alpha == 10.0

    for _ in range(6):
        click(at, "Epoch")
        if run.diverged_at is not None:
            break
    assert run.diverged_at is not None, "α = 10 on a linear regression network should diverge"
    warnings = texts(at.warning)
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"Diverged at epoch {run.diverged_at}") and "Lower α" in warnings[0]
    assert all(np.isfinite(w).all() for w in weights(run))

    epoch = run.epoch
    click(at, "Step")  # refused again, still no exception
    assert run.epoch == epoch and all(np.isfinite(w).all() for w in weights(run))
    assert any(t.startswith("Diverged at epoch") for t in texts(at.warning))
    assert np.isfinite(run.history.columns()["J"]).all()


def _stepped() -> tuple[AppTest, object]:
    at = load()
    click(at, "Step")
    return at, run_of(at)


def test_emptied_features_show_one_error_and_keep_the_run() -> None:
    at, run = _stepped()
    W = weights(run)
    at.button_group(key="features").set_value([])
    ok(at.run())
    errors = texts(at.error)
    assert len(errors) == 1 and "Features" in errors[0] and "previous setting is kept" in errors[0], errors
    assert run_of(at) is run and run.epoch == 1 and same(weights(run), W)
    assert metric(at, "Epoch") == "1"
    click(at, "Step")  # the kept run still trains
    assert run.epoch == 2


def test_upload_without_a_file_shows_one_error_and_keeps_the_run() -> None:
    at, run = _stepped()
    at.selectbox(key="dataset").set_value("upload")
    ok(at.run())
    errors = texts(at.error)
    assert len(errors) == 1 and "No CSV file" in errors[0], errors
    assert run_of(at) is run and run.epoch == 1 and run.cfg.dataset == "circle"


@pytest.mark.parametrize("key, value", [
    ("n_hidden", C.MAX_HIDDEN_LAYERS + 12), ("neurons_0", C.MAX_NEURONS + 100), ("seed", -1),
    ("speed", C.MAX_SPEED + 1), ("n_points", 10), ("alpha", 0.5), ("lam", C.MAX_LAM * 5),
])
def test_out_of_range_session_values_never_raise(key: str, value) -> None:
    """An out-of-range value injected into a widget's session-state key never raises and never
    reaches a Run unvalidated. Streamlit 1.67 resets such a value to the widget's minimum before
    the script reads it; where that minimum changes the experiment, a valid new run replaces the
    old one (epoch 0), otherwise the run is kept."""
    at, run = _stepped()
    at.session_state[key] = value
    ok(at.run())
    now = run_of(at)
    assert C.validate(now.cfg) == now.cfg
    assert (now is run and run.epoch == 1) or (now is not run and now.epoch == 0)
    assert len(at.error) <= 1


def test_bad_link_on_first_load_falls_back_to_defaults_with_one_warning() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["feat"] = ""
    at.query_params["layers"] = "4,99"
    at.query_params["alpha"] = "nan"
    ok(at.run())
    warnings = texts(at.warning)
    assert len(warnings) == 1 and "layers=4,99" in warnings[0] and "alpha=nan" in warnings[0], warnings
    run = run_of(at)
    assert run.cfg == C.DEFAULT and run.epoch == 0 and not at.error


def test_two_sessions_are_isolated() -> None:
    a, b = load(), load()
    assert run_of(a) is not run_of(b)
    for _ in range(3):
        click(a, "Step")
    ok(b.run())
    assert run_of(a).epoch == 3 and metric(a, "Epoch") == "3"
    assert run_of(b).epoch == 0 and metric(b, "Epoch") == "0"
    assert not same(weights(run_of(a)), weights(run_of(b)))
    click(b, "Epoch")
    assert run_of(b).epoch == 1 and run_of(a).epoch == 3


def test_chart_options_come_from_the_link_and_go_back_into_it() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["logy"] = "1"
    at.query_params["mat"] = "none"
    ok(at.run())
    assert at.toggle(key="loss_log").value is True and at.segmented_control(key="matrix_kind").value is None
    at.toggle(key="delta_shared").set_value(True)
    ok(at.run())
    assert dict(at.query_params) == {"logy": "1", "dshared": "1", "mat": "none"}
    assert run_of(at).epoch == 0 and run_of(at).cfg.delta_shared


@pytest.mark.parametrize("query", [{}, {"data": "digits"}, {"matrices": "none"}, {"data": "plane"}])
def test_every_drawing_announces_exactly_the_live_elements_it_sends(query) -> None:
    """The browser starts playing a drawing once all its members have arrived: the count must be exact,
    or every tick would wait for an element that never comes."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    ok(at.run())
    click(at, "Step")
    live = {k: d for k, d in live_elements(at).items() if d["kind"] not in ("math", "preload")}  # in no drawing
    assert {d["members"] for d in live.values()} == {len(live)}, {k: d["members"] for k, d in live.items()}
    assert len({d["tick"] for d in live.values()}) == 1


@pytest.mark.parametrize("tool", ["Diagnostics", "ΔJ per step", "Edge drill-down", "Gradient check", "Compare runs"])
def test_every_instrument_draws_without_an_exception(tool) -> None:
    """Each instrument draws its chart (a whole figure, outside Play's drawings) after a few steps."""
    at = load()
    for _ in range(3):
        click(at, "Step")
    at.session_state["instrument"] = tool
    ok(at.run())
    if tool == "Compare runs":  # start a second run in lockstep, then move both
        click(at, "Start")
        click(at, "Step")
        assert run_of(at).epoch == 1 and at.session_state["session"].compare[0].epoch == 1
    live = {k: d for k, d in live_elements(at).items() if d["kind"] not in ("math", "preload")}
    solo = {k: d for k, d in live.items() if d.get("solo")}
    if tool != "Gradient check":  # the check draws its table only when asked to run
        assert solo, f"{tool}: no chart drawn"
    for key, d in solo.items():
        assert d["kind"] == "chart" and json.loads(d["structure"])["data"], key
    assert {d["members"] for d in live.values() if not d.get("solo")} == {len(live) - len(solo)}


def test_equations_panel_sends_each_group_as_one_formula_with_the_runs_numbers() -> None:
    """The panel is one element of formulas (rendered with KaTeX by the browser after the charts): a
    group per step of the algorithm, each equation's general form and its numbers for the picked
    neuron and example; a phase walk marks the equations it evaluates and says what is pending."""
    from playground.equations import GROUPS

    at = load()
    run = run_of(at)
    eq = live_elements(at)["equations"]
    assert eq["kind"] == "math" and "vendor/katex.min.js" in eq["katex_url"]
    assert [g["title"] for g in eq["groups"]] == [t for t, _ in GROUPS]
    assert not any(g["now"] for g in eq["groups"])
    forward = eq["groups"][0]["tex"]
    z = run.current_trace().z[run.net.n_l][0, 0]  # eq. (1) for the output neuron 1 and example 1
    assert forward.startswith(r"\begin{array}") and f"{z:.4g}" in forward
    assert "(16)" in eq["groups"][1]["note"] and "pending" not in " ".join(g["tex"] for g in eq["groups"])
    click(at, "Phase ▸")
    eq = live_elements(at)["equations"]
    assert [g["now"] for g in eq["groups"]] == [True, False, False, False, False]
    assert r"\blacktriangleleft" in eq["groups"][0]["tex"] and "pending" in eq["groups"][2]["tex"]


# ------------------------------------------------------------------ a hidden control keeps its value
def test_features_survive_a_dataset_without_them() -> None:
    """The feature pills are not drawn for digits; back on a 2-D dataset they show (and the run
    uses) the features picked before, with no error."""
    at = load()
    at.button_group(key="features").set_value(["x1", "x2", "x1^2"])
    ok(at.run())
    assert run_of(at).cfg.features == ("x1", "x2", "x1^2")
    at.selectbox(key="dataset").set_value("digits")
    ok(at.run())
    assert run_of(at).cfg.dataset == "digits"
    at.selectbox(key="dataset").set_value("spiral")
    ok(at.run())
    assert not at.error, texts(at.error)
    assert run_of(at).cfg.dataset == "spiral" and run_of(at).cfg.features == ("x1", "x2", "x1^2")
    assert at.button_group(key="features").value == ["x1", "x2", "x1^2"]


def test_per_layer_f_on_then_off_keeps_f_and_the_run() -> None:
    at, run = _stepped()
    at.toggle(key="per_layer_f").set_value(True)
    ok(at.run())
    assert run_of(at) is run and run.epoch == 1  # the same f per layer: nothing changed
    at.toggle(key="per_layer_f").set_value(False)
    ok(at.run())
    assert at.selectbox(key="activation").value == "tanh"
    assert run_of(at) is run and run.epoch == 1 and run.cfg.activation == "tanh"


def test_mini_batch_size_survives_full_batch() -> None:
    at = load()
    at.radio(key="batch_mode").set_value("Mini-batch")
    ok(at.run())
    at.number_input(key="batch_size").set_value(32)
    ok(at.run())
    assert run_of(at).cfg.batch_size == 32
    at.radio(key="batch_mode").set_value("Full batch")
    ok(at.run())
    assert run_of(at).cfg.batch_size == 0
    at.radio(key="batch_mode").set_value("Mini-batch")
    ok(at.run())
    assert at.number_input(key="batch_size").value == 32 and run_of(at).cfg.batch_size == 32


def test_a_removed_layer_comes_back_with_its_size() -> None:
    at = load()
    at.number_input(key="neurons_1").set_value(7)
    ok(at.run())
    at.number_input(key="n_hidden").set_value(1)
    ok(at.run())
    assert run_of(at).cfg.hidden == (4,)
    at.number_input(key="n_hidden").set_value(2)
    ok(at.run())
    assert run_of(at).cfg.hidden == (4, 7)


def test_refused_settings_put_the_widgets_back_on_the_run() -> None:
    """Settings that cannot be used leave the run as it is, and the widgets show the run's settings
    again (not the refused ones), with one sentence saying why."""
    at, run = _stepped()
    at.button_group(key="features").set_value([])
    ok(at.run())
    assert run_of(at) is run and run.cfg.features == ("x1", "x2")
    assert at.button_group(key="features").value == ["x1", "x2"]
    assert len(at.error) == 1 and "previous setting is kept" in at.error[0].value


# ------------------------------------------------------------------ an action that fails
def test_a_failing_reset_is_reported_and_never_wedges_the_controls(monkeypatch) -> None:
    """Reset builds a new run; if that raises, one sentence says so, the run is kept, and the
    click is done: the next rerun does not replay it, and Step still trains."""
    from playground.ui import page

    at, run = _stepped()

    def broken(*args, **kwargs):
        raise ValueError("X contains NaN values.")

    monkeypatch.setattr(page, "new_run", broken)
    click(at, "Reset")
    errors = texts(at.error)
    assert len(errors) == 1 and errors[0].startswith("Reset failed: X contains NaN values."), errors
    assert run_of(at) is run and run.epoch == 1
    monkeypatch.undo()
    ok(at.run())  # a plain rerun: the click is not replayed
    assert not at.error and run_of(at) is run
    click(at, "Step")
    assert run_of(at) is run and run.epoch == 2


# ------------------------------------------------------------------ one settings table
def test_every_control_takes_its_range_from_the_settings_table() -> None:
    at = load()
    S = C.SETTING
    noise = at.slider(key="noise_pct")
    assert (noise.min, noise.max) == (round(S["noise"].values.lo * 100), round(S["noise"].values.hi * 100))
    train = at.slider(key="train_pct")
    assert (train.min, train.max) == (round(S["train_fraction"].values.lo * 100),
                                      round(S["train_fraction"].values.hi * 100))
    points = at.slider(key="n_points")
    assert (points.min, points.max) == (S["n_points"].values.lo, S["n_points"].values.hi)
    assert at.number_input(key="n_hidden").max == S["hidden"].values.most
    assert at.number_input(key="neurons_0").max == S["hidden"].values.hi
    assert tuple(at.select_slider(key="alpha").options) == tuple(f"{g:g}" for g in S["alpha"].values.values)
    assert at.number_input(key="seed").max == S["seed"].values.hi


def test_a_huge_metric_fits_its_tile() -> None:
    """R² of a diverging regression reaches -1e+290: the tile shows it in scientific notation."""
    from playground.ui.view import _fits

    assert _fits(0.92345) == "0.923" and _fits(-3.5) == "-3.500"
    assert _fits(-6.3e291) == "-6.30e+291" and len(_fits(-6.3e291)) <= 10


def test_a_classroom_link_says_what_it_hides_and_marks_what_it_locks() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["hide"] = "noise,seed"
    at.query_params["lock"] = "alpha"
    ok(at.run())
    captions = [c.value for c in at.sidebar.caption]
    assert any("hides the noise slider; the weight seed" in c and "locks 🔒 the learning rate α" in c
               for c in captions), captions
    alpha = at.select_slider(key="alpha")
    assert alpha.disabled and alpha.label.endswith("🔒")
    assert not at.select_slider(key="lam").label.endswith("🔒")
    assert "noise_pct" not in [s.key for s in at.slider]


def test_the_equation_panel_follows_the_walk_and_a_pin_holds() -> None:
    """During Phase ▸ the panel's layer l is the layer the phase computes, so its equations show
    numbers as soon as they exist: at "Forward: z⁽²⁾" eq. (1) for layer 2 (not "pending" for the
    output layer), at "Backward: δ⁽³⁾" the recursion (15+18). Turned off, the layer picked stays."""
    at = load()
    run = run_of(at)
    click(at, "Phase ▸")  # Forward: z⁽²⁾
    assert run.walk.current.l == 2 and at.number_input(key="eq_l").value == 2
    forward = live_elements(at)["equations"]["groups"][0]["tex"]
    z = run.walk.trace.z[2][0, 0]
    first_row = forward.split(r"\\[14pt]")[0]  # eq. (1) with its numbers; (4), the output, is still pending
    assert f"{z:.4g}" in first_row and "pending" not in first_row
    assert any("follows the walk" in c.value for c in at.caption)
    while run.walk.current.kind != "delta" or run.walk.current.l == run.net.n_l:
        click(at, "Phase ▸")
    l = run.walk.current.l  # Backward: δ⁽ˡ⁾, a hidden layer
    assert at.number_input(key="eq_l").value == l
    backward = live_elements(at)["equations"]["groups"][2]["tex"]
    d = run.walk.trace.delta[l][0, 0]
    assert "15+18" in backward and f"{d:.4g}" in backward

    at.toggle(key="eq_follow").set_value(False)
    ok(at.run())
    at.number_input(key="eq_l").set_value(run.net.n_l)
    ok(at.run())
    click(at, "Phase ▸")
    assert at.number_input(key="eq_l").value == run.net.n_l  # pinned: the walk does not move it
    assert any("is pinned" in c.value for c in at.caption)


def test_the_walk_ends_in_a_done_state_with_the_new_J() -> None:
    """After the update phase the J tile shows J at the new weights ("old → new"), the loss curve's
    last point agrees, the phase bar marks every phase done and says what the next click does."""
    at = load()
    run = run_of(at)
    while run.walk is None or not run.walk.updated:
        click(at, "Phase ▸")
    old, new = run.walk.trace.J, run.current_trace().J
    assert run.epoch == 1 and new != old
    assert metric(at, J) == f"{new:.4g}"
    assert readout_notes(at)[J] == f"{old:.4g} → {new:.4g}"
    assert run.history.columns()["J"][-1] == new  # the loss curve's newest point
    done = [s.value for s in at.success]
    assert any(t.startswith(f"Update applied: J {old:.4g} → {new:.4g}") for t in done), done
    assert not any(":orange-background" in m.value for m in at.markdown if "phase by phase" in m.value)
    click(at, "Phase ▸")  # a new walk, visibly: its first phase is current again
    assert run.walk.index == 0 and not run.walk.updated and not at.success


def readout_notes(at: AppTest) -> dict[str, str]:
    """Each readout tile's note (under its value), by label, as the browser shows it last."""
    tiles = live_elements(at)["readout"]["frames"][-1]
    return {t["label"]: t.get("note", "") for t in tiles}


def test_other_buttons_mid_walk_say_what_they_did_and_phase_is_off_while_playing() -> None:
    from test_action_bar import bar_data

    at = load()
    click(at, "Phase ▸")
    click(at, "Phase ▸")
    click(at, "Epoch")
    run = run_of(at)
    assert run.epoch == 1 and run.walk is None  # one epoch, not two
    assert any("Epoch finished the update the phase walk was on" in i.value for i in at.info), texts(at.info)
    assert not next(b for b in bar_data(at)["buttons"] if b["name"] == "phase")["disabled"]
    at.toggle(key="playing").set_value(True)
    ok(at.run())
    assert next(b for b in bar_data(at)["buttons"] if b["name"] == "phase")["disabled"]
