"""Check that Qt's xcb platform plugin finds the system libraries it needs; install them if we can.

`make run` runs this before opening the app. PySide6 wheels bundle Qt but not the X11 libraries
its xcb plugin (the one that opens windows on Linux) links to, and when one is missing Qt's
error names libxcb-cursor0 whatever the missing library is. This script asks `ldd` which
libraries the plugin and the Qt libraries it loads cannot find, maps them to packages, and:

- exits 0, silently, when nothing is missing, on macOS and Windows (no xcb plugin there), when
  QT_QPA_PLATFORM names only other platforms (offscreen for the tests), or without ldd;
- on a system with apt-get, as root or with passwordless sudo, runs `apt-get install -y` (and
  `apt-get update` then the install again if that fails, as on a fresh system without package
  lists), checks again and exits 0 if that fixed it;
- otherwise prints the `apt-get install` line (and the `dnf install` line for Fedora) and
  exits 1. Exit 2: PySide6 is not installed in this interpreter.

    .venv/bin/python tools/qt_system_libs.py
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# The libraries found by `ldd` on PySide6 6.11's xcb plugins and the Qt libraries they load, other
# than glibc and libraries every Debian or Fedora system has (libstdc++, zlib, systemd's, ...):
# soname -> (Debian/Ubuntu package, Fedora package). Fedora ships all the core xcb
# extensions in one libxcb package and each xcb-util library in its own.
PACKAGES: Mapping[str, tuple[str, str]] = {
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libXau.so.6": ("libxau6", "libXau"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libGLdispatch.so.0": ("libglvnd0", "libglvnd"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libpng16.so.16": ("libpng16-16", "libpng"),
    "libbrotlidec.so.1": ("libbrotli1", "libbrotli"),
    "libbrotlicommon.so.1": ("libbrotli1", "libbrotli"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libpcre2-8.so.0": ("libpcre2-8-0", "pcre2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libexpat.so.1": ("libexpat1", "expat"),
    "libbsd.so.0": ("libbsd0", "libbsd"),
    "libmd.so.0": ("libmd0", "libmd"),
}

# The plugins that load the X11 libraries, relative to PySide6/Qt/plugins.
PLUGIN_GLOBS = ("platforms/libqxcb.so", "xcbglintegrations/*.so")

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)
_RESOLVED = re.compile(r"^\s*\S+\s+=>\s+(/\S+)\s+\(0x[0-9a-f]+\)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Missing:
    """What `ldd` could not find, as packages to install."""

    sonames: tuple[str, ...]
    debian: tuple[str, ...]
    fedora: tuple[str, ...]
    unknown: tuple[str, ...]  # sonames no package is known for


def not_found(ldd_output: str) -> set[str]:
    """The sonames an `ldd` output reports as "not found"."""
    return set(_NOT_FOUND.findall(ldd_output))


def resolved_paths(ldd_output: str) -> list[Path]:
    """The files an `ldd` output resolved the dependencies to."""
    return [Path(p) for p in _RESOLVED.findall(ldd_output)]


def missing_packages(sonames: Iterable[str]) -> Missing:
    """The Debian and Fedora packages providing the sonames, each package once, sorted."""
    names = tuple(sorted(set(sonames)))
    known = [PACKAGES[s] for s in names if s in PACKAGES]
    return Missing(
        sonames=names,
        debian=tuple(sorted({deb for deb, _ in known})),
        fedora=tuple(sorted({fed for _, fed in known})),
        unknown=tuple(s for s in names if s not in PACKAGES),
    )


def uses_xcb(platform: str, environ: Mapping[str, str]) -> bool:
    """Whether Qt may load its xcb plugin here: on Linux, unless QT_QPA_PLATFORM names others.

    QT_QPA_PLATFORM is a ';'-separated list of platforms tried in order, each possibly with
    ':options' (`wayland;xcb`, `xcb:nograb`); `offscreen` (the tests) never loads xcb.
    """
    if not platform.startswith("linux"):
        return False
    wanted = environ.get("QT_QPA_PLATFORM", "").strip()
    if not wanted:
        return True
    return any(entry.split(":", 1)[0].strip() == "xcb" for entry in wanted.split(";"))


def install_prefix(*, has_apt: bool, is_root: bool, sudo_works: bool) -> list[str] | None:
    """How to run apt-get without a prompt: as is (root), through `sudo -n`, or not at all."""
    if not has_apt:
        return None
    if is_root:
        return []
    if sudo_works:
        return ["sudo", "-n"]
    return None


def install_commands(prefix: Sequence[str], missing: Missing) -> list[list[str]]:
    """The install command, then `apt-get update`, then the install again (if the first fails)."""
    install = [*prefix, "apt-get", "install", "-y", *missing.debian]
    return [install, [*prefix, "apt-get", "update"], install]


def advice(missing: Missing) -> str:
    """The message for someone who has to install the libraries by hand."""
    lines = [
        "Qt's xcb platform plugin (it opens the app's windows on Linux) cannot load: "
        "these system libraries are missing:",
        textwrap.fill(
            " ".join(missing.sonames),
            width=96,
            initial_indent="  ",
            subsequent_indent="  ",
            break_on_hyphens=False,
        ),
    ]
    if missing.debian:
        lines += [
            "Install them, then run `make run` again:",
            "  Debian/Ubuntu: sudo apt-get install " + " ".join(missing.debian),
            "  Fedora:        sudo dnf install " + " ".join(missing.fedora),
        ]
    if missing.unknown:
        lines += [
            "No package is known here for " + ", ".join(missing.unknown) + "; find the one that "
            "provides it (Debian/Ubuntu: apt-file search NAME; Fedora: dnf provides '*/NAME').",
        ]
    lines.append("(Qt's own error says libxcb-cursor0 is needed whichever library is missing.)")
    return "\n".join(lines)


class System:
    """The real machine: ldd, apt-get and sudo through subprocess. Tests pass a stand-in."""

    platform: str = sys.platform
    environ: Mapping[str, str] = os.environ

    def which(self, program: str) -> bool:
        return shutil.which(program) is not None

    def is_root(self) -> bool:
        return os.geteuid() == 0

    def can_sudo(self) -> bool:
        """Whether sudo runs without asking for a password."""
        if shutil.which("sudo") is None:
            return False
        done = subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False)
        return done.returncode == 0

    def pyside_dir(self) -> Path | None:
        # find_spec locates the package without importing it (the import loads Qt libraries).
        spec = importlib.util.find_spec("PySide6")
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(next(iter(spec.submodule_search_locations))).resolve()

    def ldd(self, path: Path) -> str:
        done = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
        return done.stdout

    def run(self, command: Sequence[str]) -> int:
        """Run a command with its output shown; its exit status."""
        return subprocess.run(list(command), check=False).returncode


def find_missing(system: System, pyside: Path) -> set[str]:
    """Sonames the xcb plugins, or the bundled Qt libraries they load, cannot find."""
    plugins = pyside / "Qt" / "plugins"
    roots = sorted(p for pattern in PLUGIN_GLOBS for p in plugins.glob(pattern))
    missing: set[str] = set()
    qt_libs: set[Path] = set()
    for root in roots:
        output = system.ldd(root)
        missing |= not_found(output)
        qt_libs |= {p for p in resolved_paths(output) if p.resolve().is_relative_to(pyside)}
    # ldd on a plugin already lists what the Qt libraries it loads need (so far as it finds
    # them); asking about each of those libraries too costs a few runs and adds nothing then.
    for lib in sorted(qt_libs):
        missing |= not_found(system.ldd(lib))
    return missing


def main(system: System | None = None) -> int:
    """Check, install if we can, or advise; the exit status for `make run`."""
    system = system or System()
    if not uses_xcb(system.platform, system.environ) or not system.which("ldd"):
        return 0
    pyside = system.pyside_dir()
    if pyside is None:
        print(
            f"PySide6 is not installed for {sys.executable}: run `make run` (it installs it), "
            'or `pip install -e ".[test]"` in the virtual environment.',
            file=sys.stderr,
        )
        return 2
    missing = missing_packages(find_missing(system, pyside))
    if not missing.sonames:
        return 0
    has_apt, is_root = system.which("apt-get"), system.is_root()
    prefix = install_prefix(
        has_apt=has_apt, is_root=is_root, sudo_works=has_apt and not is_root and system.can_sudo()
    )
    if prefix is not None and missing.debian:
        print("Installing the system libraries Qt's xcb plugin needs: " + " ".join(missing.debian))
        install, update, retry = install_commands(prefix, missing)
        if system.run(install) != 0 and system.run(update) == 0:
            system.run(retry)
        missing = missing_packages(find_missing(system, pyside))
        if not missing.sonames:
            return 0
    print(advice(missing), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
