"""Share links: a Config as URL query parameters and back, never trusting what comes back.

A link carries only the settings that differ from the defaults, under short keys a person can
read and edit: ``?data=spiral&noise=20&layers=8,8,4&alpha=0.03``. Noise and the training share
are whole percents, as the sliders show them; α and λ are values of the sliders' grids.

Reading a link is the other direction and the untrusted one: every value is bounded before it
is parsed, and a value that is missing its mark (not a number, out of range, unknown name,
given twice …) leaves that one setting at its default and adds one short warning naming the
parameter. An α or λ between grid values is moved to the nearest one (in log space), because a
slider can only show its own values. The result always passes ``config.validate``, and for
every setting the sidebar can produce, ``from_query(to_query(cfg)) == (cfg, [])``.

A link may also set up a classroom view: ``hide=`` and ``lock=`` list controls to hide or to
show disabled (see ``CONTROLS``). ``from_fields`` applies the same checks to settings read from
a JSON file, where values arrive typed rather than as text.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice

from . import config as C

# The sidebar sliders' values; ui/controls.py draws its α and λ sliders from these.
ALPHA_GRID, LAM_GRID = C.ALPHA_GRID, C.LAM_GRID
MAX_VALUE_CHARS = 200  # longer values are refused unread
MAX_PARAMS = 50  # parameters beyond these are not read at all
SHOWN_CHARS = 40  # how much of a bad value a warning quotes

# Controls a link can hide or lock (shown, disabled) for a classroom: name -> what it covers.
CONTROLS: dict[str, str] = {
    "data": "the dataset picker, data seed and Regenerate",
    "noise": "the noise slider",
    "points": "the number of points",
    "train": "the training share",
    "features": "the input-feature pills",
    "network": "hidden layers, neurons per layer and the per-layer f switch",
    "activation": "the activation f and the output activation",
    "loss": "the loss",
    "alpha": "the learning rate α",
    "lambda": "the weight decay λ",
    "batch": "full batch, mini-batch or one example, and the batch size",
    "init": "the initializer",
    "seed": "the weight seed",
    "speed": "the play speed (epochs per second)",
    "step": "the Step and Epoch buttons",
    "phase": "the Phase button",
    "play": "the Play toggle",
    "reset": "the Reset button",
    "equations": "the equation panel",
    "upload": "the CSV upload",
    "export": "downloads and weight import",
}
VIEW_KEYS = ("hide", "lock")


@dataclass(frozen=True)
class View:
    """What a classroom link hides and locks; names from CONTROLS."""

    hidden: frozenset[str] = frozenset()
    locked: frozenset[str] = frozenset()


class _Bad(ValueError):
    """Why one parameter's value was refused: a short phrase, completed by the caller."""


# ------------------------------------------------------------------- values to text
def _number_text(x: float) -> str:
    """The shortest readable text that parses back to exactly x: 0.03, 1e-5, 10."""
    x = float(x)
    s = f"{x:g}"
    if float(s) != x:
        s = repr(x)
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", s)


def _percent_text(fraction: float) -> str:
    """Whole percents as the sliders show them; anything finer (which a link rounds, with a warning) to 6 digits."""
    whole = round(float(fraction) * 100)
    return str(whole) if whole / 100 == fraction else f"{fraction * 100:.6g}"


def _list_text(items: tuple) -> str:
    return ",".join(str(i) for i in items) if items else "none"


# ------------------------------------------------------------------- text to values
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,4})?", re.ASCII)
_WHOLE = re.compile(r"[+-]?\d+", re.ASCII)
_NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def _decimal(text: str) -> Decimal:
    if text.lower() in _NON_FINITE:
        raise _Bad("not a finite number")
    if not _NUMBER.fullmatch(text):
        raise _Bad("not a number")
    return Decimal(text)


def _whole(text: str, lo: int, hi: int) -> int:
    if not _WHOLE.fullmatch(text):
        raise _Bad("not a whole number" if _NUMBER.fullmatch(text) else "not a number")
    n = int(text)  # at most MAX_VALUE_CHARS digits
    if not lo <= n <= hi:
        raise _Bad(f"must be from {lo} to {hi}")
    return n


def _integer(lo: int, hi: int) -> Callable[..., tuple[object, str | None]]:
    return lambda text, ctx: (_whole(text, lo, hi), None)


