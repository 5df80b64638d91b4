"""Uploaded CSVs: good files parse to the right numbers, bad ones get one specific sentence.

Each file in tests/bad_csv/ is one way a real upload goes wrong; the table below names the phrase
its error must contain, and a test checks that the table and the folder list the same files.
Good files are checked against their own rows (standardize=False), not against another parser.
"""
from __future__ import annotations

import codecs
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.data import CsvLimits, DataError, csv_columns, parse_csv
from playground.data import upload as upload_module

BAD = Path(__file__).resolve().parent / "bad_csv"

IRIS_LIKE = b"""sepal,petal,species
5.1,1.4,setosa
4.9,1.5,setosa
6.4,4.5,versicolor
6.9,4.9,versicolor
6.3,6.0,virginica
5.8,5.1,virginica
5.0,1.6,setosa
5.5,4.0,versicolor
6.5,5.5,virginica
4.6,1.0,setosa
"""


def full(ds):
    return np.concatenate([ds.X_train, ds.X_test]), np.concatenate([ds.y_train, ds.y_test])


def rows_of(ds):
    """{feature tuple: label} over both parts, labels decoded through ds.classes for classification."""
    X, y = full(ds)
    decode = (lambda v: ds.classes[v]) if ds.task == "classification" else float
    return {tuple(x): decode(v) for x, v in zip(X.tolist(), y, strict=True)}


def regression_csv(m=60, seed=0, sep=","):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 2)).round(3)
    y = (3 * X[:, 0] - X[:, 1] + 0.5).round(4)
    lines = [sep.join(["a", "b", "price"])]
    lines += [sep.join(map(str, (a, b, t))) for (a, b), t in zip(X, y, strict=True)]
    return ("\n".join(lines) + "\n").encode(), X, y


# --- good files ----------------------------------------------------------------------------

def test_string_labels_make_a_classification_dataset():
    ds = parse_csv(IRIS_LIKE, filename="iris.csv", standardize=False)
    assert ds.name == "upload: iris.csv" and ds.task == "classification"
    assert ds.classes == ("setosa", "versicolor", "virginica")
    assert ds.feature_names == ("sepal", "petal")
    assert ds.note == "Detected classification: 3 classes in column 'species'."
    assert rows_of(ds)[(6.3, 6.0)] == "virginica" and rows_of(ds)[(4.6, 1.0)] == "setosa"
    assert len(rows_of(ds)) == 10 and len(ds.X_train) == 7


def test_integer_labels_are_classes_in_numeric_order():
    data = b"x,y,digit\n" + b"".join(f"{i},{i * i},{[2, 10, 7][i % 3]}\n".encode() for i in range(12))
    ds = parse_csv(data, standardize=False)
    assert ds.task == "classification" and ds.classes == ("2", "7", "10")
    assert all(label == str([2, 10, 7][int(x) % 3]) for (x, _), label in rows_of(ds).items())


def test_whole_numbers_written_as_floats_are_classes_too():
    data = b"x,y,label\n" + b"".join(f"{i},{-i},{float(i % 2)}\n".encode() for i in range(10))
    ds = parse_csv(data)
    assert ds.task == "classification" and ds.classes == ("0", "1")


def test_many_distinct_numbers_make_a_regression_dataset():
    data, X, y = regression_csv()
    ds = parse_csv(data, standardize=False)
    assert ds.task == "regression" and ds.classes == () and ds.n_classes == 0
    assert ds.note == f"Detected regression: column 'price' has {len(np.unique(y))} distinct numeric values."
    assert rows_of(ds) == {tuple(x): t for x, t in zip(X.tolist(), y.tolist(), strict=True)}
    assert ds.y_train.dtype == np.float64


def test_too_many_whole_numbers_for_classes_means_regression():
    data = b"x,y,count\n" + b"".join(f"{i},{i % 5},{i % 21}\n".encode() for i in range(100))
    assert parse_csv(data).task == "regression"  # 21 distinct values > 20 classes
    assert parse_csv(data, limits=CsvLimits(max_classes=25)).task == "regression"  # 21 ≥ 5 % of 100 rows
    data = b"x,y,count\n" + b"".join(f"{i},{i % 5},{i % 21}\n".encode() for i in range(1000))
    assert parse_csv(data, limits=CsvLimits(max_classes=25)).task == "classification"  # 21 < 5 % of 1000


