"""Services cached per settings object: a change of environment within one process (the local cloud
starting after in-process tests) never leaves a service holding the old bucket or tables."""

from __future__ import annotations

import pytest

from frame_metric.settings import get_settings, per_settings, reset_settings


def test_a_service_is_made_once_per_settings_and_again_after_a_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []

    @per_settings
    def bucket() -> str:
        made.append(get_settings().bucket)
        return made[-1]

    monkeypatch.setenv("FRAME_METRIC_BUCKET", "first-bucket")
    reset_settings()
    try:
        assert bucket() == bucket() == "first-bucket" and len(made) == 1
        monkeypatch.setenv("FRAME_METRIC_BUCKET", "second-bucket")
        assert bucket() == "first-bucket"  # the settings are cached until reset, like everything else
        reset_settings()
        assert bucket() == "second-bucket" and made == ["first-bucket", "second-bucket"]
    finally:
        reset_settings()
