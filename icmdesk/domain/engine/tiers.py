"""The rate table: commission as a function of the cumulative counted amount X.

COMP_RULES "Attainment and the rate table": tiers `[from %, to %) -> rate %`
contiguous from 0%, boundaries in money `quota × from%`, marginal or retroactive
mode, and an optional cap per quota period. Everything here is exact (no rounding):
the caller rounds cumulative values before differencing them ("Per-deal lines").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from icmdesk.domain.engine.fmt import fmt_money, fmt_pct
from icmdesk.domain.entities import Tier, TierMode
from icmdesk.domain.money import HUNDRED

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Band:
    """One tier in money: `[low, high)` (high None: open-ended) earning `rate_pct`."""

    number: int  # 1-based, as people count tiers
    low: Decimal
    high: Decimal | None
    from_pct: Decimal
    to_pct: Decimal | None
    rate_pct: Decimal

    @property
    def label(self) -> str:
        """'tier 2 (100–125%)' or 'tier 4 (150%+)'."""
        if self.to_pct is None:
            return f"tier {self.number} ({fmt_pct(self.from_pct)[:-1]}%+)"
        return f"tier {self.number} ({fmt_pct(self.from_pct)[:-1]}–{fmt_pct(self.to_pct)})"


@dataclass(frozen=True, slots=True)
class RateTable:
    """A version's tiers resolved against an effective quota, with its mode and cap."""

    bands: tuple[Band, ...]
    mode: TierMode
    cap: Decimal | None

    @classmethod
    def build(
        cls,
        tiers: Sequence[Tier],
        *,
        quota: Decimal | None,
        mode: TierMode,
        cap: Decimal | None,
    ) -> RateTable:
        """Resolve tiers to money; a single (flat) tier needs no quota."""
        if len(tiers) == 1:
            t = tiers[0]
            return cls((Band(1, _ZERO, None, t.from_pct, None, t.rate_pct),), mode, cap)
        if quota is None or quota <= 0:
            raise ValueError("a table with more than one tier needs a positive quota")
        bands = []
        for i, t in enumerate(tiers):
            nxt = tiers[i + 1].from_pct if i + 1 < len(tiers) else None
            bands.append(
                Band(
                    number=i + 1,
                    low=quota * t.from_pct / HUNDRED,
                    high=None if nxt is None else quota * nxt / HUNDRED,
                    from_pct=t.from_pct,
                    to_pct=nxt,
                    rate_pct=t.rate_pct,
                )
            )
        return cls(tuple(bands), mode, cap)

    @property
    def is_flat(self) -> bool:
        return len(self.bands) == 1

    def band_index(self, x: Decimal) -> int:
        """Index of the highest tier reached by X (X ≥ its lower boundary)."""
        found = 0
        for i, band in enumerate(self.bands):
            if x >= band.low:
                found = i
            else:
                break
        return found

    def uncapped(self, x: Decimal) -> Decimal:
        """C(X), exact."""
        if self.mode is TierMode.RETROACTIVE:
            return self.bands[self.band_index(x)].rate_pct * x / HUNDRED
        total = _ZERO
        for band in self.bands:
            if x <= band.low:
                break
            top = x if band.high is None or x < band.high else band.high
            total += band.rate_pct * (top - band.low) / HUNDRED
        return total

    def capped(self, x: Decimal) -> Decimal:
        """C_capped(X) = min(C(X), cap), exact."""
        c = self.uncapped(x)
        if self.cap is not None and c > self.cap:
            return self.cap
        return c

    def retro_true_up_target(self, x_before: Decimal, x_after: Decimal) -> Decimal | None:
        """Retroactive mode, X crossing into a higher tier: min(r_new × X_before, cap), exact.

        None when there is no re-rating (marginal mode or no tier crossed).
        """
        if self.mode is not TierMode.RETROACTIVE:
            return None
        new = self.band_index(x_after)
        if new <= self.band_index(x_before):
            return None
        value = self.bands[new].rate_pct * x_before / HUNDRED
        if self.cap is not None and value > self.cap:
            return self.cap
        return value

    def describe(self, x_before: Decimal, x_after: Decimal, currency: str) -> str:
        """The rate or rule that rated the slice (X_before, X_after]: 'tier 2 (100–125%) at 8%'."""
        if self.is_flat:
            text = f"at {fmt_pct(self.bands[0].rate_pct)}"
        elif self.mode is TierMode.RETROACTIVE:
            band = self.bands[self.band_index(x_after)]
            text = f"{band.label} at {fmt_pct(band.rate_pct)} (retroactive)"
        else:
            parts = []
            for band in self.bands:
                low = max(band.low, x_before)
                high = x_after if band.high is None else min(band.high, x_after)
                if high > low:
                    parts.append((band, high - low))
            if not parts:  # a zero counted amount: name the tier X stands in
                parts.append((self.bands[self.band_index(x_before)], _ZERO))
            if len(parts) == 1:
                band = parts[0][0]
                text = f"{band.label} at {fmt_pct(band.rate_pct)}"
            else:
                text = " + ".join(
                    f"{fmt_money(amount, currency)} in {band.label} at {fmt_pct(band.rate_pct)}"
                    for band, amount in parts
                )
        if self.cap is not None and self.uncapped(x_after) > self.cap:
            text += f", capped at {fmt_money(self.cap, currency)} per quota period"
        return text
