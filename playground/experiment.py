"""From a Config to a Run: which data, in which input features, feeding which network.

Pure: the UI passes the uploaded dataset in (if any) and gets a Run back. Keeping this out of
the UI means a test — or a shared link — rebuilds the exact same experiment from a Config.
"""
from __future__ import annotations

from functools import partial

from .config import Config
from .data import REAL_DATASETS, Dataset, apply_features, generate, load_real, with_features
from .run import Run

UPLOAD = "upload"


def is_generated(name: str) -> bool:
    return name not in REAL_DATASETS and name != UPLOAD


def build_data(cfg: Config, upload: Dataset | None = None):
    """(training data, the same data in its drawing plane or None, plane → inputs map or None)."""
    if cfg.dataset == UPLOAD:
        if upload is None:
            raise ValueError("No CSV file is loaded yet: upload one, or pick a built-in dataset.")
        return upload, None, None
    if cfg.dataset in REAL_DATASETS:
        return load_real(cfg.dataset, train_fraction=cfg.train_fraction, seed=cfg.data_seed), None, None
    plane = generate(cfg.dataset, n_points=cfg.n_points, noise=cfg.noise,
                     train_fraction=cfg.train_fraction, seed=cfg.data_seed)
    if tuple(cfg.features) == ("x1", "x2"):
        return plane, None, None
    return with_features(plane, cfg.features), plane, partial(apply_features, names=cfg.features)


def new_run(cfg: Config, upload: Dataset | None = None) -> Run:
    data, plot_data, grid_inputs = build_data(cfg, upload)
    return Run(cfg, data, plot_data, grid_inputs)
