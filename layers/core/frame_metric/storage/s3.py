"""A thin adapter over the S3 client: what the domain needs, with errors it can act on."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from frame_metric.settings import Settings, get_settings

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
PARALLEL_PUTS = 4


class ObjectMissing(Exception):
    pass


def s3_client(settings: Settings) -> Any:
    return boto3.client(
        "s3",
        region_name=settings.region,
        endpoint_url=settings.s3_endpoint_url,
        # Path-style keeps presigned URLs valid against local endpoints (no bucket DNS names there).
        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                      retries={"max_attempts": 5, "mode": "standard"}),
    )


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


class ObjectStore:
    def __init__(self, settings: Settings | None = None, client: Any | None = None) -> None:
        self.settings = settings or get_settings()
        self.bucket = self.settings.bucket
        self.client = client or s3_client(self.settings)

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def put_all(self, objects: list[tuple[str, bytes, str]]) -> None:
        """(key, data, content type) of several objects, written a few at a time: a step's outputs
        (sprite sheets, frame images) are many small PUTs, each mostly waiting on the network."""
        if len(objects) <= 1:
            for key, data, content_type in objects:
                self.put_bytes(key, data, content_type)
            return
        with self.putting() as puts:
            for item in objects:
                puts.put(*item)

    @contextmanager
    def putting(self) -> Iterator[BackgroundPuts]:
        """Objects written a few at a time in the background while the caller goes on (e.g. decodes
        the next images); all are written, or the first failure raised, by wait() or when the block
        ends."""
        with ThreadPoolExecutor(max_workers=PARALLEL_PUTS, thread_name_prefix="s3-put") as pool:
            puts = BackgroundPuts(self, pool)
            yield puts
            puts.wait()

    def put_json(self, key: str, value: Any) -> None:
        self.put_bytes(key, json_bytes(value), "application/json")

    def upload_file(self, key: str, fileobj: BinaryIO, content_type: str = "video/mp4") -> None:
        self.client.upload_fileobj(fileobj, self.bucket, key, ExtraArgs={"ContentType": content_type})

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _NOT_FOUND:
                raise ObjectMissing(key) from exc
            raise

    def get_json(self, key: str) -> Any:
        return json.loads(self.get_bytes(key))

    def head(self, key: str) -> dict[str, Any]:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _NOT_FOUND:
                raise ObjectMissing(key) from exc
            raise

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes start..end inclusive (fewer when the object is shorter)."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end}")
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "InvalidRange":
                return b""
            if code in _NOT_FOUND:
                raise ObjectMissing(key) from exc
            raise
        return response["Body"].read()

    def delete_prefix(self, prefix: str) -> None:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})

    def presigned_get(self, key: str, seconds: int | None = None) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key},
            ExpiresIn=seconds or self.settings.presign_seconds,
        )

    def presigned_put(self, key: str, content_type: str = "video/mp4", seconds: int | None = None) -> str:
        return self.client.generate_presigned_url(
            "put_object", Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=seconds or self.settings.presign_seconds,
        )

    def local_copy(self, key: str) -> Path:
        """Download an object once per version into a scratch cache (Lambda's /tmp survives warm starts,
        and steps of one execution often run in the same container; locally every step shares it). A
        copy is named by bucket, key, version id and ETag, read fresh from S3 each time: a replaced
        object is never answered with the old file. Bounded: the least recently used copies go first."""
        head = self.head(key)
        version = f"{head.get('VersionId') or ''}/{head['ETag'].strip(chr(34))}"
        digest = hashlib.sha256(f"{self.bucket}/{key}/{version}".encode()).hexdigest()[:32]
        cache_dir = Path(tempfile.gettempdir()) / "frame-metric-cache"
        cache_dir.mkdir(parents=True, exist_ok=True)
        target = cache_dir / f"{digest}.mp4"
        if target.exists():
            target.touch()  # mark as recently used
            return target
        _evict(cache_dir, self.settings.scratch_bytes - int(head["ContentLength"]))
        partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        self.client.download_file(self.bucket, key, str(partial))
        partial.replace(target)
        return target


def _evict(cache_dir: Path, budget: int) -> None:
    """Delete the least recently used finished copies until the cache fits `budget` bytes."""
    copies = sorted(cache_dir.glob("*.mp4"), key=lambda path: path.stat().st_mtime)
    total = sum(path.stat().st_size for path in copies)
    for path in copies:
        if total <= budget:
            break
        total -= path.stat().st_size
        path.unlink(missing_ok=True)


class StoreBacked:
    """A service that reads the bucket now and then: its ObjectStore (an S3 client) is made on first use,
    so routes that never touch S3 do not pay for one; tests hand in their own."""

    def __init__(self, settings: Settings | None = None, store: ObjectStore | None = None) -> None:
        self.settings = settings or get_settings()
        self._store = store

    @property
    def store(self) -> ObjectStore:
        if self._store is None:
            self._store = ObjectStore(self.settings)
        return self._store


class BackgroundPuts:
    """See ObjectStore.putting."""

    def __init__(self, store: ObjectStore, pool: ThreadPoolExecutor) -> None:
        self._store, self._pool = store, pool
        self._pending: list[Future[None]] = []

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._pending.append(self._pool.submit(self._store.put_bytes, key, data, content_type))

    def wait(self) -> None:
        pending, self._pending = self._pending, []
        for done in pending:
            done.result()
