"""New company: a short wizard asking name, currency, fiscal year start, the month ICMDesk
starts paying (the books start) and where to save.

It only collects answers; the app creates the file through records.create_company_file,
which validates them all (problems are shown and nothing is written).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Company, PageSize
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.forms import (
    currency_combo,
    from_month_edit,
    month_edit,
    set_currency,
    to_qdate,
)

# Characters that cannot be in a file name on one of the systems people use.
_UNSAFE = re.compile(r'[\\/:*?"<>|]+')


@dataclass(frozen=True, slots=True)
class NewCompany:
    """The wizard's answers."""

    company: Company
    path: Path


# Where statements are printed on US Letter: the currencies of the countries that use it.
_LETTER_CURRENCIES = frozenset({"USD", "CAD", "MXN", "PHP", "CLP", "COP", "CRC", "GTQ", "DOP"})


def page_size_for(currency: str) -> PageSize:
    """The paper a company paying in `currency` most likely prints on: US Letter in the
    Americas' Letter countries, A4 everywhere else."""
    return PageSize.LETTER if currency in _LETTER_CURRENCIES else PageSize.A4


def suggested_file_name(company_name: str) -> str:
    name = " ".join(_UNSAFE.sub(" ", company_name).split()) or "Company"
    return f"{name}.icmdesk"


