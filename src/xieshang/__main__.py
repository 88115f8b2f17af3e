"""``python -m xieshang``."""

from xieshang.cli.main import run

run()