def _percent(lo: int, hi: int) -> Callable[..., tuple[object, str | None]]:
    """Whole percents lo … hi as a fraction; a decimal percent is rounded, with a note."""

    def parse(text: str, ctx) -> tuple[object, str | None]:
        d = _decimal(text)
        if not lo <= d <= hi:
            raise _Bad(f"must be from {lo} to {hi} (percent)")
        whole = int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        note = None if d == whole else f"the slider takes whole percents; using {whole}"
        return whole / 100, note  # the same division the sidebar does

    return parse


def snap(x: float, grid: tuple[float, ...]) -> float:
    """The grid value nearest x in log space; below half the smallest positive step, 0 if the grid has it."""
    if x in grid:
        return next(g for g in grid if g == x)  # the grid's own value: 0.0, never -0.0
    positive = [g for g in grid if g > 0]
    if 0.0 in grid and x < positive[0] / 2:
        return 0.0
    return min(positive, key=lambda g: abs(math.log(g / x)))


def _on_grid(lo: float, hi: float, grid: tuple[float, ...]) -> Callable[..., tuple[object, str | None]]:
    def parse(text: str, ctx) -> tuple[object, str | None]:
        x = float(_decimal(text))
        if not (math.isfinite(x) and lo <= x <= hi):
            raise _Bad(f"must be from {_number_text(lo)} to {_number_text(hi)}")
        g = snap(x, grid)
        return g, None if g == x else f"not on the slider; using {_number_text(g)}"

    return parse


def _on_int_grid(grid: tuple[int, ...]) -> Callable[..., tuple[object, str | None]]:
    def parse(text: str, ctx) -> tuple[object, str | None]:
        x = float(_decimal(text))
        if not (math.isfinite(x) and 1 <= x <= grid[-1]):
            raise _Bad(f"must be from 1 to {grid[-1]}")
        g = min(grid, key=lambda v: abs(math.log(v) - math.log(x)))
        return g, None if g == x else f"not on the slider; using {g}"

    return parse


def _choice(options: Callable[[_Context], tuple[str, ...]], what: str) -> Callable[..., tuple[object, str | None]]:
    def parse(text: str, ctx: _Context) -> tuple[object, str | None]:
        if text not in options(ctx):
            raise _Bad(f"unknown {what}")
        return text, None

    return parse


def _flag(text: str, ctx) -> tuple[object, str | None]:
    if text not in ("0", "1"):
        raise _Bad("must be 0 or 1")
    return text == "1", None


def _flag_text(flag: bool) -> str:
    return "1" if flag else "0"


def _items(text: str, most: int, what: str) -> list[str]:
    items = text.split(",")
    if len(items) > most:
        raise _Bad(f"at most {most} {what}")
    return items


def _names(options: tuple[str, ...]) -> Callable[..., tuple[object, str | None]]:
    def parse(text: str, ctx) -> tuple[object, str | None]:
        items = _items(text, len(options), "features")
        for name in items:
            if name not in options:
                raise _Bad(f"unknown feature {_show(name)!r}")
        if len(set(items)) != len(items):
            raise _Bad("a feature is listed twice")
        return tuple(items), None

    return parse


def _sizes(v: C.Sizes) -> Callable[..., tuple[object, str | None]]:
    def parse(text: str, ctx) -> tuple[object, str | None]:
        if text == "none":
            return (), None
        sizes = []
        for item in _items(text, v.most, "hidden layers"):
            if not _WHOLE.fullmatch(item):
                raise _Bad(f"{_show(item)!r} is not a whole number")
            size = int(item)
            if size > v.hi:
                raise _Bad(f"at most {v.hi} neurons per layer")
            if size < v.lo:
                raise _Bad(f"at least {v.lo} neuron per layer")
            sizes.append(size)
        return tuple(sizes), None

    return parse


def _per_layer(options: tuple[str, ...]) -> Callable[..., tuple[object, str | None]]:
    def parse(text: str, ctx: _Context) -> tuple[object, str | None]:
        names = _items(text, C.MAX_HIDDEN_LAYERS, "hidden layers")
        for name in names:
            if name not in options:
                raise _Bad(f"unknown activation {_show(name)!r}")
        n = len(ctx.cfg.hidden)
        if len(names) != n:
            raise _Bad(f"needs one activation per hidden layer ({n})")
        return tuple(names), None

    return parse


