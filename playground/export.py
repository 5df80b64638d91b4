"""Files out and back in: weights (JSON or NPZ), the training history (CSV), the settings (JSON).

Weights are written in the text's notation: layer l's W^(l) has shape (s_{l+1}, s_l) and b^(l)
has s_{l+1} entries, with l counted from 1 at the input (``net.W[l - 1]`` is W^(l)).

Reading is the untrusted direction. ``load_weights`` checks a file completely before it returns
anything — size, format, every layer's shape against the network it is meant for, numbers only,
all finite — and raises :class:`WeightsError` with one sentence for the user otherwise. It
returns new arrays and never touches the network, so a refused file leaves the run as it was.
NPZ files are read with ``allow_pickle=False``: an archive of Python objects is refused, not run.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from dataclasses import asdict

import numpy as np
import pandas as pd

from . import share
from .config import Config
from .network import Network

WEIGHTS_FORMAT = "backprop-playground-weights"
CONFIG_FORMAT = "backprop-playground-settings"
VERSION = 1
MAX_WEIGHTS_BYTES = 2_000_000  # the largest network the sidebar allows needs about 0.2 MB as JSON
MAX_CONFIG_BYTES = 100_000

_NPZ_MEMBER = re.compile(r"([Wb])([1-9]\d{0,2})\.npy")


class WeightsError(ValueError):
    """A weights file that cannot be loaded into this network; the message is one sentence for the user."""


class SettingsError(ValueError):
    """A settings file that cannot be read at all (a bad field only gives a warning)."""


# ------------------------------------------------------------------------ out
def weights_json(net: Network, cfg: Config) -> bytes:
    """The weights and biases per layer, labelled as in the text, with the network's shape and settings."""
    layers = [
        {
            "l": l,
            "names": [f"W^({l})", f"b^({l})"],
            "shape": [net.sizes[l], net.sizes[l - 1]],  # (s_{l+1}, s_l)
            "W": net.W[l - 1].tolist(),
            "b": net.b[l - 1].tolist(),
        }
        for l in range(1, net.n_l)
    ]
    doc = {
        "format": WEIGHTS_FORMAT,
        "version": VERSION,
        "notation": "Layers l = 1 (input) … n_l (output); W^(l) maps layer l to l+1, shape (s_{l+1}, s_l).",
        "sizes": list(net.sizes),
        "activations": {str(l): net.f[l].name for l in range(2, net.n_l + 1)},  # f at layer l
        "loss": net.loss.name,
        "layers": layers,
        "config": asdict(cfg),
    }
    return json.dumps(doc, allow_nan=False, ensure_ascii=False).encode("utf-8")


def weights_npz(net: Network) -> bytes:
    """The arrays W1, b1, W2, … (W<l> is W^(l)) and ``sizes``, as a NumPy .npz archive."""
    arrays = {"sizes": np.asarray(net.sizes, dtype=np.int64)}
    for l in range(1, net.n_l):
        arrays[f"W{l}"] = net.W[l - 1]
        arrays[f"b{l}"] = net.b[l - 1]
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def history_csv(run) -> bytes:
    """One row per recorded epoch: J and its parts, the test cost, and the metric on both sets."""
    df = pd.DataFrame(run.history.columns())
    df["epoch"] = df["epoch"].astype(np.int64)
    m = run.metric_name
    df = df.rename(columns={"metric_train": f"{m}_train", "metric_test": f"{m}_test"})
    return df.to_csv(index=False).encode("utf-8")


def config_json(cfg: Config) -> bytes:
    doc = {"format": CONFIG_FORMAT, "version": VERSION, "config": asdict(cfg)}
    return json.dumps(doc, indent=2, allow_nan=False, ensure_ascii=False).encode("utf-8")


