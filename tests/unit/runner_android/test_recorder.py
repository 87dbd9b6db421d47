"""Screen recording in segments, stopped by SIGINT and pulled over the sync protocol of the fake."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import adbutils

from frame_metric.runner.android.recorder import ScreenRecorder
from tests.unit.runner_android.fake_adb import MP4, Phone


def test_segments_restart_and_are_pulled(device: adbutils.AdbDevice, phone: Phone, tmp_path: Path) -> None:
    recorder = ScreenRecorder(device, segment_seconds=1)
    began = time.monotonic()
    recorder.start()
    time.sleep(2.5)  # two segments end at their time limit, the third is stopped
    paths = recorder.stop(tmp_path)
    assert len(paths) == 3
    # each segment's start on the host clock, one time limit apart: the offsets the run links them at
    offsets = [started - began for _, started in recorder.pulled]
    assert [path for path, _ in recorder.pulled] == paths
    assert offsets[0] < 0.5 and all(0.9 < b - a < 1.5 for a, b in itertools.pairwise(offsets))
    assert [p.name for p in paths] == sorted(p.name for p in paths)
    assert all(p.read_bytes() == MP4 for p in paths)
    starts = [c for c in phone.commands if "screenrecord" in c]
    assert len(starts) == 3
    assert all(re.fullmatch(r"echo \$\$; exec screenrecord --time-limit 1 /sdcard/frame-metric-\d+-00\d\.mp4", c)
               for c in starts)
    assert "kill -2 7002" in phone.commands  # SIGINT to the running segment only
    assert sum(c.startswith("rm -f /sdcard/frame-metric-") for c in phone.commands) == 3


def test_default_segment_is_under_the_screenrecord_limit(device: adbutils.AdbDevice) -> None:
    assert ScreenRecorder(device).segment_seconds < 180


def test_device_lost_keeps_what_was_pulled(device: adbutils.AdbDevice, phone: Phone, tmp_path: Path) -> None:
    recorder = ScreenRecorder(device, segment_seconds=60)
    recorder.start()
    time.sleep(0.3)
    phone.connected = False
    assert recorder.stop(tmp_path, timeout=2) == []  # nothing pullable, but no exception
