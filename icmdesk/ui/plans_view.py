"""Plans: each plan's versions, a version editor (tiers, quota, cap, bonuses, SPIFs,
multipliers, override, trigger, clawback), a live payout chart and a what-if calculator.

The chart and calculator come from the domain (icmdesk.domain.whatif, through the
engine's rate table); this view only parses what was typed and draws. Saving hands the
editor's name and version to services.plan_edit, which decides how they are saved in one
unit of work: a version that was in force in a closed month is never rewritten (the edit
is added as a new version effective from its date), a version nothing was paid from is
corrected in place, and a refused edit writes nothing, not even the name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.calendar import QuotaPeriod
from icmdesk.domain.engine.fmt import fmt_money, fmt_pct
from icmdesk.domain.entities import (
    NEW,
    AttainmentBonus,
    ClawbackMethod,
    ClawbackPolicy,
    DealTypeMultiplier,
    OverrideScope,
    PayoutTrigger,
    Plan,
    PlanVersion,
    Spif,
    Tier,
    TierMode,
)
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.domain.whatif import payout_curve, table_problems, what_if
from icmdesk.services import choices, plan_edit, records
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.changes import PERIODS, PLANS, REPS, Change, Changes, follow, writing
from icmdesk.ui.forms import (
    ErrorLabel,
    FieldErrors,
    FormScrollArea,
    date_edit,
    from_qdate,
    impossible_dates,
    no_silent_cut,
    number_edit,
    number_text,
    parse_number,
    save_shortcut,
    to_qdate,
)
from icmdesk.ui.messages import Messages
from icmdesk.ui.tier_chart import TierChart

_DEFAULT_TIERS = (Tier(Decimal(0), Decimal(5)),)


def _select_quietly(widget: QListWidget, row: int) -> None:
    """Put the list's current row back without telling anyone."""
    widget.blockSignals(True)
    widget.setCurrentRow(row)
    widget.blockSignals(False)


