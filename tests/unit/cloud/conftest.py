"""In-process moto with the stack's resources: the videos table, the bucket the sample events name,
and a state machine that only records executions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from frame_metric.data import Video, bind_models
from frame_metric.data.tasks import TaskVideo, TimingTask
from frame_metric.settings import get_settings, reset_settings

EVENTS_BUCKET = "frame-metric-videos"


@pytest.fixture
def moto_stack(fake_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("FRAME_METRIC_BUCKET", EVENTS_BUCKET)
    with mock_aws():
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        machine = sfn.create_state_machine(
            name="unit-pipeline", roleArn="arn:aws:iam::123456789012:role/x",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
        monkeypatch.setenv("FRAME_METRIC_STATE_MACHINE_ARN", machine["stateMachineArn"])
        reset_settings()
        settings = get_settings()
        bind_models(settings)
        for model in (Video, TimingTask, TaskVideo):  # finalize and fail recompute the video's tasks
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=settings.bucket)
        yield {"s3": s3, "sfn": sfn, "machine": machine["stateMachineArn"], "settings": settings}