def test_a_text_column_that_is_not_the_target_is_named():
    # With 'petal' as the target, 'species' becomes a feature; the user learns which column to fix.
    with pytest.raises(DataError, match="Feature column 'species' is not numeric"):
        parse_csv(IRIS_LIKE, target="petal")


def test_explicit_target_in_the_middle_keeps_feature_order():
    data = b"a,label,b\n" + b"".join(f"{i},{'pq'[i % 2]},{10 * i}\n".encode() for i in range(8))
    ds = parse_csv(data, target="label", standardize=False)
    assert ds.feature_names == ("a", "b")
    assert all(b == 10 * a and label == "pq"[int(a) % 2] for (a, b), label in rows_of(ds).items())


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolon"), ("\t", "tab")])
def test_other_delimiters_are_detected_and_noted(sep, name):
    data, X, y = regression_csv(sep=sep)
    ds = parse_csv(data, standardize=False)
    assert ds.feature_names == ("a", "b") and ds.task == "regression"
    assert f"Read as {name}-separated values." in ds.note
    assert rows_of(ds) == {tuple(x): t for x, t in zip(X.tolist(), y.tolist(), strict=True)}


def test_utf8_bom_crlf_quotes_and_spaces_are_handled():
    text = 'x1, "x 2", label\r\n1.5, 2, "a, quoted"\r\n3, 4.25, b\r\n\r\n5, 6, "a, quoted"\r\n7, 8, b\r\n'
    ds = parse_csv(codecs.BOM_UTF8 + text.encode(), standardize=False, train_fraction=0.5)
    assert ds.feature_names == ("x1", "x 2")  # the BOM is not glued to the first name
    assert ds.classes == ("a, quoted", "b")
    expected = {(1.5, 2.0): "a, quoted", (3.0, 4.25): "b", (5.0, 6.0): "a, quoted", (7.0, 8.0): "b"}
    assert rows_of(ds) == expected


def test_latin1_text_is_read():
    text = "x,y,café\n1,2,crème\n3,4,brûlée\n5,6,crème\n7,8,brûlée\n"
    ds = parse_csv(text.encode("latin-1"), train_fraction=0.5)
    assert ds.classes == ("brûlée", "crème") and ds.feature_names == ("x", "y")


def test_drop_missing_removes_those_rows_and_says_so():
    data = b"x1,x2,label\n1,2,a\n3,,b\n5,6,?\n7,8,a\n9,10,b\nNA,1,a\n11,12,b\n13,14,a\n"
    ds = parse_csv(data, drop_missing=True, standardize=False, train_fraction=0.6)
    kept = {(1.0, 2.0): "a", (7.0, 8.0): "a", (9.0, 10.0): "b", (11.0, 12.0): "b", (13.0, 14.0): "a"}
    assert rows_of(ds) == kept
    assert "Dropped 3 rows with missing values." in ds.note


def test_standardised_by_training_rows_only():
    data, _, _ = regression_csv(m=80, seed=4)
    raw, std = parse_csv(data, standardize=False, seed=9), parse_csv(data, seed=9)
    mean, sd = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    np.testing.assert_allclose(std.X_train, (raw.X_train - mean) / sd)
    np.testing.assert_allclose(std.X_test, (raw.X_test - mean) / sd)


def test_a_regression_target_is_standardised_with_the_features():
    # As the generated regression sets keep y within [-1, 1]: prices in the hundred thousands would
    # otherwise give J ~ 1e10 and a first update that diverges at the default learning rate.
    rng = np.random.default_rng(4)
    rows = "".join(f"{a:.3f},{b:.3f},{2e5 + 1e5 * a + rng.normal():.2f}\n" for a, b in rng.normal(size=(80, 2)))
    data = ("a,b,price\n" + rows).encode()
    raw, std = parse_csv(data, standardize=False, seed=9), parse_csv(data, seed=9)
    mean, sd = raw.y_train.mean(), raw.y_train.std()
    np.testing.assert_allclose(std.y_train, (raw.y_train - mean) / sd)
    np.testing.assert_allclose(std.y_test, (raw.y_test - mean) / sd)  # by the training rows' statistics
    assert abs(std.y_train.mean()) < 1e-12 and std.y_train.std() == pytest.approx(1.0)
    assert f"standardised by the training rows (mean {mean:.4g}, standard deviation {sd:.4g})" in std.note
    assert "standardised" not in raw.note and raw.y_train.min() > 1e4  # unticked: the file's own units


