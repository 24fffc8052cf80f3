"""The command line shared by the modules that generate committed files
(``monitoring.alerting.shipped``, ``monitoring.dashboards.files``): write them, or ``--check`` for drift."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from dost_contract.settings import PROJECT_ROOT


def main(
    argv: list[str] | None,
    description: str,
    drifted_files: Callable[[], list[Path]],
    write_files: Callable[[], list[Path]],
    generator: str,
) -> int:
    """Write the files (printing each), or with ``--check`` exit 1 naming each drifted one."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help=f"exit 1 if a committed file differs from the {generator}")
    args = parser.parse_args(argv)
    if args.check:
        drifted = drifted_files()
        for path in drifted:
            print(f"drift: {path.relative_to(PROJECT_ROOT)} differs from the {generator}", file=sys.stderr)
        return 1 if drifted else 0
    for path in write_files():
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0
