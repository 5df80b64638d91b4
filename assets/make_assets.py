"""Write assets/digits.csv.gz and assets/iris.csv.gz from scikit-learn's bundled copies.

A one-off, development-only script: the app reads the CSVs with pandas and never imports
scikit-learn. ``load_digits`` and ``load_iris`` read files shipped inside the scikit-learn package,
so nothing is downloaded. Run from the repository root:

    python assets/make_assets.py

The gzip header's timestamp is fixed at 0, so rerunning with the same scikit-learn, pandas and
zlib writes byte-identical files, and a regeneration shows up in git only if the data changed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits, load_iris

ASSETS = Path(__file__).resolve().parent
GZIP = {"method": "gzip", "mtime": 0, "compresslevel": 9}


def digits_frame() -> pd.DataFrame:
    """1797 rows: the 8×8 images row by row as px_<row>_<col> (integers 0..16), then 'digit'."""
    bunch = load_digits()
    pixels = bunch.data.astype(np.int64)  # sklearn stores the 0..16 counts as float64
    if not np.array_equal(pixels, bunch.data) or pixels.min() < 0 or pixels.max() > 16:
        raise SystemExit("load_digits returned pixels outside the integers 0..16; refusing to write.")
    columns = [f"px_{r}_{c}" for r in range(8) for c in range(8)]
    frame = pd.DataFrame(pixels, columns=columns)
    frame["digit"] = bunch.target.astype(np.int64)
    return frame


def iris_frame() -> pd.DataFrame:
    """150 rows: four measurements in cm, then 'species' as a name (setosa, versicolor, virginica)."""
    bunch = load_iris()
    columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    frame = pd.DataFrame(bunch.data, columns=columns)
    frame["species"] = bunch.target_names[bunch.target]
    return frame


def main() -> None:
    for name, frame in (("digits", digits_frame()), ("iris", iris_frame())):
        path = ASSETS / f"{name}.csv.gz"
        frame.to_csv(path, index=False, compression=GZIP)
        print(f"{path.name}: {frame.shape[0]} rows × {frame.shape[1]} columns, {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
