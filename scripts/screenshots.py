"""Take the README's screenshots of the panel on the teaching app.

    .venv/bin/python scripts/screenshots.py            # writes docs/*.png
    .venv/bin/python scripts/screenshots.py --out DIR

The teaching app runs on a free loopback port in this process; a few of its
demo requests are held open so the contexts page has lanes to draw. The
same width, theme, URLs and crop every time; only times, thread numbers and
idents differ from one run to the next. Each picture is kept under
``MAX_BYTES`` (PNG, 1x scale, cropped), and the run fails if one is not.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from example_app import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
MAX_BYTES = 150_000
WIDTH = 1000
HOLD_SECONDS = 6
MATCH_URL = "/_inspect/match?path=/calendar/2026-02-30"
HELD = (
    f"/demo/slow?seconds={HOLD_SECONDS}",
    f"/demo/stream?seconds={HOLD_SECONDS}",
    f"/demo/background?seconds={HOLD_SECONDS}",
)

FIRST_ROW_BOTTOM = """() => {
  const lanes = Array.from(document.querySelectorAll('#lanes .lane'))
    .filter(lane => lane.offsetParent !== null);
  const top = lanes[0].getBoundingClientRect().top;
  return Math.max(...lanes.filter(lane => lane.getBoundingClientRect().top === top)
    .map(lane => lane.getBoundingClientRect().bottom));
}"""


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=HOLD_SECONDS + 10) as response:  # noqa: S310
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)


def take(out: Path) -> list[Path]:
    """Write ``match.png`` and ``contexts.png`` into ``out``; return their paths."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    app = create_app()
    app.debug = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, name="screenshots", daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.server_port}"
    written = [out / "match.png", out / "contexts.png"]
    try:
        with sync_playwright() as playwright, ThreadPoolExecutor(len(HELD)) as clients:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(
                viewport={"width": WIDTH, "height": 800},
                device_scale_factor=1,
                color_scheme="light",
                reduced_motion="reduce",
            )
            page = context.new_page()

            page.goto(base + MATCH_URL)
            page.locator("#verdict").wait_for()
            page.locator("#match-path").evaluate("field => field.blur()")
            page.screenshot(path=written[0], clip={"x": 0, "y": 0, "width": WIDTH, "height": 720})

            held = [clients.submit(_get, base + path) for path in HELD]
            page.goto(base + "/_inspect/contexts")
            page.locator("#show-idle").uncheck()
            page.locator(".lane.busy .ctx-request").nth(2).wait_for()
            page.wait_for_timeout(1200)  # one more update: ages past a second
            # Down to the end of the first row of lanes.
            bottom = page.evaluate(FIRST_ROW_BOTTOM)
            height = min(int(bottom) + 8, 720)
            page.screenshot(
                path=written[1], clip={"x": 0, "y": 0, "width": WIDTH, "height": height}
            )
            context.close()
            browser.close()
            for reply in held:
                reply.result(HOLD_SECONDS + 15)
    finally:
        server.shutdown()
        server.server_close()
    for path in written:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SystemExit(f"{path.name} is {size} bytes; keep it under {MAX_BYTES}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    options = parser.parse_args()
    started = time.monotonic()
    for path in take(options.out):
        print(f"{path} {path.stat().st_size} bytes")
    print(f"done in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
