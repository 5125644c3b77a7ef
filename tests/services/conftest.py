"""A fresh company file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from icmdesk.domain.entities import Company
from icmdesk.models.database import CompanyFile
from icmdesk.services import records


@pytest.fixture
def cf(tmp_path: Path) -> Iterator[CompanyFile]:
    company_file = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    yield company_file
    company_file.close()
