"""template.yaml and the state machine as an AWS engineer reads them before relying on them at scale:
admission, timeouts that add up, kept data, scoped IAM, alarms and logs; and docs/scale.md quotes the
numbers they hold."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from frame_metric.data.sharding import SHARDS
from frame_metric.localcloud.template import Template

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
THROTTLED = "Lambda.TooManyRequestsException"
# The path of a video that fails at its last step: the longest one.
LONGEST_PATH = ["Probe", "AnalyseSegment", "Select", "Finalize", "MarkFailed"]


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.load(ROOT)


@pytest.fixture(scope="module")
def asl() -> dict[str, Any]:
    return json.loads((ROOT / "infra" / "statemachine" / "video_pipeline.asl.json").read_text())


def tasks(asl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for name, state in asl["States"].items():
        if state["Type"] == "Task":
            found[name] = state
        elif state["Type"] == "Map":
            found.update(tasks(state["ItemProcessor"]))
    return found


def retry_wait(retrier: dict[str, Any]) -> float:
    """The longest a retrier can wait in all (full jitter draws at most the capped interval)."""
    interval, rate = retrier.get("IntervalSeconds", 1), retrier.get("BackoffRate", 2.0)
    cap = retrier.get("MaxDelaySeconds", float("inf"))
    return sum(min(cap, interval * rate**n) for n in range(retrier.get("MaxAttempts", 3)))


def policies(template: Template) -> Iterator[tuple[str, Any]]:
    for name, resource in template.resources.items():
        for policy in resource.get("Properties", {}).get("Policies", []) or []:
            yield name, policy


def test_throttled_invocations_wait_minutes_with_full_jitter(asl: dict[str, Any]) -> None:
    for name, state in tasks(asl).items():
        throttle = [r for r in state["Retry"] if THROTTLED in r["ErrorEquals"]]
        assert len(throttle) == 1, f"{name} must retry Lambda throttling on its own terms"
        retrier = throttle[0]
        assert retrier["JitterStrategy"] == "FULL" and retrier["MaxDelaySeconds"] >= 60, name
        assert retry_wait(retrier) >= 600, f"{name}: waits {retry_wait(retrier):.0f} s, not minutes"
        assert all(r.get("JitterStrategy") == "FULL" for r in state["Retry"]), name
    assert "States.Timeout" not in json.dumps([s["Retry"] for s in tasks(asl).values()])


def test_the_execution_timeout_covers_the_longest_path(asl: dict[str, Any], template: Template) -> None:
    states = tasks(asl)
    longest = sum(states[name]["TimeoutSeconds"] + sum(retry_wait(r) for r in states[name]["Retry"])
                  for name in LONGEST_PATH)
    assert asl["TimeoutSeconds"] >= longest, f"execution timeout {asl['TimeoutSeconds']} < longest path {longest}"
    functions = template.resources
    analyse = functions["AnalyseFunction"]["Properties"]["Timeout"]
    assert states["AnalyseSegment"]["TimeoutSeconds"] <= analyse
    assert f"{asl['TimeoutSeconds']} s" in DOC and f"{sum(states[n]['TimeoutSeconds'] for n in LONGEST_PATH)} s" in DOC


def test_the_trigger_is_capped_and_its_queue_outlasts_it(template: Template) -> None:
    trigger = template.resources["UploadTriggerFunction"]["Properties"]
    source = trigger["Events"]["Uploads"]["Properties"]
    assert source["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "TriggerMaxConcurrency"}
    visibility = template.resources["UploadQueue"]["Properties"]["VisibilityTimeout"]
    assert visibility >= 6 * trigger["Timeout"]
    assert f"| {visibility} s |" in DOC and f"{trigger['Timeout']} s" in DOC


def test_docs_quote_the_templates_limits(template: Template) -> None:
    for name in ("TriggerMaxConcurrency", "AnalyseReservedConcurrency", "LogRetentionDays"):
        default = template.parameters[name]["Default"]
        assert re.search(rf"`{name}` \| {default} \|", DOC), f"docs/scale.md must quote {name} = {default}"
    for pair in (("ApiRateLimit", "ApiBurstLimit"), ("IngestRateLimit", "IngestBurstLimit")):
        rate, burst = (template.parameters[p]["Default"] for p in pair)
        assert f"`{pair[0]}` / `{pair[1]}` | {rate} / {burst}" in DOC
    assert f"| index shards | {SHARDS} |" in DOC


def test_data_is_retained_when_the_stack_goes(template: Template) -> None:
    kept = [n for n, r in template.resources.items() if r["Type"] in ("AWS::S3::Bucket", "AWS::DynamoDB::Table")]
    assert len(kept) == 11
    for name in kept:
        resource = template.resources[name]
        assert resource.get("DeletionPolicy") == "Retain" and resource.get("UpdateReplacePolicy") == "Retain", name


def test_iam_names_the_resources_it_uses(template: Template) -> None:
    for name, policy in policies(template):
        assert not (isinstance(policy, dict) and ("S3CrudPolicy" in policy or "S3ReadPolicy" in policy)), (
            f"{name}: S3 access is granted per prefix and action")
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if any(a.startswith("states:") for a in actions):
                assert statement["Resource"] != "*", f"{name}: {actions} on every state machine"
            if any(a.startswith("s3:") and a != "s3:ListBucket" for a in actions):
                resources = statement["Resource"]
                resources = resources if isinstance(resources, list) else [resources]
                assert all("/uploads/*" in str(r) or "/videos/*" in str(r) for r in resources), name


def test_alarms_logs_and_tracing(template: Template) -> None:
    alarms = template.of_type("AWS::CloudWatch::Alarm")
    watched = set()
    for name, alarm in alarms.items():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        watched.add(props.get("MetricName"))
        watched.update(m["MetricStat"]["Metric"]["MetricName"] for m in props.get("Metrics", []) if "MetricStat" in m)
    assert {"ApproximateNumberOfMessagesVisible", "Errors", "Throttles", "ExecutionsFailed", "ExecutionsTimedOut",
            "WriteThrottleEvents", "ReadThrottleEvents"} <= watched
    assert template.resources["AlarmEmailSubscription"]["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    for group in template.of_type("AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    defaults = template.globals["Function"]
    assert defaults["Tracing"] == "Active" and defaults["LoggingConfig"]["LogGroup"] == {"Ref": "FunctionLogGroup"}
    machine = template.resources["VideoPipeline"]["Properties"]
    assert machine["Tracing"]["Enabled"] is True and machine["Logging"]["Level"] in ("ERROR", "ALL")
    assert "AWS::CloudWatch::Dashboard" in {r["Type"] for r in template.resources.values()}


def test_finalize_and_fail_ship_and_run_without_the_decoder(template: Template) -> None:
    for name in ("FinalizeFunction", "FailFunction"):
        code = ROOT / template.resources[name]["Properties"]["CodeUri"]
        wanted = [line.split("=")[0].split(">")[0].split("<")[0].strip().lower()
                  for line in (code / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
        assert not {"av", "numpy", "pillow", "opencv-python-headless"} & set(wanted), (name, wanted)
    probe = ("import sys; sys.path.insert(0, 'functions/pipeline_outcome'); import handler; "
             "print(sorted(m for m in ('av', 'numpy', 'PIL', 'cv2') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr


def test_sample_ingest_is_throttled_by_the_stage_for_all_runners(template: Template) -> None:
    settings = template.resources["HttpApi"]["Properties"]["MethodSettings"]
    ingest = [s for s in settings if s["ResourcePath"] == "/~1api~1v1~1monitor~1runs~1{run_id}~1samples"]
    assert len(ingest) == 1 and ingest[0]["HttpMethod"] == "POST"
    assert ingest[0]["ThrottlingRateLimit"] == {"Ref": "IngestRateLimit"}
    assert ingest[0]["ThrottlingBurstLimit"] == {"Ref": "IngestBurstLimit"}


def test_runner_facing_functions_log_no_platform_lines_per_request(template: Template) -> None:
    """1,000 runners: 2,000 ingest and ~700 API invocations a second. Lambda's START/REPORT lines (INFO
    system logs) for each would be the bulk of the log bill: the two functions log system WARN only,
    their own lines as JSON (Globals) at the application's level."""
    assert template.globals["Function"]["LoggingConfig"]["LogFormat"] == "JSON"  # needed for log levels
    for name in ("ApiFunction", "IngestFunction"):
        assert template.resources[name]["Properties"]["LoggingConfig"] == {"SystemLogLevel": "WARN"}, name
    assert "`SystemLogLevel: WARN`" in DOC