@dataclass(frozen=True)
class _Context:
    datasets: tuple[str, ...]
    cfg: C.Config  # the settings read so far (fl is checked against layers)


@dataclass(frozen=True)
class _Param:
    key: str
    field: str
    parse: Callable[[str, _Context], tuple[object, str | None]]
    text: Callable[[object], str] = str


_WHAT = {"dataset": "dataset", "activation": "activation", "output_activation": "activation", "loss": "loss",
         "init": "initializer", "matrices": "matrix view"}  # "unknown …" in a choice's warning


def _param(s: C.Setting) -> _Param:
    """A setting's link format, both ways, from its declaration in config.SETTINGS."""
    v = s.values
    if isinstance(v, C.Number):
        if not v.percent:
            raise TypeError(f"{s.field}: a link carries numbers as percents or on a grid")
        return _Param(s.key, s.field, _percent(round(v.lo * 100), round(v.hi * 100)), _percent_text)
    if isinstance(v, C.Whole):
        return _Param(s.key, s.field, _integer(v.lo, v.hi))
    if isinstance(v, C.Grid):
        if all(isinstance(g, int) for g in v.values):
            return _Param(s.key, s.field, _on_int_grid(v.values))
        return _Param(s.key, s.field, _on_grid(v.lo, v.hi, v.values), _number_text)
    if isinstance(v, C.Choice):
        options = v.options
        return _Param(s.key, s.field, _choice((lambda ctx: ctx.datasets) if options is None else (lambda ctx: options),
                                             _WHAT.get(s.field, s.label.lower())))
    if isinstance(v, C.Flag):
        return _Param(s.key, s.field, _flag, _flag_text)
    if isinstance(v, C.Names):
        return _Param(s.key, s.field, _names(v.options), _list_text)
    if isinstance(v, C.Sizes):
        return _Param(s.key, s.field, _sizes(v), _list_text)
    if isinstance(v, C.PerLayer):
        return _Param(s.key, s.field, _per_layer(v.options), _list_text)
    raise TypeError(f"{s.field}: no link format for {type(v).__name__}")


# In Config's field order, so a parameter may depend on the ones read before it.
PARAMS: tuple[_Param, ...] = tuple(_param(s) for s in C.SETTINGS)
KEYS = tuple(p.key for p in PARAMS)


# ------------------------------------------------------------------- messages
_MARKUP = str.maketrans({c: "?" for c in "`*#|~<>$\\{}"} | {"[": "(", "]": ")"})


def plain(text: str, limit: int = 200) -> str:
    """text safe to show in a message: printable, no Markdown or LaTeX markup, at most limit chars."""
    text = "".join(c if c.isprintable() else "?" for c in text[: limit + 1]).translate(_MARKUP)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    # Markdown turns bare addresses into links even without markup: a zero-width space stops that.
    return text.replace("://", ":/\u200b/").replace("www.", "www\u200b.")


def _show(text: str) -> str:
    return plain(text, SHOWN_CHARS)


def _one_value(key: str, value, warnings: list[str]) -> str | None:
    """The single, bounded, non-empty text of one parameter, or None with a warning."""
    if isinstance(value, list | tuple):
        if len(value) > 1:
            warnings.append(f"{key} is given {len(value)} times; using the default")
            return None
        value = value[0] if value else ""
    if not isinstance(value, str):
        warnings.append(f"{key} is not text")
        return None
    if len(value) > MAX_VALUE_CHARS:
        warnings.append(f"{key} is longer than {MAX_VALUE_CHARS} characters")
        return None
    value = value.strip()
    if not value:
        warnings.append(f"{key} is empty")
        return None
    return value


# ------------------------------------------------------------------- the two directions
def to_query(cfg: C.Config, view: View | None = None) -> dict[str, str]:
    """The settings of cfg that differ from the defaults, as query parameters; then hide/lock."""
    C.validate(cfg)
    query = {
        p.key: p.text(getattr(cfg, p.field))
        for p in PARAMS
        if getattr(cfg, p.field) != getattr(C.DEFAULT, p.field)
    }
    if view is not None:
        for key, names in (("hide", view.hidden), ("lock", view.locked)):
            if names:
                query[key] = ",".join(sorted(names))
    return query


