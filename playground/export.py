"""Files out and back in: weights (JSON or NPZ), the training history (CSV), the settings (JSON).

Weights are written in the text's notation: layer l's W^(l) has shape (s_{l+1}, s_l) and b^(l)
has s_{l+1} entries, with l counted from 1 at the input (``net.W[l - 1]`` is W^(l)).

Reading is the untrusted direction. ``load_weights`` checks a file completely before it returns
anything — size, format, every layer's shape against the network it is meant for, numbers only,
all finite — and raises :class:`WeightsError` with one sentence for the user otherwise. It
returns new arrays and never touches the network, so a refused file leaves the run as it was.

An NPZ is a zip archive, and a zip can declare small sizes and unpack to gigabytes, or hold
thousands of entries. So its directory is checked before anything is unpacked — the number of
entries, their names (W1, b1, … for exactly this network's layers, and sizes, each once), the
compression (NumPy's deflate, or none) and each entry's declared size against what this network's
array needs — and each entry is then read through a reader that stops at that bound whatever the
directory declared, its .npy header checked before NumPy reads the numbers. Arrays are loaded
with ``allow_pickle=False``: an archive of Python objects is refused, not run.
"""
from __future__ import annotations

import io
import json
import math
import re
import struct
import zipfile
import zlib
from dataclasses import asdict

import numpy as np
import pandas as pd

from . import readouts, share
from .config import MAX_HIDDEN_LAYERS, Config
from .network import Network

WEIGHTS_FORMAT = "backprop-playground-weights"
CONFIG_FORMAT = "backprop-playground-settings"
VERSION = 1
MAX_WEIGHTS_BYTES = 2_000_000  # the largest network the sidebar allows needs about 0.2 MB as JSON
MAX_CONFIG_BYTES = 100_000

_NPZ_MEMBER = re.compile(r"([Wb])([1-9]\d{0,2})\.npy")
SIZES_MEMBER = "sizes.npy"
MAX_NPZ_ENTRIES = 2 * (MAX_HIDDEN_LAYERS + 1) + 1  # W and b per layer of the deepest network, and sizes
MAX_DIRECTORY_BYTES = 256 * MAX_NPZ_ENTRIES  # a directory record is 46 bytes plus a name and extras
NPY_HEADER_BYTES = 1024  # np.save writes 128 bytes before the numbers; other writers' headers may be longer
MAX_ITEM_BYTES = 16  # not float64's 8: a complex128 array passes the size check, to be refused by its type
MAX_SIZES = 20  # entries of sizes.npy worth reading (a network has at most MAX_HIDDEN_LAYERS + 2)
_NPY_MAGIC = b"\x93NUMPY"
_NPY_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
_ZIP_END = b"PK\x05\x06"  # the end-of-central-directory record
_ZIP64_LOCATOR = b"PK\x06\x07"
# What a damaged zip or .npy can raise while it is opened or read; all mean "damaged or cut off".
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
               NotImplementedError, zlib.error, struct.error)


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
    m = readouts.metric_name(run)
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
        W, b, file_sizes = _read_npz(data, name, net)
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


def _read_npz(data: bytes, name: str, net: Network) -> tuple[list, list, list | None]:
    """W, b and the file's sizes from a .npz, refused before unpacking anything it cannot need
    (see the module's docstring)."""
    _check_directory_size(data, name)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS:
        raise WeightsError(f"{name}: a zip archive, but damaged or cut off.") from None
    with zf:
        entries = _npz_entries(zf.infolist(), name)
        sizes = entries.get(SIZES_MEMBER)
        file_sizes = _file_sizes(zf, sizes, name) if sizes is not None else None
        _check_layer_count(_layer_count(entries, name), name, net, file_sizes)
        shapes = _npz_shapes(net)
        for key, shape in shapes.items():  # every declared size, before any array is unpacked
            _check_declared(entries[key], _bound(shape), name, _hint(file_sizes, net))
        arrays = {key: _npz_array(zf, entries[key], _bound(shape), name) for key, shape in shapes.items()}
    n = net.n_l - 1
    return [arrays["W", l] for l in range(1, n + 1)], [arrays["b", l] for l in range(1, n + 1)], file_sizes