def _enum_combo(values: Sequence[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    for value, text in values:
        combo.addItem(text, value)
    return combo


def _set_combo(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


SAMPLE_QUOTA = "100000"  # what a plan without a quota is charted against


class _Grid(QWidget):
    """A small editable table (tiers, bonuses, SPIFs, multipliers) with add/remove buttons."""

    def __init__(
        self,
        headers: Sequence[str],
        read_only: Sequence[int] = (),
        add_text: str = "Add",
        *,
        read_only_tip: str = "",
    ) -> None:
        super().__init__()
        self._read_only = set(read_only)
        self._read_only_tip = read_only_tip
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        rows = 4
        self.table.setMinimumHeight(
            self.table.horizontalHeader().sizeHint().height()
            + self.table.verticalHeader().defaultSectionSize() * rows
            + 4
        )
        layout.addWidget(self.table)
        self.error = ErrorLabel(self)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(add_text)
        self.remove_button = QPushButton("Remove")
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(lambda: self.add_row([""] * self.table.columnCount()))
        self.remove_button.clicked.connect(self._on_remove_button_clicked)

    def add_row(self, texts: Sequence[str]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if column in self._read_only:
                # Worked out, not typed: it reads as such (muted, not editable, says why).
                item.setFlags(
                    (item.flags() & ~Qt.ItemFlag.ItemIsEditable) & ~Qt.ItemFlag.ItemIsSelectable
                )
                item.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
                item.setToolTip(self._read_only_tip)
            self.table.setItem(row, column, item)

    def set_rows(self, rows: Sequence[Sequence[str]]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for texts in rows:
            self.add_row(texts)
        self.table.blockSignals(False)

    def text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def set_text(self, row: int, column: int, text: str) -> None:
        item = self.table.item(row, column)
        if item is not None:
            item.setText(text)

    def row_count(self) -> int:
        return self.table.rowCount()

    def _on_remove_button_clicked(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            # Removing a row changes the table as much as editing a cell does.
            self.table.itemChanged.emit(QTableWidgetItem())


class PlansView(QWidget):
    """Every plan with its versions; edit a version with a live chart and a what-if box."""

    kinds = frozenset({REPS, PLANS, PERIODS})  # a version in force in a closed month is kept

    edited_changed = Signal(bool)  # the editor now differs (True) or not from what is saved

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._today = today
        self._changes = changes or Changes(self)
        self._sample_quota_shown = False  # the what-if quota is SAMPLE_QUOTA, put there
        company = records.get_company(company_file)
        self._currency = company.currency
        self._plans: tuple[Plan, ...] = ()
        self._plan: Plan | None = None  # the plan being edited (None: a new plan)
        self._version: PlanVersion | None = None  # the version loaded (None: a new version)
        self._loaded_form: tuple[object, ...] = ()  # the editor as loaded (has_unsaved_edits)
        self._build_ui()
        no_silent_cut(self)
        self._connect_signals()
        self.refresh()
        follow(self, self._changes)

    # Building.
    def _build_ui(self) -> None:
        outer = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(splitter)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("Plans"))
        self.plan_list = QListWidget()
        side_layout.addWidget(self.plan_list, 2)
        self.new_plan_button = QPushButton("&New plan")
        self.delete_plan_button = QPushButton("&Delete plan")
        plan_buttons = QHBoxLayout()
        plan_buttons.addWidget(self.new_plan_button)
        plan_buttons.addWidget(self.delete_plan_button)
        side_layout.addLayout(plan_buttons)
        side_layout.addWidget(QLabel("Versions"))
        self.version_list = QListWidget()
        side_layout.addWidget(self.version_list, 1)
        self.new_version_button = QPushButton("New &version")
        self.new_version_button.setToolTip("Start a new version from the one shown")
        side_layout.addWidget(self.new_version_button)
        splitter.addWidget(side)

        editor = QWidget()
        form_layout = QVBoxLayout(editor)
        self.errors = FieldErrors(ErrorLabel(editor))
        form_layout.addWidget(self.errors.label(""))
        self.in_use_note = QLabel()
        self.in_use_note.setWordWrap(True)
        form_layout.addWidget(self.in_use_note)
        self._field_labels: dict[str, ErrorLabel] = {}

        def field(widget: QWidget, name: str) -> QWidget:
            box = QWidget()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.setSpacing(2)
            inner.addWidget(widget)
            label = ErrorLabel(box)
            inner.addWidget(label)
            self._field_labels[name] = label
            return box

        form = QFormLayout()
        self.name = QLineEdit()
        self.effective_from = date_edit()
        self.quota_period = _enum_combo([(p.value, p.value.title()) for p in QuotaPeriod])
        self.quota = number_edit(placeholder="none (set per assignment)")
        self.mode = _enum_combo(
            [(TierMode.MARGINAL.value, "Marginal"), (TierMode.RETROACTIVE.value, "Retroactive")]
        )
        self.cap = number_edit(placeholder="no cap")
        self.trigger = _enum_combo(
            [(PayoutTrigger.BOOKING.value, "On booking"), (PayoutTrigger.CASH.value, "On cash")]
        )
        override = QWidget()
        override_layout = QHBoxLayout(override)
        override_layout.setContentsMargins(0, 0, 0, 0)
        self.override_rate = number_edit(placeholder="no override")
        self.override_scope = _enum_combo(
            [
                (OverrideScope.DIRECT.value, "direct reports"),
                (OverrideScope.TREE.value, "whole tree"),
            ]
        )
        override_layout.addWidget(self.override_rate, 1)
        override_layout.addWidget(QLabel("% of"))
        override_layout.addWidget(self.override_scope, 1)
        clawback = QWidget()
        claw_layout = QHBoxLayout(clawback)
        claw_layout.setContentsMargins(0, 0, 0, 0)
        self.clawback_default = QCheckBox("Company default")
        self.clawback_days = QSpinBox()
        self.clawback_days.setRange(0, 3650)
        self.clawback_days.setSuffix(" days")
        self.clawback_method = _enum_combo(
            [(ClawbackMethod.FULL.value, "full"), (ClawbackMethod.PRORATED.value, "prorated")]
        )
        claw_layout.addWidget(self.clawback_default)
        claw_layout.addWidget(self.clawback_days)
        claw_layout.addWidget(self.clawback_method)
        for label, widget, name in (
            ("Plan &name:", self.name, "name"),
            ("&Effective from:", self.effective_from, "effective_from"),
            ("Quota &period:", self.quota_period, "quota_period"),
            ("&Quota:", self.quota, "quota"),
            ("Tier &mode:", self.mode, "tier_mode"),
            ("&Cap per period:", self.cap, "cap"),
            ("Payout &trigger:", self.trigger, "payout_trigger"),
            ("&Override:", override, "override_rate_pct"),
            ("Clawback:", clawback, "clawback_policy"),
        ):
            form.addRow(label, field(widget, name))
        form_layout.addLayout(form)

        self.tiers = _Grid(
            ["From %", "To %", "Rate %"],
            read_only=[1],
            add_text="Add tier",
            read_only_tip="Where the next tier starts: set by its From %",
        )
        self.bonuses = _Grid(["At attainment %", "Bonus amount"], add_text="Add bonus")
        self.spifs = _Grid(
            ["Name", "Amount", "Start", "End", "Min. deal", "Deal types"], add_text="Add SPIF"
        )
        self.multipliers = _Grid(["Deal type", "Multiplier %"], add_text="Add multiplier")
        for title, grid, name in (
            ("Rate table (tiers)", self.tiers, "tiers"),
            ("Attainment bonuses", self.bonuses, "bonuses"),
            ("SPIFs", self.spifs, "spifs"),
            ("Deal-type multipliers", self.multipliers, "multipliers"),
        ):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(grid)
            self._field_labels[name] = grid.error
            form_layout.addWidget(box)
        form_layout.addStretch(1)
        # Save stays in view below the form, however far it is scrolled.
        buttons = QHBoxLayout()
        self.status = QLabel()  # "Saved." after a save, "Unsaved changes" while edited
        buttons.addWidget(self.status)
        buttons.addStretch(1)
        self.save_button = QPushButton("&Save")
        buttons.addWidget(self.save_button)
        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.addWidget(FormScrollArea(editor), 1)
        column_layout.addLayout(buttons)
        splitter.addWidget(column)
        save_shortcut(self, self.save, self.save_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel("Payout against attainment (one quota period)"))
        self.chart = TierChart()
        right_layout.addWidget(self.chart, 1)
        what = QGroupBox("What if…")
        what_form = QFormLayout(what)
        self.whatif_quota = number_edit(placeholder="the plan's quota")
        self.whatif_quota.setToolTip(
            "Try another quota (a rep's quota override, say): the chart and the calculator "
            "use it. Leave it blank to use the plan's quota."
        )
        self.whatif_credited = number_edit(placeholder="credited amount")
        self.whatif_result = QLabel()
        self.whatif_result.setWordWrap(True)
        self.whatif_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        what_form.addRow("Quota:", self.whatif_quota)
        what_form.addRow("Credited:", self.whatif_credited)
        what_form.addRow(self.whatif_result)
        right_layout.addWidget(what)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        cw = self.fontMetrics().averageCharWidth()
        splitter.setSizes([cw * 22, cw * 70, cw * 50])

    def _connect_signals(self) -> None:
        self.plan_list.currentRowChanged.connect(self._on_plan_list_current_row_changed)
        self.version_list.currentRowChanged.connect(self._on_version_list_current_row_changed)
        self.new_plan_button.clicked.connect(self.new_plan)
        self.delete_plan_button.clicked.connect(self.delete_plan)
        self.new_version_button.clicked.connect(self.new_version)
        self.save_button.clicked.connect(self.save)
        self.tiers.table.itemChanged.connect(self._on_tiers_changed)
        self.quota.textEdited.connect(self._on_quota_edited)
        self.whatif_quota.textEdited.connect(self._on_whatif_quota_edited)
        for edit in (self.quota, self.cap, self.whatif_quota, self.whatif_credited):
            edit.textChanged.connect(self.update_chart)
        self.mode.currentIndexChanged.connect(self.update_chart)
        self.clawback_default.toggled.connect(self._on_clawback_default_toggled)
        for signal in (
            self.name.textChanged,
            self.effective_from.dateChanged,
            self.quota.textChanged,
            self.cap.textChanged,
            self.override_rate.textChanged,
            self.clawback_default.toggled,
            self.clawback_days.valueChanged,
            *(combo.currentIndexChanged for combo in self._form_combos()),
            *(grid.table.itemChanged for grid in (self.tiers, self.bonuses, self.spifs)),
            self.multipliers.table.itemChanged,
        ):
            signal.connect(self._on_form_edited)

    _edited = False

    def _on_form_edited(self, *_args: object) -> None:
        edited = self.has_unsaved_edits()
        if edited:
            self.status.setText("Unsaved changes")
        elif self.status.text() == "Unsaved changes":
            self.status.setText("")
        if edited != self._edited:
            self._edited = edited
            self.edited_changed.emit(edited)

    def on_changes(self, change: Change) -> None:
        """Saved elsewhere (plans, reps, closes): re-read, unless the editor holds edits."""
        if not self.has_unsaved_edits():
            self.refresh()

    # Entry points.
    def set_read_only(self, read_only: bool) -> None:
        """A file opened read-only: plans can be read, charted and tried, not saved."""
        buttons = (
            self.save_button,
            self.new_plan_button,
            self.delete_plan_button,
            self.new_version_button,
        )
        for button in buttons:
            button.setEnabled(not read_only)

    def refresh(self) -> None:
        """Re-read the plans and show the first one (or the one being edited)."""
        keep = self._plan.id if self._plan else None
        self._plans = choices.all_plans(self._file)
        self.plan_list.blockSignals(True)
        self.plan_list.clear()
        for plan in self._plans:
            self.plan_list.addItem(plan.name)
        self.plan_list.blockSignals(False)
        row = next((i for i, p in enumerate(self._plans) if p.id == keep), 0)
        if self._plans:
            _select_quietly(self.plan_list, row)
            self._show_plan(self._plans[row])
        else:
            self.new_plan()

    def new_plan(self) -> None:
        self._plan = None
        self.plan_list.clearSelection()
        self.version_list.clear()
        # From the books start (or the first hire), so the deals since are covered.
        version = PlanVersion(choices.default_plan_start(self._file, self._today()), _DEFAULT_TIERS)
        self.name.clear()
        self._load_version(version, is_new=True)

    def delete_plan(self) -> None:
        """Delete the plan shown, after asking; a plan reps are assigned to is refused."""
        plan = self._plan
        if plan is None or not self.delete_plan_button.isEnabled():
            return
        if not Messages.confirm(
            self,
            "Delete plan",
            f"Delete the plan {plan.name}?",
            "Only a plan no rep is or was assigned to can be deleted; its versions go with "
            "it. A plan that is no longer used can simply stay.",
            "Delete",
        ):
            return
        try:
            with writing(self):
                records.delete_plan(self._file, plan.id)
        except (ValidationError, NotFoundError) as e:
            Messages.error(self, f"The plan {plan.name} was not deleted", e)
            return
        self._plan = None
        self.refresh()

    def new_version(self) -> None:
        """A new version starting from the one shown, effective from the first of next month."""
        if self._plan is None:
            return
        base = self._read_version_or(self._version or self._plan.versions[-1])
        today = self._today()
        start = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
        self._load_version(dataclasses.replace(base, effective_from=start, id=NEW), is_new=True)

    # Loading.
    def _show_plan(self, plan: Plan) -> None:
        self._plan = plan
        self.name.setText(plan.name)
        self.version_list.blockSignals(True)
        self.version_list.clear()
        for i, v in enumerate(plan.versions):
            self.version_list.addItem(f"v{i + 1} from {v.effective_from.isoformat()}")
        self.version_list.blockSignals(False)
        if plan.versions:
            last = self._current_version_index(plan)
            _select_quietly(self.version_list, last)
            self._load_version(plan.versions[last], is_new=False)

    def _current_version_index(self, plan: Plan) -> int:
        today = self._today()
        current = plan.version_on(today) or plan.versions[-1]
        return plan.versions.index(current)

    def _load_version(self, v: PlanVersion, *, is_new: bool) -> None:
        self._version = None if is_new else v
        self.effective_from.setDate(to_qdate(v.effective_from))
        _set_combo(self.quota_period, v.quota_period.value)
        self.quota.setText(number_text(v.quota))
        _set_combo(self.mode, v.tier_mode.value)
        self.cap.setText(number_text(v.cap))
        _set_combo(self.trigger, v.payout_trigger.value)
        self.override_rate.setText(number_text(v.override_rate_pct))
        _set_combo(self.override_scope, v.override_scope.value)
        policy = v.clawback_policy
        self.clawback_default.setChecked(policy is None)
        shown = policy or ClawbackPolicy()
        self.clawback_days.setValue(shown.window_days)
        _set_combo(self.clawback_method, shown.method.value)
        self._on_clawback_default_toggled(policy is None)
        self.tiers.set_rows(
            [[number_text(t.from_pct), "", number_text(t.rate_pct)] for t in v.tiers]
        )
        self._show_tier_ends()
        self.bonuses.set_rows(
            [[number_text(b.threshold_pct), number_text(b.amount)] for b in v.bonuses]
        )
        self.spifs.set_rows(
            [
                [
                    s.name,
                    number_text(s.amount),
                    s.start.isoformat(),
                    s.end.isoformat(),
                    number_text(s.min_deal_amount),
                    ", ".join(s.deal_types),
                ]
                for s in v.spifs
            ]
        )
        self.multipliers.set_rows(
            [[m.deal_type, number_text(m.multiplier_pct)] for m in v.multipliers]
        )
        # A plan without a quota charts against a sample one, until a quota is typed.
        self.whatif_quota.setText("" if v.quota else SAMPLE_QUOTA)
        self._sample_quota_shown = not v.quota
        self._show_in_use_note()
        self.errors.clear()
        for label in self._field_labels.values():
            label.set_messages(())
        self.update_chart()
        self._loaded_form = self._form_state()
        self._on_form_edited()

    def has_unsaved_edits(self) -> bool:
        """Whether the editor shows something other than the plan and version it loaded."""
        return bool(self._loaded_form) and self._form_state() != self._loaded_form

    def _form_state(self) -> tuple[object, ...]:
        """Everything the plan editor holds, as typed (the what-if quota is not the plan's)."""
        tables = (self.tiers, self.bonuses, self.spifs, self.multipliers)
        return (
            self.name.text(),
            self.effective_from.date(),
            *(combo.currentIndex() for combo in self._form_combos()),
            self.quota.text(),
            self.cap.text(),
            self.override_rate.text(),
            self.clawback_default.isChecked(),
            self.clawback_days.value(),
            tuple(
                tuple(t.text(r, c) for c in range(t.table.columnCount()))
                for t in tables
                for r in range(t.row_count())
            ),
            tuple(t.row_count() for t in tables),
        )

    def _form_combos(self) -> tuple[QComboBox, ...]:
        return (
            self.quota_period,
            self.mode,
            self.trigger,
            self.override_scope,
            self.clawback_method,
        )

    def _show_in_use_note(self) -> None:
        if self._version is None and self._plan is not None:
            text = (
                "New version: saving adds it from the date above (placed among the others "
                "by its date); earlier versions stay."
            )
        elif (
            self._plan is not None
            and self._version is not None
            and records.version_was_paid_from(self._file, self._plan.id, self._version)
        ):
            text = (
                "This version was in force in a closed month: saving adds your changes as "
                "a new version effective from the date above (change the date first); this "
                "version stays as it was. Changes that reach closed months are paid as "
                "prior-period adjustments."
            )
        else:
            text = ""
        self.in_use_note.setText(text)
        self.in_use_note.setVisible(bool(text))

    # Reading.
    def _read_tiers(self, problems: list[Problem] | None = None) -> tuple[Tier, ...]:
        tiers = []
        for row in range(self.tiers.row_count()):
            try:
                tiers.append(
                    Tier(
                        parse_number(self.tiers.text(row, 0)), parse_number(self.tiers.text(row, 2))
                    )
                )
            except ValueError:
                if problems is None:
                    raise
                problems.append(
                    Problem(
                        f"tiers[{row}]", f"Tier {row + 1}: the from % and rate % must be numbers."
                    )
                )
        return tuple(tiers)

    def _optional(
        self, edit: QLineEdit, name: str, what: str, problems: list[Problem]
    ) -> Decimal | None:
        text = edit.text().strip()
        if not text:
            return None
        try:
            return parse_number(text)
        except ValueError:
            problems.append(Problem(name, f"{what} must be a number (got '{text}')."))
            return None

    def read_version(self) -> tuple[PlanVersion | None, list[Problem]]:
        """The version as typed, or the inputs that could not be read."""
        problems: list[Problem] = []
        tiers = self._read_tiers(problems)
        bonuses = []
        for row in range(self.bonuses.row_count()):
            try:
                bonuses.append(
                    AttainmentBonus(
                        parse_number(self.bonuses.text(row, 0)),
                        parse_number(self.bonuses.text(row, 1)),
                    )
                )
            except ValueError:
                problems.append(Problem(f"bonuses[{row}]", f"Bonus {row + 1}: numbers needed."))
        spifs = []
        for row in range(self.spifs.row_count()):
            t = [self.spifs.text(row, c) for c in range(6)]
            try:
                spifs.append(
                    Spif(
                        name=t[0],
                        amount=parse_number(t[1]),
                        start=date.fromisoformat(t[2]),
                        end=date.fromisoformat(t[3]),
                        min_deal_amount=parse_number(t[4]) if t[4] else Decimal("0.00"),
                        deal_types=tuple(x.strip() for x in t[5].split(",") if x.strip()),
                    )
                )
            except ValueError:
                problems.append(
                    Problem(
                        f"spifs[{row}]",
                        f"SPIF {row + 1}: amounts must be numbers and dates YYYY-MM-DD.",
                    )
                )
        multipliers = []
        for row in range(self.multipliers.row_count()):
            try:
                multipliers.append(
                    DealTypeMultiplier(
                        self.multipliers.text(row, 0), parse_number(self.multipliers.text(row, 1))
                    )
                )
            except ValueError:
                problems.append(
                    Problem(f"multipliers[{row}]", f"Multiplier {row + 1}: a number is needed.")
                )
        quota = self._optional(self.quota, "quota", "The quota", problems)
        cap = self._optional(self.cap, "cap", "The cap", problems)
        override = self._optional(
            self.override_rate, "override_rate_pct", "The override rate", problems
        )
        if problems:
            return None, problems
        policy = (
            None
            if self.clawback_default.isChecked()
            else ClawbackPolicy(
                self.clawback_days.value(), ClawbackMethod(self.clawback_method.currentData())
            )
        )
        version = PlanVersion(
            effective_from=from_qdate(self.effective_from.date()),
            tiers=tiers,
            quota_period=QuotaPeriod(self.quota_period.currentData()),
            quota=quota,
            tier_mode=TierMode(self.mode.currentData()),
            cap=cap,
            multipliers=tuple(multipliers),
            bonuses=tuple(bonuses),
            spifs=tuple(spifs),
            override_rate_pct=override,
            override_scope=OverrideScope(self.override_scope.currentData()),
            payout_trigger=PayoutTrigger(self.trigger.currentData()),
            clawback_policy=policy,
            id=self._version.id if self._version else NEW,
        )
        return version, []

    def _read_version_or(self, fallback: PlanVersion) -> PlanVersion:
        version, _problems = self.read_version()
        return version or fallback

    # Saving.
    def save(self) -> Plan | None:
        """Save what the editor shows (services.plan_edit decides how); every problem
        beside its field. The stored plan, or None."""
        version, problems = self.read_version()
        problems = impossible_dates(self) + problems
        if version is None or problems:
            self._show_problems(problems, prefix="")
            return None
        edit = plan_edit.PlanEdit(
            plan_id=self._plan.id if self._plan else NEW,
            name=self.name.text(),
            version=version,
            shown=self._plan,  # refused if it changed since (an undo while editing)
        )
        try:
            with writing(self):  # shown here; the hub tells the other views
                saved = plan_edit.save_plan_edit(self._file, edit)
        except ValidationError as e:
            self._show_problems(e.problems, prefix="version.")
            return None
        except NotFoundError as e:
            self._show_problems([Problem("", str(e))], prefix="")
            return None
        self._plan = saved.plan
        self.refresh()
        self.version_list.setCurrentRow(saved.plan.versions.index(saved.version))
        self.status.setText("Saved.")
        return saved.plan

    def _show_problems(self, problems: Sequence[Problem], *, prefix: str) -> None:
        """Problems about the edited version (fields under `prefix`) go beside their fields."""
        # Field names depend on where the edited version sits in the plan: register afresh.
        self.errors = FieldErrors(self.errors.label(""))
        for name, label in self._field_labels.items():
            self.errors.adopt(name if name == "name" else f"{prefix}{name}", label)
        self.errors.show(problems)

    @property
    def field_errors(self) -> dict[str, str]:
        """What each field's error label says, the plan-wide one under "" (for tests and
        tools)."""
        labels = {"": self.errors.label(""), **self._field_labels}
        return {name: label.text() for name, label in labels.items() if not label.isHidden()}

    # Live chart and what-if.
    def _show_tier_ends(self) -> None:
        table = self.tiers.table
        table.blockSignals(True)
        for row in range(self.tiers.row_count()):
            nxt = self.tiers.text(row + 1, 0) if row + 1 < self.tiers.row_count() else ""
            self.tiers.set_text(
                row, 1, nxt or ("and up" if row + 1 == self.tiers.row_count() else "")
            )
        table.blockSignals(False)

    def _on_quota_edited(self, text: str) -> None:
        # The sample what-if quota stands in for a missing one: a typed quota replaces it.
        if text.strip() and self._sample_quota_shown:
            self._sample_quota_shown = False
            self.whatif_quota.clear()

    def _on_whatif_quota_edited(self, _text: str) -> None:
        self._sample_quota_shown = False  # the user's own quota to try: kept

    def _chart_quota(self) -> Decimal | None:
        # The what-if quota, when one is typed, is the one being tried.
        for edit in (self.whatif_quota, self.quota):
            try:
                value = parse_number(edit.text())
            except ValueError:
                continue
            if value > 0:
                return value
        return None

    def update_chart(self) -> None:
        """Redraw the curve and the what-if for the tiers as they stand in the editor."""
        try:
            tiers = self._read_tiers()
        except ValueError:
            self.chart.set_message("Tiers need numbers in From % and Rate %.")
            self.whatif_result.setText("")
            return
        quota = self._chart_quota()
        mode = TierMode(self.mode.currentData())
        try:
            cap = parse_number(self.cap.text()) if self.cap.text().strip() else None
        except ValueError:
            cap = None
        problems = table_problems(tiers, quota)
        if problems or quota is None:
            self.chart.set_message(" ".join(problems) or "Give a quota to chart the payout.")
        else:
            self.chart.set_curve(
                payout_curve(tiers, quota=quota, mode=mode, cap=cap),
                [t.from_pct for t in tiers],
                self._currency,
            )
        self._show_what_if(tiers, quota, mode, cap, problems)

    def _show_what_if(
        self,
        tiers: tuple[Tier, ...],
        quota: Decimal | None,
        mode: TierMode,
        cap: Decimal | None,
        problems: list[str],
    ) -> None:
        try:
            credited = parse_number(self.whatif_credited.text())
        except ValueError:
            self.whatif_result.setText("Type a credited amount to see its commission.")
            return
        if problems:
            self.whatif_result.setText(" ".join(problems))
            return
        result = what_if(tiers, credited=credited, quota=quota, mode=mode, cap=cap)
        parts = [f"Commission {fmt_money(result.commission, self._currency)}"]
        if result.attainment_pct is not None:
            parts.append(f"attainment {fmt_pct(result.attainment_pct)}")
        if result.effective_rate_pct is not None:
            parts.append(f"effective rate {fmt_pct(result.effective_rate_pct)}")
        self.whatif_result.setText(" · ".join(parts))

    # Slots.
    def _on_plan_list_current_row_changed(self, row: int) -> None:
        if not 0 <= row < len(self._plans):
            return
        if not self._may_discard_edits():
            shown = self._plans.index(self._plan) if self._plan in self._plans else -1
            _select_quietly(self.plan_list, shown)
            return
        self._show_plan(self._plans[row])

    def _on_version_list_current_row_changed(self, row: int) -> None:
        if self._plan is None or not 0 <= row < len(self._plan.versions):
            return
        if not self._may_discard_edits():
            versions = self._plan.versions
            shown = versions.index(self._version) if self._version in versions else -1
            _select_quietly(self.version_list, shown)
            return
        self._load_version(self._plan.versions[row], is_new=False)

    def _may_discard_edits(self) -> bool:
        return not self.has_unsaved_edits() or Messages.discard_edits(self, "the plan")

    def _on_tiers_changed(self, _item: QTableWidgetItem) -> None:
        self._show_tier_ends()
        self.update_chart()

    def _on_clawback_default_toggled(self, checked: bool) -> None:
        self.clawback_days.setEnabled(not checked)
        self.clawback_method.setEnabled(not checked)
