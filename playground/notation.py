"""The text's indices in plain Unicode, for labels and titles that are not LaTeX: a layer in a
superscript, ⁽ˡ⁾, and a unit or example index in a subscript. (The equation panel writes LaTeX;
equations.py has its own.)"""
from __future__ import annotations

_SUP = str.maketrans("0123456789+-()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sup(l: int) -> str:
    """The layer index as the text writes it, raised and in parentheses: 3 → ⁽³⁾."""
    return f"({l})".translate(_SUP)


def sub(index: int | str) -> str:
    """An index lowered: 12 → ₁₂."""
    return str(index).translate(_SUB)
