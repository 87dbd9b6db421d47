"""Real recordings of real pages: Debian's Chromium renders them, the DevTools screencast records.

`Page.startScreencast` sends a JPEG whenever the compositor draws a changed frame, with its
timestamp, so the recording is variable-frame-rate like a phone's. The frames are encoded with PyAV
into H.264 with those timestamps as PTS. When nothing changes the screencast sends nothing; like a
phone recorder we repeat the last picture every REPEAT_EVERY seconds so a still tail has frames.

    python -m frame_metric.samples.screencast SCENARIO OUT.mp4

Scenarios are small pages (real fonts, CSS transitions, lazy-loaded images, smooth scrolling,
typed text) in PAGES; each runs its `action` script after LEAD_IN seconds. Needs `chromium`
(apt-get install chromium) and the `playwright` Python package; no browser download.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import shutil
import sys
import time

import numpy as np
from PIL import Image

from frame_metric.samples.mp4 import mp4_writer

LEAD_IN = 0.6  # seconds of still page before the action
REPEAT_EVERY = 0.25

_STYLE = """
body { margin: 0; font: 16px/1.4 'DejaVu Sans', sans-serif; color: #222; background: #fff; }
header { background: #1a73e8; color: #fff; padding: 10px 16px; font-size: 20px; }
main { padding: 12px 16px; }
p { margin: 0 0 10px; }
"""
_TEXT = "".join(
    f"<p>Paragraph {i}: the quick brown fox jumps over the lazy dog, pack my box with five dozen liquor jugs.</p>"
    for i in range(1, 40)
)

PAGES: dict[str, tuple[str, str, float]] = {
    # name: (body html, action script run after LEAD_IN, seconds recorded after the action)
    "lazy_image": (
        f"<header>Gallery</header><main><div id=slot style='height:120px;background:#eee'></div>{_TEXT}</main>",
        """setTimeout(() => { const c = document.createElement('canvas'); c.width = 600; c.height = 120;
             const g = c.getContext('2d'); const gr = g.createLinearGradient(0, 0, 600, 0);
             gr.addColorStop(0, '#e8710a'); gr.addColorStop(1, '#1e8e3e'); g.fillStyle = gr;
             g.fillRect(0, 0, 600, 120); const img = new Image(); img.src = c.toDataURL();
             img.style.cssText = 'opacity:0;transition:opacity 0.4s linear;display:block';
             img.onload = () => { document.getElementById('slot').replaceChildren(img);
               requestAnimationFrame(() => requestAnimationFrame(() => img.style.opacity = 1)); }; }, 300);""",
        2.0,
    ),
    "typed_placeholder": (
        f"<header>Search</header><main><input id=q style='font-size:16px;width:300px' placeholder=''>{_TEXT}</main>",
        """const text = 'Search'; let k = 0; const q = document.getElementById('q');
           const tick = () => { q.placeholder = text.slice(0, ++k); if (k < text.length) setTimeout(tick, 120); };
           tick();""",
        1.8,
    ),
    "smooth_scroll": (
        f"<header>Article</header><main>{_TEXT}</main>",
        "window.scrollTo({top: 420, behavior: 'smooth'});",
        2.0,
    ),
    "rising_glow": (
        "<header>Welcome</header><main><div id=hero style='height:200px;background:#182030;"
        "transition:background-color 1.5s ease-in'></div>" + _TEXT + "</main>",
        "document.getElementById('hero').style.backgroundColor = '#3a4a6a';",
        3.0,
    ),
}


def record(scenario: str, path: str | os.PathLike[str], width: int = 480, height: int = 360) -> int:
    """Record one scenario to an H.264 MP4; returns the number of frames written."""
    from playwright.sync_api import sync_playwright

    body, action, after = PAGES[scenario]
    chromium = shutil.which("chromium")
    if not chromium:
        raise RuntimeError("Debian's chromium is needed: apt-get install chromium")
    frames: list[tuple[float, bytes]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--hide-scrollbars=false"])
        page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
        page.set_content(f"<!doctype html><style>{_STYLE}</style>{body}")
        cdp = page.context.new_cdp_session(page)

        def on_frame(event: dict) -> None:
            frames.append((float(event["metadata"]["timestamp"]), base64.b64decode(event["data"])))
            cdp.send("Page.screencastFrameAck", {"sessionId": event["sessionId"]})

        cdp.on("Page.screencastFrame", on_frame)
        cdp.send("Page.startScreencast", {"format": "jpeg", "quality": 90, "everyNthFrame": 1})
        started = time.time()
        while time.time() - started < LEAD_IN:
            page.wait_for_timeout(20)
        page.evaluate(f"() => {{ {action} }}")
        while time.time() - started < LEAD_IN + after:
            page.wait_for_timeout(20)
        stopped = time.time()
        cdp.send("Page.stopScreencast")
        browser.close()
    if not frames:
        raise RuntimeError("the screencast sent no frames")
    return _encode(frames, stopped, path)


def _encode(frames: list[tuple[float, bytes]], stopped: float, path: str | os.PathLike[str]) -> int:
    t0 = frames[0][0]
    timed: list[tuple[float, bytes]] = []
    for k, (t, jpeg) in enumerate(frames):
        timed.append((t - t0, jpeg))
        nxt = frames[k + 1][0] if k + 1 < len(frames) else stopped
        repeat = t + REPEAT_EVERY
        while repeat < nxt - 0.02:  # a still stretch: repeat the picture now and then
            timed.append((repeat - t0, jpeg))
            repeat += REPEAT_EVERY
    first = np.asarray(Image.open(io.BytesIO(timed[0][1])).convert("RGB"))
    h, w = first.shape[0] // 2 * 2, first.shape[1] // 2 * 2
    with mp4_writer(path, fps=60, width=w, height=h, opts={"crf": 20}) as out:
        for t, jpeg in timed:
            out.add(np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))[:h, :w], t)
    return len(timed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=sorted(PAGES))
    parser.add_argument("out")
    args = parser.parse_args(argv)
    print(record(args.scenario, args.out), "frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
