"""Shared fixtures: generated recordings and isolated AWS settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from frame_metric.settings import reset_settings

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "tests" / "events"


@pytest.fixture
def fake_aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Credentials and names for in-process moto (never a real account)."""
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")] + ["AWS_PROFILE", "MOTO_PORT"]:
        monkeypatch.delenv(name, raising=False)
    values = {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
        "FRAME_METRIC_BUCKET": "unit-videos", "FRAME_METRIC_VIDEOS_TABLE": "unit-videos",
        "FRAME_METRIC_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:unit-pipeline",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    yield
    reset_settings()


@pytest.fixture(scope="session")
def sample_recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A short generated app launch with its ground truth, shared by the tests that only read it."""
    from frame_metric.samples import generate_app_launch

    path = tmp_path_factory.mktemp("recordings") / "app_launch.mp4"
    truth = generate_app_launch(path, width=360, height=800, fps=30.0, seconds=3.0)
    return path, truth


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