def test_uploads_over_the_in_flight_cap_wait_in_the_queue_long_enough(template: Template) -> None:
    """Admission by capacity (pipeline/admission.py): the trigger knows the cap and its queue, may hide
    a message of that queue only, answers partial batch failures, and a message given back again and
    again outlives the sweeper's limit for a queued video before it reaches the dead-letter queue."""
    from frame_metric.pipeline.admission import recheck_delay
    from frame_metric.settings import Settings

    trigger = template.resources["UploadTriggerFunction"]["Properties"]
    variables = trigger["Environment"]["Variables"]
    assert variables["FRAME_METRIC_MAX_VIDEOS_IN_FLIGHT"] == {"Ref": "MaxVideosInFlight"}
    assert variables["FRAME_METRIC_UPLOAD_QUEUE_URL"] == {"Ref": "UploadQueue"}
    assert trigger["Events"]["Uploads"]["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    hiding = [s for _, p in policies(template) if isinstance(p, dict) for s in p.get("Statement", [])
              if "sqs:ChangeMessageVisibility" in s["Action"]]
    assert hiding == [{"Effect": "Allow", "Action": ["sqs:ChangeMessageVisibility"],
                       "Resource": {"Fn::GetAtt": ["UploadQueue", "Arn"]}}]
    receives = template.resources["UploadQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"]
    timeout = int(template.globals["Function"]["Environment"]["Variables"]["FRAME_METRIC_PIPELINE_TIMEOUT"])
    assert timeout == Settings.pipeline_timeout_seconds
    average_wait = sum(recheck_delay(n, lambda low, high: (low + high) / 2) for n in range(1, receives + 1))
    assert average_wait > 1.5 * timeout, f"{receives} receives wait {average_wait} s on average"
    default = template.parameters["MaxVideosInFlight"]["Default"]
    assert re.search(rf"`MaxVideosInFlight` \| {default} \|", DOC), "docs/scale.md must quote MaxVideosInFlight"
    assert f"maxReceiveCount` {receives}" in DOC
