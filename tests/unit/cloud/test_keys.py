"""`frame-metric keys create | list | revoke` against API Gateway's API keys and a usage plan (moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from frame_metric.cli.main import main
from frame_metric.errors import Conflict, NotFound
from frame_metric.keys import ApiKeys, usage_plan_of_stack

REGION = "us-east-1"


@pytest.fixture
def plan(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_APIGATEWAY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        gateway = boto3.client("apigateway", region_name=REGION)
        api = gateway.create_rest_api(name="frame-metric")
        yield gateway.create_usage_plan(name="frame-metric", apiStages=[{"apiId": api["id"], "stage": "prod"}],
                                        throttle={"rateLimit": 20, "burstLimit": 40})["id"]


def test_create_list_revoke(plan: str) -> None:
    keys = ApiKeys(plan, REGION)
    alice = keys.create("alice")
    runner = keys.create("runner-lab-3")
    assert alice.value and runner.value and alice.value != runner.value
    assert [key.name for key in keys.list()] == ["alice", "runner-lab-3"]
    gateway = boto3.client("apigateway", region_name=REGION)
    in_plan = {item["id"] for item in gateway.get_usage_plan_keys(usagePlanId=plan)["items"]}
    assert in_plan == {alice.key_id, runner.key_id}
    assert keys.revoke("alice").key_id == alice.key_id
    assert [key.name for key in keys.list()] == ["runner-lab-3"]
    assert alice.key_id not in {k["id"] for k in gateway.get_api_keys()["items"]}, "the key itself is deleted"


def test_a_name_is_one_key_and_unknown_names_are_said(plan: str) -> None:
    keys = ApiKeys(plan, REGION)
    keys.create("alice")
    with pytest.raises(Conflict, match="already exists"):
        keys.create("alice")
    with pytest.raises(NotFound, match="no key named"):
        keys.revoke("bob")


def test_the_cli_finds_the_plan_in_the_stack_outputs(plan: str, capsys: pytest.CaptureFixture[str]) -> None:
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                "Outputs": {"UsagePlanId": {"Value": plan}}}
    boto3.client("cloudformation", region_name=REGION).create_stack(StackName="fm", TemplateBody=json.dumps(template))
    assert usage_plan_of_stack("fm", REGION) == plan
    assert main(["keys", "create", "alice", "--stack", "fm", "--region", REGION]) == 0
    created = json.loads(capsys.readouterr().out.split("\nframe-metric:")[0])
    assert created["name"] == "alice" and created["value"]
    assert main(["keys", "list", "--stack", "fm", "--region", REGION]) == 0
    assert [k["name"] for k in json.loads(capsys.readouterr().out)] == ["alice"]
    assert main(["keys", "revoke", "alice", "--usage-plan", plan, "--region", REGION]) == 0
    assert json.loads(capsys.readouterr().out)["revoked"] is True
    assert main(["keys", "revoke", "alice", "--usage-plan", plan, "--region", REGION]) == 2
    assert "no key named" in capsys.readouterr().err
