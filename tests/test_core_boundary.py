"""The import boundary: the NumPy core loads neither Streamlit nor Plotly, and runs no eval/exec/pickle."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "playground"
CORE_MODULES = [
    "network", "activations", "losses", "initializers", "training", "gradcheck", "diagnostics", "config", "run",
    "history", "phases", "equations", "experiment", "share", "export", "data", "buffers", "frames", "runs",
    "readouts",
]
FORBIDDEN_IMPORTS = {"streamlit", "plotly", "pickle"}
FORBIDDEN_CALLS = {"eval", "exec"}


def _relative_imports_of_init() -> set[str]:
    """The submodules ``playground/__init__.py`` imports: importing the package loads them too."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    return {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
    }


def core_files() -> list[Path]:
    names = set(CORE_MODULES) | _relative_imports_of_init()
    files = [PACKAGE / "__init__.py"]
    for name in sorted(names):
        pkg = PACKAGE / name
        files += sorted(pkg.glob("*.py")) if pkg.is_dir() else [PACKAGE / f"{name}.py"]
    return files


def test_importing_the_core_loads_no_ui_library():
    code = (
        "import json, sys\n"
        "import playground\n"
        + "".join(f"import playground.{name}\n" for name in CORE_MODULES)
        + "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_the_subprocess_check_would_see_a_ui_import():
    """The check above is not vacuous: the same probe does report a module that was imported."""
    code = (
        "import json, sys, playground, json.decoder\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'json')))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "json.decoder" in json.loads(result.stdout.strip().splitlines()[-1])


def violations(source: str) -> list[str]:
    """Imports of FORBIDDEN_IMPORTS and calls of eval/exec in one module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_IMPORTS]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in FORBIDDEN_IMPORTS:
                found.append(f"from {node.module} import …")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in FORBIDDEN_CALLS:
                found.append(f"call to {name}()")
            if name in {"__import__", "import_module"} and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and str(arg.value).split(".")[0] in FORBIDDEN_IMPORTS:
                    found.append(f"dynamic import of {arg.value}")
    return found


@pytest.mark.parametrize("path", core_files(), ids=lambda p: p.name)
def test_core_source_has_no_ui_imports_pickle_or_eval(path):
    assert path.exists(), f"core module {path} is missing"
    assert violations(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "import streamlit as st",
        "import plotly.graph_objects as go",
        "from plotly import express",
        "import pickle",
        "def f():\n    from streamlit import session_state",
        "x = eval('1')",
        "import builtins\nbuiltins.exec('pass')",
        "import importlib\nimportlib.import_module('streamlit')",
        "__import__('pickle')",
    ],
)
def test_the_source_scan_catches_what_it_looks_for(snippet):
    assert violations(snippet)


def test_the_source_scan_passes_clean_code():
    assert violations("import numpy as np\nfrom .network import Network\nnp.evaluate = 1\nexecute = print") == []


def _code_execution(source: str) -> list[str]:
    """eval/exec/pickle anywhere, and NumPy loads that would unpickle (allow_pickle=True)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"import {n}" for n in names if n.split(".")[0] in {"pickle", "dill", "marshal", "shelve"}]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in FORBIDDEN_CALLS:
                found.append(f"call to {name}()")
            found += [f"{name}(allow_pickle=True)" for k in node.keywords
                      if k.arg == "allow_pickle" and not (isinstance(k.value, ast.Constant) and k.value.value is False)]
    return found


@pytest.mark.parametrize(
    "path", sorted((ROOT / "playground").rglob("*.py")) + [ROOT / "app.py"], ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_code_execution_from_input_anywhere_in_the_app(path):
    """Whatever a user supplies (link, CSV, weights file) is parsed as data: the UI too runs no
    eval/exec, imports no pickle, and loads NPZ only with allow_pickle=False."""
    assert _code_execution(path.read_text(encoding="utf-8")) == []


def test_the_code_execution_scan_catches_what_it_should():
    assert _code_execution("np.load(f, allow_pickle=True)") == ["load(allow_pickle=True)"]
    assert _code_execution("import pickle") == ["import pickle"]
    assert _code_execution("exec(s)") == ["call to exec()"]
    assert _code_execution("np.load(f, allow_pickle=False)") == []


# ------------------------------------------------------------------------------------ import circles
def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The playground modules a file imports, at module level or inside functions."""
    mod = _module_of(path)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names] + [target]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out |= {n for n in names if n.startswith("playground")}
    return out


def _graph() -> dict[str, set[str]]:
    files = {_module_of(p): p for p in PACKAGE.rglob("*.py")}
    return {mod: {n for n in _imports(p) if n in files and n != mod} for mod, p in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a list of modules, or None. Package __init__ re-exports are not edges
    back into their own submodules' importers (a package imports its parts; that is no circle)."""
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + ".") or node.startswith(nxt + ".") and nxt in graph and \
                    (PACKAGE.parent / nxt.replace(".", "/") / "__init__.py").exists():
                continue  # a package and its own submodules
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt] if nxt in path else [*path, nxt]
            if state.get(nxt) is None:
                found = visit(nxt, [*path, nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if state.get(start) is None:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_no_import_circles_in_the_package():
    """core → frames → figures → ui: no module imports one that imports it back, at any depth."""
    assert _cycle(_graph()) is None, " → ".join(_cycle(_graph()))


def test_the_circle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
