"""template.yaml keeps a deployed stack closed: API keys on every route but ingest, a private TLS-only
bucket, short-lived presigned URLs, CORS for the console's origin only, retention as parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from frame_metric.localcloud.template import Template
from frame_metric.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.load(ROOT)


def _api(template: Template) -> dict[str, Any]:
    return template.resources["HttpApi"]["Properties"]


def test_every_api_route_needs_an_api_key_with_throttling(template: Template) -> None:
    auth = _api(template)["Auth"]
    assert auth["ApiKeyRequired"] is True
    assert auth["AddApiKeyRequiredToCorsPreflight"] is False
    plan = auth["UsagePlan"]
    assert plan["CreateUsagePlan"] == "PER_API"
    assert plan["Throttle"] == {"RateLimit": {"Ref": "ApiRateLimit"}, "BurstLimit": {"Ref": "ApiBurstLimit"}}
    # API Gateway's own refusals speak the API's {"detail": ...}.
    responses = _api(template)["GatewayResponses"]
    assert '"detail"' in responses["INVALID_API_KEY"]["ResponseTemplates"]["application/json"]
    assert responses["THROTTLED"]["StatusCode"] == 429
    # No route for a path or method: 404 in that shape, not "Missing Authentication Token"; the key
    # check keeps its own 403.
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == 404
    assert responses["INVALID_API_KEY"]["StatusCode"] == 403
    for name in ("MISSING_AUTHENTICATION_TOKEN", "DEFAULT_4XX", "DEFAULT_5XX"):
        assert responses[name]["ResponseTemplates"]["application/json"].startswith('{"detail": ')


def test_only_the_ingest_route_goes_without_a_key(template: Template) -> None:
    keyless = []
    for name, function in template.of_type("AWS::Serverless::Function").items():
        for event in (function["Properties"].get("Events") or {}).values():
            if event["Type"] == "Api" and event["Properties"].get("Auth", {}).get("ApiKeyRequired") is False:
                keyless.append((name, event["Properties"]["Path"]))
    assert keyless == [("IngestFunction", "/api/v1/monitor/runs/{run_id}/samples")]


def test_cors_names_only_the_console_origin_and_defaults_to_none(template: Template) -> None:
    assert template.parameters["ConsoleOrigin"]["Default"] == ""
    cors = _api(template)["Cors"]
    assert cors["AllowOrigin"] == {"Fn::If": ["HasConsoleOrigin", {"Fn::Sub": "'${ConsoleOrigin}'"}, "'none'"]}
    bucket_cors = template.resources["VideoBucket"]["Properties"]["CorsConfiguration"]["Fn::If"]
    assert bucket_cors[0] == "HasConsoleOrigin"
    assert bucket_cors[1]["CorsRules"][0]["AllowedOrigins"] == [{"Ref": "ConsoleOrigin"}]
    assert bucket_cors[2] == {"Ref": "AWS::NoValue"}
    assert "*" not in str(cors)


def test_bucket_is_private_encrypted_and_tls_only(template: Template) -> None:
    bucket = template.resources["VideoBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    statement = template.resources["VideoBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Effect"] == "Deny" and statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    for queue in ("UploadQueue", "UploadDeadLetterQueue"):
        assert template.resources[queue]["Properties"]["SqsManagedSseEnabled"] is True


def test_presigned_urls_are_short_lived(template: Template) -> None:
    parameter = template.parameters["PresignSeconds"]
    assert parameter["Default"] == Settings().presign_seconds == 900
    assert parameter["MaxValue"] <= 3600


def test_retention_is_configurable_and_keeps_everything_by_default(template: Template) -> None:
    assert template.parameters["UploadRetentionDays"]["Default"] == 0
    assert template.parameters["SampleRetentionDays"]["Default"] == Settings().sample_retention_days == 0
    rules = template.resources["VideoBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    expiry = next(rule["Fn::If"] for rule in rules if "Fn::If" in rule)
    assert expiry[0] == "ExpiresUploads" and expiry[1]["Prefix"] == "uploads/"
    assert expiry[1]["ExpirationInDays"] == {"Ref": "UploadRetentionDays"}
    ttl = template.resources["SampleBatchesTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}


def test_limits_reach_the_functions(template: Template) -> None:
    variables = template.globals["Function"]["Environment"]["Variables"]
    for name, parameter in [("FRAME_METRIC_CORS_ORIGIN", "ConsoleOrigin"),
                            ("FRAME_METRIC_MAX_VIDEO_SECONDS", "MaxVideoSeconds"),
                            ("FRAME_METRIC_MAX_VIDEO_PIXELS", "MaxVideoPixels"),
                            ("FRAME_METRIC_MAX_VIDEO_FRAMES", "MaxVideoFrames"),
                            ("FRAME_METRIC_SAMPLE_RETENTION_DAYS", "SampleRetentionDays")]:
        assert variables[name] == {"Ref": parameter}
    defaults = Settings()
    assert template.parameters["MaxVideoSeconds"]["Default"] == defaults.max_video_seconds
    assert template.parameters["MaxVideoPixels"]["Default"] == defaults.max_video_pixels
    assert template.parameters["MaxVideoFrames"]["Default"] == defaults.max_video_frames


def test_the_openapi_document_and_the_local_cloud_agree_with_the_template() -> None:
    """The keyless route is the same in the template, the OpenAPI document and the local key check."""
    from frame_metric.api.openapi import openapi_document
    from frame_metric.localcloud import access

    document = openapi_document()
    assert document["security"] == [{"api_key": []}]
    assert document["components"]["securitySchemes"]["api_key"] == {"type": "apiKey", "in": "header",
                                                                     "name": "x-api-key"}
    token_only = [(method, path) for path, operations in document["paths"].items()
                  for method, spec in operations.items() if spec.get("security") == [{"run_token": []}]]
    assert token_only == [("post", "/api/v1/monitor/runs/{run_id}/samples")]
    for method, path in token_only:
        assert not access.needs_key(method.upper(), path.replace("{run_id}", "r-1"))
    for path, operations in document["paths"].items():
        for method in operations:
            if (method, path) not in token_only:
                assert access.needs_key(method.upper(), path.replace("{", "").replace("}", ""))