def from_query(params: Mapping[str, str | list[str]], datasets: tuple[str, ...]) -> tuple[C.Config, list[str]]:
    """The Config a link describes, and one warning per parameter that was not taken as given.

    datasets: the names a link may select (it must include the default dataset). hide= and
    lock= are read by :func:`view_from_query` and pass here without comment.
    """
    warnings: list[str] = []
    if len(params) > MAX_PARAMS:
        warnings.append(f"{len(params)} parameters; only the first {MAX_PARAMS} were read")
    raw: dict[str, str] = {}
    for key, value in islice(params.items(), MAX_PARAMS):
        if not isinstance(key, str) or key not in KEYS + VIEW_KEYS:
            warnings.append(f"unknown parameter {_show(str(key))!r}")
        elif key in KEYS and (text := _one_value(key, value, warnings)) is not None:
            raw[key] = text
    cfg = C.DEFAULT
    for p in PARAMS:
        text = raw.get(p.key)
        if text is None:
            continue
        try:
            value, note = p.parse(text, _Context(datasets, cfg))
        except _Bad as why:
            warnings.append(f"{p.key}={_show(text)}: {why}")
            continue
        if note:
            warnings.append(f"{p.key}={_show(text)}: {note}")
        cfg = replace(cfg, **{p.field: value})
    return C.validate(cfg, datasets), warnings


def view_from_query(params: Mapping[str, str | list[str]]) -> tuple[View, list[str]]:
    """The classroom view of a link: controls to hide and to lock, with a warning per unknown name."""
    warnings: list[str] = []
    found: dict[str, frozenset[str]] = {}
    for key in VIEW_KEYS:
        text = _one_value(key, params[key], warnings) if key in params else None
        if text is None:
            continue
        names = set(text.split(","))
        unknown = sorted(names - CONTROLS.keys())
        if unknown:
            listed = ", ".join(repr(_show(n)) for n in unknown)
            warnings.append(plain(f"{key}: unknown control{'s' * (len(unknown) > 1)} {listed}"))
        found[key] = frozenset(names & CONTROLS.keys())
    return View(found.get("hide", frozenset()), found.get("lock", frozenset())), warnings


def from_fields(values: Mapping[str, object], datasets: tuple[str, ...]) -> tuple[C.Config, list[str]]:
    """A Config from typed values by field name (a settings file): the checks of a link, in Config's units.

    Each field is tried on the settings read so far and validated; a value that fails stays at
    its default with a warning. α and λ move to the sliders' grids as in a link.
    """
    warnings: list[str] = []
    if not isinstance(values, Mapping):
        return C.DEFAULT, ["the settings are not a table of names and values; using the defaults"]
    for name in islice(values, MAX_PARAMS):
        if name not in C.FIELD_NAMES:
            warnings.append(f"unknown setting {_show(str(name))!r}")
    cfg = C.DEFAULT
    for name in C.FIELD_NAMES:
        if name not in values:
            continue
        value = _typed(name, values[name])
        v = C.SETTING[name].values
        grid = v.values if isinstance(v, C.Grid) and isinstance(value, float) else None
        if grid and math.isfinite(value) and grid[0] <= value <= grid[-1]:
            on_grid = snap(value, grid)
            if on_grid != value:
                warnings.append(f"{name}: {_number_text(value)} is not on the slider; using {_number_text(on_grid)}")
            value = on_grid
        try:
            cfg = C.validate(replace(cfg, **{name: value}), datasets)
        except (ValueError, TypeError) as err:  # TypeError: an unhashable value where a name belongs
            warnings.append(plain(f"{name}: {err} Using the default."))
    return cfg, warnings


def _typed(name: str, value: object) -> object:
    """A JSON value in the field's Python type where that loses nothing (lists → tuples, 1 → 1.0).

    A whole number too large for a float stays an int: the checks then refuse it by its size.
    """
    v = C.SETTING[name].values
    if isinstance(v, C.Names | C.Sizes | C.PerLayer) and isinstance(value, list):
        return tuple(value)
    floats = isinstance(v, C.Number) or (isinstance(v, C.Grid) and not all(isinstance(g, int) for g in v.values))
    if floats and isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2**53:
        return float(value)
    return value


__all__ = [
    "ALPHA_GRID", "LAM_GRID", "CONTROLS", "View", "to_query", "from_query", "view_from_query", "from_fields",
    "snap", "plain",
]
