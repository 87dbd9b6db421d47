"""Noise levels of a video, estimated from its calm frames (few zones visibly changing)."""

from __future__ import annotations

import numpy as np

NOISE_SAMPLE = 2000  # calm frames sampled: bounded time and memory on long videos


def sample_rows(calm: np.ndarray) -> np.ndarray:
    """Rows of the calm frames, at most NOISE_SAMPLE of them, evenly spread."""
    rows = np.flatnonzero(calm)
    if len(rows) > NOISE_SAMPLE:  # evenly spread: bounded time and memory on long videos
        rows = rows[np.linspace(0, len(rows) - 1, NOISE_SAMPLE).astype(np.int64)]
    return rows


def background_level(values: np.ndarray, changed: np.ndarray) -> float:
    """Typical level of a score where nothing visibly changes: per (sampled calm) frame the 90th
    percentile over zones, zones that visibly changed counting as 0; then the median over frames.
    A percentile, not the maximum, so the few zones a banner grazes are not the whole video's noise."""
    if not values.size:
        return 0.0
    values = np.where(changed, 0.0, values).astype(np.float32)
    return float(np.median(np.percentile(values, 90, axis=1)))
