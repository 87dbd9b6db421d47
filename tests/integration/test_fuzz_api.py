"""Every endpoint of the generated OpenAPI document, fuzzed by schemathesis against the embedded local
cloud: valid and invalid input alike never gets a 5xx, answers keep to the document, and what was
stored before the fuzzing reads back the same after it.

New endpoints are covered as they are added to frame_metric/api/openapi.py's OPERATIONS table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

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
from frame_metric.ids import MAX_ID_LENGTH
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


# Ids no key can hold (DynamoDB: 2048 bytes for a partition key, 1024 for a sort key), and odd ones.
MALFORMED_IDS = ["a" * 3000, "v" * 1100, "\U0001F600" * 600, "%00", "a\tb", " "]
SOME_ID = "00000000-0000-4000-8000-000000000000"


def _path_ids(path: str) -> list[str]:
    return [part for part in path.split("/") if part.startswith("{")]


def test_no_malformed_path_id_gets_a_server_error(cloud: LocalCloud) -> None:
    """Every operation of the document with an id in its path, each id in turn malformed: a 404 (the
    keyless ingest route: the same 401/403 as for any run without its token), never a 5xx."""
    answers: dict[tuple[str, str, str], int] = {}
    for path, methods in openapi_document()["paths"].items():
        for method, spec in methods.items():
            names = _path_ids(path)
            for position, bad in ((p, bad) for p in range(len(names)) for bad in MALFORMED_IDS):
                url = path
                for index, name in enumerate(names):
                    url = url.replace(name, quote(bad, safe="") if index == position else SOME_ID)
                response = requests.request(method.upper(), f"{cloud.api_url}{url}", json={"seq": 0},
                                            headers={"Authorization": "Bearer not-a-token"}, timeout=30)
                answers[(method, path, bad[:12])] = response.status_code
                assert response.status_code < 500, (method, url[:200], response.text[:300])
                if len(bad) > MAX_ID_LENGTH:  # cannot name anything; the odd short ones may be just unknown
                    expected = 403 if spec.get("security") else 404
                    assert response.status_code == expected, (method, url[:200], response.text[:300])
    assert len(answers) > 40 * len(MALFORMED_IDS) // 2  # the sweep did cover the routes


def test_no_malformed_body_or_query_id_gets_a_server_error(cloud: LocalCloud, api: str) -> None:
    """Ids in bodies and queries: a 422 naming the field, never a 5xx."""
    task = requests.post(f"{api}/task/create", json={"name": "ids"}, timeout=10).json()["id"]
    profile = requests.post(f"{api}/monitor/profiles", json={"name": "ids", "items": [{"metric": "app_cpu"}]},
                            timeout=10).json()["profile_id"]
    target = {"kind": "process", "process_name": "python"}
    for bad in ("a" * 3000, "v" * 1100, "\U0001F600" * 600, ""):
        calls = [
            ("POST", f"{api}/task/{task}/videos", {"video_ids": [bad]}, "video_ids"),
            ("POST", f"{api}/monitor/tasks", {"name": "t", "target": target, "profile_id": bad}, "profile_id"),
            ("POST", f"{api}/monitor/tasks", {"name": "t", "target": target, "profile_id": profile,
                                              "script_id": bad}, "script_id"),
            ("GET", f"{api}/monitor/runs/compare?a={quote(bad)}&b=x", None, "a"),
            ("GET", f"{api}/task/list?user={quote(bad)}", None, "user"),
            ("GET", f"{api}/monitor/tasks?user={quote(bad)}", None, "user"),
        ]
        for method, url, body, field in calls:
            response = requests.request(method, url, json=body, timeout=30)
            if bad == "" and method == "GET":
                assert response.status_code < 500, (url, response.text)  # an empty filter is no filter
                continue
            assert response.status_code == 422, (method, url[:150], field, response.text[:300])
            assert field in response.json()["detail"], response.text[:300]
