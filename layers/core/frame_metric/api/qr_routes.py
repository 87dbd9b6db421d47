"""Routes of the QR code API (mounted at /api/v1/qr): the answer is the image itself (image/png or
image/gif), with the version and level used in X-QR-Version and X-QR-Level."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalice import Blueprint, Response

from frame_metric.api.http import View, guarded, json_body
from frame_metric.api.multipart import Form, parse_form
from frame_metric.errors import BadRequest
from frame_metric.qr import PictureQRCodeRequest, QRCodeRequest, QrImage, QrService

PICTURE_FIELD = "picture"


@lru_cache(maxsize=1)
def qr_service() -> QrService:
    return QrService()


def image_response(image: QrImage) -> Response:
    return Response(body=image.content, headers={
        "Content-Type": image.media_type,
        "Content-Disposition": f'inline; filename="qrcode{image.extension}"',
        "X-QR-Version": str(image.version),
        "X-QR-Level": image.level.value,
    })


def picture_request(form: Form) -> tuple[PictureQRCodeRequest, Path]:
    """The form's fields as a request (empty fields count as left out) and the one uploaded picture."""
    if PICTURE_FIELD in form.fields:
        raise BadRequest("picture must be a file upload (multipart part with a filename), not a text field")
    pictures = form.files_named(PICTURE_FIELD)
    if not pictures:
        raise BadRequest("no picture was sent: use the multipart form field 'picture'")
    sent = {name: value for name, value in form.fields.items() if value != ""}
    return PictureQRCodeRequest.model_validate(sent), pictures[0].path


def qr_blueprint() -> Blueprint:
    """A new blueprint per app (see monitor_config_blueprint for why)."""
    bp = Blueprint(__name__)

    def route(path: str, **options: Any) -> Callable[[View], View]:
        return lambda view: bp.route(path, **options)(guarded(view))

    def form() -> Form:
        request = bp.current_request
        return parse_form(request.headers.get("content-type"), request.raw_body,
                          qr_service().limits.picture.max_bytes, max_files=1)

    @route("/simple", methods=["POST"])
    def simple_qr() -> Response:
        return image_response(qr_service().simple(json_body(bp.current_request, QRCodeRequest)))

    @route("/artistic", methods=["POST"], content_types=["multipart/form-data"])
    def artistic_qr() -> Response:
        with form() as sent:
            return image_response(qr_service().artistic(*picture_request(sent)))

    @route("/animated", methods=["POST"], content_types=["multipart/form-data"])
    def animated_qr() -> Response:
        with form() as sent:
            return image_response(qr_service().animated(*picture_request(sent)))

    return bp
