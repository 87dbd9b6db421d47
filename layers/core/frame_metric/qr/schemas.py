"""Request models of the QR API. Field names, ranges and defaults are the spec's (section 4), except that
a missing `version` means the smallest version that holds the words (the spec's default of 1 for short
words, and still a code that scans for longer ones).

`version` is a floor, as in the original system: words that do not fit get the smallest version that
holds them (clients written for it send `version: 1` always); the version used is in X-QR-Version.
`exact_version: true` asks for that version or a 400 naming the one needed."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Level(StrEnum):
    """Error correction level: about 7 %, 15 %, 25 % and 30 % of the code may be lost and still read."""

    L = "L"
    M = "M"
    Q = "Q"
    H = "H"


class QRCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: str = Field(min_length=1, description="The text to encode (any Unicode; stored as UTF-8)")
    version: int | None = Field(None, ge=1, le=40, description="QR version 1-40 (21x21 to 177x177 modules), "
                                "raised to the smallest that holds the words when they do not fit (the version "
                                "used is in the X-QR-Version header); default: the smallest that holds them")
    exact_version: bool = Field(False, description="true: exactly `version` or a 400 naming the version the "
                                "words need, never a larger code")
    level: Level = Field(Level.H, description="Error correction level L/M/Q/H")
    contrast: float = Field(1.0, ge=0.1, le=3.0, description="Contrast applied to the picture (artistic/animated)")
    brightness: float = Field(1.0, ge=0.1, le=3.0, description="Brightness applied to the picture "
                              "(artistic/animated)")


class PictureQRCodeRequest(QRCodeRequest):
    """The form fields of /qr/artistic and /qr/animated besides the picture itself."""

    colorized: bool = Field(False, description="Keep the picture's colours (else black and white)")
