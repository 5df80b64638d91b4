"""Share links: every setting the sidebar can make survives a link, and no link can break the app.

The round trip goes through a real URL (urlencode, then parse_qs, as a browser and Streamlit
would), and the strongest oracle is the trajectory: the run a link rebuilds takes bit-for-bit
the same steps as the run it was made from. The bad links are a table: each names the parameter
its warning must mention; the fuzz tests only ask that nothing raises and the result validates.
"""
from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground import config as C
from playground.activations import ACTIVATIONS
from playground.data import GENERATORS, REAL_DATASETS
from playground.experiment import UPLOAD, new_run
from playground.initializers import INITIALIZERS
from playground.losses import LOSSES
from playground.share import (
    ALPHA_GRID,
    CONTROLS,
    KEYS,
    LAM_GRID,
    MAX_PARAMS,
    PARAMS,
    VIEW_KEYS,
    View,
    from_fields,
    from_query,
    plain,
    to_query,
    view_from_query,
)

DATASETS = (*GENERATORS, *REAL_DATASETS, UPLOAD)
D = C.DEFAULT


@st.composite
def configs(draw, datasets=DATASETS, max_points=C.MAX_POINTS):
    """Any Config the sidebar can produce: whole percents, α and λ on the sliders' grids."""
    acts = list(ACTIVATIONS)
    hidden = tuple(draw(st.lists(st.integers(1, C.MAX_NEURONS), max_size=C.MAX_HIDDEN_LAYERS)))
    per_layer = bool(hidden) and draw(st.booleans())
    return C.Config(
        dataset=draw(st.sampled_from(datasets)),
        noise=draw(st.integers(0, 50)) / 100,
        n_points=draw(st.integers(C.MIN_POINTS, max_points)),
        train_fraction=draw(st.integers(10, 90)) / 100,
        data_seed=draw(st.integers(0, C.MAX_SEED)),
        features=tuple(draw(st.lists(st.sampled_from(C.FEATURE_NAMES), min_size=1, unique=True))),
        hidden=hidden,
        activation=draw(st.sampled_from(acts)),
        layer_activations=tuple(draw(st.sampled_from(acts)) for _ in hidden) if per_layer else (),
        output_activation=draw(st.sampled_from([C.AUTO, *acts])),
        loss=draw(st.sampled_from([C.AUTO, *LOSSES])),
        init=draw(st.sampled_from(list(INITIALIZERS))),
        seed=draw(st.integers(0, C.MAX_SEED)),
        alpha=draw(st.sampled_from(ALPHA_GRID)),
        lam=draw(st.sampled_from(LAM_GRID)),
        batch_size=draw(st.integers(0, C.MAX_BATCH)),
        speed=draw(st.sampled_from(C.SPEED_GRID)),
        log_y=draw(st.booleans()),
        delta_shared=draw(st.booleans()),
        matrices=draw(st.sampled_from(C.MATRIX_VIEWS)),
    )


def through_url(query: dict[str, str]) -> dict[str, list[str]]:
    """The parameters as they come back from a browser's address bar."""
    return parse_qs(urlencode(query), keep_blank_values=True)


# ----------------------------------------------------------------- writing links
def test_default_config_is_an_empty_link():
    assert to_query(D) == {}


def test_link_is_short_and_readable():
    cfg = C.Config(dataset="spiral", noise=0.2, train_fraction=0.7, data_seed=3, features=("x1", "x2", "x1^2"),
                   hidden=(8, 8, 4), activation="relu", layer_activations=("tanh", "relu", "relu"),
                   alpha=0.03, lam=1e-5, batch_size=10)
    assert to_query(cfg) == {
        "data": "spiral", "noise": "20", "train": "70", "dseed": "3", "feat": "x1,x2,x1^2",
        "layers": "8,8,4", "f": "relu", "fl": "tanh,relu,relu", "alpha": "0.03", "lambda": "1e-5", "batch": "10",
    }
    assert to_query(C.replace(D, hidden=())) == {"layers": "none"}


