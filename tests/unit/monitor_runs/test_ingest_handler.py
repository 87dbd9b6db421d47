"""The ingest function's handler, invoked in-process with tests/events/api_ingest_samples.json against
in-process moto: stored once, a resend is a duplicate, a wrong token is refused, a throttled store is a 503."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from pynamodb.exceptions import UpdateError

from frame_metric.data import bind_models
from frame_metric.data.monitor_runs import MonitorRun, SampleBatch
from frame_metric.data.video import utcnow
from frame_metric.monitor.tokens import hash_token
from frame_metric.settings import get_settings, reset_settings
from tests.unit.cloud.handlers import event, load_handler


@pytest.fixture
def runs_tables(fake_aws_env: None) -> Iterator[str]:
    with mock_aws():
        reset_settings()
        bind_models(get_settings())
        for model in (MonitorRun, SampleBatch):
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        sample = event("api_ingest_samples.json")
        run_id = sample["pathParameters"]["run_id"]
        MonitorRun(run_id, task_id="t", token_hash=hash_token("sample-run-token"), status="running",
                   started_at=utcnow()).save()
        yield run_id


def test_ingest_handler_with_the_sample_event(runs_tables: str) -> None:
    handler = load_handler("IngestFunction")
    sample: dict[str, Any] = event("api_ingest_samples.json")
    first = handler(sample, None)
    assert first["statusCode"] == 200 and json.loads(first["body"])["stored"] is True
    again = handler(event("api_ingest_samples.json"), None)
    assert json.loads(again["body"])["duplicate"] is True
    assert [(b.seq, b.count) for b in SampleBatch.query(runs_tables)] == [(0, 2)]
    wrong = event("api_ingest_samples.json")
    wrong["headers"]["Authorization"] = "Bearer nope"
    refused = handler(wrong, None)
    assert refused["statusCode"] == 403 and "detail" in json.loads(refused["body"])


def test_an_unknown_run_is_answered_as_a_known_one_without_its_token(runs_tables: str) -> None:
    handler = load_handler("IngestFunction")
    for authorization in (None, "Bearer nope"):
        answers = []
        for run_id in (runs_tables, "no-such-run", "r" * 3000):
            sample = event("api_ingest_samples.json")
            sample["pathParameters"]["run_id"] = run_id
            sample["headers"].pop("Authorization", None)
            if authorization:
                sample["headers"]["Authorization"] = authorization
            response = handler(sample, None)
            answers.append((response["statusCode"], response["body"]))
        assert answers[0][0] in (401, 403) and answers == [answers[0]] * 3, answers


def test_a_throttled_store_is_a_503_the_runner_resends(runs_tables: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB still throttling after the SDK's retries: 503 with Retry-After (the runner spools and
    resends), not a Lambda error; the resend is stored once."""
    handler = load_handler("IngestFunction")

    def throttled(*_: Any, **__: Any) -> Any:
        error = ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
                            "UpdateItem")
        raise UpdateError("Failed to update item", error)

    with monkeypatch.context() as patched:
        patched.setattr(MonitorRun, "update", throttled)
        busy = handler(event("api_ingest_samples.json"), None)
    assert busy["statusCode"] == 503 and int(busy["headers"]["Retry-After"]) > 0
    assert "busy" in json.loads(busy["body"])["detail"]
    resent = handler(event("api_ingest_samples.json"), None)
    assert resent["statusCode"] == 200 and json.loads(resent["body"])["stored"] is True
    assert [b.seq for b in SampleBatch.query(runs_tables)] == [0]
