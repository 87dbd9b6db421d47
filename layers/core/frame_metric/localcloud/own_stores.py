"""Stores the user brings (MinIO, LocalStack, any S3- or DynamoDB-compatible server) in place of the
embedded ones: `frame-metric serve --s3-endpoint URL --dynamodb-endpoint URL`.

The local cloud creates what it needs there (the bucket here, the tables as for the embedded store).
Such a server cannot send its bucket notifications to the local cloud's queue (it lives in this
process), so new uploads are found by listing the upload prefix every second and raised as the S3
ObjectCreated records the bucket's notification would carry; the trigger's deterministic execution
names make a record seen twice harmless.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from frame_metric.localcloud.stores import StoreError

log = logging.getLogger(__name__)


class OwnStoreError(StoreError):
    pass


def store_credentials() -> dict[str, str]:
    """The credentials the user's object store knows, from the environment serve was started with."""
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret:
        raise OwnStoreError("--s3-endpoint needs that store's credentials in AWS_ACCESS_KEY_ID and "
                            "AWS_SECRET_ACCESS_KEY (MinIO: its root user or an access key; LocalStack: test/test)")
    return {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret}


def ensure_bucket(client: Any, bucket: str, region: str) -> None:
    try:
        client.head_bucket(Bucket=bucket)
        return
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise OwnStoreError(f"cannot use bucket {bucket} at {client.meta.endpoint_url}: {exc}") from exc
    options: dict[str, Any] = {}
    if region != "us-east-1":
        options["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        client.create_bucket(Bucket=bucket, **options)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
            raise OwnStoreError(f"cannot create bucket {bucket} at {client.meta.endpoint_url}: {exc}") from exc
    log.info("created bucket %s at %s", bucket, client.meta.endpoint_url)


class UploadScanner:
    """Polls the upload prefix; each new object (or a new version of one: another ETag) once."""

    def __init__(self, client: Any, bucket: str, prefix: str, deliver: Callable[[dict[str, Any]], None]) -> None:
        self.client, self.bucket, self.prefix, self.deliver = client, bucket, prefix, deliver
        self.seen: dict[str, str] = {}

    def baseline(self) -> None:
        """What is there at start is not new: the restart scan (pipeline.recovery) takes up unfinished
        uploads from the videos table."""
        self.seen = {key: etag for key, etag, _ in self._listing()}

    def scan_once(self) -> int:
        delivered = 0
        for key, etag, size in self._listing():
            if self.seen.get(key) == etag:
                continue
            self.seen[key] = etag
            self.deliver({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                                       "s3": {"bucket": {"name": self.bucket},
                                              "object": {"key": key, "size": size, "eTag": etag}}}]})
            delivered += 1
        return delivered

    def _listing(self) -> Iterator[tuple[str, str, int]]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                yield item["Key"], str(item.get("ETag", "")).strip('"'), int(item.get("Size", 0))
