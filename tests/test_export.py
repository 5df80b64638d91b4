"""Weights, history and settings out and back in.

The oracle for weights is behaviour: a network that loads an export predicts bit-for-bit what the
exporting network predicts. Every bad file is one row of a table naming the phrase its message
must contain, and every such test also checks the network was not touched. A fuzz test corrupts
good files byte by byte: the only way out is a WeightsError (or, rarely, a still-valid file).
"""
from __future__ import annotations

import io
import json
import sys
import zipfile
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground import Network
from playground import config as C
from playground.experiment import new_run
from playground.export import (
    MAX_WEIGHTS_BYTES,
    SettingsError,
    WeightsError,
    config_from_json,
    config_json,
    history_csv,
    load_weights,
    weights_json,
    weights_npz,
)
from playground.history import COLUMNS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_share import DATASETS, configs  # noqa: E402  (one strategy for the config space)

CFG = C.replace(C.DEFAULT, n_points=100, hidden=(4, 3), alpha=0.3)


@pytest.fixture(scope="module")
def trained():
    """A run a few epochs in, so no bias is zero and the weights are its own."""
    run = new_run(CFG)
    for _ in range(5):
        run.run_epoch()
    return run


def fresh(cfg=CFG, seed=99):
    """A network of the same architecture with other weights: the one a file is loaded into."""
    return new_run(C.replace(cfg, seed=seed)).net


def snapshot(net):
    return net.W, net.b, [w.tobytes() for w in net.W + net.b]


def assert_untouched(net, before):
    W, b, data = before
    assert net.W is W and net.b is b, "the network's lists were replaced"
    assert [w.tobytes() for w in net.W + net.b] == data, "the network's values changed"


# ----------------------------------------------------------------- round trip
@pytest.mark.parametrize("kind", ["json", "npz"])
def test_export_then_import_predicts_identically(trained, kind):
    src = trained.net
    data = weights_json(src, CFG) if kind == "json" else weights_npz(src)
    dst = fresh()
    X = trained.data.X_test
    assert not np.array_equal(dst.predict(X), src.predict(X))
    W, b = load_weights(data, f"weights.{kind}", dst)
    dst.W, dst.b = W, b
    assert np.array_equal(dst.predict(X), src.predict(X))
    for got, want in zip(W + b, src.W + src.b, strict=True):
        assert got.dtype == np.float64 and got.flags.c_contiguous and got.flags.writeable
        assert got.tobytes() == want.tobytes()
        assert not np.shares_memory(got, want)


def test_weights_json_is_in_the_texts_notation(trained):
    net = trained.net
    doc = json.loads(weights_json(net, CFG))
    assert doc["sizes"] == [2, 4, 3, 1] and doc["loss"] == "squared"
    assert doc["activations"] == {"2": "tanh", "3": "tanh", "4": "tanh"}
    assert [layer["l"] for layer in doc["layers"]] == [1, 2, 3]
    second = doc["layers"][1]
    assert second["names"] == ["W^(2)", "b^(2)"] and second["shape"] == [3, 4]  # (s_3, s_2)
    assert np.array(second["W"]).shape == (3, 4) and second["W"] == net.W[1].tolist()
    assert second["b"] == net.b[1].tolist()
    assert doc["config"] == json.loads(json.dumps(asdict(CFG)))


def test_weights_npz_names_arrays_by_layer(trained):
    with np.load(io.BytesIO(weights_npz(trained.net)), allow_pickle=False) as npz:
        assert sorted(npz.files) == ["W1", "W2", "W3", "b1", "b2", "b3", "sizes"]
        assert npz["sizes"].tolist() == [2, 4, 3, 1] and npz["sizes"].dtype.kind == "i"
        assert np.array_equal(npz["W2"], trained.net.W[1])


