"""Time to generate synthetic prescriptions, per profile.

    .venv/bin/python bench/sample_generation.py [--count 200] [--profile mixed] [--seed 0]

Writes the set into a temporary directory (removed afterwards) and prints the total and the
mean time per sample, and the share of degraded samples.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from scriptsensei.samples import SampleOptions, write_samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument(
        "--profile", default="mixed", choices=("clean", "photo", "rotated", "mixed")
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        written = write_samples(
            Path(out), args.count, args.seed, SampleOptions(profile=args.profile)
        )
        elapsed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(out).iterdir())
    degraded = sum(w.degraded for w in written)
    print(
        f"profile={args.profile} count={args.count} total={elapsed:.1f}s "
        f"per_sample={elapsed / args.count * 1000:.0f}ms degraded={degraded} "
        f"size={size / 1e6:.1f}MB"
    )


if __name__ == "__main__":
    main()
