"""A fake adb server per test, and adbutils pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import adbutils
import pytest

from tests.unit.runner_android.fake_adb import FakeAdbServer, Phone

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


@pytest.fixture
def phone() -> Phone:
    return Phone()


@pytest.fixture
def server(phone: Phone) -> Iterator[FakeAdbServer]:
    fake = FakeAdbServer(phone)
    yield fake
    fake.close()


@pytest.fixture
def device(server: FakeAdbServer, phone: Phone) -> adbutils.AdbDevice:
    client = adbutils.AdbClient(host="127.0.0.1", port=server.port, socket_timeout=10)
    return client.device(phone.serial)
