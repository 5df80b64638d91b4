"""The live path's figure split, proven against the builders: a chart's structure, built once from
one snapshot, plus the frame patch of another snapshot must be exactly the figure the builder makes
from that other snapshot (figures/spec.py). Frames carry numbers only, as typed arrays."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from playground import figures as F
from playground.figures import spec as S


def _plain(o):
    """Comparable JSON: typed arrays decoded to lists, NaN as a string, floats rounded to float32 precision."""
    if isinstance(o, dict) and "bdata" in o:
        return _plain(S.decode(o))
    if isinstance(o, np.ndarray):
        return _plain(o.tolist())
    if isinstance(o, dict):
        return {k: _plain(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_plain(v) for v in o]
    if isinstance(o, float | np.floating):
        return "nan" if math.isnan(o) else float(np.float32(o))
    if isinstance(o, np.integer):
        return int(o)
    return o


def _check(make_fig, make_frame, data0, data1, base_of=None):
    """structure(data0) + frame(data1) == builder(data1), and the frame holds no plotly objects.

    A layout image's source is painted by the browser from numbers (spec.painted, the network's
    edges): the builder leaves it empty, so it is compared apart, by the tests of what is painted."""
    fig0 = S.figure_dict(make_fig(data0))
    frame0 = make_frame(data0)
    structure = S.strip(fig0, frame0)
    frame1 = make_frame(data1)
    shown = S.apply(structure, frame1, base_of(data1) if base_of else None)
    want = S.figure_dict(make_fig(data1))
    for image in shown["layout"].get("images", []):
        assert isinstance(image["source"], dict) and set(image["source"]) <= {"image", "lines"}
        image["source"] = ""
    assert _plain(shown) == _plain(want)
    json.dumps(frame1)  # plain JSON: numbers, strings and typed arrays only
    assert frame1["t"] == [] or not want["layout"].get("images")  # painted charts: the picture is layout only
    return structure, frame1


def _rng(seed):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("pending,highlight", [(frozenset(), None), (frozenset({2}), 3)])
def test_delta_heatmaps_split(shared, pending, highlight):
    sizes = {2: 4, 3: 2, 4: 1}
    order = np.array([0, 3, 5, 1, 2, 4])
    labels = ["a", "b", "a", "a", "b", "a"]
    make = lambda seed: {l: _rng(seed + l).normal(size=(6, s)) * 10.0 ** -l for l, s in sizes.items()}  # noqa: E731
    kw = dict(example_order=order, pending=pending, highlight=highlight, shared_scale=shared)
    structure, frame = _check(lambda d: F.delta_heatmaps(d, example_labels=labels, **kw),
                              lambda d: F.delta_frame(d, **kw), make(0), make(100))
    z = S.decode(frame["h"][0][1]["z"])  # the heatmaps' own numbers only feed hover
    assert z.dtype == np.float32 and z.shape == (1, 6)  # δ^(4): (s_4, shown examples)
    assert structure["data"][0]["z"] == []  # the structure carries no numbers


@pytest.mark.parametrize("kind", ["W", "dW"])
def test_matrix_heatmaps_split(kind):
    shapes = {1: (4, 2), 2: (2, 4), 3: (1, 2)}
    make = lambda seed: {l: _rng(seed + l).normal(size=s) for l, s in shapes.items()}  # noqa: E731
    _check(lambda d: F.matrix_heatmaps(d, kind=kind), lambda d: F.matrix_frame(d, kind=kind), make(1), make(7))
    pend = {1, 2, 3} if kind == "dW" else set()
    _check(lambda d: F.matrix_heatmaps(d, kind=kind, pending=pend, highlight=2),
           lambda d: F.matrix_frame(d, kind=kind, pending=pend, highlight=2), make(1), make(7))


@pytest.mark.parametrize("sizes,max_edges", [([2, 4, 2, 1], 400), ([3, 32, 32, 2], 300)])
@pytest.mark.parametrize("pending", [False, True])
def test_network_diagram_split(sizes, max_edges, pending):
    def make(seed):
        r = _rng(seed)
        return ([r.normal(size=(sizes[l + 1], sizes[l])) for l in range(len(sizes) - 1)],
                [r.normal(size=(sizes[l + 1], sizes[l])) for l in range(len(sizes) - 1)])
    kw = dict(pending_dW=pending, max_edges_per_layer=max_edges)
    _, frame = _check(lambda d: F.network_diagram(sizes, d[0], dW=d[1], activations=["tanh"] * (len(sizes) - 1), **kw),
                      lambda d: F.network_frame(sizes, d[0], dW=d[1], **kw), make(0), make(5))
    x = S.decode(frame["h"][0][1]["x"])  # the hover points
    assert x.dtype == np.float32


@pytest.mark.parametrize("log_y", [False, True])
@pytest.mark.parametrize("highlight_now", [False, True])
def test_loss_curve_split(log_y, highlight_now):
    def make(n):
        e = np.arange(n)
        return e, {"J": 1.0 / (e + 1), "J_data": 0.9 / (e + 1), "J_decay": np.zeros(n),
                   "J_test": np.where(e % 3 == 0, 1.1 / (e + 1), np.nan)}
    kw = dict(log_y=log_y, highlight_now=highlight_now)

    def frame(d):
        patches, base = F.loss_frames(*d, [d[0][-1]], **kw)
        return patches[0] | {"base": base}
    _check(lambda d: F.loss_curve(*d, **kw), lambda d: {k: v for k, v in frame(d).items() if k != "base"},
           make(30), make(30), base_of=lambda d: frame(d)["base"])


def test_loss_frames_replay_the_curve_as_it_stood():
    """Each patch of one message shows the curve up to its own epoch: a prefix of the shared arrays."""
    e = np.arange(0, 50, dtype=float)
    series = {"J": np.exp(-e / 10), "J_test": np.exp(-e / 9)}
    patches, base = F.loss_frames(e, series, [9.0, 19.0, 49.0])
    for patch, upto in zip(patches, (9.0, 19.0, 49.0), strict=True):
        x = S.decode(patch["t"][0][1]["x"], base)
        y = S.decode(patch["t"][0][1]["y"], base)
        assert x[-1] == upto and len(x) == int(upto) + 1
        np.testing.assert_allclose(y, np.exp(-x / 10), rtol=1e-6)
    assert patches[0]["t"][0][1]["mode"] == "lines+markers" and patches[2]["t"][0][1]["mode"] == "lines"


@pytest.mark.parametrize("task,classes", [("classification", ("0", "1")), ("classification", ("a", "b", "c")),
                                          ("regression", ())])
def test_prediction_surface_split(task, classes):
    r = _rng(3)
    X_train, X_test = r.normal(size=(20, 2)), r.normal(size=(10, 2))
    if task == "regression":
        y_train, y_test = r.normal(size=20), r.normal(size=10)
    else:
        y_train, y_test = r.integers(0, len(classes), 20), r.integers(0, len(classes), 10)
    x1, x2 = np.linspace(-2, 2, 8), np.linspace(-2, 2, 6)

    def values(seed):
        v = _rng(seed).normal(size=(6, 8))
        return np.abs(v).round() % len(classes) if len(classes) > 2 else v
    kw = dict(task=task, classes=classes)
    _check(lambda v: F.prediction_surface(x1, x2, v, X_train=X_train, y_train=y_train, X_test=X_test,
                                          y_test=y_test, **kw),
           lambda v: F.surface_frame(v, y_train=y_train, y_test=y_test, **kw), values(0), values(9))


def test_typed_round_trip_and_json():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = S.typed(a)
    assert t["dtype"] == "f4" and t["shape"] == "2,3"
    np.testing.assert_array_equal(S.decode(t), a)
    np.testing.assert_array_equal(S.decode({"ref": "v", "n": 2}, {"v": S.typed(np.arange(5.0))}), [0.0, 1.0])
    assert json.loads(S.to_json({"z": a}))["z"]["bdata"] == t["bdata"]


def test_playing_surface_frame_paints_the_same_numbers_and_scale_over_the_grid_cells():
    """While playing (two classes) a frame carries the grid's numbers and the heatmap's own colour scale
    for the layout image the browser paints; the image covers exactly the heatmap's cells."""
    r = _rng(4)
    x1, x2 = np.linspace(-2, 2, 8), np.linspace(-1, 3, 6)
    values = r.uniform(-1, 1, size=(6, 8))
    kw = dict(X_train=r.normal(size=(9, 2)), y_train=r.integers(0, 2, 9), X_test=None, y_test=None,
              task="classification", classes=("0", "1"), low=-1.0)
    paused = S.figure_dict(F.prediction_surface(x1, x2, values, **kw))
    playing = S.figure_dict(F.prediction_surface(x1, x2, values, playing=True, **kw))
    frame = F.surface_frame(values, task="classification", classes=("0", "1"), low=-1.0, playing=True)
    assert frame["t"] == []  # layout only: the browser redraws the image, not the traces
    ((path, value),) = frame["l"]
    image = value["image"]
    assert path == "images.0.source"
    half_level = (image["zmax"] - image["zmin"]) / S.LEVELS / 2
    np.testing.assert_allclose(S.unpaint(image), values, rtol=0, atol=half_level * 1.0001)
    assert S.decode(image["q"]).dtype == np.uint8  # a byte per cell
    heat = paused["data"][0]
    assert [image["zmin"], image["zmax"]] == [heat["zmin"], heat["zmax"]] == [-1.0, 1.0]
    assert [list(s) for s in image["colorscale"]] == [list(s) for s in heat["colorscale"]]
    (img,) = playing["layout"]["images"]
    dx, dy = 4 / 7, 4 / 5  # cells are centred on the grid points
    assert img["x"] == pytest.approx(-2 - dx / 2) and img["sizex"] == pytest.approx(4 + dx)
    assert img["y"] == pytest.approx(3 + dy / 2) and img["sizey"] == pytest.approx(4 + dy)
    assert playing["data"][0]["opacity"] == 0  # the heatmap stays for its colour bar only
    # regression and several classes keep the exact trace path while playing
    assert F.surface_frame(values, task="regression", y_train=np.zeros(3), playing=True)["t"]


