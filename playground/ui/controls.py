"""The sidebar: every setting's widget, read into one Config.

Widgets show settings; nothing here trains or draws. The settings in force (the run's Config)
are the state: each widget is given its value from them (or from a link or settings file, by
:func:`seed_widgets`), no widget passes a default of its own, and a widget hidden by a mode
gets back the value it showed when it is drawn again (ui/state.py's widget memory). A classroom
link's View hides controls (their value then stays the run's) or locks them (shown, disabled).
Each widget's range comes from config.SETTINGS; the server checks again in ``config.validate``.
"""
from __future__ import annotations

import streamlit as st

from .. import config as C
from ..activations import ACTIVATIONS
from ..data import GENERATORS
from ..experiment import UPLOAD, is_generated
from ..initializers import INITIALIZERS
from ..losses import LOSSES
from ..notation import sub
from ..share import CONTROLS, View
from . import keys as K
from . import state

FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1x2": "x₁x₂",
                  "sin_x1": "sin x₁", "sin_x2": "sin x₂"}
MATRIX_LABELS = {"W": "W⁽ˡ⁾", "dW": "∂J/∂W⁽ˡ⁾"}  # Config.matrices -> the chart control's label; "none": neither
BATCH_MODES = ("Full batch", "Mini-batch", "One example")
NEW_LAYER_NEURONS = 4
MINI_BATCH = 10


def dataset_options() -> dict[str, str]:
    opts = {name: f"{g.label} · 2-D {g.task}" for name, g in GENERATORS.items()}
    opts.update({"digits": "Digits 8×8 · 10 classes", "iris": "Iris · 3 classes"})
    opts[UPLOAD] = "Your CSV file…"
    return opts


def widget_state(cfg: C.Config) -> dict[str, object]:
    """The session-state value of every sidebar widget that shows cfg."""
    mode = BATCH_MODES[0] if cfg.batch_size == 0 else BATCH_MODES[2] if cfg.batch_size == 1 else BATCH_MODES[1]
    s: dict[str, object] = {
        K.DATASET: cfg.dataset, K.NOISE_PCT: round(cfg.noise * 100), K.N_POINTS: cfg.n_points,
        K.TRAIN_PCT: round(cfg.train_fraction * 100), K.DATA_SEED: cfg.data_seed, K.FEATURES: list(cfg.features),
        K.N_HIDDEN: len(cfg.hidden), K.PER_LAYER_F: bool(cfg.layer_activations), K.ACTIVATION: cfg.activation,
        K.LOSS: cfg.loss, K.OUTPUT_ACTIVATION: cfg.output_activation, K.ALPHA: cfg.alpha, K.LAM: cfg.lam,
        K.BATCH_MODE: mode, K.BATCH_SIZE: cfg.batch_size if cfg.batch_size >= 2 else MINI_BATCH,
        K.INIT: cfg.init, K.SEED: cfg.seed, K.SPEED: cfg.speed,
        K.LOSS_LOG: cfg.log_y, K.DELTA_SHARED: cfg.delta_shared,
        K.MATRIX_KIND: MATRIX_LABELS.get(cfg.matrices),
    }
    s |= {K.neurons(k): n for k, n in enumerate(cfg.hidden)}
    s |= {K.layer_f(k): f for k, f in enumerate(cfg.hidden_activations())}
    return s


# Every sidebar widget whose value the session remembers while it is not drawn (ui/state.py).
_REMEMBERED = (
    K.DATASET, K.NOISE_PCT, K.N_POINTS, K.TRAIN_PCT, K.DATA_SEED, K.FEATURES, K.N_HIDDEN, K.PER_LAYER_F,
    K.ACTIVATION, K.LOSS, K.OUTPUT_ACTIVATION, K.ALPHA, K.LAM, K.BATCH_MODE, K.BATCH_SIZE, K.INIT, K.SEED, K.SPEED,
    *(K.neurons(k) for k in range(C.MAX_HIDDEN_LAYERS)), *(K.layer_f(k) for k in range(C.MAX_HIDDEN_LAYERS)),
)


def matrix_view(label: str | None) -> str:
    """Config.matrices for the per-layer matrices control's selection (None: hidden)."""
    return next((k for k, v in MATRIX_LABELS.items() if v == label), "none")


def seed_widgets(cfg: C.Config, *, overwrite: bool) -> None:
    """Show cfg in the widgets: all of them (new settings from a link or a file; the memory of
    hidden widgets is dropped too), or only those that have no value yet."""
    if overwrite:
        state.forget_widgets()
    state.seed_widgets(widget_state(cfg), overwrite=overwrite)


def classroom_caption(view: View) -> str:
    """What a classroom link hides and locks, in words (share.CONTROLS), for the students."""
    parts = []
    if view.hidden:
        parts.append("hides " + "; ".join(CONTROLS[c] for c in sorted(view.hidden)))
    if view.locked:
        parts.append("locks 🔒 " + "; ".join(CONTROLS[c] for c in sorted(view.locked)))
    return "This classroom link " + ", and ".join(parts) + "."