def test_classification_targets_are_never_scaled():
    assert "standardised" not in parse_csv(IRIS_LIKE).note


def test_the_split_is_seeded():
    a, b, c = (parse_csv(IRIS_LIKE, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, c.X_train)
    assert len(parse_csv(IRIS_LIKE, train_fraction=0.6).X_train) == 6


def test_csv_columns_lists_the_header_for_the_target_picker():
    assert csv_columns(IRIS_LIKE) == ["sepal", "petal", "species"]
    assert csv_columns(codecs.BOM_UTF8 + b"a;b;c\n1;2;3\n") == ["a", "b", "c"]
    with pytest.raises(DataError, match="empty"):
        csv_columns(b"")


# --- bad files -----------------------------------------------------------------------------

# file -> (phrase the error must contain, extra parse_csv arguments)
BAD_FILES = {
    "empty.csv": ("The file is empty", {}),
    "blank_lines.csv": ("The file is empty", {}),
    "header_only.csv": ("header row but no data rows", {}),
    "binary_nul.csv": ("binary data, not text", {}),
    "binary_no_nul.csv": ("binary data, not text", {}),
    "xlsx_zip.csv": ("ZIP archive (an Excel .xlsx?)", {}),
    "utf16.csv": ("UTF-16", {}),
    "pipe_separated.csv": ("only one column ('x1|x2|label')", {}),
    "single_column.csv": ("only one column ('label')", {}),
    "no_header.csv": ("looks like data, not column names", {}),
    "duplicate_header.csv": ("column name 'x' appears more than once", {}),
    "blank_header.csv": ("Column 2 has no name", {}),
    "ragged_row.csv": ("Line 4 has 4 fields but the header has 3", {}),
    "short_row.csv": ("Line 4 has 2 fields but the header has 3", {}),
    "unclosed_quote.csv": ("Line 3 of the file could not be read", {}),  # where the quote opens
    "non_numeric_feature.csv": ("Feature column 'color' is not numeric (e.g. 'red')", {}),
    "decimal_comma.csv": ("uses decimal commas (e.g. '1,5')", {}),
    "missing_values.csv": ("2 rows have missing values (first on line 3, column 'x2')", {}),
    "missing_question_mark.csv": ("1 row has missing values", {}),
    "all_rows_missing.csv": ("Every row has a missing value", {"drop_missing": True}),
    "infinite_feature.csv": ("Column 'x2' has 1 infinite value (first on line 3)", {}),
    "infinite_target.csv": ("target column 'price' has infinite values", {}),
    "single_class.csv": ("same value ('yes') in every row", {}),
    "constant_target.csv": ("same value ('0.5') in every row", {}),
    "too_many_classes.csv": ("has 25 different labels; classification allows at most 20 classes", {}),
    "too_few_rows.csv": ("only 3 rows of usable data; at least 4", {}),
    "test_part_too_small.csv": ("the test part gets only 1 row", {}),
    "target_not_found.csv": (
        "no column 'price' in the file; the columns are 'x1', 'x2', 'label'", {"target": "price"}
    ),
    # numbers that overflow float64 where they are standardised or squared (upload.MAX_MAGNITUDE)
    "overflow_feature.csv": ("Column 'x3' has values too large to use (e.g. '1.2e308' on line 2)", {}),
    "overflow_target.csv": ("Column 'price' has values too large to use (e.g. '1.7e+200' on line 2)", {}),
    "huge_integer_feature.csv": ("Column 'x2' has values too large to use (e.g. '" + "9" * 40 + "…' on line 3)", {}),
    "huge_integer_target.csv": ("Column 'count' has values too large to use", {}),
    "exponent_overflow.csv": ("Column 'x2' has values too large to use (e.g. '1e999' on line 4)", {}),
    # hostile column names: quoted as repr() quotes them, cut at 40 characters, never a control character
    "markup_link_header.csv": ("Feature column '[x](http://e.com)' is not numeric", {}),
    "markup_math_header.csv": ("The column name '$x$' appears more than once", {}),
    "markup_html_header.csv": ("1 row has missing values (first on line 3, column 'x2')", {}),
    "nul_in_header.csv": ("binary data, not text", {}),
    "ansi_escape_header.csv": ("binary data, not text", {}),
    "long_header.csv": ("Feature column '" + "n" * 40 + "…' is not numeric", {}),
    "quoted_newline_header.csv": ("Feature column 'x\\n2' is not numeric", {}),
    "bidi_override_header.csv": ("Feature column '\\u202ex2' is not numeric", {}),
}


def test_every_bad_file_has_an_expected_message():
    assert {p.name for p in BAD.iterdir()} == set(BAD_FILES)
    assert all(p.stat().st_size < 1024 for p in BAD.iterdir())


@pytest.mark.parametrize("filename", sorted(BAD_FILES))
def test_bad_file_gets_one_specific_sentence(filename):
    phrase, kwargs = BAD_FILES[filename]
    start = time.perf_counter()
    with warnings.catch_warnings(), pytest.raises(DataError) as info:
        warnings.simplefilter("error")  # a numpy overflow warning must not leak to the server log
        parse_csv((BAD / filename).read_bytes(), filename=filename, **kwargs)
    assert time.perf_counter() - start < 2.0
    message = str(info.value)
    assert phrase in message
    assert "\n" not in message and message.endswith(".") and len(message) < 240
    assert "Traceback" not in message and "Error" not in message  # no exception names leak through
    assert message.isprintable()  # no control, bidi-override or NUL character from the file


def test_missing_values_pass_when_the_rows_are_dropped():
    # The same file that fails above becomes usable with the option its error message names.
    data = (BAD / "missing_question_mark.csv").read_bytes()
    assert parse_csv(data, drop_missing=True, train_fraction=0.5).n_features == 2


def test_long_names_are_shortened_in_messages():
    name = "c" * 500
    with pytest.raises(DataError) as info:
        parse_csv(f"{name}\n1\n2\n".encode())
    assert len(str(info.value)) < 240 and "c" * 40 + "…" in str(info.value)


# --- numbers too large to standardise or square -------------------------------------------

def column_csv(values, name="x3", m=30) -> bytes:
    """A feature column cycling through values, a small feature and a two-class label."""
    rows = "".join(f"{i},{values[i % len(values)]},{'ab'[i % 2]}\n" for i in range(m))
    return f"x1,{name},label\n{rows}".encode()


def target_csv(values, m=30) -> bytes:
    """Two small features and a regression target cycling through values (m distinct rows)."""
    rows = "".join(f"{i},{i % 3},{values[i % len(values)] * (1 - i / (2 * m))!r}\n" for i in range(m))
    return f"x1,x2,price\n{rows}".encode()


@pytest.mark.parametrize("values", [
    [1.2e308, -1.5e308, 1e307], [1e200, 2e200], [1.7e308, 1.7e308, 1.7e308, -1.7e308], [1e101, 0.0],
], ids=["near float max", "std overflows", "x - mean overflows", "just past the bound"])
def test_features_too_large_to_standardise_are_refused_naming_the_column(values):
    for standardize in (True, False):  # unticked "Standardise" feeds them raw: squared, they overflow J
        with warnings.catch_warnings(), pytest.raises(DataError, match="Column 'x3' has values too large to use"):
            warnings.simplefilter("error")
            parse_csv(column_csv(values), standardize=standardize)


@pytest.mark.parametrize("values", [[1e200], [-3e150, 1.0], [1e101]])
def test_regression_targets_too_large_for_a_finite_cost_are_refused(values):
    for standardize in (True, False):
        with warnings.catch_warnings(), pytest.raises(DataError, match="Column 'price' has values too large"):
            warnings.simplefilter("error")
            parse_csv(target_csv(values), standardize=standardize)


def test_the_largest_allowed_numbers_give_finite_data_and_a_finite_cost():
    big = upload_module.MAX_MAGNITUDE
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = parse_csv(column_csv([big, -big, big / 3]), standardize=True)
        assert np.isfinite(ds.X_train).all() and np.isfinite(ds.X_test).all()
        raw = parse_csv(target_csv([big, -big / 2]), standardize=False)
        y = np.concatenate([raw.y_train, raw.y_test])
        assert np.isfinite(0.5 * np.mean(y**2)) and np.isfinite(((y - y.mean()) ** 2).sum())  # J at h = 0, R²'s SS


def test_written_infinity_keeps_its_own_message_while_overflow_says_too_large():
    with pytest.raises(DataError, match="has 15 infinite values"):
        parse_csv(column_csv(["-Infinity", 1.0]))
    with pytest.raises(DataError, match="too large to use"):
        parse_csv(column_csv(["-1e400", 1.0]))


def test_whole_huge_targets_with_few_values_are_still_classes():
    # Magnitude does not matter for class labels: y holds indices 0 … k − 1.
    data = b"x1,x2,kind\n" + b"".join(f"{i},{i % 3},{'1e200' if i % 2 else '2e200'}\n".encode() for i in range(12))
    ds = parse_csv(data)
    assert ds.task == "classification" and ds.n_classes == 2


def test_standardisation_that_is_not_finite_is_refused_even_past_the_bound(monkeypatch):
    # The last line of defence behind MAX_MAGNITUDE: without the bound, 1e308 standardises to NaN.
    monkeypatch.setattr(upload_module, "MAX_MAGNITUDE", np.inf)
    with warnings.catch_warnings(), pytest.raises(DataError, match="Column 'x3' cannot be standardised"):
        warnings.simplefilter("error")
        parse_csv(column_csv([1.2e308, -1.5e308, 1e307]))


# --- limits --------------------------------------------------------------------------------

def test_byte_limit():
    with pytest.raises(DataError, match=r"The file is 1\.0 KB; the limit is 1,000 bytes\."):
        parse_csv(b"a,b\n" + b"1,2\n" * 255, limits=CsvLimits(max_bytes=1000))


def test_row_limit():
    data = b"a,b\n" + b"".join(f"{i},{i % 2}\n".encode() for i in range(11))
    assert parse_csv(data, limits=CsvLimits(max_rows=11)).X_train.shape[0] + 3 == 11
    with pytest.raises(DataError, match="more than 10 data rows; the limit is 10"):
        parse_csv(data, limits=CsvLimits(max_rows=10))


def test_column_limit():
    data = b"a,b,c,d\n" + b"1,2,3,0\n4,5,6,1\n7,8,9,0\n1,1,1,1\n"
    assert parse_csv(data, train_fraction=0.5, limits=CsvLimits(max_columns=4)).n_features == 3
    with pytest.raises(DataError, match="has 4 columns; the limit is 3"):
        parse_csv(data, limits=CsvLimits(max_columns=3))


def test_class_limit():
    data = b"x,y,label\n" + b"".join(f"{i},{i},{'abc'[i % 3]}\n".encode() for i in range(9))
    assert parse_csv(data, limits=CsvLimits(max_classes=3)).n_classes == 3
    with pytest.raises(DataError, match="3 different labels; classification allows at most 2 classes"):
        parse_csv(data, limits=CsvLimits(max_classes=2))


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"train_fraction": 0.95}, "between 0.1 and 0.9"),
        ({"seed": -1}, "seed"),
        ({"target": 3}, "must be a column name"),
        ({"limits": {"max_rows": 5}}, "CsvLimits"),
        ({"limits": CsvLimits(max_classes=1)}, "max_classes"),
    ],
)
def test_bad_arguments(kwargs, phrase):
    with pytest.raises(DataError, match=phrase):
        parse_csv(IRIS_LIKE, **kwargs)


