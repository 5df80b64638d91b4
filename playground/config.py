"""Every setting of the playground in one frozen, validated dataclass, and one table that declares them.

The UI reads a Config from its widgets; a Run is built from one. Settings split in two kinds:
those that define the experiment (data and structure — changing them starts a new run) and
those that only steer the next update (α, λ, batch size, speed). Each is declared once in
``SETTINGS`` (its link key, its name, its values, whether it resets the run): the checks in
:func:`validate`, the link format (share.py), the reset set and the sidebar's ranges all come
from it, so the UI can keep a run going when α changes and reset it — and say so — when a
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
MAX_BATCH = 5000
# Play speed in epochs per second: from slow motion (every update seen) to as fast as the machine goes.
SPEED_GRID = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
MAX_SPEED = SPEED_GRID[-1]
MIN_POINTS, MAX_POINTS = 50, 2000
MAX_SEED = 2**31 - 1

# α and λ on a log grid: TensorFlow Playground's familiar presets plus the 3-steps between them.
ALPHA_GRID = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
LAM_GRID = (0.0, *ALPHA_GRID)
MIN_ALPHA, MAX_ALPHA = ALPHA_GRID[0], ALPHA_GRID[-1]
MAX_LAM = LAM_GRID[-1]
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
        """The experiment-defining fields that differ between self and other.

        f given once or once per layer is the same network when every layer gets the same f (with
        no hidden layers, ``activation`` is what the output follows): switching "a different f
        per layer" on or off then changes nothing.
        """
        changed = [f for f in RESET_FIELDS if getattr(self, f) != getattr(other, f)]
        if self._layer_fs() == other._layer_fs():
            changed = [f for f in changed if f not in ("activation", "layer_activations")]
        return changed

    def _layer_fs(self) -> tuple[str, ...]:
        return self.hidden_activations() if self.hidden else (self.activation,)


# ------------------------------------------------------------------------------- the settings table
# Every setting is declared once, here: its Config field, its name in a share link, what messages
# and controls call it, the values it may hold, and whether changing it restarts the run. From this
# table come the checks (validate), the link format both ways (share.py), the reset set
# (RESET_FIELDS) and the ranges of the sidebar's controls (ui/controls.py).


@dataclass(frozen=True)
class Number:
    """A float from lo to hi; ``percent``: links and controls show it in whole percents, in steps of ``step``."""

    lo: float
    hi: float
    percent: bool = False
    step: int = 1


@dataclass(frozen=True)
class Whole:
    """A whole number from lo to hi."""

    lo: int
    hi: int


@dataclass(frozen=True)
class Grid:
    """One of the values of a slider's grid (ascending): a link or file value between them moves
    to the nearest (in log space)."""

    values: tuple[float, ...]

    @property
    def lo(self) -> float:
        return self.values[0]

    @property
    def hi(self) -> float:
        return self.values[-1]


@dataclass(frozen=True)
class Choice:
    """One of some names; ``options`` None: the datasets the caller offers."""

    options: tuple[str, ...] | None


@dataclass(frozen=True)
class Flag:
    """On or off."""


@dataclass(frozen=True)
class Names:
    """Distinct names among options, at least one (the input features)."""

    options: tuple[str, ...]


@dataclass(frozen=True)
class Sizes:
    """Up to ``most`` whole numbers from lo to hi, possibly none (the hidden layers' sizes)."""

    most: int
    lo: int
    hi: int


@dataclass(frozen=True)
class PerLayer:
    """One name among options per hidden layer, or none at all (the per-layer activations)."""

    options: tuple[str, ...]


Values = Number | Whole | Grid | Choice | Flag | Names | Sizes | PerLayer


@dataclass(frozen=True)
class Setting:
    field: str  # the Config field
    key: str  # its name in a share link
    label: str  # its name in messages
    values: Values
    resets: bool = False  # changing it starts a new run (new data or new initial weights)


SETTINGS: tuple[Setting, ...] = (  # in Config's field order: a setting may be checked against those before it
    Setting("dataset", "data", "Dataset", Choice(None), resets=True),
    Setting("noise", "noise", "Noise", Number(0.0, 0.5, percent=True, step=5), resets=True),
    Setting("n_points", "points", "Number of points", Whole(MIN_POINTS, MAX_POINTS), resets=True),
    Setting("train_fraction", "train", "Training share", Number(0.1, 0.9, percent=True, step=5), resets=True),
    # not resetting on purpose: "Regenerate" draws new data and the network keeps training
    Setting("data_seed", "dseed", "Data seed", Whole(0, MAX_SEED)),
    Setting("features", "feat", "Features", Names(FEATURE_NAMES), resets=True),
    Setting("hidden", "layers", "Hidden layers", Sizes(MAX_HIDDEN_LAYERS, 1, MAX_NEURONS), resets=True),
    Setting("activation", "f", "Activation", Choice(tuple(ACTIVATIONS)), resets=True),
    Setting("layer_activations", "fl", "Per-layer activations", PerLayer(tuple(ACTIVATIONS)), resets=True),
    Setting("output_activation", "out", "Output activation", Choice((AUTO, *ACTIVATIONS)), resets=True),
    Setting("loss", "loss", "Loss", Choice((AUTO, *LOSSES)), resets=True),
    Setting("init", "init", "Initializer", Choice(tuple(INITIALIZERS)), resets=True),
    Setting("seed", "seed", "Weight seed", Whole(0, MAX_SEED), resets=True),
    Setting("alpha", "alpha", "Learning rate α", Grid(ALPHA_GRID)),
    Setting("lam", "lambda", "Weight decay λ", Grid(LAM_GRID)),
    Setting("batch_size", "batch", "Batch size", Whole(0, MAX_BATCH)),
    Setting("speed", "speed", "Play speed (epochs per second)", Grid(SPEED_GRID)),
    Setting("log_y", "logy", "Log scale", Flag()),
    Setting("delta_shared", "dshared", "Shared δ scale", Flag()),
    Setting("matrices", "mat", "Matrix view", Choice(MATRIX_VIEWS)),
)
SETTING = {s.field: s for s in SETTINGS}
RESET_FIELDS = tuple(s.field for s in SETTINGS if s.resets)
DEFAULT = Config()
FIELD_NAMES = tuple(f.name for f in fields(Config))
assert tuple(s.field for s in SETTINGS) == FIELD_NAMES, "one Setting per Config field, in field order"


def validate(cfg: Config, datasets: tuple[str, ...] | None = None) -> Config:
    """cfg unchanged if every value is in range; otherwise ValueError naming the first bad one.

    datasets: the names the dataset may take (None: not checked).
    """
    for s in SETTINGS:
        check(s, getattr(cfg, s.field), cfg, datasets)
    return cfg


def check(s: Setting, x, cfg: Config, datasets: tuple[str, ...] | None = None) -> None:
    """ValueError, in one sentence naming the setting, unless x is a value of setting s in cfg."""
    v, name = s.values, s.label
    if isinstance(v, Number):
        _number(x, name, v.lo, v.hi)
    elif isinstance(v, Whole):
        _integer(x, name, v.lo, v.hi)
    elif isinstance(v, Grid):
        if isinstance(x, bool) or not isinstance(x, int | float) or x not in v.values:
            raise ValueError(f"{name} must be one of {', '.join(f'{g:g}' for g in v.values)}; got {_shown(x)}.")
    elif isinstance(v, Choice):
        options = v.options if v.options is not None else datasets
        if options is not None and (not isinstance(x, str) or x not in options):
            raise ValueError(f"{name} {_shown(x)} is unknown: choose one of {', '.join(options)}.")
    elif isinstance(v, Flag):
        if not isinstance(x, bool):
            raise ValueError(f"{name} must be on or off; got {_shown(x)}.")
    elif isinstance(v, Names):
        if (not isinstance(x, tuple) or not x or not all(isinstance(n, str) and n in v.options for n in x)
                or len(set(x)) != len(x)):
            raise ValueError(f"{name} must be distinct names among {', '.join(v.options)}, at least one.")
    elif isinstance(v, Sizes):
        if not isinstance(x, tuple):
            raise ValueError(f"{name} must be a list of sizes; got {_shown(x)}.")
        if len(x) > v.most:
            raise ValueError(f"{name} are limited to {v.most}; got {len(x)}.")
        for size in x:
            _integer(size, "Neurons per layer", v.lo, v.hi)
    elif isinstance(v, PerLayer):
        if not isinstance(x, tuple) or not all(isinstance(n, str) and n in v.options for n in x):
            raise ValueError(f"{name} must be names among {', '.join(v.options)}.")
        if x and len(x) != len(cfg.hidden):
            raise ValueError(f"{name} need one per hidden layer ({len(cfg.hidden)}).")


def _shown(x) -> str:
    """A value for a message: short, and the same whatever its type (no Python internals)."""
    if not isinstance(x, str | int | float | bool | tuple):  # JSON's tables, lists and null, in words
        return {dict: "a table", list: "a list", type(None): "nothing"}.get(type(x), "a value of another kind")
    text = repr(x)
    return text if len(text) <= 40 else text[:39] + "…"


def _number(x, name: str, lo: float, hi: float) -> None:
    # A whole number beyond float's range compares exactly with lo and hi; it must not reach
    # math.isfinite, which cannot convert it (OverflowError).
    if (isinstance(x, bool) or not isinstance(x, int | float) or (isinstance(x, float) and not math.isfinite(x))
            or not lo <= x <= hi):
        raise ValueError(f"{name} must be a number from {lo:g} to {hi:g}; got {_shown(x)}.")


def _integer(x, name: str, lo: int, hi: int) -> None:
    if isinstance(x, bool) or not isinstance(x, int) or not lo <= x <= hi:
        raise ValueError(f"{name} must be a whole number from {lo} to {hi}; got {_shown(x)}.")


__all__ = ["Config", "DEFAULT", "RESET_FIELDS", "SETTING", "SETTINGS", "Setting", "validate", "check", "replace",
           "AUTO"]