def _arr(v) -> np.ndarray:
    """A figure's array attribute, typed (plotly's base64 form) or a plain list."""
    return S.decode(v) if isinstance(v, dict) else np.asarray(v)


def _titles(fig: dict) -> list[str]:
    return [a.get("text") for a in fig["layout"].get("annotations", [])]


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("pending", [frozenset(), frozenset({2})])
def test_playing_delta_heatmaps_paint_the_same_numbers_into_images_over_the_cells(shared, pending):
    """While playing, each shown panel's δ goes to a layout image over exactly its heatmap's cells, on
    that heatmap's own colour range, row 0 (neuron 1) at the top; titles are plain text, the same as paused."""
    sizes = {2: 4, 3: 2, 4: 1}
    order = np.array([0, 3, 5, 1, 2, 4])
    labels = ["a", "b", "a", "a", "b", "a"]
    d = {l: _rng(l).normal(size=(6, s)) for l, s in sizes.items()}
    kw = dict(example_order=order, pending=pending, shared_scale=shared)
    paused = S.figure_dict(F.delta_heatmaps(d, example_labels=labels, **kw))
    playing = S.figure_dict(F.delta_heatmaps(d, example_labels=labels, playing=True, **kw))
    frame = F.delta_frame(d, playing=True, **kw)
    assert frame["t"] == []  # layout only
    shown = [t for t in paused["data"] if "pending" not in t["name"]]
    images = playing["layout"]["images"]
    assert len(images) == len(shown) == 3 - len(pending)
    painted = [v["image"] for p, v in frame["l"] if p.startswith("images.")]
    for k, (heat, img, spec) in enumerate(zip(shown, images, painted, strict=True)):
        assert [p for p, _ in frame["l"]][k] == f"images.{k}.source"
        np.testing.assert_allclose(S.unpaint(spec), _arr(heat["z"]), rtol=0,
                                   atol=(spec["zmax"] - spec["zmin"]) / S.LEVELS / 2 * 1.0001)
        assert [spec["zmin"], spec["zmax"]] == pytest.approx([heat["zmin"], heat["zmax"]])
        assert spec["row0_top"] is True and spec["colorscale"] == F.DIVERGING
        s_l = _arr(heat["z"]).shape[0]
        assert S.decode(spec["q"]).shape == _arr(heat["z"]).shape
        assert (img["xref"], img["yref"]) == (heat["xaxis"], heat["yaxis"])
        assert (img["x"], img["sizex"], img["y"], img["sizey"], img["yanchor"]) == (-0.5, 6, 0.5, s_l, "top")
    heat_shown = [t for t in playing["data"] if "pending" not in t["name"]]
    assert all(t.get("opacity") == 0 and t.get("hoverinfo") == "skip" for t in heat_shown)
    shown_titles = S.apply(S.strip(playing, frame), frame)
    assert _titles(shown_titles) == _titles(paused)
    assert not any("<" in t for p, t in frame["l"] if p.startswith("annotations."))  # rewritten in place


