"""Weights, history and settings out and back in.

The oracle for weights is behaviour: a network that loads an export predicts bit-for-bit what the
exporting network predicts. Every bad file is one row of a table naming the phrase its message
must contain, and every such test also checks the network was not touched. A fuzz test corrupts
good files byte by byte: the only way out is a WeightsError (or, rarely, a still-valid file).
"""
from __future__ import annotations

import bz2
import io
import json
import lzma
import pickle
import struct
import sys
import time
import tracemalloc
import zipfile
import zlib
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
    "zip bomb": (lambda net: zip_bomb(net), "W1.npy unpacks to 12.8 MB, more than the 1.2 kB this network's"),
    "empty": (lambda net: b"", "the file is empty"),
    "oversized": (lambda net: b" " * (MAX_WEIGHTS_BYTES + 1), "too large; a weights file may be at most 2 MB"),
    "settings file": (lambda net: config_json(CFG), "holds settings, not weights"),
    "newer version": (lambda net: edited_json(net, lambda d: d.update(version=2)), "newer version"),
}


def zip_bomb(net) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **good_arrays(net) | {"W1": np.zeros((4, 400_000))})  # 12.8 MB of zeros in a few kB
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


# ----------------------------------------------------------------- hostile archives
# Zips written byte by byte, so that they can lie: about sizes, names, counts and compression.
# Each must be refused with one sentence, in bounded memory and time, before any bomb goes off.
MEMORY_BOUND = 16_000_000  # tracemalloc peak while loading; the bombs below unpack to 64 MB … 1 GB
MiB = 1 << 20


def npy_bytes(shape, descr="<f8", data: bytes | None = None) -> bytes:
    """A .npy file: the header np.save writes for this shape and type, then data (zeros by default)."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    size = int(np.prod(shape)) * np.dtype(descr).itemsize
    return buf.getvalue() + (bytes(size) if data is None else data)


def deflated_zeros(prefix: bytes, n_zeros: int) -> bytes:
    """Raw deflate of prefix + n_zeros zero bytes, built in milliseconds: a fully flushed block of
    1 MiB of zeros is byte-aligned and history-free, so it can simply be repeated (≈ 1 kB per MiB)."""
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = body.compress(bytes(MiB)) + body.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    return (head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH) + segment * (n_zeros // MiB)
            + tail.compress(bytes(n_zeros % MiB)) + tail.flush())


def entry(name: str, content: bytes, method=zipfile.ZIP_STORED, *, packed: bytes | None = None,
          declared: int | None = None, crc: int | None = None) -> tuple:
    """One zip entry; packed, declared (uncompressed size) and crc default to the honest values."""
    if packed is None:
        packed = content if method == zipfile.ZIP_STORED else deflated_zeros(content, 0)
    return (name.encode(), method, packed, zlib.crc32(content) if crc is None else crc,
            len(content) if declared is None else declared)


def raw_zip(entries: list[tuple], *, count: int | None = None) -> bytes:
    """The archive, with its directory as given: duplicate names, lying sizes and counts included."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, method, packed, crc, declared in entries:
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(packed), declared,
                              len(name), 0) + name + packed)
        directory.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(packed),
                                    declared, len(name), 0, 0, 0, 0, 0, offset) + name)
    n = len(entries) if count is None else count
    cd = directory.getvalue()
    return out.getvalue() + cd + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(cd), out.tell(), 0)


def good_entries(net, **replace: tuple) -> list[tuple]:
    """Entries holding net's own arrays, stored as np.savez stores them, with some replaced."""
    arrays = good_arrays(net)
    return [replace.get(key) or entry(f"{key}.npy", npy_bytes(a.shape, data=a.tobytes())) for key, a in arrays.items()]


def refused(data: bytes, net, phrase: str, seconds: float = 2.0) -> str:
    """Load data into net; assert one WeightsError sentence with phrase, peak memory and time bounded."""
    before = snapshot(net)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(WeightsError) as info:
            load_weights(data, "bomb.npz", net)
    finally:
        elapsed, peak = time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    message = str(info.value)
    assert phrase in message, message
    assert message.startswith("bomb.npz: ") and message.endswith(".") and message.count(". ") == 0
    assert peak < MEMORY_BOUND, f"peak {peak / 1e6:.0f} MB"
    assert elapsed < seconds, f"{elapsed:.1f} s"
    assert_untouched(net, before)
    return message


def test_raw_zip_writes_archives_numpy_reads():
    net = fresh()
    W, b = load_weights(raw_zip(good_entries(net)), "w.npz", net)
    assert all(np.array_equal(x, y) for x, y in zip(W + b, net.W + net.b, strict=True))
    deflated = entry("W1.npy", npy_bytes((4, 2)), zipfile.ZIP_DEFLATED)
    assert np.array_equal(load_weights(raw_zip(good_entries(net, W1=deflated)), "w.npz", net)[0][0], np.zeros((4, 2)))


