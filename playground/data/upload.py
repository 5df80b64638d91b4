"""Turning an uploaded CSV into a :class:`Dataset`, or into one sentence saying what to fix.

Uploads are untrusted, so every step checks its input and every failure is a :class:`DataError`:
limits on bytes, rows, columns and classes come first, so a hostile file costs little; text is
decoded strictly (binary is refused, not guessed at); the delimiter is sniffed among ``,``, ``;``
and tab; rows are tokenised with the standard ``csv`` module in strict mode, so a ragged row or a
stray quote is reported with its line number instead of being silently padded or merged. pandas is
used only to convert whole columns of strings to numbers. Nothing is evaluated or unpickled.

The target column decides the task: text labels, or a few whole numbers, mean classification;
any other numbers mean regression. The chosen task and the reason are put in ``Dataset.note``.

Numbers are bounded by :data:`MAX_MAGNITUDE`, so that everything computed from them — the
standardisation, the cost J, R² — stays finite. With ``standardize`` (the default) a regression
target is standardised by the training rows as the features are, as the generated regression sets
keep theirs within [-1, 1]: a cost of order 1 and a default learning rate that does not diverge on
targets in the thousands; R² does not depend on the target's scale.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd

from .dataset import DataError, Dataset, check_fraction, check_seed, split, standardize_by_train

DELIMITERS = ",;\t"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# The spellings of "no value" that pandas reads as NaN by default, plus the "?" of UCI files.
MISSING = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "#N/A", "<NA>", "?"})
FEW_CLASSES = 20  # whole-number targets with at most this many values are read as class labels
CLASS_SHARE = 0.05  # … as are those whose distinct values are under this share of the rows
MIN_PER_PART = 2  # rows each of the training and test parts needs
SNIFF_CHARS = 4096  # csv.Sniffer's time grows with the square of its sample on quote-heavy text
SHOW_CHARS = 40  # how much of a column name or value an error message quotes

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # control characters other than \t \n \r
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][+-]?\d+)$")  # a number with a point or exponent
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_INFINITY = re.compile(r"^[+-]?inf(inity)?$", re.IGNORECASE)  # what pandas reads as ±inf when written so


@dataclass(frozen=True)
class CsvLimits:
    """Upper bounds on an upload, each named in the error that enforces it."""

    max_bytes: int = 5 * 1024 * 1024
    max_rows: int = 20_000  # data rows, not counting the header
    max_columns: int = 64  # features plus the target
    max_classes: int = 20


# The largest |value| a feature or a regression target may have. Squares of such numbers are at
# most 1e200, so the sums of squares that the standardisation (a variance), the cost J and R²
# take over every row stay below about 1e205 — far from float64's overflow at 1.8e308 even for
# raw (unstandardised) inputs amplified a millionfold by a fresh network. Numbers beyond it
# (1e308, or a 400-digit integer, which reads as infinity) would give NaN or infinity there; no
# measured quantity comes near it, so a column that reaches it is refused and asked to be scaled.
MAX_MAGNITUDE = 1e100


def csv_columns(data: bytes, *, limits: CsvLimits = CsvLimits()) -> list[str]:
    """The column names of an uploaded CSV, for the target picker; the default target is the last."""
    limits = _check_limits(limits)
    text = _decode(data, limits)
    header, _ = _header(text, _sniff(text), limits)
    return header


def parse_csv(
    data: bytes,
    target: str | None = None,
    *,
    filename: str = "upload.csv",
    train_fraction: float = 0.7,
    seed: int = 0,
    standardize: bool = True,
    drop_missing: bool = False,
    limits: CsvLimits = CsvLimits(),
) -> Dataset:
    """Parse and validate an uploaded CSV with a header row; ``target`` defaults to the last column.

    Raises DataError, and only DataError, with one sentence naming the problem.
    """
    limits = _check_limits(limits)
    train_fraction = check_fraction(train_fraction)
    rng = np.random.default_rng(check_seed(seed))
    text = _decode(data, limits)
    delimiter = _sniff(text)
    header, reader = _header(text, delimiter, limits)
    target = _check_target(target, header)
    cells, lines = _read_rows(reader, header, limits)  # (m, n_columns) stripped strings; (m,) line numbers
    notes = []
    if delimiter != ",":
        notes.append(f"Read as {DELIMITER_NAMES[delimiter]}-separated values.")

    missing = np.isin(cells, list(MISSING))  # (m, n_columns)
    bad_rows = missing.any(axis=1)
    if bad_rows.any():
        count = int(bad_rows.sum())
        row, col = np.argwhere(missing)[0]
        if not drop_missing:
            raise DataError(
                f"{_rows(count)} {'has' if count == 1 else 'have'} missing values (first on line "
                f"{lines[row]}, column {_quote(header[col])}); fill them in, or tick \"Drop rows with missing values\" "
                "to remove those rows."
            )
        cells, lines = cells[~bad_rows], lines[~bad_rows]
        notes.append(f"Dropped {_rows(count)} with missing values.")
        if len(cells) == 0:
            raise DataError("Every row has a missing value, so no rows are left after dropping them.")

    t = header.index(target)
    feature_names = [h for i, h in enumerate(header) if i != t]
    X = np.column_stack(
        [_numeric_feature(cells[:, i], lines, h, delimiter) for i, h in enumerate(header) if i != t]
    )
    task, y, classes, target_note = _target(cells[:, t], lines, target, limits)

    m = len(cells)
    if m < 2 * MIN_PER_PART:
        raise DataError(
            f"The file has only {_rows(m)} of usable data; at least {2 * MIN_PER_PART} are needed so the "
            f"training and test parts get {MIN_PER_PART} each."
        )
    X_train, y_train, X_test, y_test = split(X, y, train_fraction, rng)
    for part, size in (("training", len(X_train)), ("test", len(X_test))):
        if size < MIN_PER_PART:
            raise DataError(
                f"With {m} rows and a training fraction of {train_fraction:g}, the {part} part gets only "
                f"{_rows(size)}; it needs at least {MIN_PER_PART}, so add rows or change the training "
                "fraction."
            )
    if standardize:
        X_train, X_test = _standardized_features(X_train, X_test, feature_names)
        if task == "regression":
            y_train, y_test, scale_note = _standardized_target(y_train, y_test)
            notes.append(scale_note)
    return Dataset(
        name=f"upload: {filename}", task=task, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test,
        feature_names=tuple(feature_names), classes=classes, note=" ".join([target_note, *notes]),
    )


def _standardized_features(X_train: np.ndarray, X_test: np.ndarray, names: list[str]):
    """Both parts standardised by the training rows; a DataError naming a column that would not be finite.

    MAX_MAGNITUDE already rules that out; this is the last check before a NaN could reach the
    network (where it would surface as a confusing "X contains NaN values" much later).
    """
    with np.errstate(all="ignore"):  # the check below reports it; a warning would only leak to the log
        X_train, X_test = standardize_by_train(X_train, X_test)
    bad = ~(np.isfinite(X_train).all(axis=0) & np.isfinite(X_test).all(axis=0))
    if bad.any():
        raise DataError(
            f"Column {_quote(names[int(np.argmax(bad))])} cannot be standardised to finite numbers; scale it down."
        )
    return X_train, X_test


def _standardized_target(y_train: np.ndarray, y_test: np.ndarray):
    """A regression target standardised by the training rows, and the note that says so and how."""
    mean, std = float(y_train.mean()), float(y_train.std())
    y_train, y_test = standardize_by_train(y_train, y_test)
    scale = f", standard deviation {std:.4g}" if std > 0 else ""
    note = (
        f"The target is standardised by the training rows (mean {mean:.4g}{scale}), so J and the "
        "predictions are in its standard deviations."
    )
    return y_train, y_test, note


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


def _quote(text: str) -> str:
    """A file's string as an error message quotes it: in quotes, and cut short if long."""
    return repr(text if len(text) <= SHOW_CHARS else text[:SHOW_CHARS] + "…")