def test_largest_network_fits_the_size_limit():
    sizes = [64, *[C.MAX_NEURONS] * C.MAX_HIDDEN_LAYERS, 10]  # digits through the widest, deepest network
    net = Network(sizes, activation="tanh", loss="cross_entropy", seed=0)
    assert len(weights_json(net, C.DEFAULT)) < MAX_WEIGHTS_BYTES / 4
    assert len(weights_npz(net)) < MAX_WEIGHTS_BYTES / 4


# ----------------------------------------------------------------- bad files
def npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # allow_pickle defaults to True when saving: object arrays get written
    return buf.getvalue()


def good_arrays(net) -> dict:
    return {**{f"W{l}": W for l, W in enumerate(net.W, 1)}, **{f"b{l}": b for l, b in enumerate(net.b, 1)}}


def edited_json(net, edit) -> bytes:
    doc = json.loads(weights_json(net, CFG))
    edit(doc)
    return json.dumps(doc).encode()


def zip_of(**members: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def set_value(doc, value):
    doc["layers"][0]["W"][0][0] = value


def raw_value(net, text: bytes) -> bytes:
    """The weights JSON with W^(1)_11 written as text, which json.dumps would not write."""
    return edited_json(net, lambda d: set_value(d, "HERE")).replace(b'"HERE"', text)


BAD_FILES = {
    # name: (builder(net of CFG) -> bytes, phrase the message must contain)
    "other depth json": (lambda net: weights_json(fresh(C.replace(CFG, hidden=(4,))), CFG),
                         "has 2 weight layers, but this network has 3 (the file is for sizes [2, 4, 1]"),
    "other width json": (lambda net: weights_json(fresh(C.replace(CFG, hidden=(5, 3))), CFG),
                         "W^(1) has shape (5, 2), but this network needs (4, 2)"),
    "other width npz": (lambda net: weights_npz(fresh(C.replace(CFG, hidden=(4, 2)))),
                        "W^(2) has shape (2, 4), but this network needs (3, 4)"),
    "other depth npz": (lambda net: weights_npz(fresh(C.replace(CFG, hidden=(4, 3, 2)))),
                        "has 4 weight layers, but this network has 3"),
    "bias too short": (lambda net: edited_json(net, lambda d: d["layers"][2]["b"].clear()),
                       "b^(3) has shape (0,), but this network needs (1,)"),
    "truncated json": (lambda net: weights_json(net, CFG)[:500], "not valid JSON (line 1, column"),
    "json list": (lambda net: b"[1, 2, 3]", "not a weights file"),
    "layers not a list": (lambda net: b'{"layers": 5}', "not a weights file"),
    "layer without b": (lambda net: b'{"layers": [{"W": [[1]]}]}', "layer 1 of \"layers\" needs both"),
    "layers out of order": (lambda net: edited_json(net, lambda d: d["layers"].reverse()), "says it is l = 3"),
    "strings for numbers": (lambda net: edited_json(net, lambda d: set_value(d, "0.5")), "other than numbers"),
    "booleans for numbers": (lambda net: edited_json(net, lambda d: set_value(d, True)), "other than numbers"),
    "nested too deep": (lambda net: edited_json(net, lambda d: set_value(d, [0.5])), "other than numbers"),
    "ragged rows": (lambda net: edited_json(net, lambda d: d["layers"][0]["W"][1].append(0.0)), "rectangular"),
    "W not a table": (lambda net: edited_json(net, lambda d: d["layers"][0].update(W=3)), "W^(1) is not a table"),
    "NaN in json": (lambda net: raw_value(net, b"NaN"), "NaN or infinite"),
    "Infinity in json": (lambda net: b'{"layers": [{"W": [[-Infinity]], "b": [0]}]}', "NaN or infinite"),
    "overflow to inf": (lambda net: raw_value(net, b"-1e999"), "W^(1) contains NaN or infinite"),
    "huge integer": (lambda net: raw_value(net, b"9" * 400), "too large for a weight"),
    "integer of 5000 digits": (lambda net: raw_value(net, b"9" * 5000), "too unusual"),
    "NaN in npz": (lambda net: npz(**good_arrays(net) | {"b2": np.full(3, np.nan)}), "b^(2) contains NaN"),
    "object npz": (lambda net: npz(**good_arrays(net) | {"W1": np.array([[0.1, "x"]] * 4, dtype=object)}),
                   "Python objects"),
    "bool npz": (lambda net: npz(**good_arrays(net) | {"b1": np.ones(4, dtype=bool)}), "bool values"),
    "complex npz": (lambda net: npz(**good_arrays(net) | {"W1": net.W[0] + 1j}), "complex128 values"),
    "text npz": (lambda net: npz(**good_arrays(net) | {"sizes": np.array(["2", "4"])}), "not real numbers"),
    "missing bias npz": (lambda net: npz(**{k: v for k, v in good_arrays(net).items() if k != "b2"}), "has no b2"),
    "extra entry npz": (lambda net: npz(**good_arrays(net), extra=np.zeros(3)), "unexpected entry 'extra.npy'"),
    "random bytes": (lambda net: np.random.default_rng(0).bytes(300), "neither JSON text nor a NumPy .npz"),
    "random zip-like bytes": (lambda net: b"PK" + np.random.default_rng(1).bytes(300), "damaged or cut off"),
    "truncated npz": (lambda net: weights_npz(net)[:-200], "damaged or cut off"),
    "zip not npz": (lambda net: zip_of(**{"readme.txt": b"hello", "data.csv": b"1,2"}), "not a NumPy .npz"),
    "zip bomb": (lambda net: zip_bomb(), "unpacks to more than"),
    "empty": (lambda net: b"", "the file is empty"),
    "oversized": (lambda net: b" " * (MAX_WEIGHTS_BYTES + 1), "too large; a weights file may be at most 2 MB"),
    "settings file": (lambda net: config_json(CFG), "holds settings, not weights"),
    "newer version": (lambda net: edited_json(net, lambda d: d.update(version=2)), "newer version"),
}


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, W1=np.zeros((4, 400_000)))  # 12.8 MB of zeros in a few kB
    data = buf.getvalue()
    assert len(data) < MAX_WEIGHTS_BYTES
    return data


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_gets_its_message_and_leaves_the_net_untouched(case):
    build, phrase = BAD_FILES[case]
    net = fresh()
    data = build(net)
    before = snapshot(net)
    with pytest.raises(WeightsError) as info:
        load_weights(data, "upload.bin", net)
    message = str(info.value)
    assert phrase in message, message
    assert message.startswith("upload.bin: ") and message.endswith(".") and message.count(". ") == 0
    assert_untouched(net, before)


