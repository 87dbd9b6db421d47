"""`frame-metric qr simple|artistic|animated WORDS [PICTURE]`: QR codes that scan to exactly WORDS.

Made on this machine (no server needed), or by a frame-metric API with --api URL.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frame_metric.cli.output import fail

if TYPE_CHECKING:
    from frame_metric.qr import QrImage

LEVELS = ("L", "M", "Q", "H")  # frame_metric.qr.Level, not imported for --help (tests check they agree)

KINDS = {"simple": "a plain QR code (PNG)",
         "artistic": "a QR code blended into a PNG/JPEG/BMP picture (PNG)",
         "animated": "a QR code blended into every frame of a GIF (GIF)"}


def _factor(text: str) -> float:
    value = float(text)
    if not 0.1 <= value <= 3.0:
        raise argparse.ArgumentTypeError("must be between 0.1 and 3.0")
    return value


def _version(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 40:
        raise argparse.ArgumentTypeError("must be between 1 and 40")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    qr = commands.add_parser("qr", help="make QR codes: plain, artistic (over a picture), animated (over a GIF)")
    kinds = qr.add_subparsers(dest="qr_kind", metavar="KIND", required=True)
    for kind, help_text in KINDS.items():
        parser = kinds.add_parser(kind, help=help_text, description=help_text)
        parser.add_argument("words", help="the text to encode (any Unicode); - reads it from standard input")
        if kind != "simple":
            parser.add_argument("picture", type=Path, help="GIF" if kind == "animated" else "PNG, JPEG or BMP")
            parser.add_argument("--colorized", action="store_true", help="keep the picture's colours")
        parser.add_argument("-o", "--output", type=Path,
                            help=f"where to write it (default: qrcode.{'gif' if kind == 'animated' else 'png'})")
        parser.add_argument("--version", dest="qr_version", type=_version, metavar="1-40",
                            help="QR version (default: the smallest that holds the words)")
        parser.add_argument("--level", choices=LEVELS, default="H",
                            help="error correction level (default H)")
        parser.add_argument("--contrast", type=_factor, default=1.0, help="picture contrast 0.1-3.0 (default 1.0)")
        parser.add_argument("--brightness", type=_factor, default=1.0,
                            help="picture brightness 0.1-3.0 (default 1.0)")
        parser.set_defaults(handler=run_qr)


def _fields(args: argparse.Namespace, words: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"words": words, "level": args.level, "contrast": args.contrast,
                              "brightness": args.brightness}
    if args.qr_version is not None:
        fields["version"] = args.qr_version
    if args.qr_kind != "simple":
        fields["colorized"] = args.colorized
    return fields


def _here(kind: str, fields: dict[str, Any], picture: Path | None) -> QrImage:
    from frame_metric.qr import PictureQRCodeRequest, QRCodeRequest, QrService

    service = QrService()
    if kind == "simple":
        return service.simple(QRCodeRequest(**fields))
    assert picture is not None
    make = service.artistic if kind == "artistic" else service.animated
    return make(PictureQRCodeRequest(**fields), picture)


def _remote(api: str, kind: str, fields: dict[str, Any], picture: Path | None) -> tuple[bytes, str, str]:
    """The image, its version and level, from the API."""
    import requests

    from frame_metric.client import ApiError, api_error, unreachable

    url = f"{api.rstrip('/')}/api/v1/qr/{kind}"
    # API Gateway returns the image's bytes (not base64 text) when the first Accept value is binary.
    accept = {"Accept": "image/gif" if kind == "animated" else "image/png"}
    try:
        if picture is None:
            response = requests.post(url, json=fields, headers=accept, timeout=120)
        else:
            form = {name: str(value).lower() if isinstance(value, bool) else str(value)
                    for name, value in fields.items()}
            with picture.open("rb") as handle:
                response = requests.post(url, data=form, files={"picture": (picture.name, handle)}, headers=accept,
                                         timeout=120)
    except requests.RequestException as exc:
        raise ApiError(0, unreachable(api, exc)) from None
    if response.status_code >= 400:
        raise api_error(response)
    return response.content, response.headers.get("X-QR-Version", "?"), response.headers.get("X-QR-Level", "?")


def run_qr(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from frame_metric.client import ApiError
    from frame_metric.errors import FrameMetricError

    words = sys.stdin.read().rstrip("\n") if args.words == "-" else args.words
    picture: Path | None = getattr(args, "picture", None)
    if picture is not None and not picture.is_file():
        return fail(f"no such picture: {picture}")
    output: Path = args.output or Path(f"qrcode.{'gif' if args.qr_kind == 'animated' else 'png'}")
    fields = _fields(args, words)
    try:
        if args.api:
            content, version, level = _remote(args.api, args.qr_kind, fields, picture)
        else:
            image = _here(args.qr_kind, fields, picture)
            content, version, level = image.content, str(image.version), image.level.value
    except (FrameMetricError, ApiError) as exc:
        return fail(exc.detail)
    except ValidationError as exc:
        return fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
    output.write_bytes(content)
    print(f"wrote {output} ({len(content)} bytes): version {version}, level {level}")
    return 0
