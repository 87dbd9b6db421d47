"""The local cloud closed like the real one: the stores and the local AWS endpoint answer this machine
only, and the object store takes only requests signed with this run's credentials (SigV4 header or
presigned URL, checked as S3 does: signature, key, method, expiry), whatever reaches it."""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import boto3
import psutil
import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from frame_metric.localcloud.cloud import LOCAL_KEY, LocalCloud


def outside_address() -> str | None:
    """This machine's address on its network (not loopback): what a neighbour would connect to."""
    found = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True,
                           check=True).stdout.split()
    addresses = [found[i + 1].split("/")[0] for i, word in enumerate(found) if word == "inet"]
    return addresses[0] if addresses else None


def reachable(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(3)
        return sock.connect_ex((host, port)) == 0


def test_stores_and_aws_endpoint_listen_on_loopback_only(cloud: LocalCloud) -> None:
    assert cloud.tables is not None and cloud.objects is not None and cloud.front_door is not None
    assert cloud.tables.process is not None and cloud.objects.process is not None
    # what each listens on, as the kernel has it
    for store in (cloud.tables, cloud.objects):
        bound = {conn.laddr.ip for conn in psutil.Process(store.process.pid).net_connections(kind="tcp")
                 if conn.status == psutil.CONN_LISTEN}
        assert bound and all(ipaddress.ip_address(ip.removeprefix("::ffff:")).is_loopback for ip in bound), bound
    assert cloud.front_door.server.server_address[0] == "127.0.0.1"
    # and what a neighbour gets
    outside = outside_address()
    if outside is None:
        pytest.skip("no non-loopback address on this machine to connect from")
    for name, port in [("DynamoDB Local", cloud.tables.port), ("object store", cloud.objects.port),
                       ("AWS endpoint", cloud.front_door.port)]:
        assert reachable("127.0.0.1", port), name
        assert not reachable(outside, port), f"{name} answers on {outside}:{port}"


def _s3(cloud: LocalCloud, secret: str | None = None, signature: str = "s3v4") -> Any:
    return boto3.client("s3", region_name=cloud.options.region, endpoint_url=cloud.settings.s3_endpoint_url,
                        aws_access_key_id=LOCAL_KEY, aws_secret_access_key=secret or cloud.local_secret,
                        config=Config(signature_version=signature, s3={"addressing_style": "path"}))


@pytest.fixture
def s3(cloud: LocalCloud) -> Any:
    return _s3(cloud)


@pytest.fixture
def presigned_put(cloud: LocalCloud, s3: Any) -> Iterator[str]:
    key = f"probe/{time.time_ns()}.bin"
    yield s3.generate_presigned_url("put_object", Params={"Bucket": cloud.settings.bucket, "Key": key},
                                    ExpiresIn=300)
    s3.delete_object(Bucket=cloud.settings.bucket, Key=key)


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _refused(response: requests.Response, code: str) -> None:
    assert response.status_code in (400, 403), (response.status_code, response.text)
    assert f"<Code>{code}</Code>" in response.text, response.text


def _stored_keys(s3: Any, bucket: str) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_real_clients_keep_working(cloud: LocalCloud, s3: Any, tmp_path: Any) -> None:
    bucket, key = cloud.settings.bucket, f"probe/{time.time_ns()} with space+plus.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"hello", ContentType="text/plain")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"hello"
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == 5
    assert key in _stored_keys(s3, bucket)
    assert s3.get_object(Bucket=bucket, Key=key, Range="bytes=1-2")["Body"].read() == b"el"
    # a multipart upload, as big recordings go
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (6 * 1024 * 1024))
    s3.upload_file(str(big), bucket, key + ".big", Config=TransferConfig(multipart_threshold=5 * 1024 * 1024))
    assert s3.head_object(Bucket=bucket, Key=key + ".big")["ContentLength"] == 6 * 1024 * 1024
    # presigned GET and PUT, as the CLI, the console and the runner use them
    put = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key, "ContentType": "video/mp4"},
                                    ExpiresIn=60)
    assert requests.put(put, data=b"again", headers={"Content-Type": "video/mp4"}, timeout=10).status_code == 200
    get = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)
    assert requests.get(get, timeout=10).content == b"again"
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key}, {"Key": key + ".big"}]})


