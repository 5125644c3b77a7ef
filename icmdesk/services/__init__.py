"""Use cases over a company file, each in one unit of work, returning frozen values."""
