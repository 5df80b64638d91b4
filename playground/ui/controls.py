"""The sidebar: every setting's widget, read into one Config.

Widgets return values; nothing here trains or draws. Each widget's starting value is put in
session state once per session by :func:`seed_widgets` (from the defaults or a shared link), so
no widget passes a default of its own and a link can set them all. A classroom link's View
hides controls (their value then comes from the link's Config) or locks them (shown, disabled).
Each widget's range is the Config's limit; the server checks again in ``config.validate``.
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
from ..share import View

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
        "dataset": cfg.dataset, "noise_pct": round(cfg.noise * 100), "n_points": cfg.n_points,
        "train_pct": round(cfg.train_fraction * 100), "data_seed": cfg.data_seed, "features": list(cfg.features),
        "n_hidden": len(cfg.hidden), "per_layer_f": bool(cfg.layer_activations), "activation": cfg.activation,
        "loss": cfg.loss, "output_activation": cfg.output_activation, "alpha": cfg.alpha, "lam": cfg.lam,
        "batch_mode": mode, "batch_size": cfg.batch_size if cfg.batch_size >= 2 else MINI_BATCH,
        "init": cfg.init, "seed": cfg.seed, "speed": cfg.speed,
        "loss_log": cfg.log_y, "delta_shared": cfg.delta_shared,
        "matrix_kind": MATRIX_LABELS.get(cfg.matrices),
    }
    s |= {f"neurons_{k}": n for k, n in enumerate(cfg.hidden)}
    s |= {f"act_{k}": f for k, f in enumerate(cfg.layer_activations or (cfg.activation,) * len(cfg.hidden))}
    return s


def matrix_view(label: str | None) -> str:
    """Config.matrices for the per-layer matrices control's selection (None: hidden)."""
    return next((k for k, v in MATRIX_LABELS.items() if v == label), "none")


def seed_widgets(cfg: C.Config, *, overwrite: bool) -> None:
    """Put cfg's values into the widgets' session state (all of them, or only the missing ones)."""
    for key, value in widget_state(cfg).items():
        if overwrite or key not in st.session_state:
            st.session_state[key] = value


def _fmt(x: float) -> str:
    return "0" if x == 0 else f"{x:g}"


def _next_data_seed() -> None:
    # A callback runs before the widgets are drawn, the only time a widget's value may be set.
    st.session_state["data_seed"] = min(int(st.session_state.get("data_seed", 0)) + 1, C.MAX_SEED)


