"""ICMDesk: offline sales-compensation for small businesses."""

__version__ = "0.1.0"
