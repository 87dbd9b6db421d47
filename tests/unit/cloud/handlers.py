"""Load a function's handler the way the Lambda runtime does: by the file and name template.yaml gives."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from frame_metric.localcloud.template import Template

ROOT = Path(__file__).resolve().parents[3]
EVENTS = ROOT / "tests" / "events"


def load_module(logical_id: str) -> Any:
    spec = Template.load(ROOT).functions()[logical_id]
    path = spec.code_dir / f"{spec.module}.py"
    loader = importlib.util.spec_from_file_location(f"test_fn_{logical_id}", path)
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


def load_handler(logical_id: str) -> Any:
    return getattr(load_module(logical_id), Template.load(ROOT).functions()[logical_id].attribute)


def event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())
