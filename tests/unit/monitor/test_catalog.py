"""The metric catalog: the names the issue asks for, sane units and intervals, source filtering."""

from __future__ import annotations

import pytest

from frame_metric.monitor import catalog
from frame_metric.monitor.catalog import Source, Stat

REQUIRED = ["app_cpu", "app_cpu_per_core", "system_cpu", "memory_pss", "memory_pss_java", "memory_pss_native",
            "memory_pss_graphics", "memory_rss", "memory_uss", "fps", "jank", "big_jank", "stutter", "frame_time",
            "net_rx", "net_tx", "battery_level", "battery_temperature", "cpu_temperature", "gpu_load", "threads",
            "fds"]


def test_every_metric_of_the_issue_is_there() -> None:
    assert set(REQUIRED) <= set(catalog.names())
    assert len(catalog.names()) == len(set(catalog.names()))


@pytest.mark.parametrize("metric", catalog.METRICS, ids=lambda m: m.name)
def test_entries_are_consistent(metric: catalog.Metric) -> None:
    assert metric.unit and metric.description and metric.title
    assert 100 <= metric.min_interval_ms <= metric.default_interval_ms
    assert metric.stats and len(set(metric.stats)) == len(metric.stats)


def test_sources_and_stats_fit_what_can_be_measured() -> None:
    find = catalog.BY_NAME
    assert find["memory_uss"].source == Source.PROCESS  # psutil only
    assert find["memory_pss_graphics"].source == Source.ANDROID
    assert find["app_cpu"].source == Source.BOTH
    assert Stat.SUM in find["big_jank"].stats and Stat.P90 not in find["big_jank"].stats
    assert find["app_cpu_per_core"].description.count("core")


def test_available_on() -> None:
    android = {m.name for m in catalog.available_on(Source.ANDROID)}
    process = {m.name for m in catalog.available_on(Source.PROCESS)}
    both = {m.name for m in catalog.available_on(Source.BOTH)}
    assert "fps" in android and "fps" not in process
    assert "memory_uss" in process and "memory_uss" not in android
    assert both == android & process
    assert len(catalog.available_on(None)) == len(catalog.METRICS)
