"""Time to generate synthetic prescriptions, per profile.

    .venv/bin/python bench/sample_generation.py [--count 200] [--profile mixed] [--seed 0]

Writes the set into a temporary directory (removed afterwards) and prints the total and the
mean time per sample (wall clock, and CPU time of this process, which does not grow when
other work shares the cores), the number of degraded samples and the size on disk.
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
        started, cpu_started = time.perf_counter(), time.process_time()
        written = write_samples(
            Path(out), args.count, args.seed, SampleOptions(profile=args.profile)
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        size = sum(p.stat().st_size for p in Path(out).iterdir())
    degraded = sum(w.degraded for w in written)
    print(
        f"profile={args.profile} count={args.count} total={elapsed:.1f}s "
        f"per_sample={elapsed / args.count * 1000:.0f}ms "
        f"cpu_per_sample={cpu / args.count * 1000:.0f}ms degraded={degraded} "
        f"size={size / 1e6:.1f}MB"
    )


if __name__ == "__main__":
    main()