def read_config(uploader, base: C.Config, view: View | None = None) -> C.Config:
    """Draw the sidebar and return the settings it shows. Hidden controls keep base's value.

    ``uploader`` draws the CSV section.
    """
    sb = st.sidebar
    view = view or View()
    hidden, locked = view.hidden, view.locked

    def show(name: str) -> bool:
        return name not in hidden

    act_names = list(ACTIVATIONS)
    act_label = lambda n: ACTIVATIONS[n].label  # noqa: E731

    sb.header("Data")
    opts = dataset_options()
    dataset = base.dataset
    if show("data"):
        dataset = sb.selectbox("Dataset", list(opts), format_func=opts.__getitem__, key="dataset",
                               disabled="data" in locked)
    generated = is_generated(dataset)
    if dataset == UPLOAD and show("upload"):
        uploader()
    noise, n_points, train, data_seed, features = (base.noise, base.n_points, base.train_fraction,
                                                   base.data_seed, base.features)
    if show("noise"):
        noise = sb.slider("Noise", 0, 50, step=5, format="%d%%", key="noise_pct",
                          disabled=not generated or "noise" in locked) / 100
    if show("points"):
        n_points = sb.slider("Points", C.MIN_POINTS, C.MAX_POINTS, step=50, key="n_points",
                             disabled=not generated or "points" in locked)
    if show("train"):
        train = sb.slider("Training share", 10, 90, step=5, format="%d%%", key="train_pct",
                          disabled="train" in locked) / 100
    if show("data"):
        c1, c2 = sb.columns([3, 2], vertical_alignment="bottom")
        # An upload is split once with seed 0: a seed here would change nothing, so it is off.
        data_seed = c1.number_input("Data seed", 0, C.MAX_SEED, key="data_seed",
                                    disabled=dataset == UPLOAD or "data" in locked)
        c2.button("Regenerate", help="Draw new data with the next seed; the network keeps training.",
                  disabled=dataset == UPLOAD or "data" in locked, on_click=_next_data_seed)
    if generated and show("features"):
        features = tuple(sb.pills(
            "Input features", list(C.FEATURE_NAMES), selection_mode="multi", format_func=FEATURE_LABELS.__getitem__,
            key="features", disabled="features" in locked,
            help="Extra inputs computed from (x₁, x₂), as in TensorFlow Playground.",
        ) or ())

    sb.header("Network")
    hidden_sizes, layer_acts, activation = base.hidden, base.layer_activations, base.activation
    if show("network"):
        lock = "network" in locked
        n_hidden = int(sb.number_input("Hidden layers", 0, C.MAX_HIDDEN_LAYERS, key="n_hidden", disabled=lock))
        per_layer = sb.toggle("A different f per layer", key="per_layer_f",
                              disabled=lock or not show("activation") or "activation" in locked)
        cols = sb.columns(2)
        sizes, acts = [], []
        for k in range(n_hidden):
            st.session_state.setdefault(f"neurons_{k}", NEW_LAYER_NEURONS)
            st.session_state.setdefault(f"act_{k}", base.activation)
            col = cols[k % 2]
            sizes.append(int(col.number_input(f"Layer {k + 2}: s{sub(k + 2)} neurons", 1, C.MAX_NEURONS,
                                              key=f"neurons_{k}", disabled=lock)))
            if per_layer:
                acts.append(col.selectbox(f"f, layer {k + 2}", act_names, key=f"act_{k}", format_func=act_label,
                                          disabled="activation" in locked))
        hidden_sizes, layer_acts = tuple(sizes), tuple(acts)
    loss, output = base.loss, base.output_activation
    if show("activation"):
        if not layer_acts:
            activation = sb.selectbox("Activation f", act_names, format_func=act_label, key="activation",
                                      disabled="activation" in locked)
    if show("loss"):
        loss = sb.selectbox("Loss", [C.AUTO, *LOSSES], key="loss", disabled="loss" in locked,
                            format_func=lambda n: "Auto (by task)" if n == C.AUTO else LOSSES[n].label)
    if show("activation"):
        output = sb.selectbox(
            "Output activation", [C.AUTO, *act_names], key="output_activation",
            disabled=loss == "cross_entropy" or "activation" in locked,
            format_func=lambda n: "Auto (eq. 4's f if bounded; linear for regression)" if n == C.AUTO else act_label(n),
            help="Cross-entropy fixes the output: sigmoid for one unit, softmax for several.")

    sb.header("Training")
    alpha, lam, batch_size, init, seed, speed = base.alpha, base.lam, base.batch_size, base.init, base.seed, base.speed
    if show("alpha"):
        alpha = sb.select_slider("Learning rate α", C.ALPHA_GRID, format_func=_fmt, key="alpha",
                                 disabled="alpha" in locked)
    if show("lambda"):
        lam = sb.select_slider("Weight decay λ", C.LAM_GRID, format_func=_fmt, key="lam", disabled="lambda" in locked)
    if show("batch"):
        mode = sb.radio("Batch", BATCH_MODES, horizontal=True, key="batch_mode", disabled="batch" in locked,
                        help="Full batch is the text's gradient descent; a mini-batch is the same update "
                             "with m = the batch size.")
        batch_size = 0 if mode == BATCH_MODES[0] else 1
        if mode == BATCH_MODES[1]:
            batch_size = int(sb.number_input("Batch size", 2, C.MAX_BATCH, key="batch_size",
                                             disabled="batch" in locked))
    if show("init"):
        init = sb.selectbox("Initializer", list(INITIALIZERS), format_func=lambda n: INITIALIZERS[n].label,
                            key="init", disabled="init" in locked)
    if show("seed"):
        seed = sb.number_input("Weight seed", 0, C.MAX_SEED, key="seed", disabled="seed" in locked)
    if show("speed"):
        speed = sb.select_slider("Play speed (epochs per second)", C.SPEED_GRID, key="speed",
                                 disabled="speed" in locked,
                                 help="1/s shows every update; the readout says what the machine achieves.")

    return C.Config(
        dataset=dataset, noise=float(noise), n_points=int(n_points), train_fraction=float(train),
        data_seed=int(data_seed), features=tuple(features), hidden=tuple(hidden_sizes), activation=activation,
        layer_activations=tuple(layer_acts), output_activation=output, loss=loss, init=init, seed=int(seed),
        alpha=float(alpha), lam=float(lam), batch_size=int(batch_size), speed=int(speed),
        # the chart options are drawn with the charts (ui/view.py); here only carried along
        log_y=bool(st.session_state.get("loss_log", base.log_y)),
        delta_shared=bool(st.session_state.get("delta_shared", base.delta_shared)),
        matrices=matrix_view(st.session_state.get("matrix_kind", MATRIX_LABELS.get(base.matrices))),
    )
