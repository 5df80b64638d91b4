"""The CSV upload section: read a user's file into a Dataset, or say in one sentence why not.

The parsed Dataset is kept in the session (ui/state.py); a bad file leaves the previous one loaded.
"""
from __future__ import annotations

import streamlit as st

from ..data import CsvLimits, DataError, Dataset, csv_columns, parse_csv
from ..experiment import UPLOAD
from ..share import plain
from . import keys, state

LIMITS = CsvLimits()
_MESSAGE_CHARS = 600  # messages quote the file's names: shown as plain text (share.plain), never as markup


def section() -> None:
    sb = st.sidebar
    f = sb.file_uploader(
        f"CSV file (≤ {LIMITS.max_bytes // 2**20} MB, {LIMITS.max_rows:,} rows, {LIMITS.max_columns} columns)",
        type=["csv", "txt", "tsv"], key=keys.CSV_FILE,
        help="Numeric feature columns and one target column. Classification is detected for a few labels.",
    )
    if f is None:
        sb.caption("Upload a CSV to train on your own data.")
        return
    data = f.getvalue()
    try:
        columns = csv_columns(data, limits=LIMITS)
    except DataError as err:
        _reject(plain(str(err), _MESSAGE_CHARS))
        return
    target = sb.selectbox("Target column", columns, index=len(columns) - 1, key=keys.CSV_TARGET)
    c1, c2 = sb.columns(2)
    standardize = c1.checkbox("Standardise", value=True, key=keys.CSV_STANDARDIZE,
                              help="Scale each feature — and a regression target — to mean 0, std 1 using the "
                                   "training rows.")
    drop = c2.checkbox("Drop rows with missing values", value=False, key=keys.CSV_DROP_MISSING)
    train_fraction = state.widget(keys.TRAIN_PCT, 70) / 100
    token = (f.file_id, target, standardize, drop, train_fraction)
    s = state.session()
    if token != s.upload_token:
        s.upload_token = token
        try:
            ds = parse_csv(data, target, filename=f.name, train_fraction=train_fraction, seed=0,
                           standardize=standardize, drop_missing=drop, limits=LIMITS)
        except DataError as err:
            _reject(plain(str(err), _MESSAGE_CHARS))
            return
        s.upload, s.upload_error = ds, None
    if s.upload_error:
        sb.error(s.upload_error)
    ds = current()
    if ds is not None:
        sb.success(plain(f"{ds.name}: {len(ds.y_train) + len(ds.y_test):,} rows, {ds.n_features} features. "
                         f"{ds.note}", _MESSAGE_CHARS))


def _reject(message: str) -> None:
    keep = " The previous dataset stays loaded." if current() is not None else ""
    state.session().upload_error = message + keep
    st.sidebar.error(message + keep)


def current() -> Dataset | None:
    return state.session().upload


def is_new_for(run) -> bool:
    """True when the run uses the upload slot but not the file loaded now."""
    return run.cfg.dataset == UPLOAD and current() is not None and run.data is not current()
