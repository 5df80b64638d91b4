"""A live chart as a structure plus frames: the plotly-JSON shape the browser animates.

A chart's *structure* — axes, colour bars, titles, trace styles — changes only when the network,
the data or a chart option does, so it is built once (by the chart's builder, through
``plotly.graph_objects``) and cached as a JSON string. A *frame* carries only numbers: a patch of
the attributes that change from one snapshot of training to the next, as float32 typed arrays. The
browser keeps the structure and applies frames to it (``assets/live_chart.js``); :func:`apply` does
the same here, so a test can prove that structure + frame equals the builder's whole figure.

Patch format (plain JSON, mirrored in live_chart.js):
    {"t": [[trace index, {attribute path: value}], ...], "l": [[layout path, value], ...],
     "h": [[trace index, {attribute path: value}], ...]}
"h" patches traces the eye does not see, whose numbers only feed hover (the invisible heatmap under a
painted image): the browser shows "l" at once and applies "h" when it is idle, so a Step's picture
does not wait for plotly.js to recalculate hover data.
An attribute or layout path is dotted ("colorbar.ticktext", "annotations.3.text"). A value is JSON,
or a typed array ``{"dtype": "f4", "bdata": <base64>, "shape": "r,c"}`` (plotly.js's own format),
or ``{"ref": name, "n": k}``: the first k entries of the array ``name`` sent once beside the frames
(the loss curve's history, shared by every snapshot of one message).

Two values are painted by the browser into a layout image's source (a PNG data URL) rather than
given to plotly.js (see :func:`painted`, live_chart.js): ``{"image": {...}}``, a heatmap's cells,
and ``{"lines": {...}}``, a network's edges (figures/network.py). They are what a ``playing``
structure's frames carry, since plotly.js redraws a layout image ~10x faster than a trace.
"""
from __future__ import annotations

import base64
import copy
import json
from typing import Any

import numpy as np

Patch = dict[str, list]

_DTYPES = {np.dtype(np.float32): "f4", np.dtype(np.float64): "f8", np.dtype(np.int32): "i4",
           np.dtype(np.int8): "i1", np.dtype(np.uint8): "u1", np.dtype(np.int16): "i2"}


def typed(a: np.ndarray) -> dict[str, str]:
    """A NumPy array as plotly.js's typed-array JSON (base64, little-endian, shape for 2-D)."""
    a = np.ascontiguousarray(a)
    if a.dtype not in _DTYPES:
        a = a.astype(np.float32 if a.dtype.kind == "f" else np.int32)
    out = {"dtype": _DTYPES[a.dtype], "bdata": base64.b64encode(a.astype(a.dtype.newbyteorder("<"))).decode()}
    if a.ndim == 2:
        out["shape"] = f"{a.shape[0]},{a.shape[1]}"
    return out


LEVELS = 255  # a painted image's numbers are sent as 0 … LEVELS on its colour scale


def painted(z: np.ndarray, zmin: float, zmax: float, colorscale: list, *, row0_top: bool = False) -> dict:
    """A heatmap's numbers as a layout image for the browser to paint: one pixel per cell, on the
    colour scale over [zmin, zmax]; row 0 of z at the bottom, or at the top (a reversed y axis).

    The numbers travel as bytes, each cell's place on the scale in LEVELS steps: a colour has no
    finer steps (8 bits per channel), and it is a quarter of float32's payload, 30 times a second.
    The exact values are in the paused figure's heatmap, for hover.
    """
    z = np.asarray(z, dtype=np.float64)
    span = (zmax - zmin) or 1.0
    t = np.clip(np.nan_to_num((z - zmin) / span, nan=0.5), 0.0, 1.0)
    q = np.rint(t * LEVELS).astype(np.uint8)
    return {"image": {"q": typed(q), "zmin": float(zmin), "zmax": float(zmax), "colorscale": colorscale,
                      "row0_top": bool(row0_top)}}


def unpaint(image: dict) -> np.ndarray:
    """The numbers a painted image stands for (within half a level), for tests."""
    q = decode(image["q"]).astype(np.float64)
    return image["zmin"] + q / LEVELS * (image["zmax"] - image["zmin"])


def decode(value: Any, base: dict[str, Any] | None = None) -> Any:
    """The inverse of :func:`typed` (and of a ``ref``), for tests and :func:`apply`."""
    if isinstance(value, dict) and "bdata" in value:
        code = value["dtype"]
        dtype = next(k for k, v in _DTYPES.items() if v == code)
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=dtype.newbyteorder("<")).astype(dtype)
        if "shape" in value:
            arr = arr.reshape(tuple(int(s) for s in value["shape"].split(",")))
        return arr
    if isinstance(value, dict) and "ref" in value:
        return decode((base or {})[value["ref"]])[: int(value["n"])]
    return value


def _set(obj: Any, path: str, value: Any) -> None:
    keys = path.split(".")
    for k in keys[:-1]:
        if isinstance(obj, list):
            obj = obj[int(k)]
        else:
            obj = obj.setdefault(k, {})
    if isinstance(obj, list):
        obj[int(keys[-1])] = value
    else:
        obj[keys[-1]] = value


def patched_paths(patch: Patch) -> tuple[list[tuple[int, str]], list[str]]:
    """The (trace, attribute) and layout paths a patch writes."""
    traces = [*patch.get("t", []), *patch.get("h", [])]
    return [(i, p) for i, attrs in traces for p in attrs], [p for p, _ in patch.get("l", [])]


def apply(structure: dict, patch: Patch, base: dict[str, Any] | None = None) -> dict:
    """The figure a browser shows: a deep copy of structure with the patch's values written in (decoded)."""
    fig = copy.deepcopy(structure)
    for i, attrs in [*patch.get("t", []), *patch.get("h", [])]:
        for path, value in attrs.items():
            _set(fig["data"][i], path, decode(value, base))
    for path, value in patch.get("l", []):
        _set(fig["layout"], path, decode(value, base))
    return fig


def strip(fig: dict, patch: Patch) -> dict:
    """The structure to cache: fig without the values a frame patch rewrites (they travel in every frame)."""
    out = copy.deepcopy(fig)
    traces, layout = patched_paths(patch)
    for i, path in traces:
        _set(out["data"][i], path, [] if path in ("x", "y", "z", "customdata", "text") else None)
    for path in layout:
        _set(out["layout"], path, "")
    return out


def figure_dict(fig: Any) -> dict:
    """A go.Figure (or a plotly-JSON dict) as a plain dict with NumPy arrays as arrays, not typed specs."""
    d = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig
    return {"data": list(d.get("data") or []), "layout": dict(d.get("layout") or {})}


def to_json(d: Any) -> str:
    """Compact JSON for the wire; NumPy arrays and scalars become typed arrays and numbers."""
    return json.dumps(d, separators=(",", ":"), default=_default)


def _default(o: Any) -> Any:
    if isinstance(o, np.ndarray):
        if o.dtype == object:
            return o.tolist()
        return typed(o)
    if isinstance(o, np.generic):
        return o.item()
    if hasattr(o, "to_plotly_json"):
        return o.to_plotly_json()
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")
