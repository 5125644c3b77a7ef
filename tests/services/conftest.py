"""The services tests call the shared empty company file (tests/fixtures.py `acme`) `cf`."""

from __future__ import annotations

import pytest

from icmdesk.models.database import CompanyFile


@pytest.fixture
def cf(acme: CompanyFile) -> CompanyFile:
    """The empty "Acme Ltd" company file (`acme`), under the name these tests use."""
    return acme
