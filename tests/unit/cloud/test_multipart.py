from __future__ import annotations

import pytest
from requests import Request

from frame_metric.api.multipart import parse_form
from frame_metric.errors import BadRequest, PayloadTooLarge


def encode(files: list[tuple[str, str, bytes]], fields: dict[str, str] | None = None) -> tuple[str, bytes]:
    prepared = Request("POST", "http://x/", files=[(n, (f, d)) for n, f, d in files], data=fields or {}).prepare()
    return prepared.headers["Content-Type"], prepared.body


def test_files_and_fields_land_in_temp_files() -> None:
    content_type, body = encode([("files", "a.mp4", b"A" * 3000), ("files", "中文.mp4", b"B")], {"note": "hi"})
    with parse_form(content_type, body, max_file_bytes=10_000) as form:
        assert [(f.filename, f.size) for f in form.files] == [("a.mp4", 3000), ("中文.mp4", 1)]
        assert form.files[0].path.read_bytes() == b"A" * 3000
        assert form.fields == {"note": "hi"}
        directory = form.files[0].path.parent
    assert not directory.exists()


def test_limits_are_enforced() -> None:
    content_type, body = encode([("file", "a.mp4", b"A" * 101)])
    with pytest.raises(PayloadTooLarge):
        parse_form(content_type, body, max_file_bytes=100)
    content_type, body = encode([("f", f"{i}.mp4", b"x") for i in range(3)])
    with pytest.raises(BadRequest, match="too many files"):
        parse_form(content_type, body, max_file_bytes=100, max_files=2)


@pytest.mark.parametrize("content_type", [None, "application/json", "multipart/form-data"])
def test_not_a_form(content_type: str | None) -> None:
    with pytest.raises(BadRequest):
        parse_form(content_type, b"{}", max_file_bytes=100)