def test_many_big_entries_are_refused_by_count_before_any_is_unpacked():
    # The reported file: hundreds of W/b pairs, each a few MB of zeros packed into a few kB.
    member = npy_bytes((237_500,))  # 1.9 MB, just under the old per-entry limit
    packed = deflated_zeros(member[:128], len(member) - 128)
    entries = [entry(f"{k}{l}.npy", b"", zipfile.ZIP_DEFLATED, packed=packed, declared=len(member),
                     crc=zlib.crc32(member)) for l in range(1, 21) for k in "Wb"]
    refused(raw_zip(entries), fresh(), "holds more entries than a weights file (at most 19)")
    # The end record may understate the count; zipfile reads the directory itself, so it is counted again.
    refused(raw_zip(entries, count=3), fresh(), "holds 40 entries; a weights file has at most 19")


def test_tens_of_thousands_of_empty_entries_are_refused_before_zipfile_parses_them():
    entries = [entry(f"{i}", b"") for i in range(20_000)]  # 1.7 MB, inside the upload limit
    refused(raw_zip(entries), fresh(), "holds more entries than a weights file", seconds=0.2)


def test_a_gigabyte_declared_for_one_array_is_refused_unread():
    net = fresh()
    member_size = 1 << 30
    bomb = entry("W1.npy", b"", zipfile.ZIP_DEFLATED, packed=deflated_zeros(npy_bytes((4, 2))[:128], member_size),
                 declared=member_size + 128, crc=0)
    data = raw_zip(good_entries(net, W1=bomb))
    assert len(data) < MAX_WEIGHTS_BYTES  # inside the upload limit
    refused(data, net, "W1.npy unpacks to 1073.7 MB, more than the 1.2 kB this network's array needs")


def test_a_size_that_lies_in_the_directory_cannot_unpack_the_bomb():
    # The directory says 192 bytes (a (4, 2) array); the stream holds a gigabyte of zeros.
    net = fresh()
    honest = npy_bytes((4, 2))
    bomb = entry("W1.npy", b"", zipfile.ZIP_DEFLATED, packed=deflated_zeros(honest, 1 << 30),
                 declared=len(honest), crc=zlib.crc32(honest) ^ 1)
    refused(raw_zip(good_entries(net, W1=bomb)), net, "damaged or cut off")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_compressions_numpy_never_writes_are_refused_unread(method):
    # zipfile unpacks a bzip2 or lzma chunk whole, not up to a limit: 79 bytes of bzip2 are 64 MB.
    net = fresh()
    packer = bz2.BZ2Compressor(9) if method == zipfile.ZIP_BZIP2 else None
    if packer is not None:
        packed = packer.compress(npy_bytes((4, 2))) + b"".join(packer.compress(bytes(MiB)) for _ in range(64))
        packed += packer.flush()
    else:
        packed = b"\x09\x04\x05\x00" + lzma.compress(bytes(MiB), format=lzma.FORMAT_RAW,
                                                  filters=[{"id": lzma.FILTER_LZMA1}])[:200]
    bomb = entry("W1.npy", b"", method, packed=packed, declared=192, crc=0)
    refused(raw_zip(good_entries(net, W1=bomb)), net, "W1.npy is packed in a way NumPy's savez never packs weights")


@pytest.mark.parametrize(("names", "phrase"), [
    (["W1.npy/"], "unexpected entry 'W1.npy/'"),  # a directory
    (["../W1.npy"], "unexpected entry '../W1.npy'"),
    (["W01.npy"], "unexpected entry 'W01.npy'"),
    (["W1.npy"], "entry 'W1.npy' more than once"),  # zipfile would read only the last of the two
    (["sizes.npy", "sizes.npy"], "entry 'sizes.npy' more than once"),
], ids=["directory", "path", "zero-padded", "duplicate", "duplicate sizes"])
def test_entries_other_than_this_networks_arrays_are_refused_by_name(names, phrase):
    net = fresh()
    extra = [entry(name, npy_bytes((4,), "<i8")) for name in names]
    refused(raw_zip([*good_entries(net), *extra]), net, phrase)


def test_a_header_asking_for_more_numbers_than_the_entry_holds_is_refused_before_numpy_allocates():
    # NumPy allocates the array a header describes before reading it: here 1.6 GB for 64 bytes.
    net = fresh()
    liar = entry("W1.npy", npy_bytes((4, 50_000_000), data=bytes(64)))
    refused(raw_zip(good_entries(net, W1=liar)), net, "W1 is cut off; it holds fewer numbers than its header says")


@pytest.mark.parametrize(("content", "phrase"), [
    (pickle.dumps([[0.5, 0.5]] * 4), "W1 is not a NumPy array"),
    (npy_bytes((4, 2), "|O", data=pickle.dumps(np.zeros(8, dtype=object))), "holds Python objects"),
    (b"PK\x03\x04" + bytes(100), "W1 is not a NumPy array"),  # an archive inside the archive
    (npy_bytes((4, 2))[:40], "holds an array NumPy cannot read"),  # the header cut short
], ids=["pickle", "object array", "nested zip", "cut header"])
def test_entries_that_are_not_plain_numeric_arrays_are_refused_unloaded(content, phrase):
    net = fresh()
    refused(raw_zip(good_entries(net, W1=entry("W1.npy", content))), net, phrase)


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
