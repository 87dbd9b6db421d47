"""The QR matrix of some words, built by segno to the standard (ISO/IEC 18004).

Text is encoded as UTF-8 in byte mode unless it is all digits or QR alphanumerics, where segno picks the
denser mode. No ECI header: phone scanners and OpenCV read UTF-8 byte mode as is, while several readers
mishandle an ECI designator. Error correction is never raised above the level asked for; the version is
the one asked for, raised to the smallest that holds the words when they do not fit (unless `exact`),
or, when none is asked for, the smallest that holds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import segno
from segno.encoder import DataOverflowError

from frame_metric.errors import BadRequest
from frame_metric.qr.schemas import Level

# The most characters any QR code holds (all digits, version 40, level L): longer text is refused
# before segno spends time on it.
MAX_CHARACTERS = 7089


class TextTooLong(BadRequest):
    pass


@dataclass(frozen=True)
class QrMatrix:
    version: int
    level: Level
    mode: str
    rows: tuple[bytes, ...]  # 1 = dark module; no quiet zone
    code: segno.QRCode = field(repr=False, compare=False)

    @property
    def size(self) -> int:
        """Modules per side: 21 for version 1, 4 more per version."""
        return len(self.rows)


def encode(words: str, level: Level = Level.H, version: int | None = None, exact: bool = False) -> QrMatrix:
    if not words:
        raise BadRequest("words must not be empty")
    if version is not None and not 1 <= version <= 40:
        raise BadRequest(f"version must be 1-40, got {version}")
    if len(words) > MAX_CHARACTERS:
        raise _too_long(words, level)
    try:
        code = segno.make_qr(words, error=level.value, version=version, encoding="utf-8", boost_error=False)
    except DataOverflowError:
        if version is None or exact:
            raise _too_long(words, level, version) from None
        return encode(words, level)  # the smallest version that fits, necessarily above the one asked
    return QrMatrix(version=int(code.version), level=level, mode=str(code.mode),
                    rows=tuple(bytes(row) for row in code.matrix), code=code)


def _too_long(words: str, level: Level, version: int | None = None) -> TextTooLong:
    size = f"{len(words)} characters, {len(words.encode('utf-8'))} bytes as UTF-8"
    if version is not None:
        try:
            needed = encode(words, level).version
        except TextTooLong:
            pass
        else:
            return TextTooLong(f"the words ({size}) do not fit in a version {version} QR code at level "
                               f"{level.value}: they need version {needed} or more (or leave exact_version "
                               "out to get the smallest version that fits)")
    return TextTooLong(f"the words ({size}) are too long for any QR code at level {level.value} (version 40 "
                       "is the largest); use shorter words or a lower error correction level (L holds the most)")
