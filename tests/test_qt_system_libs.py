"""tools/qt_system_libs.py: which packages Qt's xcb plugin needs, and what `make run` does then.

No Qt, ldd or apt here: a simulated machine knows which packages are installed, answers `ldd`
from that and installs packages when apt-get is run with the right to.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "tools" / "qt_system_libs.py"
_spec = importlib.util.spec_from_file_location("qt_system_libs", _PATH)
assert _spec is not None and _spec.loader is not None
qt = importlib.util.module_from_spec(_spec)
sys.modules["qt_system_libs"] = qt
_spec.loader.exec_module(qt)

# Part of `ldd .../platforms/libqxcb.so` on Debian 12 without libxcb-icccm4 and libxcb-keysyms1.
LDD_QXCB = """\
\tlinux-vdso.so.1 (0x00007f0ddbb40000)
\tlibQt6XcbQpa.so.6 => /v/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f0d0000)
\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007f0ddb9e2000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f0ddb988000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f0ddb980000)
\tlibxcb-keysyms.so.1 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0dd9c1e000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f0ddbb42000)
"""

# The packages `make run` installed on a minimal Debian 12 (debootstrap --variant=minbase),
# after which ldd found everything and the app opened on Xvfb.
DEBIAN_MINIMAL = [
    "libdbus-1-3",
    "libegl1",
    "libfontconfig1",
    "libfreetype6",
    "libgl1",
    "libglib2.0-0",
    "libx11-6",
    "libx11-xcb1",
    "libxcb-cursor0",
    "libxcb-glx0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-render0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxcb1",
    "libxkbcommon-x11-0",
    "libxkbcommon0",
]

# What ldd found missing for each plugin on that minimal Debian 12 (the needs of the Qt libraries
# they load included; the GL plugin's list shortened).
PLUGIN_NEEDS = {
    "platforms/libqxcb.so": [
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxcb-image.so.0",
        "libxcb-keysyms.so.1",
        "libxcb-randr.so.0",
        "libxcb-render-util.so.0",
        "libxcb-render.so.0",
        "libxcb-shape.so.0",
        "libxcb-shm.so.0",
        "libxcb-sync.so.1",
        "libxcb-util.so.1",
        "libxcb-xfixes.so.0",
        "libxcb-xkb.so.1",
        "libxcb.so.1",
        "libxkbcommon-x11.so.0",
        "libxkbcommon.so.0",
        "libX11-xcb.so.1",
        "libX11.so.6",
        "libGL.so.1",
        "libEGL.so.1",
        "libfontconfig.so.1",
        "libfreetype.so.6",
        "libglib-2.0.so.0",
        "libgthread-2.0.so.0",
        "libdbus-1.so.3",
    ],
    "xcbglintegrations/libqxcb-glx-integration.so": ["libxcb-glx.so.0", "libGL.so.1"],
}
QT_LIBS = ("libQt6XcbQpa.so.6", "libQt6Gui.so.6", "libQt6Core.so.6")


class Machine(qt.System):
    """A simulated Linux machine with PySide6 installed under `root`."""

    def __init__(
        self,
        root: Path,
        *,
        missing: Sequence[str] = ("libxcb-icccm4", "libxcb-keysyms1"),
        platform: str = "linux",
        environ: Mapping[str, str] | None = None,
        is_root: bool = False,
        sudo: bool = False,
        apt: bool = True,
        ldd: bool = True,
        pyside: bool = True,
        package_lists: bool = True,
        in_repository: Sequence[str] = tuple(deb for deb, _ in qt.PACKAGES.values()),
        extra_need: str | None = None,
    ) -> None:
        self.platform = platform
        self.environ = environ or {}
        self._root, self._sudo, self._apt, self._ldd = is_root, sudo, apt, ldd
        self.pyside = root / "PySide6"
        self._pyside_installed = pyside
        self.package_lists = package_lists
        self.in_repository = set(in_repository)
        self.installed = {deb for deb, _ in qt.PACKAGES.values()} - set(missing)
        self.extra_need = extra_need
        self.commands: list[list[str]] = []
        for plugin in PLUGIN_NEEDS:
            path = self.pyside / "Qt" / "plugins" / plugin
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()

    def which(self, program: str) -> bool:
        return {"ldd": self._ldd, "apt-get": self._apt}.get(program, False)

    def is_root(self) -> bool:
        return self._root

    def can_sudo(self) -> bool:
        return self._sudo

    def pyside_dir(self) -> Path | None:
        return self.pyside if self._pyside_installed else None

    def ldd(self, path: Path) -> str:
        lines = []
        if path.suffix == ".so":
            plugin = path.relative_to(self.pyside / "Qt" / "plugins").as_posix()
            needs = [*PLUGIN_NEEDS[plugin]] + ([self.extra_need] if self.extra_need else [])
            lib = self.pyside / "Qt" / "lib"
            lines += [f"\t{name} => {lib / name} (0x00007f0000000000)" for name in QT_LIBS]
        else:
            needs = ["libglib-2.0.so.0"]
        for soname in needs:
            package = qt.PACKAGES.get(soname, ("?", "?"))[0]
            if package in self.installed:
                lines.append(f"\t{soname} => /lib/x86_64-linux-gnu/{soname} (0x00007f0000001000)")
            else:
                lines.append(f"\t{soname} => not found")
        return "\n".join(lines) + "\n"

    def run(self, command: Sequence[str]) -> int:
        self.commands.append(list(command))
        args = list(command)
        if args[:2] == ["sudo", "-n"]:
            if not self._sudo:
                return 1
            args = args[2:]
        elif not self._root:
            return 100  # apt-get: permission denied
        if args == ["apt-get", "update"]:
            self.package_lists = True
            return 0
        if args[:3] == ["apt-get", "install", "-y"]:
            packages = set(args[3:])
            if not self.package_lists or not packages <= self.in_repository:
                return 100  # E: Unable to locate package
            self.installed |= packages
            return 0
        raise AssertionError(f"unexpected command {command}")


# -- which package provides which library ----------------------------------------------------


@pytest.mark.parametrize(
    ("soname", "debian", "fedora"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
        ("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
        ("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
        ("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
        ("libxcb-util.so.1", "libxcb-util1", "xcb-util"),
        ("libxcb-glx.so.0", "libxcb-glx0", "libxcb"),
        ("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
        ("libX11-xcb.so.1", "libx11-xcb1", "libX11-xcb"),
        ("libGL.so.1", "libgl1", "libglvnd-glx"),
        ("libEGL.so.1", "libegl1", "libglvnd-egl"),
        ("libfontconfig.so.1", "libfontconfig1", "fontconfig"),
        ("libgthread-2.0.so.0", "libglib2.0-0", "glib2"),
        ("libdbus-1.so.3", "libdbus-1-3", "dbus-libs"),
    ],
)
def test_a_library_maps_to_its_debian_and_fedora_package(
    soname: str, debian: str, fedora: str
) -> None:
    assert qt.PACKAGES[soname] == (debian, fedora)


def test_every_core_xcb_extension_is_one_fedora_package_and_each_xcb_util_its_own() -> None:
    for soname, (_debian, fedora) in qt.PACKAGES.items():
        if soname.startswith("libxcb") and fedora != "libxcb":
            assert fedora.startswith("xcb-util"), soname


def test_the_minimal_debian_install_is_what_the_plugins_need() -> None:
    needs = {soname for names in PLUGIN_NEEDS.values() for soname in names}
    assert list(qt.missing_packages(needs).debian) == sorted(DEBIAN_MINIMAL)


# -- reading ldd -----------------------------------------------------------------------------


def test_ldd_output_gives_the_libraries_not_found_once_each() -> None:
    assert qt.not_found(LDD_QXCB) == {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}


def test_ldd_output_gives_the_files_it_resolved() -> None:
    paths = qt.resolved_paths(LDD_QXCB)
    assert Path("/lib/x86_64-linux-gnu/libGL.so.1") in paths
    assert Path("/v/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6") in paths
    assert len(paths) == 5  # not the vdso, the loader, or what was not found


def test_missing_libraries_become_each_package_once_sorted() -> None:
    missing = qt.missing_packages(
        [
            "libxcb-keysyms.so.1",
            "libglib-2.0.so.0",
            "libgthread-2.0.so.0",
            "libxcb-icccm.so.4",
            "libxcb-glx.so.0",
            "libxcb-xkb.so.1",
            "libfoo.so.3",
        ]
    )
    assert missing.debian == (
        "libglib2.0-0",
        "libxcb-glx0",
        "libxcb-icccm4",
        "libxcb-keysyms1",
        "libxcb-xkb1",
    )
    assert missing.fedora == ("glib2", "libxcb", "xcb-util-keysyms", "xcb-util-wm")
    assert missing.unknown == ("libfoo.so.3",)


# -- when to check, how to install, what to say ----------------------------------------------


@pytest.mark.parametrize(
    ("platform", "qpa", "checked"),
    [
        ("linux", None, True),
        ("linux", "", True),
        ("linux", "xcb", True),
        ("linux", "wayland;xcb", True),
        ("linux", "xcb:nograb", True),
        ("linux", "offscreen", False),
        ("linux", "wayland", False),
        ("linux", "minimal", False),
        ("darwin", None, False),
        ("win32", None, False),
        ("win32", "xcb", False),
    ],
)
def test_only_linux_loading_the_xcb_plugin_is_checked(
    platform: str, qpa: str | None, checked: bool
) -> None:
    environ = {} if qpa is None else {"QT_QPA_PLATFORM": qpa}
    assert qt.uses_xcb(platform, environ) is checked


@pytest.mark.parametrize(
    ("has_apt", "is_root", "sudo_works", "prefix"),
    [
        (True, True, False, []),
        (True, False, True, ["sudo", "-n"]),
        (True, False, False, None),
        (False, True, False, None),
        (False, False, True, None),
    ],
)
def test_apt_runs_as_root_or_through_passwordless_sudo(
    has_apt: bool, is_root: bool, sudo_works: bool, prefix: list[str] | None
) -> None:
    assert qt.install_prefix(has_apt=has_apt, is_root=is_root, sudo_works=sudo_works) == prefix


def test_the_advice_gives_the_exact_install_lines() -> None:
    text = qt.advice(qt.missing_packages(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]))
    assert "libxcb-icccm.so.4 libxcb-keysyms.so.1" in text
    lines = text.splitlines()
    assert "  Debian/Ubuntu: sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in lines
    assert "  Fedora:        sudo dnf install xcb-util-keysyms xcb-util-wm" in lines


def test_the_advice_for_a_library_without_a_known_package_says_how_to_find_it() -> None:
    text = qt.advice(qt.missing_packages(["libfoo.so.3"]))
    assert "apt-get install" not in text
    assert "No package is known here for libfoo.so.3" in text


# -- make run on a machine -------------------------------------------------------------------


def test_nothing_missing_is_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    machine = Machine(tmp_path, missing=())
    assert qt.main(machine) == 0
    assert capsys.readouterr() == ("", "")
    assert machine.commands == []


@pytest.mark.parametrize(
    "machine_args",
    [
        {"environ": {"QT_QPA_PLATFORM": "offscreen"}, "is_root": True},
        {"platform": "darwin", "is_root": True},
        {"platform": "win32", "is_root": True},
        {"ldd": False, "is_root": True},
    ],
    ids=["offscreen", "macos", "windows", "no-ldd"],
)
def test_no_check_where_xcb_is_not_loaded_or_ldd_is_absent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], machine_args: dict
) -> None:
    machine = Machine(tmp_path, **machine_args)
    assert qt.main(machine) == 0
    assert capsys.readouterr() == ("", "")
    assert "libxcb-icccm4" not in machine.installed


def test_without_pyside6_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert qt.main(Machine(tmp_path, pyside=False)) == 2
    assert "PySide6 is not installed" in capsys.readouterr().err


def test_root_installs_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    machine = Machine(tmp_path, is_root=True)
    assert qt.main(machine) == 0
    assert {"libxcb-icccm4", "libxcb-keysyms1"} <= machine.installed
    assert machine.commands == [["apt-get", "install", "-y", "libxcb-icccm4", "libxcb-keysyms1"]]
    assert capsys.readouterr().err == ""


def test_a_fresh_system_gets_everything_after_updating_the_package_lists(tmp_path: Path) -> None:
    machine = Machine(tmp_path, is_root=True, missing=DEBIAN_MINIMAL, package_lists=False)
    assert qt.main(machine) == 0
    assert set(DEBIAN_MINIMAL) <= machine.installed
    install = ["apt-get", "install", "-y", *sorted(DEBIAN_MINIMAL)]
    assert machine.commands == [install, ["apt-get", "update"], install]


def test_passwordless_sudo_installs(tmp_path: Path) -> None:
    machine = Machine(tmp_path, sudo=True)
    assert qt.main(machine) == 0
    assert {"libxcb-icccm4", "libxcb-keysyms1"} <= machine.installed
    assert machine.commands[0][:5] == ["sudo", "-n", "apt-get", "install", "-y"]


def test_without_root_or_sudo_prints_the_lines_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = Machine(tmp_path)
    assert qt.main(machine) == 1
    assert machine.commands == []
    err = capsys.readouterr().err
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in err
    assert "sudo dnf install xcb-util-keysyms xcb-util-wm" in err


def test_without_apt_as_root_prints_the_lines_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = Machine(tmp_path, is_root=True, apt=False)
    assert qt.main(machine) == 1
    assert machine.commands == []
    assert "sudo dnf install xcb-util-keysyms xcb-util-wm" in capsys.readouterr().err


def test_an_install_that_fails_leaves_the_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = Machine(tmp_path, is_root=True, in_repository=["libxcb-icccm4"])
    assert qt.main(machine) == 1
    assert "libxcb-keysyms1" not in machine.installed
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in capsys.readouterr().err


def test_an_unknown_library_is_reported_after_installing_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = Machine(tmp_path, is_root=True, extra_need="libfoo.so.3")
    assert qt.main(machine) == 1
    assert {"libxcb-icccm4", "libxcb-keysyms1"} <= machine.installed
    err = capsys.readouterr().err
    assert "No package is known here for libfoo.so.3" in err
    assert "apt-get install" not in err


def _readme_command(start: str) -> list[str]:
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    joined = text.replace("\\\n", " ")
    line = next(line for line in joined.splitlines() if line.startswith(start))
    return line.removeprefix(start).split()


def test_the_readme_install_lines_name_what_a_minimal_system_lacks() -> None:
    needs = {soname for names in PLUGIN_NEEDS.values() for soname in names}
    assert sorted(_readme_command("sudo apt-get install ")) == sorted(DEBIAN_MINIMAL)
    fedora = qt.missing_packages(needs).fedora
    assert sorted(_readme_command("sudo dnf install ")) == sorted(fedora)
