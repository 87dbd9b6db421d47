"""Run tokens: the runner's proof that it owns a run. Only the sha256 is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from frame_metric.errors import FrameMetricError


class Unauthorized(FrameMetricError):
    status_code = 401


class Forbidden(FrameMetricError):
    status_code = 403


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def check(token: str | None, token_hash: str) -> None:
    if token is None:
        raise Unauthorized("this run action needs the run token: Authorization: Bearer <token>")
    if not hmac.compare_digest(hash_token(token), token_hash):
        raise Forbidden("the run token does not match this run")
