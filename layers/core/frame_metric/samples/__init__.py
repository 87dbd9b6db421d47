"""Synthetic screen recordings with exact ground truth, for tests, benchmarks and demos."""

from frame_metric.samples.recording import GroundTruth, generate_app_launch

__all__ = ["GroundTruth", "generate_app_launch"]
