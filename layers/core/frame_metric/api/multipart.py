"""multipart/form-data into temp files, part by part, so a 500 MB video is never held twice in memory."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header

from frame_metric.errors import BadRequest, PayloadTooLarge

_CHUNK = 1024 * 1024
_MAX_FIELD_BYTES = 64 * 1024


@dataclass
class FormFile:
    field_name: str
    filename: str
    path: Path
    size: int = 0


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[FormFile] = field(default_factory=list)
    directory: tempfile.TemporaryDirectory[str] = field(
        default_factory=lambda: tempfile.TemporaryDirectory(prefix="frame-metric-form-"))

    def files_named(self, *names: str) -> list[FormFile]:
        return [item for item in self.files if item.field_name in names]

    def close(self) -> None:
        self.directory.cleanup()

    def __enter__(self) -> Form:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _FormBuilder:
    """Callbacks for python-multipart's push parser."""

    def __init__(self, form: Form, max_file_bytes: int, max_files: int) -> None:
        self.form, self.max_file_bytes, self.max_files = form, max_file_bytes, max_files
        self.header_field = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.file: FormFile | None = None
        self.handle: BinaryIO | None = None
        self.value = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field = self.header_value = b""

    def on_headers_finished(self) -> None:
        _, disposition = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.headers = {}
        self.name = disposition.get(b"name", b"").decode("utf-8", "replace")
        filename = disposition.get(b"filename")
        self.value = bytearray()
        if filename is None:
            return
        if len(self.form.files) >= self.max_files:
            raise BadRequest(f"too many files in one request (at most {self.max_files})")
        path = Path(self.form.directory.name) / f"part-{len(self.form.files)}"
        self.file = FormFile(self.name, filename.decode("utf-8", "replace"), path)
        self.form.files.append(self.file)
        self.handle = path.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.file is not None and self.handle is not None:
            self.file.size += end - start
            if self.file.size > self.max_file_bytes:
                raise PayloadTooLarge(f"{self.file.filename} is over the limit of {self.max_file_bytes} bytes")
            self.handle.write(data[start:end])
            return
        self.value.extend(data[start:end])
        if len(self.value) > _MAX_FIELD_BYTES:
            raise BadRequest(f"form field {self.name!r} is longer than {_MAX_FIELD_BYTES} bytes")

    def on_part_end(self) -> None:
        if self.handle is not None:
            self.handle.close()
        elif self.name:
            self.form.fields[self.name] = self.value.decode("utf-8", "replace")
        self.file, self.handle = None, None

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()

    def callbacks(self) -> dict[str, object]:
        names = ("on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
                 "on_part_data", "on_part_end")
        return {name: getattr(self, name) for name in names}


def parse_form(content_type: str | None, body: bytes | None, max_file_bytes: int, max_files: int = 20) -> Form:
    kind, options = parse_options_header(content_type or "")
    if kind != b"multipart/form-data":
        raise BadRequest("the request must be multipart/form-data")
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadRequest("the multipart/form-data request has no boundary")
    form = Form()
    builder = _FormBuilder(form, max_file_bytes, max_files)
    parser = MultipartParser(boundary, builder.callbacks())  # type: ignore[arg-type]
    data = body or b""
    try:
        for offset in range(0, len(data), _CHUNK):
            parser.write(data[offset:offset + _CHUNK])
        parser.finalize()
    except (BadRequest, PayloadTooLarge):
        form.close()
        raise
    except Exception as exc:
        form.close()
        raise BadRequest(f"malformed multipart/form-data body: {exc}") from None
    finally:
        builder.close()
    return form
