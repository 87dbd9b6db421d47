"""Every endpoint of the generated OpenAPI document, fuzzed by schemathesis against the embedded local
cloud: valid and invalid input alike never gets a 5xx, answers keep to the document, and what was
stored before the fuzzing reads back the same after it.

New endpoints are covered as they are added to frame_metric/api/openapi.py's OPERATIONS table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from frame_metric.api.openapi import openapi_document
from frame_metric.localcloud.cloud import LocalCloud
from tests.integration.conftest import upload, wait_finished

# Examples per operation and generation mode: enough to hit every branch of the input checks, few
# enough that the ~40 operations take well under a minute (FRAME_METRIC_FUZZ_EXAMPLES for a long soak).
EXAMPLES = int(os.environ.get("FRAME_METRIC_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(openapi_document())
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES,
                                deterministic=True)


@pytest.fixture(scope="module")
def known_data(cloud: LocalCloud, api: str, recordings: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A finished video and a profile stored before the fuzzing, and how they read then."""
    video_id = upload(api, recordings["launch"][0])["video_id"]
    video = wait_finished(api, video_id)
    video.pop("_steps_seen")
    profile = requests.post(f"{api}/monitor/profiles", json={"name": "fuzz-known", "items": [
        {"metric": "app_cpu"}]}, timeout=10)
    assert profile.status_code == 200, profile.text
    known = {"video": video, "profile": profile.json()}
    yield known
    after = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()
    for frame in (*after.get("frames", []), *video.get("frames", [])):
        frame.pop("url", None)  # presigned URLs differ per request
    assert after == video
    assert requests.get(f"{api}/monitor/profiles/{known['profile']['profile_id']}", timeout=10).json() == \
        known["profile"]


@schema.parametrize()
@settings(deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_endpoint_fails_on_any_input(case: Any, cloud: LocalCloud, known_data: dict[str, Any]) -> None:
    case.call_and_validate(base_url=cloud.api_url, checks=CHECKS, timeout=30)
