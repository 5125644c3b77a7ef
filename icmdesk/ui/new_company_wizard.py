"""New company: a short wizard asking name, currency, fiscal year start and where to save.

It only collects answers; the app creates the file through records.create_company_file,
which validates them all (problems are shown and nothing is written).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
    QWizard,
    QWizardPage,
)

from icmdesk.domain.entities import Company
from icmdesk.ui.file_dialogs import FileDialogs

# Characters that cannot be in a file name on one of the systems people use.
_UNSAFE = re.compile(r'[\\/:*?"<>|]+')


@dataclass(frozen=True, slots=True)
class NewCompany:
    """The wizard's answers."""

    company: Company
    path: Path


def suggested_file_name(company_name: str) -> str:
    name = " ".join(_UNSAFE.sub(" ", company_name).split()) or "Company"
    return f"{name}.icmdesk"


class NewCompanyWizard(QWizard):
    """Three short pages: the company, its money and year, the file."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._folder = folder
        self.setWindowTitle("New company")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self._build_ui()

    def _build_ui(self) -> None:
        company = QWizardPage()
        company.setTitle("The company")
        company.setSubTitle("The name printed on every statement.")
        self._name = QLineEdit()
        self._name.setPlaceholderText("Acme Ltd")
        company.registerField("name*", self._name)
        form = QFormLayout(company)
        form.addRow("&Name:", self._name)
        self.addPage(company)

        money = QWizardPage()
        money.setTitle("Money and the year")
        money.setSubTitle("The currency of every amount, and the month the fiscal year starts.")
        self._currency = QLineEdit("USD")
        self._currency.setMaxLength(3)
        self._currency.setValidator(
            QRegularExpressionValidator(QRegularExpression("[A-Za-z]{0,3}"), self._currency)
        )
        self._fiscal = QComboBox()
        self._fiscal.addItems(list(calendar.month_name)[1:])
        form = QFormLayout(money)
        form.addRow("&Currency (ISO code):", self._currency)
        form.addRow("&Fiscal year starts in:", self._fiscal)
        self.addPage(money)

        where = _WherePage(self)
        self._path = where.path_edit
        self.addPage(where)

    def suggested_path(self) -> Path:
        return self._folder / suggested_file_name(self._name.text())

    def set_answers(self, name: str, currency: str, fiscal_year_start: int, path: Path) -> None:
        """Fill every page (tests, and a caller that knows the answers already)."""
        self._name.setText(name)
        self._currency.setText(currency)
        self._fiscal.setCurrentIndex(fiscal_year_start - 1)
        self._path.setText(str(path))

    def answers(self) -> NewCompany:
        path = Path(self._path.text().strip() or self.suggested_path())
        if not path.suffix:
            path = path.with_suffix(".icmdesk")
        return NewCompany(
            Company(
                name=self._name.text().strip(),
                currency=self._currency.text().strip().upper(),
                fiscal_year_start=self._fiscal.currentIndex() + 1,
            ),
            path,
        )

    @classmethod
    def ask(cls, parent: QWidget | None, folder: Path) -> NewCompany | None:
        """Run the wizard; the answers, or None if cancelled. Tests replace this."""
        wizard = cls(folder, parent)
        if wizard.exec() != QWizard.DialogCode.Accepted:
            return None
        return wizard.answers()


class _WherePage(QWizardPage):
    def __init__(self, wizard: NewCompanyWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Where to save it")
        self.setSubTitle("One company is one file: copy it, back it up, open it elsewhere.")
        self.path_edit = QLineEdit()
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("&File:", row)
        self.registerField("path*", self.path_edit)

    def initializePage(self) -> None:
        # Suggest a file named after the company, unless one was chosen already.
        if not self.path_edit.text():
            self.path_edit.setText(str(self._wizard.suggested_path()))

    def _on_browse_clicked(self) -> None:
        chosen = FileDialogs.save_company(self, Path(self.path_edit.text()))
        if chosen is not None:
            self.path_edit.setText(str(chosen))