def test_size_limit_is_the_callers():
    net = fresh()
    data = weights_json(net, CFG)
    with pytest.raises(WeightsError, match="too large"):
        load_weights(data, "w.json", net, max_bytes=len(data) - 1)
    assert len(load_weights(data, "w.json", net, max_bytes=len(data))[0]) == 3


def test_filename_is_shown_without_markup():
    with pytest.raises(WeightsError) as info:
        load_weights(b"", "[x](http://evil.example)\n.json", fresh())
    assert "[" not in str(info.value) and "\n" not in str(info.value)


def test_int_and_float32_arrays_are_read_as_float64(trained):
    net = trained.net
    arrays = {k: v.astype(np.float32) for k, v in good_arrays(net).items()}
    arrays["b1"] = np.array([1, -2, 3, 0], dtype=np.int16)
    W, b = load_weights(npz(**arrays), "w.npz", fresh())
    assert all(a.dtype == np.float64 for a in W + b)
    assert b[0].tolist() == [1.0, -2.0, 3.0, 0.0]
    assert np.array_equal(W[1], net.W[1].astype(np.float32).astype(np.float64))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["json", "npz"]), cut=st.integers(0, 10_000),
       flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6))
def test_corrupted_files_never_raise_anything_but_a_weights_error(kind, cut, flips):
    net = fresh()
    data = bytearray(weights_json(net, CFG) if kind == "json" else weights_npz(net))
    for pos, byte in flips:
        data[pos % len(data)] = byte
    data = bytes(data[: max(1, len(data) - cut)])
    before = snapshot(net)
    try:
        W, b = load_weights(data, "w", net)
    except WeightsError:
        pass
    else:  # a corruption that still reads must still be exactly the right shapes, all finite
        assert [w.shape for w in W + b] == [w.shape for w in net.W + net.b]
        assert all(np.isfinite(w).all() for w in W + b)
    assert_untouched(net, before)


