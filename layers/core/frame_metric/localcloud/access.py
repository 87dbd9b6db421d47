"""Who may call the local API: the same rule as the deployed stack's API Gateway, played locally.

In the cloud every route but the runner's sample ingest needs an API key of the usage plan (sent as
`x-api-key`); the ingest route needs only its run token, which the ingest function checks. Locally the
key is optional: without one the API is open to whoever can reach it, which is why it binds to
loopback unless a key is set.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import socket

API_KEY_HEADER = "x-api-key"
API_KEY_ENV = "FRAME_METRIC_API_KEY"
MISSING_KEY = "a valid API key is needed: send it in the x-api-key header"
# Routes API Gateway serves without an API key (template.yaml: Auth ApiKeyRequired false).
_KEYLESS = [("POST", re.compile(r"^/api/v1/monitor/runs/[^/?]+/samples/?(?:\?.*)?$"))]


class OpenToNetwork(Exception):
    """Listening beyond this machine with no API key would open the data to the network."""


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback
                       for info in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False


def check_bind(host: str, api_key: str | None) -> None:
    if not api_key and not is_loopback(host):
        raise OpenToNetwork(f"refusing to listen on {host} without an API key: anyone on the network could read "
                            f"and change every video and run. Set --api-key (or ${API_KEY_ENV}), or listen on "
                            "127.0.0.1")


def needs_key(method: str, path: str) -> bool:
    """Preflights (browsers send no key with them) and the run-token routes pass without a key."""
    if method == "OPTIONS":
        return False
    return not any(method == keyless_method and pattern.match(path) for keyless_method, pattern in _KEYLESS)


def key_accepted(sent: str | None, expected: str) -> bool:
    # Constant time: the answer's timing must not tell how much of a guessed key was right.
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())
