"""The training history: one row per recorded epoch, bounded in length.

A long Play (100,000 epochs) must not grow memory or slow the loss chart, so when the history
is full every other row is dropped and from then on only every ``stride``-th epoch is kept:
the curve's shape survives at half the resolution, and the newest point is always present.
Test columns are measured only at the epochs that are drawn (:meth:`Run.measure`), so between
them they hold NaN and the charts draw the test curve through the measured points.
"""
from __future__ import annotations

import numpy as np

MAX_ROWS = 1000
COLUMNS = ("epoch", "J", "J_data", "J_decay", "J_test", "metric_train", "metric_test")


class ThinnedRows:
    """Rows whose first value is the epoch, at most ``max_rows`` of them: when there would be more,
    every other row is dropped and from then on only every ``stride``-th epoch is kept. The latest
    row is always shown, kept or not. (The training history and the diagnostics both thin this way.)"""

    def __init__(self, max_rows: int = MAX_ROWS):
        self.max_rows = max_rows
        self.stride = 1
        self.rows: list = []
        self.latest = None

    def add(self, row) -> None:
        self.latest = row
        if int(row[0]) % self.stride:
            return
        self.rows.append(row)
        if len(self.rows) > self.max_rows:
            self.rows = self.rows[::2]
            self.stride *= 2

    def replace_latest(self, row) -> None:
        """The latest row with values measured after it was added (kept too, if it was kept)."""
        if self.rows and self.rows[-1] is self.latest:
            self.rows[-1] = row
        self.latest = row

    def array(self, width: int) -> np.ndarray:
        """The kept rows and the latest, (n, width) float64."""
        rows = self.rows
        if self.latest is not None and (not rows or rows[-1][0] != self.latest[0]):
            rows = [*rows, self.latest]
        return np.array(rows, dtype=np.float64).reshape(-1, width)

    def __len__(self) -> int:
        return len(self.rows)


class History:
    def __init__(self, max_rows: int = MAX_ROWS):
        self._rows = ThinnedRows(max_rows)

    @property
    def stride(self) -> int:
        return self._rows.stride

    def record(self, row: dict[str, float]) -> None:
        self._rows.add(tuple(float(row.get(c, np.nan)) for c in COLUMNS))

    def complete(self, epoch: int, values: dict[str, float]) -> None:
        """Fill in columns of the latest row (epoch ``epoch``) that were measured after it was recorded."""
        latest = self._rows.latest
        if latest is None or int(latest[0]) != epoch:
            raise ValueError(f"The latest recorded epoch is not {epoch}.")
        row = list(latest)
        for name, v in values.items():
            row[COLUMNS.index(name)] = float(v)
        self._rows.replace_latest(tuple(row))

    def columns(self) -> dict[str, np.ndarray]:
        arr = self._rows.array(len(COLUMNS))
        return {c: arr[:, i] for i, c in enumerate(COLUMNS)}

    def __len__(self) -> int:
        return len(self._rows)
