"""The commission engine: COMP_RULES.md turned into statements.

Public API: `compute_month`, `compute_range`, `compute_totals`, `quota_progress`,
`first_statement_month`, `last_data_month`.
Modules: `tiers` (rate tables), `crediting` (splits and counted amounts), `earnings`
(the one pass over deals), `draws` (the balance table), `refusals` (data the engine
will not compute), `engine` (months, balances, prior-period adjustments), `fmt`.
"""

from icmdesk.domain.engine.engine import (
    compute_month,
    compute_range,
    compute_totals,
    first_statement_month,
    last_data_month,
    quota_progress,
)

__all__ = [
    "compute_month",
    "compute_range",
    "compute_totals",
    "first_statement_month",
    "last_data_month",
    "quota_progress",
]
