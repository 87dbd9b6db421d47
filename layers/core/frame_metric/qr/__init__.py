"""QR codes (spec section 4): plain, artistic (over a picture) and animated (over every frame of a GIF).

segno builds the standard QR matrix (byte mode UTF-8 for any text, the smallest version that holds it
or exactly the version asked for); amzqr draws it, alone or blended into the picture. Every code scans
to exactly the words it was given.
"""

from frame_metric.qr.matrix import QrMatrix, TextTooLong, encode
from frame_metric.qr.pictures import PictureKind, PictureLimits
from frame_metric.qr.schemas import Level, PictureQRCodeRequest, QRCodeRequest
from frame_metric.qr.service import QrImage, QrLimits, QrService

__all__ = [
    "Level",
    "PictureKind",
    "PictureLimits",
    "PictureQRCodeRequest",
    "QRCodeRequest",
    "QrImage",
    "QrLimits",
    "QrMatrix",
    "QrService",
    "TextTooLong",
    "encode",
]
