"""Take the README's screenshot of the dashboard (developer tool).

    .venv/bin/python scripts/screenshot.py          # writes docs/images/dashboard.png

Serves the demo case on a loopback port and photographs the "today" page in Debian's
chromium (Playwright), at a phone width and a desktop width.
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
        for name, size in (("dashboard.png", (1100, 900)), ("dashboard-phone.png", (390, 844))):
            page = browser.new_page(viewport={"width": size[0], "height": size[1]},
                                    device_scale_factor=1)
            page.goto(base + "/")
            page.screenshot(path=str(target / name), full_page=False)
            page.close()
            print(target / name)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
