"""Server time of each Building Blocks section: its page model (the engine work, and for the
timed sections the live timing itself) and its figures, at the defaults and at the caps.
Budget: every section, even at its caps, well under a second.

    .venv/bin/python benchmarks/page_building_blocks.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from page_models.building_blocks import SECTIONS  # noqa: E402
from page_models.limits import MAX_DRAWS, MAX_FD_PARAMETERS, MAX_LOOP_SIZE  # noqa: E402

AT_THE_CAPS = {  # section: the settings that cost the most
    "softmax": {"sm_draws": MAX_DRAWS},
    "distributions": {"ds_n": MAX_DRAWS},
    "normalisation": {"nm_n": MAX_DRAWS, "nm_outlier": True},
    "sampling-bias": {"sb_n": SECTIONS["sampling-bias"].params["sb_n"].choices[-1]},
    "autodiff-cost": {"ad_max": MAX_FD_PARAMETERS},
    "vectorisation": {"vc_max": MAX_LOOP_SIZE},
    "factorisation": {"fa_rank": 10},
    "conditioning": {"cd_n": 6, "cd_steps": 500},
}


def best_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    print(f"{'section':<18}{'settings':<10}{'model ms':>10}")
    for key, section in SECTIONS.items():
        defaults = {name: param.default for name, param in section.params.items()}
        cases = [("defaults", defaults)]
        if key in AT_THE_CAPS:
            cases.append(("caps", {**defaults, **AT_THE_CAPS[key]}))
        for label, values in cases:
            seconds = best_seconds(lambda f=section.compute, v=values: f(v), repeats)
            print(f"{key:<18}{label:<10}{seconds * 1e3:>10.1f}")


if __name__ == "__main__":
    main()