# ----------------------------------------------------------------- history
def test_history_csv_has_one_row_per_epoch_and_the_metric_by_name(trained):
    df = pd.read_csv(io.BytesIO(history_csv(trained)))
    metric_columns = ["accuracy_train", "accuracy_test"]
    assert list(df.columns) == [*COLUMNS[:5], *metric_columns]
    cols = trained.history.columns()
    assert df["epoch"].tolist() == [0, 1, 2, 3, 4, 5] and df["epoch"].dtype.kind == "i"
    for name, source in zip(df.columns[1:], COLUMNS[1:], strict=True):
        assert np.array_equal(df[name].to_numpy(), cols[source], equal_nan=True), name


def test_history_csv_of_a_regression_names_r2():
    run = new_run(C.replace(CFG, dataset="plane"))
    run.step()
    df = pd.read_csv(io.BytesIO(history_csv(run)))
    assert list(df.columns[-2:]) == ["R²_train", "R²_test"] and len(df) == 2


# ----------------------------------------------------------------- settings
@settings(max_examples=200, deadline=None)
@given(cfg=configs())
def test_settings_json_round_trips(cfg):
    assert config_from_json(config_json(cfg), DATASETS) == (cfg, [])


def test_weights_json_also_carries_its_settings(trained):
    assert config_from_json(weights_json(trained.net, CFG), DATASETS) == (CFG, [])


def test_bad_settings_fall_back_one_by_one_with_warnings():
    fields = {"alpha": "fast", "hidden": [4, 100], "noise": 0.9, "n_points": 500.0, "features": [["x1"]],
              "lam": 0.05, "seed": 12, "activation": {"f": 1}, "bogus": 1, "layer_activations": ["relu"]}
    data = json.dumps({"format": "backprop-playground-settings", "config": fields}).encode()
    cfg, warnings = config_from_json(data, DATASETS)
    assert cfg == C.replace(C.DEFAULT, lam=0.03, seed=12)
    named = sorted(w.split(":")[0].split(" ")[-1] for w in warnings)
    assert named == sorted(["'bogus'", "alpha", "hidden", "noise", "n_points", "features", "lam", "activation",
                            "layer_activations"])
    assert all(len(w) <= 200 and "[" not in w for w in warnings)


@pytest.mark.parametrize(("data", "phrase"), [
    (b"", "empty"),
    (b'{"format": "backprop-playground-settings", "config": {"alpha": 0.1', "not valid JSON"),
    (b"\xff\xfe\x00", "not valid JSON"),
    (b'{"format": "backprop-playground-settings", "config": {"alpha": NaN}}', "NaN"),
    (b'{"format": "backprop-playground-settings"}', "no \"config\""),
    (b'{"config": {"alpha": 0.1}}', "not a settings file"),
    (b"[" * 100_001, "larger than"),
    (b"[" * 50_000, "not valid JSON"),
], ids=["empty", "cut off", "not utf-8", "NaN", "no config", "no format", "oversized", "deep"])
def test_unreadable_settings_file_is_refused_in_one_sentence(data, phrase):
    with pytest.raises(SettingsError, match=phrase):
        config_from_json(data, DATASETS)