class NewCompanyWizard(QWizard):
    """Four short pages: the company, its money and year, where ICMDesk starts, the file."""

    def __init__(
        self, folder: Path, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self._folder = folder
        self._today = today or date.today()
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
        money.setSubTitle(
            "The currency of every amount (type its code to find it), and the month the "
            "fiscal year starts. Both can be changed in Settings until the first month is "
            "closed."
        )
        self._currency = currency_combo("USD")
        self._fiscal = QComboBox()
        self._fiscal.addItems(list(calendar.month_name)[1:])
        self._page_size = QComboBox()
        self._page_size.addItem("Letter (8.5 × 11 in)", PageSize.LETTER)
        self._page_size.addItem("A4 (210 × 297 mm)", PageSize.A4)
        self._page_size_chosen = False  # by the user: the currency no longer suggests it
        self._page_size.activated.connect(self._on_page_size_chosen)
        self._currency.currentIndexChanged.connect(self._suggest_page_size)
        self._suggest_page_size()
        form = QFormLayout(money)
        form.addRow("&Currency:", self._currency)
        form.addRow("&Fiscal year starts in:", self._fiscal)
        form.addRow("&Statement paper:", self._page_size)
        self.addPage(money)

        start = QWizardPage()
        start.setTitle("Where ICMDesk starts")
        start.setSubTitle("The first month whose commissions ICMDesk computes and pays.")
        explained = QLabel(
            "What came before it was settled outside ICMDesk: deals closed earlier earn "
            "nothing here, and no earlier month needs closing, however long ago your reps "
            "were hired. Where each rep stood then (balance owed, earnings so far this "
            "fiscal year, progress toward the current quota) goes under Settings ▸ Opening "
            "balances. The books start can change until the first month is closed."
        )
        explained.setWordWrap(True)
        self._books = QRadioButton("Start paying from:")
        self._books.setChecked(True)
        # Usually the month whose commissions are paid next: the one just ended.
        self._books_month = month_edit(Month.of(self._today).plus(-1))
        self._everything = QRadioButton(
            "A new sales team with no earlier commissions: pay from each rep's first day"
        )
        self._books.toggled.connect(self._books_month.setEnabled)
        row = QHBoxLayout()
        row.addWidget(self._books)
        row.addWidget(self._books_month)
        row.addStretch(1)
        column = QVBoxLayout(start)
        column.addLayout(row)
        column.addWidget(self._everything)
        column.addSpacing(12)
        column.addWidget(explained)
        column.addStretch(1)
        self.addPage(start)

        where = _WherePage()
        self._path = where.path_edit
        self.addPage(where)

    def suggested_path(self) -> Path:
        return self._folder / suggested_file_name(self._name.text())

    def _suggest_page_size(self) -> None:
        if not self._page_size_chosen:
            size = page_size_for(str(self._currency.currentData()))
            self._page_size.setCurrentIndex(self._page_size.findData(size))

    def _on_page_size_chosen(self) -> None:
        self._page_size_chosen = True

    def set_answers(
        self,
        name: str,
        currency: str,
        fiscal_year_start: int,
        path: Path,
        *,
        books_start: Month | None = None,
        page_size: PageSize | None = None,
    ) -> None:
        """Fill every page (tests, and a caller that knows the answers already)."""
        self._name.setText(name)
        set_currency(self._currency, currency.strip().upper())
        self._fiscal.setCurrentIndex(fiscal_year_start - 1)
        if page_size is not None:
            self._page_size.setCurrentIndex(self._page_size.findData(page_size))
            self._page_size_chosen = True
        if books_start is None:
            self._everything.setChecked(True)
        else:
            self._books.setChecked(True)
            self._books_month.setDate(to_qdate(books_start.first_day))
        self._path.setText(str(path))

    def answers(self) -> NewCompany:
        path = Path(self._path.text().strip() or self.suggested_path())
        if not path.suffix:
            path = path.with_suffix(".icmdesk")
        return NewCompany(
            Company(
                name=self._name.text().strip(),
                currency=self._currency.currentData(),
                fiscal_year_start=self._fiscal.currentIndex() + 1,
                books_start=from_month_edit(self._books_month) if self._books.isChecked() else None,
                page_size=PageSize(self._page_size.currentData()),
            ),
            path,
        )

    @classmethod
    def ask(
        cls, parent: QWidget | None, folder: Path, previous: NewCompany | None = None
    ) -> NewCompany | None:
        """Run the wizard (filled with `previous`, the answers of a try that failed); the
        answers, or None if cancelled. Tests replace this."""
        wizard = cls(folder, parent)
        if previous is not None:
            c = previous.company
            wizard.set_answers(
                c.name,
                c.currency,
                c.fiscal_year_start,
                previous.path,
                books_start=c.books_start,
                page_size=c.page_size,
            )
        if wizard.exec() != QWizard.DialogCode.Accepted:
            return None
        return wizard.answers()


class _WherePage(QWizardPage):
    # It asks the wizard through QWizardPage.wizard() rather than keeping it: a page that
    # holds its wizard makes a reference cycle (wizard, page, wizard), and a cycle leaves
    # the wizard to the garbage collector, which may destroy it at any allocation.
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Where to save it")
        self.setSubTitle("One company is one file: copy it, back it up, open it elsewhere.")
        self.path_edit = QLineEdit()
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        label = QLabel("&File:")  # a label given to addRow with a layout has no buddy
        label.setBuddy(self.path_edit)
        form.addRow(label, row)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        form.addRow("", self.problem)
        self.registerField("path*", self.path_edit)
        self.path_edit.textEdited.connect(self.problem.hide)

    def validatePage(self) -> bool:
        """Finish only with a file that can be made: its folder is made if need be (the
        suggested Documents folder may not exist yet), and an existing file is never
        overwritten. A problem is said on the page; nothing typed is lost."""
        wizard = self.wizard()
        assert isinstance(wizard, NewCompanyWizard)
        path = wizard.answers().path
        problem = ""
        if path.exists():
            problem = f"{path.name} already exists in {path.parent}. Choose another name."
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                problem = f"Cannot make the folder {path.parent}: {e.strerror or e}."
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        return not problem

    def initializePage(self) -> None:
        # Suggest a file named after the company, unless one was chosen already.
        if not self.path_edit.text():
            wizard = self.wizard()
            assert isinstance(wizard, NewCompanyWizard)
            self.path_edit.setText(str(wizard.suggested_path()))

    def _on_browse_clicked(self) -> None:
        chosen = FileDialogs.save_company(self, Path(self.path_edit.text()))
        if chosen is not None:
            self.path_edit.setText(str(chosen))