def _check_directory_size(data: bytes, name: str) -> None:
    """Refuse a zip whose directory lists more entries than a weights file has, before zipfile
    parses it (tens of thousands of entries fit in the size limit and take a second to parse)."""
    end = data.rfind(_ZIP_END, max(0, len(data) - 22 - 0xFFFF))  # 22 bytes, then a comment of up to 64 KB
    if end < 0 or len(data) < end + 22:
        return  # not a zip end record: zipfile reports the archive as damaged
    entries, directory_bytes = struct.unpack_from("<HI", data, end + 10)
    zip64 = data[max(0, end - 20):end - 16] == _ZIP64_LOCATOR  # a second, larger directory count
    if zip64 or entries > MAX_NPZ_ENTRIES or directory_bytes > MAX_DIRECTORY_BYTES:
        raise WeightsError(f"{name}: holds more entries than a weights file (at most {MAX_NPZ_ENTRIES}).")


def _npz_entries(infos: list[zipfile.ZipInfo], name: str) -> dict:
    """The archive's entries by key — ("W", l), ("b", l) or "sizes.npy" — if every one is a weights array.

    Only the names np.savez gives weights, each once, packed as np.savez packs them; anything else
    is refused by name before it is read.
    """
    if len(infos) > MAX_NPZ_ENTRIES:
        raise WeightsError(f"{name}: holds {len(infos):,} entries; a weights file has at most {MAX_NPZ_ENTRIES}.")
    if not any(info.filename.endswith(".npy") for info in infos):
        raise WeightsError(f"{name}: a zip archive, but not a NumPy .npz of weights.")
    entries: dict = {}
    for info in infos:
        shown = share.plain(info.filename, 40)
        match = _NPZ_MEMBER.fullmatch(info.filename)
        if info.filename != SIZES_MEMBER and not match:
            raise WeightsError(f"{name}: holds an unexpected entry {shown!r}.")
        key = (match[1], int(match[2])) if match else SIZES_MEMBER
        if key in entries:
            raise WeightsError(f"{name}: holds the entry {shown!r} more than once.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WeightsError(f"{name}: {shown} is packed in a way NumPy's savez never packs weights.")
        entries[key] = info
    return entries


def _layer_count(entries: dict, name: str) -> int:
    """The number of weight layers the names describe: W1, b1 … Wn, bn, with none missing."""
    n = max((key[1] for key in entries if key != SIZES_MEMBER), default=0)
    for l in range(1, n + 1):
        for kind in "Wb":
            if (kind, l) not in entries:
                raise WeightsError(f"{name}: has no {kind}{l}; it needs W1, b1, W2, b2, … for every layer.")
    return n


def _npz_shapes(net: Network) -> dict[tuple[str, int], tuple[int, ...]]:
    """The shape of every array a .npz must hold for net: W<l> (s_{l+1}, s_l) and b<l> (s_{l+1},)."""
    shapes = {}
    for l in range(1, net.n_l):
        shapes["W", l] = (net.sizes[l], net.sizes[l - 1])
        shapes["b", l] = (net.sizes[l],)
    return shapes


def _bound(shape: tuple[int, ...]) -> int:
    """The most bytes an entry holding an array of this shape may unpack to: header and widest numbers."""
    return NPY_HEADER_BYTES + MAX_ITEM_BYTES * math.prod(shape)


def _check_declared(info: zipfile.ZipInfo, bound: int, name: str, hint: str = "") -> None:
    """Refuse an entry whose directory says it unpacks to more than its array can need."""
    if info.file_size > bound:
        raise WeightsError(
            f"{name}: {share.plain(info.filename, 40)} unpacks to {_bytes(info.file_size)}, more than the "
            f"{_bytes(bound)} this network's array needs{hint}."
        )


def _file_sizes(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> list | None:
    """The layer sizes the file says it is for (for messages only), or None if they are not a short list."""
    bound = _bound((MAX_SIZES,))
    _check_declared(info, bound, name)
    sizes = _npz_array(zf, info, bound, name)
    return sizes.tolist() if sizes.ndim == 1 and sizes.size <= MAX_SIZES else None


def _npz_array(zf: zipfile.ZipFile, info: zipfile.ZipInfo, bound: int, name: str) -> np.ndarray:
    """One entry as an array of real numbers, unpacking at most ``bound`` bytes whatever it declares."""
    raw = _unpacked(zf, info, bound, name)
    label = share.plain(info.filename[:-4], 40)
    _check_npy_header(raw, label, name)
    try:
        return np.load(io.BytesIO(raw), allow_pickle=False)
    except _ZIP_ERRORS:
        raise WeightsError(f"{name}: holds an array NumPy cannot read.") from None


def _unpacked(zf: zipfile.ZipFile, info: zipfile.ZipInfo, bound: int, name: str) -> bytes:
    """An entry's bytes, read through a reader that stops one byte past ``bound``.

    zipfile itself stops at the declared size and then checks the CRC, so a header that lies
    about the size is caught as damage; the bound holds even if it did not.
    """
    try:
        with zf.open(info) as stream:
            raw = stream.read(bound + 1)
    except _ZIP_ERRORS:
        raise WeightsError(f"{name}: a zip archive, but damaged or cut off.") from None
    if len(raw) > bound:
        shown = share.plain(info.filename, 40)
        raise WeightsError(f"{name}: {shown} unpacks to more than the {_bytes(bound)} its array can need.")
    return raw


def _check_npy_header(raw: bytes, label: str, name: str) -> None:
    """Refuse an entry that is not a .npy of real numbers whose header fits the bytes that follow it.

    The header is read before the numbers: NumPy allocates the array the header describes before
    reading it, so a ten-byte entry could otherwise ask for gigabytes.
    """
    stream = io.BytesIO(raw)
    if not raw.startswith(_NPY_MAGIC):
        raise WeightsError(f"{name}: {label} is not a NumPy array.")
    try:
        read_header = _NPY_HEADERS.get(np.lib.format.read_magic(stream))
        if read_header is None:
            raise WeightsError(f"{name}: {label} is in a NumPy format this playground does not read.")
        shape, _, dtype = read_header(stream)
    except _ZIP_ERRORS:
        raise WeightsError(f"{name}: holds an array NumPy cannot read.") from None
    if dtype.hasobject:
        raise WeightsError(f"{name}: holds Python objects, not numbers; only numeric arrays are read.")
    if dtype.kind not in "iuf":
        raise WeightsError(f"{name}: {label} holds {dtype} values, not real numbers.")
    if math.prod(shape) * dtype.itemsize > len(raw) - stream.tell():
        raise WeightsError(f"{name}: {label} is cut off; it holds fewer numbers than its header says.")


def _bytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB" if n >= 1e3 else f"{n:,} bytes"


def _checked(W: list, b: list, name: str, net: Network, file_sizes) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """W and b as float64 arrays, if they are finite numbers in exactly net's shapes; else WeightsError."""
    hint = _hint(file_sizes, net)
    n = net.n_l - 1
    _check_layer_count(len(W), name, net, file_sizes)
    W_new, b_new = [], []
    for l in range(1, n + 1):
        W_new.append(_array(W[l - 1], f"W^({l})", (net.sizes[l], net.sizes[l - 1]), name, hint))  # (s_{l+1}, s_l)
        b_new.append(_array(b[l - 1], f"b^({l})", (net.sizes[l],), name, hint))
    return W_new, b_new


def _hint(file_sizes, net: Network) -> str:
    """What the file says it is for, when that is a short list of whole numbers other than net's sizes."""
    if (isinstance(file_sizes, list) and len(file_sizes) <= MAX_SIZES and all(type(s) is int for s in file_sizes)
            and file_sizes != list(net.sizes)):
        return f" (the file is for sizes {file_sizes}, this network has {list(net.sizes)})"
    return ""


def _check_layer_count(n_file: int, name: str, net: Network, file_sizes) -> None:
    n = net.n_l - 1
    if n_file != n:
        raise WeightsError(
            f"{name}: has {n_file} weight layer{'s' * (n_file != 1)}, but this network has {n}"
            f"{_hint(file_sizes, net)}."
        )


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
