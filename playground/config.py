"""Every setting of the playground in one frozen, validated dataclass.

The UI reads a Config from its widgets; a Run is built from one. Settings split in two kinds:
those that define the experiment (data and structure — changing them starts a new run) and
those that only steer the next update (α, λ, batch size, speed). ``RESET_FIELDS`` says which
is which, so the UI can keep a run going when α changes and reset it — and say so — when a
layer is added.

Limits live here, once, and hold for every way a value arrives (widget, link, file).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from .activations import ACTIVATIONS
from .initializers import INITIALIZERS
from .losses import LOSSES

MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 32
MIN_ALPHA, MAX_ALPHA = 1e-5, 10.0
MAX_LAM = 10.0
MAX_BATCH = 5000
# Play speed in epochs per second: from slow motion (every update seen) to as fast as the machine goes.
SPEED_GRID = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
MAX_SPEED = SPEED_GRID[-1]
MIN_POINTS, MAX_POINTS = 50, 2000
MAX_SEED = 2**31 - 1

# α and λ on a log grid: TensorFlow Playground's familiar presets plus the 3-steps between them.
ALPHA_GRID = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
LAM_GRID = (0.0, *ALPHA_GRID)
MATRIX_VIEWS = ("dW", "W", "none")
FEATURE_NAMES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
AUTO = "auto"


@dataclass(frozen=True)
class Config:
    """One experiment. Defaults: TF Playground's starting point — circle data, hidden [4, 2], tanh."""

    # data — changing any of these draws new data and resets the run
    dataset: str = "circle"
    noise: float = 0.0  # fraction 0 … 0.5
    n_points: int = 500
    train_fraction: float = 0.5
    data_seed: int = 0  # a new data seed swaps the data under the running network
    features: tuple[str, ...] = ("x1", "x2")  # inputs for 2-D data (TF Playground's feature columns)
    # structure — changing any of these re-initialises the weights
    hidden: tuple[int, ...] = (4, 2)  # s_2 … s_{n_l − 1}
    activation: str = "tanh"  # f for every hidden layer …
    layer_activations: tuple[str, ...] = ()  # … unless one per hidden layer is given
    output_activation: str = AUTO  # auto: eq. (4)'s f if sigmoid/tanh, else tanh; linear for regression
    loss: str = AUTO  # auto: cross-entropy for more than two classes, else squared error (eq. 5)
    init: str = "xavier"
    seed: int = 0  # initial weights
    # steering — take effect on the next update, no reset
    alpha: float = 0.1  # full-batch descent on circle learns in ~200 epochs at this α
    lam: float = 0.0
    batch_size: int = 0  # 0 means full batch, as the text
    speed: int = 50  # epochs per second while playing: circle reaches 95 % in about 3 s
    # view — how the charts are drawn; part of a shared link, never of the experiment
    log_y: bool = False  # loss curve on a log axis
    delta_shared: bool = False  # one colour scale for every layer's δ (shows vanishing δ)
    matrices: str = "dW"  # per-layer heatmaps: "W", "dW" (∂J/∂W) or "none"

    def hidden_activations(self) -> tuple[str, ...]:
        return self.layer_activations or (self.activation,) * len(self.hidden)

    def changes_reset(self, other: Config) -> list[str]:
        """The experiment-defining fields that differ between self and other."""
        return [f for f in RESET_FIELDS if getattr(self, f) != getattr(other, f)]


# data_seed is absent on purpose: "Regenerate" draws new data and the network keeps training.
RESET_FIELDS = (
    "dataset", "noise", "n_points", "train_fraction", "features",
    "hidden", "activation", "layer_activations", "output_activation", "loss", "init", "seed",
)
DEFAULT = Config()
FIELD_NAMES = tuple(f.name for f in fields(Config))


def validate(cfg: Config, datasets: tuple[str, ...] | None = None) -> Config:
    """cfg unchanged if every value is in range; otherwise ValueError naming the first bad one."""
    def bad(name: str, why: str) -> ValueError:
        return ValueError(f"{name} {why}")

    if datasets is not None and cfg.dataset not in datasets:
        raise bad("Dataset", f"{cfg.dataset!r} is unknown: choose one of {', '.join(datasets)}.")
    _number(cfg.noise, "Noise", 0.0, 0.5)
    _integer(cfg.n_points, "Number of points", MIN_POINTS, MAX_POINTS)
    _number(cfg.train_fraction, "Train fraction", 0.1, 0.9)
    _integer(cfg.data_seed, "Data seed", 0, MAX_SEED)
    if not cfg.features or any(f not in FEATURE_NAMES for f in cfg.features) or len(set(cfg.features)) != len(
        cfg.features
    ):
        raise bad("Features", f"must be distinct names among {', '.join(FEATURE_NAMES)}, at least one.")
    if len(cfg.hidden) > MAX_HIDDEN_LAYERS:
        raise bad("Hidden layers", f"are limited to {MAX_HIDDEN_LAYERS}; got {len(cfg.hidden)}.")
    for s in cfg.hidden:
        _integer(s, "Neurons per layer", 1, MAX_NEURONS)
    for name in (cfg.activation, *cfg.layer_activations):
        if name not in ACTIVATIONS:
            raise bad("Activation", f"{name!r} is unknown: choose one of {', '.join(ACTIVATIONS)}.")
    if cfg.layer_activations and len(cfg.layer_activations) != len(cfg.hidden):
        raise bad("Per-layer activations", f"need one per hidden layer ({len(cfg.hidden)}).")
    if cfg.output_activation not in (AUTO, *ACTIVATIONS):
        raise bad("Output activation", f"{cfg.output_activation!r} is unknown.")
    if cfg.loss not in (AUTO, *LOSSES):
        raise bad("Loss", f"{cfg.loss!r} is unknown: choose one of {', '.join(LOSSES)}.")
    if cfg.init not in INITIALIZERS:
        raise bad("Initializer", f"{cfg.init!r} is unknown: choose one of {', '.join(INITIALIZERS)}.")
    _integer(cfg.seed, "Weight seed", 0, MAX_SEED)
    _number(cfg.alpha, "Learning rate α", MIN_ALPHA, MAX_ALPHA)
    _number(cfg.lam, "Weight decay λ", 0.0, MAX_LAM)
    _integer(cfg.batch_size, "Batch size", 0, MAX_BATCH)
    _integer(cfg.speed, "Play speed (epochs per second)", 1, MAX_SPEED)
    if cfg.speed not in SPEED_GRID:
        raise bad("Play speed", f"must be one of {', '.join(map(str, SPEED_GRID))} epochs per second; got {cfg.speed}.")
    for name, flag in (("Log scale", cfg.log_y), ("Shared δ scale", cfg.delta_shared)):
        if not isinstance(flag, bool):
            raise bad(name, f"must be on or off; got {flag!r}.")
    if cfg.matrices not in MATRIX_VIEWS:
        raise bad("Matrix view", f"must be one of {', '.join(MATRIX_VIEWS)}; got {cfg.matrices!r}.")
    return cfg


def _number(x, name: str, lo: float, hi: float) -> None:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x) or not lo <= x <= hi:
        raise ValueError(f"{name} must be a number from {lo:g} to {hi:g}; got {x!r}.")


def _integer(x, name: str, lo: int, hi: int) -> None:
    if isinstance(x, bool) or not isinstance(x, int) or not lo <= x <= hi:
        raise ValueError(f"{name} must be a whole number from {lo} to {hi}; got {x!r}.")


__all__ = ["Config", "DEFAULT", "RESET_FIELDS", "validate", "replace", "AUTO"]
