"""CORS for a console deployed as a static site: preflights answered, headers only for allowed origins."""

from __future__ import annotations

from typing import Any

import pytest

from frame_metric.api.cors import allowed_origin, with_cors

CONSOLE = "https://console.example.com"


def answer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}


def test_origins_are_matched_exactly_or_by_star() -> None:
    assert allowed_origin(CONSOLE, [CONSOLE]) == CONSOLE
    assert allowed_origin(CONSOLE + "/", [CONSOLE]) == CONSOLE + "/"
    assert allowed_origin("https://evil.example.com", [CONSOLE]) is None
    assert allowed_origin("https://any.example.com", ["*"]) == "*"
    assert allowed_origin(None, ["*"]) is None
    assert allowed_origin(CONSOLE, []) is None


def test_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRAME_METRIC_CONSOLE_ORIGINS", raising=False)
    response = with_cors(answer)({"httpMethod": "GET", "headers": {"origin": CONSOLE}}, None)
    assert "Access-Control-Allow-Origin" not in response["headers"]


def test_an_allowed_console_gets_headers_and_its_preflight(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAME_METRIC_CONSOLE_ORIGINS", f"http://localhost:5000, {CONSOLE}/")
    handler = with_cors(answer)
    response = handler({"httpMethod": "GET", "headers": {"Origin": CONSOLE}}, None)
    assert response["headers"]["Access-Control-Allow-Origin"] == CONSOLE
    assert response["headers"]["Content-Type"] == "application/json"
    preflight = handler({"httpMethod": "OPTIONS", "headers": {"origin": CONSOLE}}, None)
    assert preflight["statusCode"] == 204
    assert "POST" in preflight["headers"]["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight["headers"]["Access-Control-Allow-Headers"]
    other = handler({"httpMethod": "GET", "headers": {"origin": "https://evil.example.com"}}, None)
    assert "Access-Control-Allow-Origin" not in other["headers"]
