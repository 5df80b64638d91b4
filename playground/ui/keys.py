"""The session-state keys of the page's widgets, in one place.

Streamlit keeps a widget's value in session state under its key; every module that draws a
widget or reads its value names it from here (values are read through ui/state.py).
"""
from __future__ import annotations

# the sidebar: one per setting (ui/controls.py)
DATASET = "dataset"
NOISE_PCT = "noise_pct"
N_POINTS = "n_points"
TRAIN_PCT = "train_pct"
DATA_SEED = "data_seed"
FEATURES = "features"
N_HIDDEN = "n_hidden"
PER_LAYER_F = "per_layer_f"
ACTIVATION = "activation"
LOSS = "loss"
OUTPUT_ACTIVATION = "output_activation"
ALPHA = "alpha"
LAM = "lam"
BATCH_MODE = "batch_mode"
BATCH_SIZE = "batch_size"
INIT = "init"
SEED = "seed"
SPEED = "speed"


def neurons(k: int) -> str:
    """Hidden layer k's size (k = 0 is the text's layer 2)."""
    return f"neurons_{k}"


def layer_f(k: int) -> str:
    """Hidden layer k's activation, when each layer has its own."""
    return f"act_{k}"


# the chart options, drawn with the charts (ui/view.py)
LOSS_LOG = "loss_log"
DELTA_SHARED = "delta_shared"
MATRIX_KIND = "matrix_kind"

# the equation panel (ui/equations_panel.py)
EQ_LAYER = "eq_l"
EQ_FOLLOW = "eq_follow"

# the run controls and Play (ui/page.py)
RUN_CONTROLS = "run_controls"
PLAYING = "playing"

# the CSV upload (ui/upload.py)
CSV_FILE = "csv_file"
CSV_TARGET = "csv_target"
CSV_STANDARDIZE = "csv_standardize"
CSV_DROP_MISSING = "csv_drop_missing"

# share, export, import (ui/sharing.py)
IMPORT_WEIGHTS = "import_w"
IMPORT_SETTINGS = "import_s"

# instruments (ui/instruments.py)
INSTRUMENT = "instrument"
GRADCHECK_GO = "gradcheck_go"
COMPARE_FIELD = "cmp_field"
COMPARE_START = "cmp_start"
COMPARE_STOP = "cmp_stop"


def compare_value(field: str) -> str:
    return f"cmp_value_{field}"