def test_every_setting_has_one_link_parameter():
    assert sorted(p.field for p in PARAMS) == sorted(C.FIELD_NAMES)
    assert len(set(KEYS)) == len(KEYS) and not set(KEYS) & set(VIEW_KEYS)


def test_to_query_refuses_an_invalid_config():
    with pytest.raises(ValueError, match="Learning rate"):
        to_query(C.replace(D, alpha=-1.0))


def test_grids_are_the_sidebar_sliders():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60).run()
    fmt = lambda x: "0" if x == 0 else f"{x:g}"  # noqa: E731 — the sliders' own labels
    assert at.select_slider(key="alpha").options == [fmt(x) for x in ALPHA_GRID]
    assert at.select_slider(key="lam").options == [fmt(x) for x in LAM_GRID]


# ----------------------------------------------------------------- round trip
@settings(max_examples=300, deadline=None)
@given(cfg=configs())
def test_round_trip_is_identity_without_warnings(cfg):
    assert from_query(through_url(to_query(cfg)), DATASETS) == (cfg, [])
    assert from_query(to_query(cfg), DATASETS) == (cfg, [])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cfg=configs(datasets=(*GENERATORS, *REAL_DATASETS), max_points=150))
def test_link_reproduces_the_exact_trajectory(cfg):
    linked, warnings = from_query(through_url(to_query(cfg)), DATASETS)
    assert warnings == []
    assert trajectory(linked) == trajectory(cfg)


def trajectory(cfg: C.Config, steps: int = 5):
    """The weights' bytes after each of `steps` updates (or the error the run raised)."""
    try:
        run = new_run(cfg)
    except ValueError as err:
        return ("refused", str(err))
    out = []
    for _ in range(steps):
        run.step()
        out.append(tuple(a.tobytes() for a in run.net.W + run.net.b))
    return out


def test_trajectory_oracle_sees_a_different_setting():
    """The comparison above is not vacuous: one different seed gives different bytes."""
    cfg = C.replace(D, n_points=100)
    assert trajectory(cfg) != trajectory(C.replace(cfg, seed=1))


@settings(max_examples=100, deadline=None)
@given(hidden=st.frozensets(st.sampled_from(list(CONTROLS))), locked=st.frozensets(st.sampled_from(list(CONTROLS))))
def test_view_round_trip(hidden, locked):
    view = View(hidden, locked)
    query = through_url(to_query(D, view))
    assert view_from_query(query) == (view, [])
    assert from_query(query, DATASETS) == (D, [])  # hide/lock are known, not "unknown parameters"