def test_playing_matrix_heatmaps_paint_each_matrix_over_its_cells():
    shapes = {1: (4, 2), 2: (2, 4), 3: (1, 2)}
    mats = {l: _rng(l).normal(size=s) for l, s in shapes.items()}
    paused = S.figure_dict(F.matrix_heatmaps(mats, kind="W"))
    playing = S.figure_dict(F.matrix_heatmaps(mats, kind="W", playing=True))
    frame = F.matrix_frame(mats, kind="W", playing=True)
    assert frame["t"] == []
    painted = [v["image"] for p, v in frame["l"] if p.startswith("images.")]
    for heat, img, spec, (l, (rows, cols)) in zip(paused["data"], playing["layout"]["images"], painted,
                                                   shapes.items(), strict=True):
        np.testing.assert_allclose(S.unpaint(spec), mats[l], rtol=0,
                                   atol=(spec["zmax"] - spec["zmin"]) / S.LEVELS / 2 * 1.0001)
        assert [spec["zmin"], spec["zmax"]] == pytest.approx([heat["zmin"], heat["zmax"]])
        assert (img["x"], img["sizex"], img["y"], img["sizey"]) == (0.5, cols, 0.5, rows)
        assert (img["xref"], img["yref"]) == (heat["xaxis"], heat["yaxis"])
    assert _titles(S.apply(S.strip(playing, frame), frame)) == _titles(paused)
    assert "<br>max|W| = " in _titles(paused)[0] and "<sup>" not in _titles(paused)[0]


