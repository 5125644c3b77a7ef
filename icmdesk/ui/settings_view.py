"""Company settings: name, address, logo, currency, fiscal year, statements, clawback defaults.

Save sends the whole form to records.update_company, which validates it all at
once: every problem is shown under its own field and nothing is saved.
"""

from __future__ import annotations

import calendar
import dataclasses

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.entities import ClawbackMethod, ClawbackPolicy, Company, PageSize
from icmdesk.domain.errors import CompanyFileError, Problem, ValidationError
from icmdesk.models.database import CompanyFile
from icmdesk.services import records
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.messages import Messages

LOGO_PREVIEW_HEIGHT = 64
# Legible on light and dark palettes alike (no palette role means "error").
PROBLEM_STYLE = "color: #e0463c;"

# Problem.field as the service names it → the form field it belongs under.
_FIELD_OF = {
    "name": "name",
    "address": "address",
    "currency": "currency",
    "fiscal_year_start": "fiscal_year_start",
    "clawback_policy.window_days": "clawback_window",
    "clawback_policy.method": "clawback_method",
    "forgive_balance_at_termination": "forgive",
    "page_size": "page_size",
    "statement_help_text": "help_text",
    "logo_png": "logo",
}


class SettingsView(QWidget):
    """The company's own settings, edited as one form."""

    saved = Signal(object)  # the Company as saved

    def __init__(self, company_file: CompanyFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._file = company_file
        # Read when first shown, not while the main window is being built.
        self._company: Company | None = None
        self._logo: bytes | None = None
        self._problem_labels: dict[str, QLabel] = {}
        self._build_ui()
        self._connect_signals()

    def showEvent(self, event: QShowEvent) -> None:
        self._ensure_loaded()
        super().showEvent(event)

    def _ensure_loaded(self) -> Company:
        if self._company is None:
            self._company = records.get_company(self._file)
            self._show(self._company)
        return self._company

    # Building.
    def _build_ui(self) -> None:
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        page = QWidget()
        scroll.setWidget(page)
        outer.addWidget(scroll)
        page_layout = QVBoxLayout(page)
        self._form = QFormLayout()
        page_layout.addLayout(self._form)
        page_layout.addStretch(1)  # spare height below the form, not between its rows
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self._general = QLabel()
        self._general.setStyleSheet(PROBLEM_STYLE)
        self._general.setWordWrap(True)
        self._general.hide()
        self._form.addRow(self._general)

        self._name = QLineEdit()
        self._add("&Name:", self._name, "name")
        self._address = QPlainTextEdit()
        self._address.setTabChangesFocus(True)
        self._address.setFixedHeight(self._address.fontMetrics().lineSpacing() * 4 + 12)
        self._add("&Address:", self._address, "address")

        self._logo_preview = QLabel()
        self._logo_preview.setMinimumHeight(LOGO_PREVIEW_HEIGHT)
        self._logo_preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._choose_logo = QPushButton("&Choose PNG…")
        self._remove_logo = QPushButton("Re&move")
        logo_row = QHBoxLayout()
        logo_row.addWidget(self._logo_preview, 1)
        logo_row.addWidget(self._choose_logo)
        logo_row.addWidget(self._remove_logo)
        logo = QWidget()
        logo.setLayout(logo_row)
        logo_row.setContentsMargins(0, 0, 0, 0)
        self._add("Logo:", logo, "logo")

        self._currency = QLineEdit()
        self._currency.setMaxLength(3)
        self._currency.setMaximumWidth(self._currency.fontMetrics().averageCharWidth() * 8 + 16)
        self._add("C&urrency:", self._currency, "currency")
        self._fiscal = QComboBox()
        self._fiscal.addItems(list(calendar.month_name)[1:])
        self._add("&Fiscal year starts in:", self._fiscal, "fiscal_year_start")
        self._page_size = QComboBox()
        self._page_size.addItem("Letter", PageSize.LETTER)
        self._page_size.addItem("A4", PageSize.A4)
        self._add("&Page size:", self._page_size, "page_size")

        self._window = QSpinBox()
        self._window.setRange(0, 3650)
        self._window.setSuffix(" days")
        self._add("Clawback &window:", self._window, "clawback_window")
        self._method = QComboBox()
        self._method.addItem("Full: the whole commission is taken back", ClawbackMethod.FULL)
        self._method.addItem(
            "Prorated: by the share of the window the customer stayed", ClawbackMethod.PRORATED
        )
        self._add("Clawback &method:", self._method, "clawback_method")
        self._forgive = QCheckBox("Forgive a negative balance when a rep leaves")
        self._add("At &termination:", self._forgive, "forgive")
        self._help = QPlainTextEdit()
        self._help.setTabChangesFocus(True)
        self._help.setFixedHeight(self._help.fontMetrics().lineSpacing() * 5 + 12)
        self._add("Statement &help text:", self._help, "help_text")

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self._revert = QPushButton("Re&vert")
        self._save = QPushButton("&Save")
        self._save.setDefault(True)
        buttons.addWidget(self._revert)
        buttons.addWidget(self._save)
        outer.addLayout(buttons)

    def _add(self, label: str, field: QWidget, key: str) -> None:
        # The field with its problem line right under it, in one form row.
        problem = QLabel()
        problem.setStyleSheet(PROBLEM_STYLE)
        problem.setWordWrap(True)
        problem.hide()
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(problem)
        self._form.addRow(label, cell)
        self._problem_labels[key] = problem
        caption = self._form.labelForField(cell)
        if isinstance(caption, QLabel):
            caption.setBuddy(field)
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def _connect_signals(self) -> None:
        self._save.clicked.connect(self._on_save_clicked)
        self._revert.clicked.connect(self._on_revert_clicked)
        self._choose_logo.clicked.connect(self._on_choose_logo_clicked)
        self._remove_logo.clicked.connect(self._on_remove_logo_clicked)

    # Showing and reading the form.
    def _show(self, c: Company) -> None:
        self._name.setText(c.name)
        self._address.setPlainText(c.address)
        self._currency.setText(c.currency)
        self._fiscal.setCurrentIndex(c.fiscal_year_start - 1)
        self._page_size.setCurrentIndex(self._page_size.findData(c.page_size))
        self._window.setValue(c.clawback_policy.window_days)
        self._method.setCurrentIndex(self._method.findData(c.clawback_policy.method))
        self._forgive.setChecked(c.forgive_balance_at_termination)
        self._help.setPlainText(c.statement_help_text)
        self._logo = c.logo_png
        self._show_logo()
        self._show_problems([])

    def _show_logo(self) -> None:
        pixmap = QPixmap()
        if self._logo is not None and pixmap.loadFromData(QByteArray(self._logo), "PNG"):
            self._logo_preview.setPixmap(
                pixmap.scaledToHeight(
                    LOGO_PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation
                )
            )
        else:
            self._logo_preview.clear()
            self._logo_preview.setText("No logo" if self._logo is None else "Not a PNG image")
        self._remove_logo.setEnabled(self._logo is not None and not self._read_only)

    def form_value(self) -> Company:
        """The company as the form shows it now."""
        return dataclasses.replace(
            self._ensure_loaded(),
            name=self._name.text().strip(),
            address=self._address.toPlainText(),
            currency=self._currency.text().strip().upper(),
            fiscal_year_start=self._fiscal.currentIndex() + 1,
            page_size=PageSize(self._page_size.currentData()),
            clawback_policy=ClawbackPolicy(
                window_days=self._window.value(), method=ClawbackMethod(self._method.currentData())
            ),
            forgive_balance_at_termination=self._forgive.isChecked(),
            statement_help_text=self._help.toPlainText(),
            logo_png=self._logo,
        )

    def _show_problems(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        by_field: dict[str, list[str]] = {}
        general: list[str] = []
        for p in problems:
            key = _FIELD_OF.get(p.field)
            (by_field.setdefault(key, []) if key else general).append(p.message)
        for key, label in self._problem_labels.items():
            label.setText("\n".join(by_field.get(key, [])))
            label.setVisible(key in by_field)
        self._general.setText("\n".join(general))
        self._general.setVisible(bool(general))

    def problem_text(self, key: str) -> str:
        """The problem shown under a field ("" if none): for tests."""
        label = self._problem_labels[key]
        return label.text() if not label.isHidden() else ""

    # Read-only mode (another instance holds the file).
    _read_only = False

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for w in (self._name, self._address, self._help, self._currency):
            w.setReadOnly(read_only)
        for w in (
            self._fiscal,
            self._page_size,
            self._window,
            self._method,
            self._forgive,
            self._choose_logo,
            self._save,
            self._revert,
        ):
            w.setEnabled(not read_only)
        self._show_logo()

    def refresh(self) -> None:
        self._company = records.get_company(self._file)
        self._show(self._company)

    def has_unsaved_edits(self) -> bool:
        """Whether the form shows something other than the settings it loaded."""
        return self._company is not None and self.form_value() != self._company

    # Slots.
    def _on_save_clicked(self) -> None:
        try:
            saved = records.update_company(self._file, self.form_value())
        except ValidationError as e:
            self._show_problems(e.problems)
            return
        except CompanyFileError as e:
            Messages.error(self, "Cannot save the settings", e)
            return
        self._company = saved
        self._show(saved)
        self.saved.emit(saved)

    def _on_revert_clicked(self) -> None:
        self._show(self._ensure_loaded())

    def _on_choose_logo_clicked(self) -> None:
        path = FileDialogs.choose_logo(self)
        if path is None:
            return
        try:
            self._logo = path.read_bytes()
        except OSError as e:
            Messages.error(self, "Cannot read the logo", e)
            return
        self._show_logo()

    def _on_remove_logo_clicked(self) -> None:
        self._logo = None
        self._show_logo()
