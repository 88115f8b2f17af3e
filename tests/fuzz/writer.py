"""One concurrent writer: ``python -m fuzz.writer NAME COUNT`` adds COUNT debts labelled
``NAME-0`` … through the ``xieshang`` command (in this one process, one command after
another), and prints ``ACK label`` for each the command acknowledged (exit 0). A busy
store ("another xieshang is writing") is tried again, up to ten times."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout


def add(label: str) -> tuple[int, str]:
    from xieshang.cli.main import run

    err = io.StringIO()
    code = 0
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        try:
            run(["debt", "add", "--product", "huabei", "--amount", "100", "--label", label,
                 "--lang", "en"])
        except SystemExit as done:
            code = int(done.code or 0) if not isinstance(done.code, str) else 1
    return code, err.getvalue()


def main(name: str, count: int) -> None:
    for index in range(count):
        label = f"{name}-{index}"
        for _attempt in range(10):
            code, err = add(label)
            if code == 0:
                print("ACK", label, flush=True)
                break
            if "another xieshang is writing" in err:
                print("BUSY", label, flush=True)
                continue
            print("FAIL", label, err.replace("\n", " ")[:300], flush=True)
            break


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