# ----------------------------------------------------------------- bad links
BAD_VALUES = [
    ("alpha", "abc"), ("alpha", "1,5"), ("alpha", "0x10"), ("alpha", "NaN"), ("alpha", "inf"),
    ("alpha", "-Infinity"), ("alpha", "-0.1"), ("alpha", "0"), ("alpha", "100"), ("alpha", "1e999"),
    ("alpha", "1e-99999"), ("alpha", "x" * 201), ("alpha", ""), ("alpha", "   "), ("alpha", ["0.1", "0.3"]),
    ("alpha", "１"), ("lambda", "nan"), ("lambda", "-1"), ("lambda", "11"), ("lambda", "1e5"),
    ("noise", "51"), ("noise", "-5"), ("noise", "nan"), ("noise", "20%"), ("noise", "٢٠"), ("noise", "0.2.1"),
    ("train", "5"), ("train", "95"), ("train", "inf"),
    ("points", "49"), ("points", "2001"), ("points", "1e3"), ("points", "500.5"), ("points", "9" * 199),
    ("points", "５００"), ("points", "-500"),
    ("dseed", "-1"), ("dseed", str(2**31)), ("seed", "abc"), ("seed", "\x00\u202e"), ("seed", "1.0"),
    ("batch", "-1"), ("batch", "5001"), ("speed", "0"), ("speed", "10001"),
    ("layers", ",".join(["1"] * 9)), ("layers", "4,100"), ("layers", "4,0"), ("layers", "4,,2"),
    ("layers", "4;2"), ("layers", "[4,2]"), ("layers", "4,-2"), ("layers", "4,2.5"), ("layers", ",".join(["4"] * 99)),
    ("data", "mnist"), ("data", "Circle"), ("data", "ｃｉｒｃｌｅ"), ("data", "../../etc/passwd"),
    ("f", "swish"), ("f", "softmax"), ("f", "Tanh"), ("out", "softmax"), ("loss", "hinge"), ("init", "zeros"),
    ("feat", "x1,x3"), ("feat", "x1,x1"), ("feat", ","), ("feat", "x1," * 40),
    ("fl", "tanh,swish"), ("fl", "tanh"), ("fl", "tanh,relu,relu"),
    ("data", []), ("seed", ["1", "2", "3"]),
]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES, ids=[f"{k}={str(v)[:20]!r}" for k, v in BAD_VALUES])
def test_bad_value_warns_by_name_and_keeps_the_default(key, value):
    field = next(p.field for p in PARAMS if p.key == key)
    cfg, warnings = from_query({"seed": "7", key: value} if key != "seed" else {key: value}, DATASETS)
    assert getattr(cfg, field) == getattr(D, field)
    assert len(warnings) == 1 and warnings[0].startswith(key), warnings
    assert len(warnings[0]) < 120
    assert C.validate(cfg, DATASETS) is cfg
    if key != "seed":
        assert cfg.seed == 7, "a bad parameter must not take the good ones with it"


@pytest.mark.parametrize("key", ["foo", "Alpha", "", "alpha\x00", "ä" * 300, "noise "])
def test_unknown_parameter_is_named_and_ignored(key):
    cfg, warnings = from_query({key: "1", "alpha": "0.3"}, DATASETS)
    assert cfg == C.replace(D, alpha=0.3)
    assert len(warnings) == 1 and warnings[0].startswith("unknown parameter '")
    assert len(warnings[0]) < 80


def test_brief_examples_read_as_phrases():
    _, warnings = from_query({"alpha": "abc", "layers": "4,100", "foo": "1"}, DATASETS)
    assert sorted(warnings) == ["alpha=abc: not a number", "layers=4,100: at most 32 neurons per layer",
                                "unknown parameter 'foo'"]


@pytest.mark.parametrize(("key", "value", "field", "expected"), [
    ("alpha", "0.06", "alpha", 0.1),  # log space: 0.06 is 1.67× below 0.1, 2× above 0.03 (linear would pick 0.03)
    ("alpha", "0.04", "alpha", 0.03),
    ("alpha", "7", "alpha", 10.0),
    ("lambda", "4e-6", "lam", 0.0),  # below half the smallest positive step: no decay
    ("lambda", "6e-6", "lam", 1e-5),
    ("lambda", "0.0002", "lam", 3e-4),
    ("noise", "22.5", "noise", 0.23),  # whole percents, as the slider
    ("train", "70.2", "train_fraction", 0.7),
])
def test_values_between_grid_points_snap_with_a_warning(key, value, field, expected):
    cfg, warnings = from_query({key: value}, DATASETS)
    assert getattr(cfg, field) == expected
    assert len(warnings) == 1 and warnings[0].startswith(f"{key}={value}: ")