def test_unsigned_and_wrongly_signed_requests_are_refused(cloud: LocalCloud, s3: Any) -> None:
    bucket, endpoint = cloud.settings.bucket, cloud.settings.s3_endpoint_url
    before = _stored_keys(s3, bucket)
    upload = f"/{bucket}/uploads/x.mp4"  # an unsigned PUT here would have run the pipeline
    for method, path in [("GET", f"/{bucket}"), ("GET", upload), ("PUT", upload), ("DELETE", upload), ("GET", "/"),
                         ("PUT", "/another-bucket")]:
        _refused(requests.request(method, f"{endpoint}{path}", data=b"not a video", timeout=10), "AccessDenied")
    with pytest.raises(ClientError, match="SignatureDoesNotMatch"):
        _s3(cloud, secret="not-the-secret").put_object(Bucket=bucket, Key="uploads/forged.mp4", Body=b"x")
    with pytest.raises(ClientError, match="InvalidAccessKeyId"):
        boto3.client("s3", region_name=cloud.options.region, endpoint_url=endpoint, aws_access_key_id="someone",
                     aws_secret_access_key=cloud.local_secret).list_objects_v2(Bucket=bucket)
    # SigV2 (s3rver would check it against its well-known built-in secret) is not taken at all
    v2 = _s3(cloud, signature="s3").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "x"})
    _refused(requests.get(v2, timeout=10), "AccessDenied")
    # an unsigned header the signature does not cover cannot change what a signed request does
    signed_get = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": bucket}, ExpiresIn=60)
    _refused(requests.get(signed_get, headers={"x-amz-copy-source": f"/{bucket}/x"}, timeout=10), "AccessDenied")
    assert _stored_keys(s3, bucket) == before  # nothing reached the store, no pipeline started


def test_tampered_presigned_urls_are_refused(cloud: LocalCloud, s3: Any, presigned_put: str) -> None:
    bucket = cloud.settings.bucket
    before = _stored_keys(s3, bucket)
    parts = urlsplit(presigned_put)
    other_key = urlunsplit(parts._replace(path=f"/{bucket}/videos/someone/analysis.json"))
    tampered = {
        "changed key": (other_key, "SignatureDoesNotMatch"),
        "zero signature": (_with_query(presigned_put, **{"X-Amz-Signature": "0" * 64}), "SignatureDoesNotMatch"),
        "changed expiry": (_with_query(presigned_put, **{"X-Amz-Expires": "604800"}), "SignatureDoesNotMatch"),
        "changed date": (_with_query(presigned_put, **{"X-Amz-Date": "20990101T000000Z"}), "AccessDenied"),
        "no signature": (_with_query(presigned_put, **{"X-Amz-Signature": ""}), "AuthorizationQueryParametersError"),
        "extra parameter": (_with_query(presigned_put, uploadId="x"), "SignatureDoesNotMatch"),
    }
    for name, (url, code) in tampered.items():
        assert url != presigned_put, name
        _refused(requests.put(url, data=b"{}", timeout=10), code)
    _refused(requests.get(presigned_put, timeout=10), "SignatureDoesNotMatch")  # a PUT URL used to read
    _refused(requests.delete(presigned_put, timeout=10), "SignatureDoesNotMatch")
    assert _stored_keys(s3, bucket) == before
    assert requests.put(presigned_put, data=b"{}", timeout=10).status_code == 200  # the URL as given works


def test_an_expired_presigned_url_is_refused(cloud: LocalCloud, s3: Any) -> None:
    url = s3.generate_presigned_url("put_object", Params={"Bucket": cloud.settings.bucket, "Key": "probe/late"},
                                    ExpiresIn=1)
    time.sleep(2.2)
    response = requests.put(url, data=b"late", timeout=10)
    _refused(response, "AccessDenied")
    assert "expired" in response.text
    with pytest.raises(ClientError):
        s3.head_object(Bucket=cloud.settings.bucket, Key="probe/late")


def test_the_credentials_are_new_each_run_and_private(cloud: LocalCloud) -> None:
    assert cloud.data_dir is not None and len(cloud.local_secret) >= 40
    credentials = cloud.data_dir / "aws-credentials"
    assert credentials.stat().st_mode & 0o077 == 0
    assert cloud.local_secret in credentials.read_text()
