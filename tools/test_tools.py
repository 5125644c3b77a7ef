"""Make sure the programs the test suite reads PDFs with are here; install them if we can.

The statement tests re-derive every line from a PDF's own text and check word boxes for
collisions with poppler's `pdftotext` (Debian/Ubuntu package poppler-utils, Fedora
poppler-utils, macOS `brew install poppler`). `make test` runs this first:

- exits 0 when `pdftotext` is found;
- on a system with apt-get, as root or with passwordless sudo, installs poppler-utils (after
  `apt-get update` if the first try fails, as on a fresh system) and exits 0 if that worked;
- otherwise prints how to install it and exits 0 — the tests that need it then skip, saying
  so — except under CI (CI set), where it exits 1: CI must run every test.

    .venv/bin/python tools/test_tools.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from qt_system_libs import System, install_prefix

PACKAGE = "poppler-utils"


def main() -> int:
    if shutil.which("pdftotext") is not None:
        return 0
    system = System()
    prefix = install_prefix(
        has_apt=system.which("apt-get"), is_root=system.is_root(), sudo_works=system.can_sudo()
    )
    if prefix is not None:
        install = [*prefix, "apt-get", "install", "-y", PACKAGE]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (install, [*prefix, "apt-get", "update"], install):
            subprocess.run(command, check=False, capture_output=True, env=env)
            if shutil.which("pdftotext") is not None:
                return 0
    print(
        "The statement tests read PDFs with pdftotext, which is not installed: "
        f"sudo apt-get install {PACKAGE} (Fedora: sudo dnf install {PACKAGE}; macOS: "
        "brew install poppler). Without it those tests skip.",
        file=sys.stderr,
    )
    return 1 if os.environ.get("CI") else 0


if __name__ == "__main__":
    raise SystemExit(main())
