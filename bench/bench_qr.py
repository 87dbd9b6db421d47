"""QR code throughput and cost against the embedded local cloud.

    python bench/bench_qr.py [--seconds 10] [--clients 4] [--repeat 10]

Starts a throwaway local cloud. Plain codes: `--clients` concurrent clients POST /api/v1/qr/simple (real
HTTP, each with different words) for `--seconds`; prints requests/s and latency. Artistic and animated
codes: `--repeat` requests of each kind over HTTP, with a generated 640x480 photo-like JPEG and a 10-frame
320x240 GIF; prints the time per code (and the time of the same work in-process, without HTTP). Every
answer is checked: status 200, and a sample decoded back to its words.
"""

from __future__ import annotations

import argparse
import io
import itertools
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from frame_metric.localcloud.cloud import LocalCloud, LocalCloudOptions
from frame_metric.qr import PictureQRCodeRequest, QRCodeRequest, QrService

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.qr_decoding import assert_every_frame_scans, assert_plain_scans, busy_picture


def _jpeg() -> bytes:
    out = io.BytesIO()
    busy_picture(640, 480, seed=11).save(out, format="JPEG", quality=90)
    return out.getvalue()


def _gif(frames: int = 10) -> bytes:
    images = [busy_picture(320, 240, seed=seed) for seed in range(frames)]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    median = statistics.median(ordered)
    return f"median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"


def health_baseline(base: str, seconds: float, clients: int) -> None:
    """The local API server's own ceiling: the cheapest route, same clients."""
    count = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        nonlocal count
        session = requests.Session()
        while time.monotonic() < stop:
            session.get(f"{base}/health", timeout=30).raise_for_status()
            with lock:
                count += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"baseline GET /health over HTTP: {count / (time.perf_counter() - started):.1f} requests/s "
          f"with {clients} clients")


def plain_throughput(api: str, seconds: float, clients: int) -> None:
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    samples: list[tuple[str, bytes]] = []
    stop = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        session = requests.Session()
        while time.monotonic() < stop:
            index = next(counter)
            words = f"https://example.com/item/{index}?ref=二维码"
            started = time.perf_counter()
            response = session.post(f"{api}/qr/simple", json={"words": words}, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                if response.status_code != 200:
                    errors += 1
                    continue
                latencies.append(elapsed)
                if index % 50 == 0:
                    samples.append((words, response.content))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    for words, content in samples:
        assert_plain_scans(content, words)
    print(f"plain codes over HTTP: {len(latencies) / wall:.1f} requests/s with {clients} clients for {wall:.1f} s "
          f"({len(latencies)} codes, {errors} errors; {len(samples)} decoded back)")
    print(f"  latency: {_ms(latencies)}")
    if errors:
        raise SystemExit(f"{errors} requests failed")


def timed(label: str, repeat: int, make: Callable[[int], bytes], check: Callable[[bytes, str], object],
          words_of: Callable[[int], str]) -> None:
    times = []
    for index in range(repeat):
        started = time.perf_counter()
        content = make(index)
        times.append(time.perf_counter() - started)
        if index == 0:
            check(content, words_of(index))
    print(f"{label}: {_ms(times)} per code ({repeat} codes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the local endpoints' access lines
    photo, clip = _jpeg(), _gif()
    service = QrService()

    def words(index: int) -> str:
        return f"艺术二维码 {index} https://example.com/a/{index}"

    def over_http(kind: str, picture: bytes, name: str, **fields: str) -> Callable[[int], bytes]:
        def make(index: int) -> bytes:
            response = requests.post(f"{api}/qr/{kind}", data={"words": words(index), **fields},
                                     files={"picture": (name, picture)}, timeout=60)
            if response.status_code != 200:
                raise SystemExit(f"{kind}: HTTP {response.status_code} {response.text}")
            return response.content
        return make

    def in_process(kind: str, picture: bytes, suffix: str, **fields: object) -> Callable[[int], bytes]:
        path = Path(workdir) / f"picture{suffix}"
        path.write_bytes(picture)
        method = service.artistic if kind == "artistic" else service.animated
        return lambda index: method(PictureQRCodeRequest(words=words(index), **fields), path).content

    with LocalCloud(LocalCloudOptions(api_port=0)) as cloud, tempfile.TemporaryDirectory() as workdir:
        api = f"{cloud.api_url}/api/v1"
        requests.post(f"{api}/qr/simple", json={"words": "warm-up"}, timeout=30).raise_for_status()
        health_baseline(cloud.api_url, min(args.seconds, 5.0), args.clients)
        plain_throughput(api, args.seconds, args.clients)
        timed("plain code in-process", args.repeat * 10,
              lambda i: service.simple(QRCodeRequest(words=words(i))).content, assert_plain_scans, words)
        cases = [("artistic, black and white", "artistic", photo, "photo.jpg", {}),
                 ("artistic, colorized", "artistic", photo, "photo.jpg", {"colorized": "true"}),
                 ("artistic, colorized, version 10", "artistic", photo, "photo.jpg",
                  {"colorized": "true", "version": "10"}),
                 ("animated 10 frames, black and white", "animated", clip, "clip.gif", {}),
                 ("animated 10 frames, colorized", "animated", clip, "clip.gif", {"colorized": "true"})]
        for label, kind, picture, name, fields in cases:
            timed(f"{label} over HTTP", args.repeat, over_http(kind, picture, name, **fields),
                  assert_every_frame_scans, words)
            local_fields = {key: (value == "true" if key == "colorized" else int(value))
                            for key, value in fields.items()}
            timed(f"{label} in-process", args.repeat, in_process(kind, picture, Path(name).suffix, **local_fields),
                  assert_every_frame_scans, words)
    return 0


if __name__ == "__main__":
    sys.exit(main())
