"""Drawing QR codes with amzqr: plain, blended into a picture, or into every frame of a GIF.

amzqr encodes only a subset of ASCII (no Chinese, no quotes, no line breaks) and silently raises the
version it is given when the words do not fit, so it does not build the matrix here: segno does
(matrix.py) and amzqr draws that matrix. Its seam for this is `theqrmodule.get_qrcode`, which
`amzqr.run` looks up on each call; we wrap it once so that, inside `draw`, it hands amzqr the matrix of
the current call. The matrix travels in a ContextVar, so concurrent requests on threads never see each
other's. segno's PNG writer draws it: pixel for pixel what amzqr's own drawing makes (3 pixels a
module, a 4-module quiet zone, 1-bit), some 40 times faster (amzqr sets every pixel on its own, two
thirds of the time of a plain code). amzqr writes files: its output goes to the caller's directory
(one per request), its intermediate files to a temporary directory of its own that it always removes.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from amzqr import amzqr
from amzqr.mylibs import theqrmodule
from amzqr.mylibs.constant import PIXELS_PER_MODULE, QUIET_ZONE_MODULES

from frame_metric.qr.matrix import QrMatrix

# amzqr draws PIXELS_PER_MODULE pixels per module with a quiet zone of QUIET_ZONE_MODULES, then scales
# the finished image up by this factor (hard-coded in amzqr.run).
OUTPUT_SCALE = 3

# amzqr.run checks its words against its own character set before it asks for the matrix; these are
# never encoded, the matrix handed over below is.
_PLACEHOLDER_WORDS = "QR"

_current: ContextVar[QrMatrix | None] = ContextVar("frame_metric_qr_matrix", default=None)
# Should this module ever be executed twice, wrap amzqr's own function, not our earlier wrapper.
_amzqr_get_qrcode: Callable[..., tuple[int, str]] = getattr(theqrmodule.get_qrcode, "amzqr_original",
                                                            theqrmodule.get_qrcode)


def _get_qrcode(version: int, level: str, words: str, save_place: str) -> tuple[int, str]:
    matrix = _current.get()
    if matrix is None:  # amzqr used by anyone else in this process: its own behaviour
        return _amzqr_get_qrcode(version, level, words, save_place)
    path = Path(save_place) / "qrcode.png"
    matrix.code.save(str(path), kind="png", scale=PIXELS_PER_MODULE, border=QUIET_ZONE_MODULES)
    return matrix.version, str(path)


_get_qrcode.amzqr_original = _amzqr_get_qrcode  # type: ignore[attr-defined]
theqrmodule.get_qrcode = _get_qrcode


def output_side(matrix: QrMatrix) -> int:
    """Width and height in pixels of what `draw` makes for this matrix."""
    return (matrix.size + 2 * QUIET_ZONE_MODULES) * PIXELS_PER_MODULE * OUTPUT_SCALE


def draw(matrix: QrMatrix, out_dir: Path, picture: Path | None = None, *, colorized: bool = False,
         contrast: float = 1.0, brightness: float = 1.0) -> Path:
    """The code as a PNG, or a GIF when the picture is one (named by its extension), written in out_dir."""
    animated = picture is not None and picture.suffix.lower() == ".gif"
    options: dict[str, Any] = {"version": matrix.version, "level": matrix.level.value,
                               "save_name": "qrcode.gif" if animated else "qrcode.png", "save_dir": str(out_dir)}
    if picture is not None:
        options.update(picture=str(picture), colorized=colorized, contrast=float(contrast),
                       brightness=float(brightness))
    token = _current.set(matrix)
    try:
        _, _, written = amzqr.run(_PLACEHOLDER_WORDS, **options)
    finally:
        _current.reset(token)
    return Path(written)
