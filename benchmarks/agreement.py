#!/usr/bin/env python3
"""Time Krippendorff's alpha on a large ratings matrix against the krippendorff package.

Builds a seeded items x raters matrix of 5 categories with 20% of ratings missing (default
100,000 items x 10 raters), times `honing.quality.agreement.krippendorff_alpha` at the
nominal and interval levels (best of --repeats runs, time.perf_counter), times
`krippendorff.alpha` (a test extra; it takes raters x items with NaN) on the same data,
checks both agree to 1e-9, and prints a table. Target per level: under 1 s and faster
than the package. Exit code 1 if a target or the agreement check fails.

    .venv/bin/python benchmarks/agreement.py
    .venv/bin/python benchmarks/agreement.py --items 1000000 --raters 10 --repeats 3
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np

TARGET_SECONDS = 1.0
LEVELS = ("nominal", "interval")


def best_of(repeats: int, run: Callable[[], float]) -> tuple[float, float]:
    """(fastest wall time, result) over `repeats` runs."""
    best, result = float("inf"), float("nan")
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def ratings(items: int, raters: int, seed: int = 0) -> np.ndarray:
    """items x raters floats in 1..5 with 20% NaN: mostly agreeing raters, like real labels."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, size=(items, 1))
    noise = rng.integers(1, 6, size=(items, raters))
    grid = np.where(rng.random((items, raters)) < 0.6, truth, noise).astype(float)
    grid[rng.random(grid.shape) < 0.2] = np.nan
    return grid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--raters", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import krippendorff

    from honing.quality.agreement import krippendorff_alpha

    grid = ratings(args.items, args.raters)
    by_rater = np.ascontiguousarray(grid.T)  # the package's layout, prepared outside the clock
    print(f"{args.items:,} items x {args.raters} raters, 5 categories, 20% missing, "
          f"best of {args.repeats}")
    print(f"{'level':<10} {'ours (s)':>10} {'krippendorff pkg (s)':>21} {'ratio':>7}  "
          f"{'alpha':>10}  result")
    failed = False
    for level in LEVELS:
        ours_s, ours = best_of(args.repeats, lambda level=level: krippendorff_alpha(grid, level))
        pkg_s, pkg = best_of(args.repeats, lambda level=level: float(
            krippendorff.alpha(reliability_data=by_rater, level_of_measurement=level)))
        problems = []
        if not abs(ours - pkg) <= 1e-9:
            problems.append(f"disagrees with package ({pkg!r})")
        if ours_s >= TARGET_SECONDS:
            problems.append(f"not under {TARGET_SECONDS:g} s")
        if ours_s >= pkg_s:
            problems.append("not faster than the package")
        failed |= bool(problems)
        verdict = "FAIL: " + "; ".join(problems) if problems else "PASS"
        print(f"{level:<10} {ours_s:>10.4f} {pkg_s:>21.4f} {pkg_s / ours_s:>6.1f}x  "
              f"{ours:>10.6f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
