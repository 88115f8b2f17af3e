"""Take the README's screenshots of the dashboard (developer tool).

    .venv/bin/python scripts/screenshot.py   # docs/images/dashboard.png, dashboard-phone.png
                                             # and phone-and-desktop.png (both side by side)

Serves the demo case on a loopback port and photographs the "today" page in Debian's
chromium (Playwright), at a phone size (390×844) and a desktop size (1366×900).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

from browser import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402
from xieshang.cli.serve import build_demo_store  # noqa: E402


def main() -> int:
    target = ROOT / "docs" / "images"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, running_server(
            build_demo_store(folder)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, size in (("dashboard.png", (1366, 900)), ("dashboard-phone.png", (390, 844))):
            page = browser.new_page(viewport={"width": size[0], "height": size[1]},
                                    device_scale_factor=1)
            page.goto(base + "/")
            page.screenshot(path=str(target / name), full_page=False)
            page.close()
            print(target / name)
        browser.close()
    side_by_side(target / "dashboard-phone.png", target / "dashboard.png",
                 target / "phone-and-desktop.png")
    print(target / "phone-and-desktop.png")
    return 0


def side_by_side(phone: Path, desktop: Path, target: Path) -> None:
    """The phone view next to the desktop view, on one white canvas (scaled to one height)."""
    from PIL import Image

    left, right = Image.open(phone), Image.open(desktop)
    height = max(left.height, right.height)
    gap = 24
    canvas = Image.new("RGB", (left.width + gap + right.width, height), "white")
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width + gap, 0))
    canvas.save(target, optimize=True)


if __name__ == "__main__":
    sys.exit(main())