def test_non_bytes_upload_is_refused():
    with pytest.raises(DataError, match="must be the file's bytes"):
        parse_csv("a,b\n1,2\n")


# --- fuzz: whatever arrives, the only exception is DataError -------------------------------

def parse_or_data_error(data: bytes) -> None:
    try:
        ds = parse_csv(data)
    except DataError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert np.isfinite(ds.X_train).all() and np.isfinite(ds.X_test).all()
    assert len(ds.X_train) >= 2 and len(ds.X_test) >= 2


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_raise_only_data_error(data):
    parse_or_data_error(data)


CSV_ALPHABET = st.sampled_from(list('0123456789.,;\t\n\r "-+eEinfaNA?xyé') + [",", "\n", "1", "a"])


@settings(max_examples=300, deadline=None)
@given(st.text(CSV_ALPHABET, max_size=300))
def test_csv_like_text_raises_only_data_error(text):
    parse_or_data_error(text.encode())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["1", "2.5", "-3", "", "x", "inf", "NA", '"q"']), min_size=3, max_size=3),
        min_size=1, max_size=12,
    ),
    st.sampled_from([",", ";", "\t"]),
)
def test_grid_shaped_csvs_raise_only_data_error(rows, sep):
    body = "\n".join(sep.join(r) for r in rows)
    parse_or_data_error(f"a{sep}b{sep}c\n{body}\n".encode())