# ------------------------------------------------------------------------ back in
def load_weights(
    data: bytes, filename: str, net: Network, max_bytes: int = MAX_WEIGHTS_BYTES
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(W, b) read from a JSON or NPZ weights file (told apart by content) and checked against net.

    Returns float64 copies shaped exactly as net.W and net.b; the caller assigns them.
    Raises WeightsError, with one sentence naming the file and what is wrong, otherwise.
    """
    name = share.plain(str(filename), 60) or "The file"
    if not isinstance(data, bytes | bytearray | memoryview):
        raise WeightsError(f"{name}: the upload could not be read.")
    data = bytes(data)
    if not data:
        raise WeightsError(f"{name}: the file is empty.")
    if len(data) > max_bytes:
        size, limit = len(data) / 1e6, max_bytes / 1e6
        raise WeightsError(f"{name}: {size:.1f} MB is too large; a weights file may be at most {limit:g} MB.")
    if data[:2] == b"PK":  # a zip archive, as every .npz is
        W, b, file_sizes = _read_npz(data, name, max_bytes)
    else:
        W, b, file_sizes = _read_json(data, name)
    return _checked(W, b, name, net, file_sizes)


def _read_json(data: bytes, name: str) -> tuple[list, list, list | None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WeightsError(f"{name}: neither JSON text nor a NumPy .npz archive.") from None
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except _NonFinite:
        raise WeightsError(f"{name}: contains NaN or infinite values; every weight must be a finite number.") from None
    except json.JSONDecodeError as err:
        raise WeightsError(
            f"{name}: not valid JSON (line {err.lineno}, column {err.colno}); it may be cut off."
        ) from None
    except (ValueError, RecursionError):  # e.g. an integer thousands of digits long, or nesting thousands deep
        raise WeightsError(f"{name}: JSON too unusual to be a weights file.") from None
    if isinstance(doc, dict) and doc.get("format", WEIGHTS_FORMAT) != WEIGHTS_FORMAT:
        what = "settings" if doc.get("format") == CONFIG_FORMAT else "something other than weights"
        raise WeightsError(f"{name}: holds {what}, not weights.")
    if not isinstance(doc, dict) or not isinstance(doc.get("layers"), list):
        raise WeightsError(f"{name}: JSON, but not a weights file (no list of \"layers\").")
    version = doc.get("version", VERSION)
    if not isinstance(version, int) or version > VERSION:
        shown = share.plain(str(version), 20)
        raise WeightsError(f"{name}: written by a newer version of the playground (format {shown}).")
    W, b = [], []
    for k, layer in enumerate(doc["layers"], start=1):
        if not isinstance(layer, dict) or "W" not in layer or "b" not in layer:
            raise WeightsError(f"{name}: layer {k} of \"layers\" needs both \"W\" and \"b\".")
        if layer.get("l", k) != k:
            raise WeightsError(f"{name}: layer {k} of \"layers\" says it is l = {share.plain(str(layer['l']), 20)}.")
        W.append(layer["W"])
        b.append(layer["b"])
    return W, b, doc.get("sizes")


def _read_npz(data: bytes, name: str, max_bytes: int) -> tuple[list, list, list | None]:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise WeightsError(f"{name}: a zip archive, but damaged or cut off.") from None
    found: dict[tuple[str, int], str] = {}
    for info in members:
        match = _NPZ_MEMBER.fullmatch(info.filename)
        if info.filename != "sizes.npy" and not match:
            if not any(m.filename.endswith(".npy") for m in members):
                raise WeightsError(f"{name}: a zip archive, but not a NumPy .npz of weights.")
            raise WeightsError(f"{name}: holds an unexpected entry {share.plain(info.filename, 40)!r}.")
        if info.file_size > max_bytes:  # a small archive must not unpack into a huge array
            raise WeightsError(f"{name}: unpacks to more than {max_bytes / 1e6:g} MB.")
        if match:
            found[match[1], int(match[2])] = info.filename[:-4]
    n_layers = max((l for _, l in found), default=0)
    for l in range(1, n_layers + 1):
        for kind in "Wb":
            if (kind, l) not in found:
                raise WeightsError(f"{name}: has no {kind}{l}; it needs W1, b1, W2, b2, … for every layer.")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except ValueError as err:
        if "pickle" in str(err) or "Object arrays" in str(err):
            raise WeightsError(f"{name}: holds Python objects, not numbers; only numeric arrays are read.") from None
        raise WeightsError(f"{name}: holds an array NumPy cannot read.") from None
    except (OSError, EOFError, KeyError, NotImplementedError, RuntimeError, MemoryError, zipfile.BadZipFile,
            zlib.error):
        raise WeightsError(f"{name}: a zip archive, but damaged or cut off.") from None
    for key, arr in arrays.items():
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "iuf":
            kind = arr.dtype if isinstance(arr, np.ndarray) else "raw bytes"
            raise WeightsError(f"{name}: {key} holds {kind} values, not real numbers.")
    W = [arrays[found["W", l]] for l in range(1, n_layers + 1)]
    b = [arrays[found["b", l]] for l in range(1, n_layers + 1)]
    sizes = arrays.get("sizes")
    return W, b, sizes.tolist() if sizes is not None and sizes.ndim == 1 and sizes.size <= 20 else None


def _checked(W: list, b: list, name: str, net: Network, file_sizes) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """W and b as float64 arrays, if they are finite numbers in exactly net's shapes; else WeightsError."""
    hint = ""
    if (isinstance(file_sizes, list) and len(file_sizes) <= 20 and all(type(s) is int for s in file_sizes)
            and file_sizes != list(net.sizes)):
        hint = f" (the file is for sizes {file_sizes}, this network has {list(net.sizes)})"
    n = net.n_l - 1
    if len(W) != n:
        raise WeightsError(
            f"{name}: has {len(W)} weight layer{'s' * (len(W) != 1)}, but this network has {n}{hint}."
        )
    W_new, b_new = [], []
    for l in range(1, n + 1):
        W_new.append(_array(W[l - 1], f"W^({l})", (net.sizes[l], net.sizes[l - 1]), name, hint))  # (s_{l+1}, s_l)
        b_new.append(_array(b[l - 1], f"b^({l})", (net.sizes[l],), name, hint))
    return W_new, b_new


def _array(value, label: str, shape: tuple[int, ...], name: str, hint: str) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        value = _from_lists(value, label, len(shape), name)
    if value.shape != shape:
        raise WeightsError(
            f"{name}: {label} has shape {_shape(value.shape)}, but this network needs {_shape(shape)}{hint}."
        )
    arr = np.array(value, dtype=np.float64, order="C", copy=True)
    if not np.isfinite(arr).all():
        raise WeightsError(f"{name}: {label} contains NaN or infinite values; every weight must be finite.")
    return arr


def _from_lists(value, label: str, ndim: int, name: str) -> np.ndarray:
    """A JSON vector (ndim 1) or table of rows (ndim 2) of plain numbers as an array, or WeightsError."""
    rows = value if ndim == 2 else [value]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise WeightsError(f"{name}: {label} is not a {'table' if ndim == 2 else 'list'} of numbers.")
    if len({len(r) for r in rows}) > 1:
        raise WeightsError(f"{name}: {label} is not a rectangular table; its rows have different lengths.")
    if not all(type(x) in (int, float) for r in rows for x in r):
        raise WeightsError(f"{name}: {label} holds something other than numbers.")
    try:
        arr = np.array(rows, dtype=np.float64)
    except OverflowError:
        raise WeightsError(f"{name}: {label} holds numbers too large for a weight.") from None
    if ndim == 1:
        return arr[0]
    return arr if arr.ndim == 2 else arr.reshape(0, 0)  # [] gives shape (0,)


def _shape(shape: tuple[int, ...]) -> str:
    return str(tuple(int(s) for s in shape))


class _NonFinite(ValueError):
    pass


def _refuse_constant(token: str):
    raise _NonFinite(token)


def config_from_json(data: bytes, datasets: tuple[str, ...]) -> tuple[Config, list[str]]:
    """The settings in a settings (or weights) JSON file, checked as a link is: bad fields fall back with a warning.

    Raises SettingsError, with one sentence, if the file is not a settings file at all.
    """
    if not isinstance(data, bytes | bytearray | memoryview) or not data:
        raise SettingsError("The settings file is empty.")
    if len(data) > MAX_CONFIG_BYTES:
        raise SettingsError(f"The settings file is larger than {MAX_CONFIG_BYTES // 1000} kB; settings need far less.")
    try:
        doc = json.loads(bytes(data).decode("utf-8-sig"), parse_constant=_refuse_constant)
    except _NonFinite:
        raise SettingsError("The settings file contains NaN or infinite values.") from None
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise SettingsError("The settings file is not valid JSON; it may be cut off.") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("config"), dict):
        raise SettingsError("The file is JSON but holds no \"config\" of settings.")
    if doc.get("format") not in (CONFIG_FORMAT, WEIGHTS_FORMAT):
        raise SettingsError("The file is JSON but not a settings file of the playground.")
    return share.from_fields(doc["config"], datasets)


__all__ = [
    "WeightsError", "SettingsError", "weights_json", "weights_npz", "load_weights", "history_csv",
    "config_json", "config_from_json",
]
