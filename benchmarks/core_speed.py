"""Per-epoch cost of ``Network.step`` beside scikit-learn's MLPRegressor and the bare matmul floor.

Run from the repository root::

    python benchmarks/core_speed.py            # full run, a few minutes at most
    python benchmarks/core_speed.py --quick    # smoke run, seconds

One epoch is one full-batch update (float64). scikit-learn is configured to the same math: plain
SGD with no momentum, batch = all m examples, no shuffling, a constant rate α, identity output
with squared error, and alpha = λ·m (its penalty is alpha/(2m)·ΣW², ours λ/2·ΣW², eq. 6). It
never stops early (tol=0, n_iter_no_change beyond max_iter); each timing is one warm-started
``fit`` of N epochs, divided by N.

The floor is what no implementation of the update can avoid: per update, the forward products
A^(l) (W^(l))ᵀ for every layer, the backward Δ^(l+1) W^(l) for l ≥ 2 and (Δ^(l+1))ᵀ A^(l) for
every layer, into preallocated arrays of the same shapes. Each product is the same BLAS call the
update makes: (Δ^(l+1))ᵀ A^(l) is formed as (A^(l))ᵀ Δ^(l+1) where OpenBLAS runs that form faster
(``playground.buffers.sum_transposed``; scikit-learn always forms it so). The floor skips the copy
into W^(l)'s layout that the update then needs: that cost stays on our side of the ratio.

The machine is shared and noisy, so the three are timed interleaved in short slices (ours,
sklearn, floor, ours, …, 51 of each, the cases taking turns too) and each reports the median
of its slices: noise then hits all of them alike. Compare the ratios, not the absolute times.
The BLAS library and its kernel are printed first: OPENBLAS_CORETYPE and the thread count
change the absolute times a lot. --quick is a smoke run: too few, too short slices to judge
the targets by (with fewer epochs per fit, sklearn's per-fit overhead weighs more).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground import Network  # noqa: E402
from playground.buffers import sum_transposed  # noqa: E402

SKLEARN_NAMES = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu"}
MIN_SPEEDUP_VS_SKLEARN = 1.5  # target: sklearn time / ours ≥ this
MAX_RATIO_TO_FLOOR = 1.15  # target: ours / floor ≤ this
MAX_SECONDS = 150.0  # past this, after MIN_REPEATS rounds, the run stops: a loaded machine stays bounded
MIN_REPEATS = 11
ALPHA = 1e-3  # learning rate α: small enough that thousands of epochs on random data stay finite
LAM = 1e-4  # weight decay λ, so the λW^(l) term of eq. (9) is on the timed path


@dataclass(frozen=True)
class Case:
    sizes: tuple[int, ...]
    m: int
    activation: str
    target: str  # "sklearn": ours ≥ 1.5× faster than MLPRegressor; "floor": ours ≤ 1.15× the floor
    epochs: int  # epochs per timed repetition in the full run: about 10-50 ms of work each

    @property
    def name(self) -> str:
        return f"{list(self.sizes)}×{self.m} {self.activation}"


CASES = (
    Case((2, 8, 8, 1), 500, "sigmoid", "sklearn", epochs=150),
    Case((2, 8, 8, 8, 8, 8, 8, 1), 500, "tanh", "sklearn", epochs=80),
    Case((64, 32, 16, 10), 1797, "relu", "sklearn", epochs=20),
    Case((784, 256, 128, 10), 4096, "relu", "floor", epochs=1),
)


@dataclass(frozen=True)
class Row:
    case: Case
    ours_ms: float
    sklearn_ms: float
    floor_ms: float
    repeats: int  # timed slices of each of the three behind the medians

    @property
    def speedup(self) -> float:
        return self.sklearn_ms / self.ours_ms

    @property
    def to_floor(self) -> float:
        return self.ours_ms / self.floor_ms

    @property
    def passed(self) -> bool:
        if self.case.target == "sklearn":
            return self.speedup >= MIN_SPEEDUP_VS_SKLEARN
        return self.to_floor <= MAX_RATIO_TO_FLOOR


def make_data(case: Case, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((case.m, case.sizes[0]))
    Y = rng.standard_normal((case.m, case.sizes[-1]))
    return X, Y


def ours_timer(case: Case, X: np.ndarray, Y: np.ndarray) -> Callable[[int], float]:
    """A function running N epochs of ``Network.step`` and returning the seconds taken."""
    net = Network(case.sizes, activation=case.activation, output_activation="linear", loss="squared", seed=0)

    def run(n: int) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            net.step(X, Y, ALPHA, LAM)
        return time.perf_counter() - t0

    return run


def sklearn_model(case: Case, alpha: float = ALPHA, lam: float = LAM):
    """An MLPRegressor doing our update: full-batch SGD at rate α, penalty λ, never stopping early.

    Its gradient is (Σ_k δ_k a_kᵀ + alpha·W)/m, so alpha = λ·m gives eq. (9)'s mean + λW. Each
    ``fit`` continues from the current weights (warm_start) for max_iter epochs.
    """
    from sklearn.neural_network import MLPRegressor

    return MLPRegressor(
        hidden_layer_sizes=case.sizes[1:-1],
        activation=SKLEARN_NAMES[case.activation],
        solver="sgd",
        alpha=lam * case.m,
        batch_size=case.m,
        learning_rate="constant",
        learning_rate_init=alpha,
        momentum=0.0,
        nesterovs_momentum=False,
        shuffle=False,
        early_stopping=False,
        tol=0.0,
        n_iter_no_change=2**62,
        max_iter=1,
        warm_start=True,
        random_state=0,
    )


def sklearn_fit(model, X: np.ndarray, Y: np.ndarray, epochs: int) -> None:
    """``epochs`` more full-batch epochs of model on (X, Y), ConvergenceWarning silenced."""
    from sklearn.exceptions import ConvergenceWarning

    model.set_params(max_iter=epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y[:, 0] if Y.shape[1] == 1 else Y)
    if model.n_iter_ != epochs:
        raise RuntimeError("MLPRegressor stopped early: the timing would be wrong")


def sklearn_timer(case: Case, X: np.ndarray, Y: np.ndarray) -> Callable[[int], float]:
    """The same N epochs as one warm-started ``MLPRegressor.fit``."""
    model = sklearn_model(case)
    sklearn_fit(model, X, Y, 1)  # allocates and initialises the weights, untimed

    def run(n: int) -> float:
        t0 = time.perf_counter()
        sklearn_fit(model, X, Y, n)
        return time.perf_counter() - t0

    return run


def floor_timer(case: Case, seed: int = 1) -> Callable[[int], float]:
    """N updates' worth of the unavoidable matrix products, on preallocated arrays."""
    rng = np.random.default_rng(seed)
    s, m, L = case.sizes, case.m, range(len(case.sizes) - 1)  # k = l - 1, as net.W[k] is W^(l)
    A = [rng.standard_normal((m, s[k])) for k in L]  # A^(l): (m, s_l)
    W = [rng.standard_normal((s[k + 1], s[k])) for k in L]  # W^(l): (s_{l+1}, s_l)
    D = [rng.standard_normal((m, s[k + 1])) for k in L]  # Δ^(l+1): (m, s_{l+1})
    Z = [np.empty((m, s[k + 1])) for k in L]
    T = [sum_transposed(m, s[k], s[k + 1]) for k in L]  # Σ_k δ^(l+1) (a^(l))ᵀ formed transposed?
    G = [np.empty((s[k], s[k + 1]) if T[k] else (s[k + 1], s[k])) for k in L]
    B = [np.empty((m, s[k])) for k in L]

    def run(n: int) -> float:  # np.dot: the same BLAS calls as np.matmul, with less overhead per call
        t0 = time.perf_counter()
        for _ in range(n):
            for k in L:
                np.dot(A[k], W[k].T, out=Z[k])
            for k in reversed(L):
                if T[k]:
                    np.dot(A[k].T, D[k], out=G[k])
                else:
                    np.dot(D[k].T, A[k], out=G[k])
                if k >= 1:  # l ≥ 2
                    np.dot(D[k], W[k], out=B[k])
        return time.perf_counter() - t0

    return run