def _size(n_bytes: int) -> str:
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / (1024 * 1024):.1f} MB"
    return f"{n_bytes / 1024:.1f} KB" if n_bytes >= 1024 else f"{n_bytes:,} bytes"


def _check_limits(limits: CsvLimits) -> CsvLimits:
    if not isinstance(limits, CsvLimits):
        raise DataError(f"limits must be a CsvLimits; got {type(limits).__name__}.")
    for field in ("max_bytes", "max_rows", "max_columns", "max_classes"):
        value = getattr(limits, field)
        smallest = 2 if field == "max_classes" else 1
        if isinstance(value, bool) or not isinstance(value, Integral) or value < smallest:
            raise DataError(f"CsvLimits.{field} must be a positive whole number (max_classes at least 2).")
    return limits


def _decode(data: bytes, limits: CsvLimits) -> str:
    """The file as text: UTF-8 (with or without a byte-order mark), else Latin-1 if that reads as text."""
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise DataError(f"The upload must be the file's bytes; got {type(data).__name__}.")
    if len(data) > limits.max_bytes:
        raise DataError(f"The file is {_size(len(data))}; the limit is {_size(limits.max_bytes)}.")
    if not data.strip():
        raise DataError("The file is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("The file is saved as UTF-16 text; save it as CSV in UTF-8 and upload it again.")
    if data.startswith(b"PK\x03\x04"):
        raise DataError("The file is a ZIP archive (an Excel .xlsx?); export the sheet as CSV and upload it.")
    if b"\x00" in data:
        raise DataError("The file contains binary data, not text; upload a comma-separated text (CSV) file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # never fails; the control-character check below rejects binary
    if _CONTROL.search(text):
        raise DataError("The file contains binary data, not text; upload a comma-separated text (CSV) file.")
    return text


def _sniff(text: str) -> str:
    """The delimiter: csv.Sniffer's guess among , ; and tab, else whichever one the header line uses most."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only: a cut row would look inconsistent
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    first_line = next((line for line in sample.splitlines() if line.strip()), "")
    if delimiter not in DELIMITERS or delimiter not in first_line:
        # The sniffer wants consistent rows; a ragged file still deserves its own delimiter,
        # so that the error it gets is about the ragged row rather than "only one column".
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(DELIMITERS, key=lambda d: counts[d])
        delimiter = best if counts[best] else ","
    return delimiter


def _header(text: str, delimiter: str, limits: CsvLimits):
    """The stripped column names and a reader positioned on the first data row."""
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True
    )
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    except csv.Error as exc:
        raise DataError(f"Line {reader.line_num} of the file could not be read as CSV ({exc}).") from None
    if header is None:
        raise DataError("The file holds only separators and blank lines, no column names or values.")
    header = [name.strip() for name in header]
    if any(_DECIMAL.match(name) for name in header) or (
        all(_INTEGER.match(name) for name in header) and len(set(header)) < len(header)
    ):
        raise DataError(
            f"The first row ({', '.join(_quote(h) for h in header[:4])}{', …' if len(header) > 4 else ''}) "
            "looks like data, not column names; add a header row naming each column."
        )
    if len(header) > limits.max_columns:
        raise DataError(f"The file has {len(header):,} columns; the limit is {limits.max_columns:,}.")
    if len(header) < 2:
        raise DataError(
            f"The file has only one column ({_quote(header[0])}); it needs at least one feature column "
            "besides the target, separated by commas, semicolons or tabs."
        )
    for i, name in enumerate(header):
        if not name:
            raise DataError(f"Column {i + 1} has no name in the header row; name it or delete the column.")
        if header.count(name) > 1:
            raise DataError(
                f"The column name {_quote(name)} appears more than once; give each column a unique name."
            )
    return header, reader


def _check_target(target: str | None, header: list[str]) -> str:
    if target is None:
        return header[-1]
    if not isinstance(target, str):
        raise DataError(f"The target must be a column name; got {type(target).__name__}.")
    if target.strip() not in header:
        shown = ", ".join(_quote(h) for h in header[:5]) + (", …" if len(header) > 5 else "")
        raise DataError(f"There is no column {_quote(target)} in the file; the columns are {shown}.")
    return target.strip()


def _read_rows(reader, header: list[str], limits: CsvLimits) -> tuple[np.ndarray, np.ndarray]:
    """The data rows as an (m, n_columns) array of stripped strings, and the file line each ends on.

    Blank lines are skipped. Line numbers, not row indices, go into messages: they are what a
    text editor shows, and they survive dropping rows with missing values.
    """
    rows, lines = [], []
    start = reader.line_num + 1  # where the row being read begins, for errors that csv reports at its end
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                start = reader.line_num + 1
                continue
            if len(row) != len(header):
                raise DataError(
                    f"Line {reader.line_num} has {len(row)} field{'s' if len(row) != 1 else ''} but the "
                    f"header has {len(header)}; every row needs exactly one value per column."
                )
            if len(rows) == limits.max_rows:
                raise DataError(
                    f"The file has more than {limits.max_rows:,} data rows; the limit is {limits.max_rows:,}."
                )
            rows.append([cell.strip() for cell in row])
            lines.append(reader.line_num)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(
            f"Line {start} of the file could not be read as CSV ({exc}); check for an unmatched or stray "
            "double quote."
        ) from None
    if not rows:
        raise DataError("The file has a header row but no data rows.")
    return np.array(rows, dtype=object), np.array(lines)


def _numeric_feature(column: np.ndarray, lines: np.ndarray, name: str, delimiter: str) -> np.ndarray:
    """A feature column as float64, or a DataError naming the column and a value that is not a number."""
    values = pd.to_numeric(pd.Series(column, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    not_numbers = np.isnan(values)
    if not_numbers.any():
        example = column[np.argmax(not_numbers)]
        if delimiter == ";" and _DECIMAL_COMMA.match(example):
            raise DataError(
                f"Feature column {_quote(name)} uses decimal commas (e.g. {_quote(example)}); save the file "
                "with decimal points, or make it the target."
            )
        raise DataError(
            f"Feature column {_quote(name)} is not numeric (e.g. {_quote(example)}); remove it, encode it "
            "as numbers, or make it the target."
        )
    infinite = _written_infinite(column, values)
    if infinite.any():
        count = int(infinite.sum())
        raise DataError(
            f"Column {_quote(name)} has {count:,} infinite value{'s' if count > 1 else ''} (first on line "
            f"{lines[np.argmax(infinite)]}); replace {'it' if count == 1 else 'them'} with finite numbers."
        )
    _check_magnitude(column, values, lines, name)
    return values


def _written_infinite(column: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Where the file writes infinity itself ("inf", "-Infinity"), not a number too large for float64."""
    infinite = np.isinf(values)
    return infinite & np.array([bool(_INFINITY.match(text)) for text in column]) if infinite.any() else infinite


def _check_magnitude(column: np.ndarray, values: np.ndarray, lines: np.ndarray, name: str) -> None:
    """A DataError naming the column if any value is beyond ±MAX_MAGNITUDE (see there for why)."""
    too_large = ~(np.abs(values) <= MAX_MAGNITUDE)  # also true for a 400-digit integer, read as inf
    if too_large.any():
        first = int(np.argmax(too_large))
        raise DataError(
            f"Column {_quote(name)} has values too large to use (e.g. {_quote(column[first])} on line "
            f"{lines[first]}); numbers must lie within ±{MAX_MAGNITUDE:.0e}, so scale the column down."
        )


def _target(column: np.ndarray, lines: np.ndarray, name: str, limits: CsvLimits):
    """(task, y, classes, note) for the target column; see the module docstring for the rule."""
    m = len(column)
    numbers = pd.to_numeric(pd.Series(column, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    if not np.isnan(numbers).any():
        infinite = _written_infinite(column, numbers)
        if infinite.any():
            raise DataError(
                f"The target column {_quote(name)} has infinite values (first on line "
                f"{lines[np.argmax(infinite)]}); replace them with finite numbers."
            )
        if np.isinf(numbers).any():  # an integer too long for float64: neither a class nor a target
            _check_magnitude(column, numbers, lines, name)
        distinct = np.unique(numbers)
        whole = bool(np.all(numbers == np.round(numbers)))
        k = len(distinct)
        _check_not_constant(k, column, name)
        if not (whole and k <= limits.max_classes and (k <= FEW_CLASSES or k < CLASS_SHARE * m)):
            _check_magnitude(column, numbers, lines, name)  # squared in J: bounded as the features are
            note = f"Detected regression: column {_quote(name)} has {k:,} distinct numeric values."
            return "regression", numbers, (), note
        y = np.searchsorted(distinct, numbers)
        classes = tuple(str(int(v)) for v in distinct)
    else:
        distinct, y = np.unique(column.astype(str), return_inverse=True)
        classes = tuple(distinct)
        k = len(classes)
        _check_not_constant(k, column, name)
        if k > limits.max_classes:
            raise DataError(
                f"The target column {_quote(name)} has {k:,} different labels; classification allows at most "
                f"{limits.max_classes} classes, so pick another target column."
            )
    note = f"Detected classification: {k} classes in column {_quote(name)}."
    return "classification", y.astype(np.int64), classes, note


def _check_not_constant(k: int, column: np.ndarray, name: str) -> None:
    if k < 2:
        raise DataError(
            f"The target column {_quote(name)} has the same value ({_quote(column[0])}) in every row; a "
            "target needs at least two different values."
        )