@pytest.mark.parametrize("playing", [False, True])
@pytest.mark.parametrize("sizes,max_edges", [([2, 4, 2, 1], 400), ([3, 32, 32, 2], 300)])
def test_network_paints_every_kept_edge_with_its_sign_and_width_bucket(sizes, max_edges, playing):
    """The edges are painted (no edge traces): one segment per kept weight W^(l)_ij, from neuron j of
    layer l to neuron i of layer l + 1, coloured by sign, in one of six widths by |W| relative to the
    largest; thin first (drawn under thick); over exactly the axes' ranges. Hover (not while playing)
    is in the frame's hover part."""
    from playground.figures.network import N_BUCKETS, bucket_width

    r = _rng(2)
    W = [r.normal(size=(sizes[l + 1], sizes[l])) for l in range(len(sizes) - 1)]
    fig = S.figure_dict(F.network_diagram(sizes, W, max_edges_per_layer=max_edges, playing=playing))
    frame = F.network_frame(sizes, W, max_edges_per_layer=max_edges, playing=playing)
    assert frame["t"] == [] and bool(frame["h"]) is not playing
    ((path, value),) = frame["l"]
    lines = value["lines"]
    assert path == "images.0.source"
    got = np.column_stack([S.decode(lines["seg"]).reshape(-1, 4), S.decode(lines["width"]),
                           S.decode(lines["colour"])]).astype(np.float64)
    pos = [(s - 1) / 2.0 - np.arange(s) for s in sizes]
    kept = []
    for l, w in enumerate(W, start=1):
        flat = np.sort(np.abs(w).ravel())
        floor = flat[-max_edges] if flat.size > max_edges else 0.0
        kept += [(l, i, j, w[i, j]) for i in range(w.shape[0]) for j in range(w.shape[1]) if abs(w[i, j]) >= floor]
    top = max(abs(v) for *_, v in kept)
    width = [bucket_width(min(int(abs(v) / top * N_BUCKETS), N_BUCKETS - 1)) for *_, v in kept]
    want = np.array([[l, pos[l - 1][j], l + 1, pos[l][i], wd, int(v >= 0)]
                     for (l, i, j, v), wd in zip(kept, width, strict=True)], dtype=np.float32).astype(np.float64)
    np.testing.assert_allclose(got[np.lexsort(got.T[::-1])], want[np.lexsort(want.T[::-1])], rtol=1e-6)
    assert list(np.diff(got[:, 4]) >= 0) == [True] * (len(got) - 1)  # thin first, thick on top
    assert lines["colours"] == [F.style.NEGATIVE, F.style.POSITIVE]
    assert [lines["x"], lines["y"]] == [fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]]
    (img,) = fig["layout"]["images"]
    assert (img["x"], img["y"]) == (lines["x"][0], lines["y"][1])
    assert (img["sizex"], img["sizey"]) == pytest.approx((lines["x"][1] - lines["x"][0], lines["y"][1] - lines["y"][0]))
    assert not [t for t in fig["data"] if t.get("mode") == "lines"]
    assert bool([t for t in fig["data"] if "hover" in t.get("name", "")]) is not playing


def test_painted_numbers_are_bytes_on_the_colour_scale():
    z = np.array([[-2.0, -1.0, 0.0], [0.5, 1.0, 3.0]])
    image = S.painted(z, -1.0, 1.0, F.DIVERGING)["image"]
    q = S.decode(image["q"])
    assert q.dtype == np.uint8 and q.shape == (2, 3)
    assert q.tolist() == [[0, 0, 128], [191, 255, 255]]  # clipped to the scale's ends, 0 at its middle
    assert S.decode(S.painted(np.array([[np.nan]]), 0.0, 1.0, F.DIVERGING)["image"]["q"]).tolist() == [[128]]
    flat = S.painted(np.ones((2, 2)), 1.0, 1.0, F.DIVERGING)["image"]  # an all-equal panel: no division by 0
    assert S.decode(flat["q"]).tolist() == [[0, 0], [0, 0]]