@pytest.mark.parametrize(("key", "value", "field", "expected"), [
    ("alpha", "3e-2", "alpha", 0.03), ("alpha", "0.030", "alpha", 0.03), ("alpha", "1E1", "alpha", 10.0),
    ("lambda", "0", "lam", 0.0), ("lambda", "-0", "lam", 0.0), ("noise", " 20 ", "noise", 0.2),
    ("points", "+500", "n_points", 500), ("layers", "none", "hidden", ()), ("dseed", "007", "data_seed", 7),
])
def test_other_spellings_of_a_grid_value_are_taken_silently(key, value, field, expected):
    cfg, warnings = from_query({key: value}, DATASETS)
    assert (getattr(cfg, field), warnings) == (expected, [])
    assert math.copysign(1, cfg.lam) == 1.0


def test_layer_activations_are_checked_against_the_layers_of_the_link():
    cfg, warnings = from_query({"layers": "3,3,3", "fl": "relu,tanh,elu"}, DATASETS)
    assert (cfg.hidden, cfg.layer_activations, warnings) == ((3, 3, 3), ("relu", "tanh", "elu"), [])
    cfg, warnings = from_query({"layers": "3,100,3", "fl": "relu,tanh,elu"}, DATASETS)
    assert (cfg.hidden, cfg.layer_activations) == (D.hidden, ())
    assert [w.split("=")[0] for w in warnings] == ["layers", "fl"]


def test_dataset_must_be_one_the_caller_offers():
    assert from_query({"data": "iris"}, DATASETS)[0].dataset == "iris"
    cfg, warnings = from_query({"data": "iris"}, tuple(GENERATORS))
    assert cfg.dataset == D.dataset and warnings == ["data=iris: unknown dataset"]


def test_warnings_carry_no_markup_from_the_link():
    evil = "[click me](http://evil.example) **$x$** <b>"
    _, warnings = from_query({"data": evil, evil: "1"}, DATASETS)
    assert len(warnings) == 2
    for w in warnings:
        assert not set(w) & set("[]*$<>`"), w


def test_only_the_first_params_are_read():
    params = {f"p{i}": "1" for i in range(MAX_PARAMS)} | {"alpha": "0.3"}
    cfg, warnings = from_query(params, DATASETS)
    assert cfg.alpha == D.alpha
    assert warnings[0] == f"{MAX_PARAMS + 1} parameters; only the first {MAX_PARAMS} were read"
    assert len(warnings) == 1 + MAX_PARAMS


def test_view_names_unknown_controls_and_keeps_the_known():
    view, warnings = view_from_query({"hide": "alpha,bogus,seed", "lock": ["play", "step"], "alpha": "x"})
    assert view == View(frozenset({"alpha", "seed"}), frozenset())
    assert warnings == ["hide: unknown control 'bogus'", "lock is given 2 times; using the default"]


def test_view_from_query_reads_only_hide_and_lock():
    assert view_from_query({"alpha": "abc", "foo": "1"}) == (View(), [])


# ----------------------------------------------------------------- fuzz
ANY_PARAMS = st.dictionaries(
    st.text(max_size=30), st.one_of(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=3)), max_size=70
)
# Values built from the characters the parsers care about, on the keys they read.
NEAR_MISS = st.text(alphabet="0123456789.,+-eEnaif x_^" + "".join(ACTIVATIONS)[:20], max_size=40)
KNOWN_PARAMS = st.dictionaries(st.sampled_from(KEYS + VIEW_KEYS), NEAR_MISS | st.sampled_from(
    [*GENERATORS, *ACTIVATIONS, *CONTROLS, "none", "auto", "x1,x2", "4,2", "1e-5", "nan"]), max_size=20)


@settings(max_examples=300, deadline=None)
@given(params=ANY_PARAMS | KNOWN_PARAMS)
def test_fuzzed_links_never_raise_and_always_validate(params):
    cfg, warnings = from_query(params, DATASETS)
    assert C.validate(cfg, DATASETS) is cfg
    assert all(isinstance(w, str) and 0 < len(w) <= 200 for w in warnings)
    view, view_warnings = view_from_query(params)
    assert view.hidden <= CONTROLS.keys() and view.locked <= CONTROLS.keys()
    # What was read is itself a link: writing it out and reading it again changes nothing.
    assert from_query(to_query(cfg, view), DATASETS) == (cfg, [])


