"""Synthetic prescriptions with known truth, for measuring the extraction engines.

`generate_sample(rng, index)` renders one; `write_samples(out_dir, count, seed)` writes a set.
"""

from scriptsensei.samples.dataset import SampleSetError, WrittenSample, write_samples
from scriptsensei.samples.generator import Sample, SampleOptions, generate_sample, sample_rng

__all__ = [
    "Sample",
    "SampleOptions",
    "SampleSetError",
    "WrittenSample",
    "generate_sample",
    "sample_rng",
    "write_samples",
]
