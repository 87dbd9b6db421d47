"""Recordings generated once per test session, with their ground truth."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from frame_metric.samples import GroundTruth, generate_app_launch

MakeRecording = Callable[..., tuple[Path, GroundTruth]]


@pytest.fixture(scope="session")
def recording(tmp_path_factory: pytest.TempPathFactory) -> MakeRecording:
    """recording(**generate_app_launch options) -> (path, truth); the same options reuse the file."""
    folder = tmp_path_factory.mktemp("analysis-recordings")
    made: dict[str, tuple[Path, GroundTruth]] = {}

    def make(**options: Any) -> tuple[Path, GroundTruth]:
        key = json.dumps(options, sort_keys=True)
        if key not in made:
            path = folder / f"recording-{len(made)}.mp4"
            made[key] = (path, generate_app_launch(path, **options))
        return made[key]

    return make