def timers(case: Case) -> dict[str, Callable[[int], float]]:
    """Ours, sklearn and the floor for one case, each warmed up (first-touch allocations, BLAS threads)."""
    X, Y = make_data(case)
    out = {"ours": ours_timer(case, X, Y), "sklearn": sklearn_timer(case, X, Y), "floor": floor_timer(case)}
    for run in out.values():
        run(1)
    return out


def run_benchmark(
    cases: Sequence[Case] = CASES,
    *,
    quick: bool = False,
    repeats: int | None = None,
    max_seconds: float = MAX_SECONDS,
) -> list[Row]:
    """Median ms per epoch of ours, sklearn and the floor for each case.

    Round after round, every case times one slice of each of the three in turn, so a burst of
    load from elsewhere lands on a few slices of every case rather than on all of one case's.
    """
    if repeats is None:
        repeats = 5 if quick else 51
    plan = [(case, max(1, case.epochs // 10) if quick else case.epochs, timers(case)) for case in cases]
    times = [{key: [] for key in runs} for _, _, runs in plan]
    start = time.perf_counter()
    for i in range(repeats):
        for (_, epochs, runs), t in zip(plan, times, strict=True):
            for key, run in runs.items():
                t[key].append(run(epochs) / epochs * 1e3)
        if i + 1 >= MIN_REPEATS and time.perf_counter() - start > max_seconds:
            break
    rows = []
    for (case, _, _), t in zip(plan, times, strict=True):
        ms = {key: statistics.median(v) for key, v in t.items()}
        rows.append(Row(case, ms["ours"], ms["sklearn"], ms["floor"], len(t["ours"])))
    return rows


def format_table(rows: Sequence[Row]) -> str:
    head = (
        f"{'case':<34} {'ours ms':>9} {'sklearn ms':>10} {'sk/ours':>8} "
        f"{'floor ms':>9} {'ours/floor':>10}  target"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.case.target == "sklearn":
            goal = f"sk/ours ≥ {MIN_SPEEDUP_VS_SKLEARN}"
        else:
            goal = f"ours/floor ≤ {MAX_RATIO_TO_FLOOR}"
        lines.append(
            f"{r.case.name:<34} {r.ours_ms:9.3f} {r.sklearn_ms:10.3f} {r.speedup:8.2f} "
            f"{r.floor_ms:9.3f} {r.to_floor:10.2f}  {'PASS' if r.passed else 'FAIL'} ({goal})"
        )
    return "\n".join(lines)


def blas_description() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS: unknown (threadpoolctl not installed)"
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas" and "numpy" in i.get("filepath", "")]
    if not blas:
        return "BLAS: unknown"
    b = blas[0]
    return (
        f"numpy BLAS: {b.get('internal_api')} {b.get('version')}, kernel {b.get('architecture')}, "
        f"{b.get('num_threads')} threads"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: fewer epochs and repeats")
    parser.add_argument("--repeats", type=int, help="timed repetitions per implementation (default 51, quick 5)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rows = run_benchmark(quick=args.quick, repeats=args.repeats)
    print(blas_description())
    print(format_table(rows))
    note = " (--quick: a smoke run)" if args.quick else ""
    print(f"medians of {rows[0].repeats} interleaved slices of each{note}")
    verdict = "all targets PASS" if all(r.passed for r in rows) else "some targets FAIL"
    print(f"{verdict}; took {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