def restore_widgets() -> None:
    """At the top of a run, before any widget is drawn: show the settings in force again after
    the page refused new ones (ui/page.py), keeping the memory of hidden widgets."""
    s = state.session()
    if s.restore is not None:
        state.seed_widgets(widget_state(s.restore), overwrite=True)
        s.restore = None


def _fmt(x: float) -> str:
    return "0" if x == 0 else f"{x:g}"


def _next_data_seed() -> None:
    # A callback runs before the widgets are drawn, the only time a widget's value may be set.
    state.set_widget(K.DATA_SEED, min(int(state.widget(K.DATA_SEED, 0)) + 1, C.MAX_SEED))


def _percent_slider(sb, label: str, field: str, key: str, disabled: bool) -> float:
    v = C.SETTING[field].values
    lo, hi = round(v.lo * 100), round(v.hi * 100)
    return sb.slider(label, lo, hi, step=v.step, format="%d%%", key=key, disabled=disabled) / 100


def read_config(uploader, current: C.Config, view: View | None = None) -> C.Config:
    """Draw the sidebar and return the settings it shows.

    current: the settings in force (the run's). The widgets show them: a widget that has no
    value (the session's first run, or one hidden by a mode in the last run) gets the value it
    last showed, else current's; a control a classroom link hides keeps current's value.
    ``uploader`` draws the CSV section. Each control's range comes from config.SETTINGS.
    """
    # the chart options are drawn with the charts, in the live view's own reruns: not recalled here
    state.recall_widgets({k: v for k, v in widget_state(current).items() if k in _REMEMBERED})
    shown: list[str] = []  # the keys of the widgets drawn
    cfg = _read(uploader, current, view or View(), shown)
    state.remember_widgets(tuple(shown))
    return cfg


