#!/usr/bin/env python
"""How fast Accord's engine fits BG/NBD, beside the `lifetimes` library on the same customers.

    .venv/bin/python benchmarks/clv_fit.py [--customers 1000000] [--repeat 3] [--seed 7]

N customers are simulated from BG/NBD's own process (``accord.analytics.engine.simulate``) in days, over two
years of acquisition, and summarised as a CRM would: x, t_x and T in whole days. Both fitters get the same
(x, t_x, T) arrays; each fit is timed ``--repeat`` times (median). Printed: both times, the speed ratio, both
parameter sets, and whether they agree to 3 significant digits. Goal (issue #6): ≥ 10× faster than
lifetimes at 1,000,000 customers with parameters equal to 3 significant digits.

``compare_with_lifetimes(frequency, recency, age)`` is the measurement itself, for ``benchmarks/analytics.py``
to call on the summary it reads from the CRM's database. `lifetimes` is a benchmark-only dependency (the
``bench`` extra of pyproject.toml, installed by ``make install``); Accord never imports it at run time.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accord.analytics.engine.bgnbd import fit_bgnbd, log_likelihood
from accord.analytics.engine.simulate import simulate_bgnbd
from benchmarks.harness import machine_description, print_table

TRUTH = {"r": 0.8, "alpha": 60.0, "a": 0.6, "b": 2.5}  # days: a purchase every ~75 days while alive
NAMES = ("r", "alpha", "a", "b")


def agree_to_three_digits(ours: float, theirs: float) -> bool:
    """Equal to 3 significant digits: within half a unit of the third significant digit of `theirs`."""
    if theirs == 0:
        return ours == 0
    half_unit = 0.5 * 10 ** (math.floor(math.log10(abs(theirs))) - 2)
    return abs(ours - theirs) <= half_unit


def _timed(function: Any, repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` calls, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def compare_with_lifetimes(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike, *, repeat: int = 1
) -> dict[str, Any]:
    """Fit BG/NBD with Accord's engine and with lifetimes' BetaGeoFitter on the same (x, t_x, T).

    Returns the customers, both median times in seconds, the speed ratio (lifetimes / ours), both
    parameter sets and log-likelihoods, the largest relative difference of a parameter, and whether every
    parameter agrees to 3 significant digits."""
    from lifetimes import BetaGeoFitter  # benchmark-only dependency, imported where it is used

    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    big_t = np.asarray(age, dtype=np.float64)
    ours_seconds, ours = _timed(lambda: fit_bgnbd(x, t_x, big_t), repeat)

    def fit_lifetimes() -> Any:
        fitter = BetaGeoFitter()
        fitter.fit(x, t_x, big_t)
        return fitter

    theirs_seconds, fitter = _timed(fit_lifetimes, repeat)
    theirs = {name: float(fitter.params_[name]) for name in NAMES}
    # Both parameter sets are scored by the same likelihood (FHL 2005, eq. 6), so the figures compare.
    theirs_log_likelihood = float(log_likelihood(theirs, x, t_x, big_t).sum())
    return {
        "customers": len(x),
        "accord_seconds": ours_seconds,
        "lifetimes_seconds": theirs_seconds,
        "speed_ratio": theirs_seconds / ours_seconds,
        "accord_params": dict(ours.params),
        "lifetimes_params": theirs,
        "accord_log_likelihood": ours.log_likelihood,
        "lifetimes_log_likelihood": theirs_log_likelihood,
        "max_relative_difference": max(abs(ours.params[name] / theirs[name] - 1) for name in NAMES),
        "equal_to_3_significant_digits": all(
            agree_to_three_digits(ours.params[name], theirs[name]) for name in NAMES
        ),
    }


def simulated_summary(customers: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) in whole days of customers acquired uniformly over two years."""
    ages = np.random.default_rng(seed).integers(1, 731, customers).astype(np.float64)
    data = simulate_bgnbd(customers, **TRUTH, age=ages, seed=seed + 1)
    return data.frequency, np.round(data.recency), data.age


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    frequency, recency, age = simulated_summary(args.customers, args.seed)
    result = compare_with_lifetimes(frequency, recency, age, repeat=args.repeat)
    print(f"Machine: {machine_description()}; {args.customers:,} customers, median of {args.repeat}")
    print_table(
        "BG/NBD fit: Accord's engine against lifetimes 0.11.3",
        ["fitter", "customers", "median s", "ratio to Accord", "r", "alpha", "a", "b", "log-likelihood"],
        [
            [
                label,
                result["customers"],
                result[f"{key}_seconds"],
                result[f"{key}_seconds"] / result["accord_seconds"],
                *(f"{result[f'{key}_params'][name]:.6g}" for name in NAMES),
                f"{result[f'{key}_log_likelihood']:.1f}",
            ]
            for label, key in (("accord", "accord"), ("lifetimes", "lifetimes"))
        ],
    )
    print(f"speed ratio (lifetimes / Accord): {result['speed_ratio']:.1f}×")
    print(
        "parameters equal to 3 significant digits: "
        f"{'yes' if result['equal_to_3_significant_digits'] else 'NO'} "
        f"(largest relative difference {result['max_relative_difference']:.1e})"
    )
    print(f"truth: {', '.join(f'{name}={value}' for name, value in TRUTH.items())}")
    return 0 if result["equal_to_3_significant_digits"] else 1


if __name__ == "__main__":
    sys.exit(main())
