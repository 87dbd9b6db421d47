"""`serve` launches DynamoDB Local before its heavy imports: only on a data directory it could lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from frame_metric.localcloud.stores import DataDirInUse, launch_tables_early, lock_data_dir
from frame_metric.localcloud.template import project_root


def test_a_data_dir_in_use_starts_no_store(tmp_path: Path) -> None:
    held = lock_data_dir(tmp_path)
    try:
        with pytest.raises(DataDirInUse, match="in use by another frame-metric serve"):
            launch_tables_early(project_root(), tmp_path)
        assert not (tmp_path / "dynamodb").exists()
    finally:
        held.close()


def test_the_lock_is_released_with_its_handle(tmp_path: Path) -> None:
    lock_data_dir(tmp_path).close()
    lock_data_dir(tmp_path).close()  # a stopped serve leaves the directory free
