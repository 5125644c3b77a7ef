"""The pure core: money, calendar, entities, the commission engine and statement values.

Standard library only: no Qt, no SQLAlchemy, no I/O.
"""
