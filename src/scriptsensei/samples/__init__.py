"""Synthetic prescriptions with known truth, for measuring the extraction engines.

`generate_sample(rng, index)` renders one; `write_samples(out_dir, count, seed)` writes a set and
`read_samples(out_dir)` reads it back (image path, truth, metadata).
"""

from scriptsensei.samples.dataset import (
    SampleFiles,
    SampleSetError,
    WrittenSample,
    read_samples,
    write_samples,
)
from scriptsensei.samples.generator import Sample, SampleOptions, generate_sample, sample_rng

__all__ = [
    "Sample",
    "SampleFiles",
    "SampleOptions",
    "SampleSetError",
    "WrittenSample",
    "generate_sample",
    "read_samples",
    "sample_rng",
    "write_samples",
]