def _read(uploader, base: C.Config, view: View, shown: list[str]) -> C.Config:
    sb = st.sidebar
    hidden, locked = view.hidden, view.locked

    def keep(key: str) -> str:  # a widget's key, noted as drawn in this run
        shown.append(key)
        return key

    def mark(label: str, control: str) -> str:  # a control a classroom link locks says so
        return f"{label} 🔒" if control in locked else label

    if hidden or locked:
        sb.caption(classroom_caption(view))

    def show(name: str) -> bool:
        return name not in hidden

    act_names = list(ACTIVATIONS)
    act_label = lambda n: ACTIVATIONS[n].label  # noqa: E731

    sb.header("Data")
    opts = dataset_options()
    dataset = base.dataset
    if show("data"):
        dataset = sb.selectbox(mark("Dataset", "data"), list(opts), format_func=opts.__getitem__, key=keep(K.DATASET),
                               disabled="data" in locked)
    generated = is_generated(dataset)
    if dataset == UPLOAD and show("upload"):
        uploader()
    noise, n_points, train, data_seed, features = (base.noise, base.n_points, base.train_fraction,
                                                   base.data_seed, base.features)
    if show("noise"):
        noise = _percent_slider(sb, mark("Noise", "noise"), "noise", keep(K.NOISE_PCT),
                                not generated or "noise" in locked)
    if show("points"):
        points = C.SETTING["n_points"].values
        n_points = sb.slider(mark("Points", "points"), points.lo, points.hi, step=50, key=keep(K.N_POINTS),
                             disabled=not generated or "points" in locked)
    if show("train"):
        train = _percent_slider(sb, mark("Training share", "train"), "train_fraction", keep(K.TRAIN_PCT),
                                "train" in locked)
    if show("data"):
        c1, c2 = sb.columns(2, vertical_alignment="bottom")  # [3, 2] cut the button to "Regener…"
        # An upload is split once with seed 0: a seed here would change nothing, so it is off.
        seeds = C.SETTING["data_seed"].values
        data_seed = c1.number_input(mark("Data seed", "data"), seeds.lo, seeds.hi, key=keep(K.DATA_SEED),
                                    disabled=dataset == UPLOAD or "data" in locked)
        c2.button("Regenerate", help="Draw new data with the next seed; the network keeps training.",
                  disabled=dataset == UPLOAD or "data" in locked, on_click=_next_data_seed)
    if generated and show("features"):
        features = tuple(sb.pills(
            mark("Input features", "features"), list(C.SETTING["features"].values.options), selection_mode="multi",
            format_func=FEATURE_LABELS.__getitem__, key=keep(K.FEATURES), disabled="features" in locked,
            help="Extra inputs computed from (x₁, x₂), as in TensorFlow Playground.",
        ) or ())

    sb.header("Network")
    hidden_sizes, layer_acts, activation = base.hidden, base.layer_activations, base.activation
    if show("network"):
        lock = "network" in locked
        layers = C.SETTING["hidden"].values
        n_hidden = int(sb.number_input(mark("Hidden layers", "network"), 0, layers.most, key=keep(K.N_HIDDEN),
                       disabled=lock))
        per_layer = sb.toggle(mark("A different f per layer", "network"), key=keep(K.PER_LAYER_F),
                              disabled=lock or not show("activation") or "activation" in locked)
        cols = sb.columns(2)
        sizes, acts = [], []
        # A layer added now starts at NEW_LAYER_NEURONS and f (unless the session remembers it).
        state.recall_widgets({K.neurons(k): NEW_LAYER_NEURONS for k in range(n_hidden)}
                             | {K.layer_f(k): state.widget(K.ACTIVATION, base.activation) for k in range(n_hidden)})
        for k in range(n_hidden):
            col = cols[k % 2]
            sizes.append(int(col.number_input(f"Layer {k + 2}: s{sub(k + 2)} neurons", layers.lo, layers.hi,
                                              key=keep(K.neurons(k)), disabled=lock)))
            if per_layer:
                acts.append(col.selectbox(f"f, layer {k + 2}", act_names, key=keep(K.layer_f(k)), format_func=act_label,
                                          disabled="activation" in locked))
        hidden_sizes, layer_acts = tuple(sizes), tuple(acts)
    loss, output = base.loss, base.output_activation
    if show("activation"):
        if not layer_acts:
            activation = sb.selectbox(mark("Activation f", "activation"), act_names, format_func=act_label,
                                      key=keep(K.ACTIVATION),
                                      disabled="activation" in locked)
    if show("loss"):
        loss = sb.selectbox(mark("Loss", "loss"), list(C.SETTING["loss"].values.options), key=keep(K.LOSS),
                            disabled="loss" in locked,
                            format_func=lambda n: "Auto (by task)" if n == C.AUTO else LOSSES[n].label)
    if show("activation"):
        output = sb.selectbox(
            mark("Output activation", "activation"), list(C.SETTING["output_activation"].values.options),
            key=keep(K.OUTPUT_ACTIVATION),
            disabled=loss == "cross_entropy" or "activation" in locked,
            format_func=lambda n: "Auto (eq. 4's f if bounded; linear for regression)" if n == C.AUTO else act_label(n),
            help="Cross-entropy fixes the output: sigmoid for one unit, softmax for several.")

    sb.header("Training")
    alpha, lam, batch_size, init, seed, speed = base.alpha, base.lam, base.batch_size, base.init, base.seed, base.speed
    if show("alpha"):
        alpha = sb.select_slider(mark("Learning rate α", "alpha"), C.SETTING["alpha"].values.values, format_func=_fmt,
                                 key=keep(K.ALPHA), disabled="alpha" in locked)
    if show("lambda"):
        lam = sb.select_slider(mark("Weight decay λ", "lambda"), C.SETTING["lam"].values.values, format_func=_fmt,
                               key=keep(K.LAM),
                               disabled="lambda" in locked)
    if show("batch"):
        mode = sb.radio(mark("Batch", "batch"), BATCH_MODES, horizontal=True, key=keep(K.BATCH_MODE),
                        disabled="batch" in locked,
                        help="Full batch is the text's gradient descent; a mini-batch is the same update "
                             "with m = the batch size.")
        batch_size = 0 if mode == BATCH_MODES[0] else 1
        if mode == BATCH_MODES[1]:
            batch_size = int(sb.number_input("Batch size", 2, C.SETTING["batch_size"].values.hi, key=keep(K.BATCH_SIZE),
                                             disabled="batch" in locked))
    if show("init"):
        init = sb.selectbox(mark("Initializer", "init"), list(C.SETTING["init"].values.options),
                            format_func=lambda n: INITIALIZERS[n].label, key=keep(K.INIT), disabled="init" in locked)
    if show("seed"):
        seeds = C.SETTING["seed"].values
        seed = sb.number_input(mark("Weight seed", "seed"), seeds.lo, seeds.hi, key=keep(K.SEED),
                               disabled="seed" in locked)
    if show("speed"):
        speed = sb.select_slider(mark("Play speed (epochs per second)", "speed"), C.SETTING["speed"].values.values,
                                 key=keep(K.SPEED),
                                 disabled="speed" in locked,
                                 help="1/s shows every update; the readout says what the machine achieves.")

    return C.Config(
        dataset=dataset, noise=float(noise), n_points=int(n_points), train_fraction=float(train),
        data_seed=int(data_seed), features=tuple(features), hidden=tuple(hidden_sizes), activation=activation,
        layer_activations=tuple(layer_acts), output_activation=output, loss=loss, init=init, seed=int(seed),
        alpha=float(alpha), lam=float(lam), batch_size=int(batch_size), speed=int(speed),
        # the chart options are drawn with the charts (ui/view.py); here only carried along
        log_y=bool(state.widget(K.LOSS_LOG, base.log_y)),
        delta_shared=bool(state.widget(K.DELTA_SHARED, base.delta_shared)),
        matrices=matrix_view(state.widget(K.MATRIX_KIND, MATRIX_LABELS.get(base.matrices))),
    )
