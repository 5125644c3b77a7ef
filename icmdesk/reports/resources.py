"""Where the reports find their bundled files (fonts), relative to the package."""

from __future__ import annotations

from pathlib import Path

# icmdesk/reports/resources.py -> parents[2] is the project root holding resources/.
RESOURCES_DIR = Path(__file__).resolve().parents[2] / "resources"
FONTS_DIR = RESOURCES_DIR / "fonts"


class ResourceMissingError(RuntimeError):
    """A bundled file the PDFs need is not where the package expects it."""


def resource_path(*parts: str) -> Path:
    """The path of a bundled resource; a clear error when it is missing (broken install)."""
    path = RESOURCES_DIR.joinpath(*parts)
    if not path.is_file():
        raise ResourceMissingError(
            f"ICMDesk cannot find its bundled file {path}: the resources/ folder next to the "
            "icmdesk package is missing or incomplete; reinstall ICMDesk."
        )
    return path
