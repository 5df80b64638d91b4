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


class History:
    def __init__(self, max_rows: int = MAX_ROWS):
        self.max_rows = max_rows
        self.stride = 1
        self.rows: list[tuple[float, ...]] = []
        self._latest: tuple[float, ...] | None = None  # shown even when the stride skips it

    def record(self, row: dict[str, float]) -> None:
        values = tuple(float(row.get(c, np.nan)) for c in COLUMNS)
        self._latest = values
        if int(values[0]) % self.stride:
            return
        self.rows.append(values)
        if len(self.rows) > self.max_rows:
            self.rows = self.rows[::2]
            self.stride *= 2

    def complete(self, epoch: int, values: dict[str, float]) -> None:
        """Fill in columns of the latest row (epoch ``epoch``) that were measured after it was recorded."""
        if self._latest is None or int(self._latest[0]) != epoch:
            raise ValueError(f"The latest recorded epoch is not {epoch}.")
        row = list(self._latest)
        for name, v in values.items():
            row[COLUMNS.index(name)] = float(v)
        if self.rows and self.rows[-1] is self._latest:
            self.rows[-1] = tuple(row)
        self._latest = tuple(row)

    def columns(self) -> dict[str, np.ndarray]:
        rows = self.rows
        if self._latest is not None and (not rows or rows[-1][0] != self._latest[0]):
            rows = [*rows, self._latest]
        arr = np.array(rows, dtype=np.float64).reshape(-1, len(COLUMNS))
        return {c: arr[:, i] for i, c in enumerate(COLUMNS)}

    def __len__(self) -> int:
        return len(self.rows)
