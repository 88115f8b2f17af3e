"""Vendor htmx from the npm registry (developer tool; the app never fetches anything).

    .venv/bin/python scripts/vendor_htmx.py            # fetch the pinned version, verify, write
    .venv/bin/python scripts/vendor_htmx.py 2.0.12     # move the pin to another version

The tarball's sha512 must equal the registry's ``dist.integrity``; the extracted
``dist/htmx.min.js`` is written to ``src/xieshang/web/static/`` and its sha256 recorded in
``src/xieshang/web/static/vendor.toml``, which the tests check on every run.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src" / "xieshang" / "web" / "static"
PIN = STATIC / "vendor.toml"
REGISTRY = "https://registry.npmjs.org/htmx.org/"


def main(argv: list[str]) -> int:
    version = argv[1] if len(argv) > 1 else tomllib.loads(PIN.read_text("utf-8"))["htmx"]["version"]
    with urllib.request.urlopen(REGISTRY + version, timeout=60) as response:
        meta = json.load(response)
    tarball, integrity = meta["dist"]["tarball"], meta["dist"]["integrity"]
    with urllib.request.urlopen(tarball, timeout=60) as response:
        data = response.read()
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        print(f"integrity mismatch for {tarball}: {actual} != {expected}", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/dist/htmx.min.js")
        assert member is not None
        script = member.read()
    (STATIC / "htmx.min.js").write_bytes(script)
    PIN.write_text(
        "# htmx, vendored from the npm registry by scripts/vendor_htmx.py (never a CDN).\n"
        "# The tests check htmx.min.js against sha256 below.\n"
        "[htmx]\n"
        f'version = "{version}"\n'
        f'tarball = "{tarball}"\n'
        f'integrity = "{integrity}"\n'
        'file = "package/dist/htmx.min.js"\n'
        f'sha256 = "{hashlib.sha256(script).hexdigest()}"\n'
        'license = "0BSD"\n',
        encoding="utf-8",
    )
    print(f"htmx {version}: {len(script)} bytes, sha256 {hashlib.sha256(script).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
