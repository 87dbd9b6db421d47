"""The pipeline and sweeper functions ship no pydantic (functions/*/requirements.txt): what they import
must not need it, or the deployed function fails on import where the local cloud (full venv) works."""

from __future__ import annotations

import subprocess
import sys


def test_pipeline_and_sweeper_modules_import_without_pydantic() -> None:
    code = ("import sys; sys.modules['pydantic'] = None\n"
            "import frame_metric.pipeline.steps, frame_metric.monitor.runs, frame_metric.videos.stored_actions")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
