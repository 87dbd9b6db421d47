"""Per-upload analysis options: given with the upload (multipart field or presigned request), kept with the
video, read by every pipeline step, and shown in the status; bad options refused before anything is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from frame_metric.client import FrameMetricClient
from frame_metric.localcloud.cloud import LocalCloud
from tests.integration.conftest import wait_finished
from tests.integration.test_video_pipeline import assert_matches_truth

CORNER = {"x": 0.0, "y": 0.9, "w": 0.2, "h": 0.1}


def listed(api: str) -> set[str]:
    return {video["video_id"] for video in requests.get(f"{api}/video/list", params={"limit": 100}, timeout=10).json()}


def test_options_with_a_multipart_upload_are_kept_and_applied(api: str, recordings: dict[str, Any]) -> None:
    path, truth = recordings["launch"]
    options = {"ignore": ["0,0.9,0.2,0.1"], "threshold_scale": 1.2}
    with path.open("rb") as handle:
        accepted = requests.post(f"{api}/video/upload", files={"file": (path.name, handle, "video/mp4")},
                                 data={"options": json.dumps(options)}, timeout=60)
    assert accepted.status_code == 200, accepted.text
    status = wait_finished(api, accepted.json()["video_id"])
    assert_matches_truth(status, truth)  # a corner nothing happens in changes nothing
    assert status["analysis_options"]["ignore"] == [CORNER]
    assert status["analysis_options"]["threshold_scale"] == 1.2
    assert {**CORNER, "reason": "user"} in status["ignored_regions"]  # the pipeline used them


def test_options_with_a_presigned_upload(cloud: LocalCloud, recordings: dict[str, Any]) -> None:
    path, truth = recordings["launch"]
    client = FrameMetricClient(cloud.api_url)
    ticket = client.upload(path, options={"ignore": [CORNER], "ignore_status_bar": True})
    status = wait_finished(f"{cloud.api_url}/api/v1", ticket["video_id"])
    assert_matches_truth(status, truth)
    assert status["analysis_options"]["ignore"] == [CORNER]
    assert {**CORNER, "reason": "user"} in status["ignored_regions"]


@pytest.mark.parametrize(("options", "code", "words"), [
    ('{"ignore": ["0,0,2,1"]}', 422, "less than or equal to 1"),
    ('{"ignore": ["0.5,0.5,0.6,0.1"]}', 422, "outside the frame"),
    ('{"ignore": ["a,b,c"]}', 422, "four numbers"),
    ('{"threshold_scale": 100}', 422, "threshold_scale"),
    ('{"colour": "red"}', 422, "colour"),
    ("{not json", 400, "not valid JSON"),
])
def test_bad_options_are_refused_and_nothing_is_stored(api: str, recordings: dict[str, Any], options: str,
                                                       code: int, words: str) -> None:
    path: Path = recordings["launch"][0]
    before = listed(api)
    with path.open("rb") as handle:
        refused = requests.post(f"{api}/video/upload", files={"file": (path.name, handle, "video/mp4")},
                                data={"options": options}, timeout=60)
    assert refused.status_code == code, refused.text
    assert words in refused.json()["detail"]
    presigned = requests.post(f"{api}/video/upload-url", timeout=10, data=(
        f'{{"filename": "a.mp4", "size": 1000, "options": {options}}}'), headers={"Content-Type": "application/json"})
    assert presigned.status_code in (400, 422), presigned.text
    assert listed(api) == before
