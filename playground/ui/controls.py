"""The sidebar: every setting's widget, read into one validated Config.

Widgets return values; nothing here trains or draws. Keys are stable so a setting survives
reruns, and each widget's range is the Config's limit, so the UI cannot ask for more than the
server allows (the server checks again in ``config.validate``).
"""
from __future__ import annotations

import streamlit as st

from .. import config as C
from ..activations import ACTIVATIONS
from ..data import GENERATORS
from ..experiment import UPLOAD, is_generated
from ..initializers import INITIALIZERS
from ..losses import LOSSES

ALPHAS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
LAMS = (0.0, *ALPHAS)
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1x2": "x₁x₂",
                  "sin_x1": "sin x₁", "sin_x2": "sin x₂"}
D = C.DEFAULT


def dataset_options() -> dict[str, str]:
    opts = {name: f"{g.label} · 2-D {g.task}" for name, g in GENERATORS.items()}
    opts.update({"digits": "Digits 8×8 · 10 classes", "iris": "Iris · 3 classes"})
    opts[UPLOAD] = "Your CSV file…"
    return opts


def _fmt(x: float) -> str:
    return "0" if x == 0 else f"{x:g}"


def _next_data_seed() -> None:
    st.session_state["data_seed"] = min(int(st.session_state.get("data_seed", 0)) + 1, C.MAX_SEED)


def read_config(uploader) -> C.Config:
    """Draw the sidebar and return the settings it shows. ``uploader`` draws the CSV section."""
    sb = st.sidebar
    sb.header("Data")
    opts = dataset_options()
    dataset = sb.selectbox("Dataset", list(opts), format_func=opts.__getitem__, key="dataset",
                           index=list(opts).index(D.dataset))
    generated = is_generated(dataset)
    if dataset == UPLOAD:
        uploader()
    noise = sb.slider("Noise", 0, 50, int(D.noise * 100), step=5, format="%d%%", key="noise_pct",
                      disabled=not generated) / 100
    n_points = sb.slider("Points", C.MIN_POINTS, C.MAX_POINTS, D.n_points, step=50, key="n_points",
                         disabled=not generated)
    train_pct = sb.slider("Training share", 10, 90, int(D.train_fraction * 100), step=5, format="%d%%",
                          key="train_pct", disabled=dataset == UPLOAD)
    c1, c2 = sb.columns([3, 2], vertical_alignment="bottom")
    data_seed = c1.number_input("Data seed", 0, C.MAX_SEED, D.data_seed, key="data_seed")
    # A callback runs before the widgets are drawn, the only time a widget's value may be set.
    c2.button("Regenerate", help="Draw new data with the next seed; the network keeps training.",
              disabled=dataset == UPLOAD, on_click=_next_data_seed)
    features = D.features
    if generated:
        features = tuple(sb.pills(
            "Input features", list(C.FEATURE_NAMES), selection_mode="multi", default=list(D.features),
            format_func=FEATURE_LABELS.__getitem__, key="features",
            help="Extra inputs computed from (x₁, x₂), as in TensorFlow Playground.",
        ) or ())

    sb.header("Network")
    n_hidden = sb.number_input("Hidden layers", 0, C.MAX_HIDDEN_LAYERS, len(D.hidden), key="n_hidden")
    per_layer = sb.toggle("A different f per layer", key="per_layer_f")
    act_names = list(ACTIVATIONS)
    label = ACTIVATIONS.__getitem__
    hidden, layer_acts = [], []
    cols = sb.columns(2)
    for k in range(int(n_hidden)):
        default = D.hidden[k] if k < len(D.hidden) else 4
        col = cols[k % 2]
        hidden.append(int(col.number_input(f"s_{k + 2} (layer {k + 2})", 1, C.MAX_NEURONS, default,
                                           key=f"neurons_{k}")))
        if per_layer:
            layer_acts.append(col.selectbox(f"f, layer {k + 2}", act_names, key=f"act_{k}",
                                            index=act_names.index(D.activation),
                                            format_func=lambda n: label(n).label))
    activation = D.activation
    if not per_layer:
        activation = sb.selectbox("Activation f", act_names, index=act_names.index(D.activation),
                                  format_func=lambda n: label(n).label, key="activation")
    loss = sb.selectbox("Loss", [C.AUTO, *LOSSES], key="loss",
                        format_func=lambda n: "Auto (by task)" if n == C.AUTO else LOSSES[n].label)
    output = sb.selectbox("Output activation", [C.AUTO, *act_names], key="output_activation",
                          disabled=loss == "cross_entropy",
                          format_func=lambda n: "Auto (eq. 4's f if bounded; linear for regression)"
                          if n == C.AUTO else label(n).label,
                          help="Cross-entropy fixes the output: sigmoid for one unit, softmax for several.")

    sb.header("Training")
    alpha = sb.select_slider("Learning rate α", ALPHAS, value=D.alpha, format_func=_fmt, key="alpha")
    lam = sb.select_slider("Weight decay λ", LAMS, value=D.lam, format_func=_fmt, key="lam")
    mode = sb.radio("Batch", ["Full batch", "Mini-batch", "One example"], horizontal=True, key="batch_mode",
                    help="Full batch is the text's gradient descent; a mini-batch is the same update with m = size.")
    batch_size = 0 if mode == "Full batch" else 1
    if mode == "Mini-batch":
        batch_size = int(sb.number_input("Batch size", 2, C.MAX_BATCH, 10, key="batch_size"))
    inits = list(INITIALIZERS)
    init = sb.selectbox("Initializer", inits, format_func=lambda n: INITIALIZERS[n].label, key="init")
    seed = sb.number_input("Weight seed", 0, C.MAX_SEED, D.seed, key="seed")
    speed = sb.slider("Play speed (updates per frame)", 1, C.MAX_SPEED, D.speed, key="speed")

    return C.Config(
        dataset=dataset, noise=float(noise), n_points=int(n_points), train_fraction=train_pct / 100,
        data_seed=int(data_seed), features=features, hidden=tuple(hidden), activation=activation,
        layer_activations=tuple(layer_acts), output_activation=output, loss=loss, init=init, seed=int(seed),
        alpha=float(alpha), lam=float(lam), batch_size=batch_size, speed=int(speed),
    )
