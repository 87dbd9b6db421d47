"""Draw docs/images/actions.png (a synthetic tap with "Show taps") and
docs/images/actions_pointer_location.png (a swipe with "Pointer location"): the first action's
operation, response, finish and end frames, as the analysis finds them (`python bench/actions_picture.py`)."""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from frame_metric.analysis import analyze_video, extract_frames
from frame_metric.samples.interactions import Interaction, generate_interactions

IMAGES = Path(__file__).parents[1] / "docs" / "images"
SCRIPT = [Interaction(0.4, "tap", response=0.2, finish=0.5, x=0.5, y=0.55),
          Interaction(2.2, "tap", response=0.1, finish=0.3, x=0.3, y=0.3)]
SWIPE = [Interaction(0.4, "swipe", response=0.1, finish=0.6, x=0.6, y=0.75, swipe_seconds=0.4),
         Interaction(2.6, "tap", response=0.1, finish=0.3, x=0.3, y=0.3)]


def main() -> int:
    picture(IMAGES / "actions.png", SCRIPT)
    picture(IMAGES / "actions_pointer_location.png", SWIPE, pointer_location=True, show_taps=False)
    return 0


def picture(out: Path, script: list[Interaction], **drawn: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        video = Path(folder) / "taps.mp4"
        generate_interactions(video, script, seconds=3.2, **drawn)
        action = analyze_video(video).to_dict()["actions"][0]
        marks = [(name, action[name]) for name in ("operation", "response", "finish", "end")]
        images = extract_frames(str(video), sorted({m["frame_number"] for _, m in marks}))
    tiles = []
    for name, mark in marks:
        picture = Image.open(io.BytesIO(images[mark["frame_number"]])).convert("RGB")
        picture = picture.resize((picture.width // 2, picture.height // 2))
        tile = Image.new("RGB", (picture.width, picture.height + 44), "white")
        tile.paste(picture, (0, 44))
        draw = ImageDraw.Draw(tile)
        draw.text((6, 4), name, fill="black")
        draw.text((6, 22), f"#{mark['frame_number']} at {mark['timestamp']:.3f} s", fill=(80, 80, 80))
        tiles.append(tile)
    sheet = Image.new("RGB", (sum(t.width for t in tiles) + 10 * (len(tiles) + 1), tiles[0].height + 20), "white")
    x = 10
    for tile in tiles:
        sheet.paste(tile, (x, 10))
        x += tile.width + 10
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    print(f"{out}: response {action['response_time'] * 1000:.0f} ms, finish {action['finish_time'] * 1000:.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