def test_config_fields_are_plain_python_types():
    cfg, _ = from_query({"noise": "20", "alpha": "0.3", "layers": "2,3", "points": "100"}, DATASETS)
    assert type(cfg.noise) is float and type(cfg.alpha) is float and type(cfg.n_points) is int
    assert cfg.hidden == (2, 3) and all(type(s) is int for s in cfg.hidden)
    assert not any(isinstance(getattr(cfg, f), np.generic) for f in C.FIELD_NAMES)


@pytest.mark.parametrize("query, warning", [
    ({"logy": "yes"}, "logy=yes: must be 0 or 1"),
    ({"dshared": "2"}, "dshared=2: must be 0 or 1"),
    ({"mat": "weights"}, "mat=weights: unknown matrix view"),
])
def test_bad_view_options_fall_back_with_a_warning(query, warning):
    cfg, warnings = from_query(query, DATASETS)
    assert cfg == C.DEFAULT and warnings == [warning]


def test_view_options_travel_in_the_link():
    cfg = C.replace(C.DEFAULT, log_y=True, delta_shared=True, matrices="W")
    assert to_query(cfg) == {"logy": "1", "dshared": "1", "mat": "W"}
    assert from_query(through_url(to_query(cfg)), DATASETS) == (cfg, [])


# ------------------------------------------------------------------ hostile settings files
@pytest.mark.parametrize("field, value", [
    ("noise", 10**400), ("alpha", 10**400), ("lam", -(10**400)), ("train_fraction", 10**400),
    ("n_points", 10**400), ("seed", 10**400), ("speed", 10**400), ("batch_size", 10**400),
    ("hidden", [10**400]), ("dataset", {"a": 1}), ("activation", ["tanh"]), ("features", [{"x": 1}]),
    ("layer_activations", [{"f": "tanh"}]), ("matrices", {"W": 1}), ("log_y", {"on": True}), ("noise", "0.1"),
    ("hidden", "4,2"), ("init", None),
])
def test_settings_file_values_of_any_size_or_type_fall_back_with_a_plain_warning(field, value) -> None:
    """A settings file is JSON: integers of any size, lists and tables where a name belongs. Each
    bad value leaves its setting at the default with one warning that names it and shows no
    Python internals (no exception, no "unhashable", no OverflowError)."""
    cfg, warnings = from_fields({field: value}, DATASETS)
    assert getattr(cfg, field) == getattr(C.DEFAULT, field)
    assert len(warnings) == 1 and warnings[0].startswith(f"{field}:"), warnings
    text = warnings[0]
    assert "unhashable" not in text and "Error" not in text and "dict" not in text and len(text) < 300, text
    assert C.validate(cfg, DATASETS) is cfg


def test_settings_table_declares_each_setting_once_and_the_link_follows_it() -> None:
    assert tuple(s.field for s in C.SETTINGS) == C.FIELD_NAMES
    assert tuple(p.key for p in PARAMS) == tuple(s.key for s in C.SETTINGS)
    assert C.RESET_FIELDS == tuple(s.field for s in C.SETTINGS if s.resets)
    assert "data_seed" not in C.RESET_FIELDS and "alpha" not in C.RESET_FIELDS and "hidden" in C.RESET_FIELDS


def test_a_link_value_that_is_an_address_is_never_a_clickable_link() -> None:
    """A bare address in a link value is quoted in the warning as plain text: Markdown would make
    it a link to somewhere else inside the app's own message."""
    _, warnings = from_query({"data": "http://evil.example/x", "f": "www.evil.example"}, DATASETS)
    text = "; ".join(warnings)
    assert "://" not in text and "www." not in text and "evil" in text, text
    assert plain("see [x](http://e.com) $x$") == "see (x)(http:/\u200b/e.com) ?x?"
