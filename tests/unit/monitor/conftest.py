"""In-process moto with every table of the stack, for service tests without a network."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from frame_metric.data import bind_models
from frame_metric.data.connection import table_bindings
from frame_metric.settings import get_settings


@pytest.fixture
def tables(fake_aws_env: None) -> Iterator[None]:
    with mock_aws():
        settings = get_settings()
        bind_models(settings)
        for model, _ in table_bindings(settings):  # tasks reach into runs (delete with runs)
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield
