"""The rate table: commission as a function of the cumulative counted amount X.

COMP_RULES "Attainment and the rate table": tiers `[from %, to %) -> rate %`
contiguous from 0%, boundaries in money `quota × from%`, marginal or retroactive
mode, and an optional cap per quota period. Everything here is exact (no rounding):
the caller rounds cumulative values before differencing them ("Per-deal lines").
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    # Derived once, so C(X) is a bisect and two operations (the engine's hot path):
    # each band's lower boundary, its rate as a fraction, and C at its lower boundary.
    _lows: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)
    _rates: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)
    _c_at_low: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)
    retroactive: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rates = tuple(b.rate_pct / HUNDRED for b in self.bands)
        c_at_low = [_ZERO]
        for band, rate in zip(self.bands[:-1], rates, strict=False):
            assert band.high is not None  # only the last band is open-ended
            c_at_low.append(c_at_low[-1] + rate * (band.high - band.low))
        object.__setattr__(self, "_lows", tuple(b.low for b in self.bands))
        object.__setattr__(self, "_rates", rates)
        object.__setattr__(self, "_c_at_low", tuple(c_at_low))
        object.__setattr__(self, "retroactive", self.mode is TierMode.RETROACTIVE)

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
        i = bisect_right(self._lows, x) - 1
        return i if i > 0 else 0

    def uncapped(self, x: Decimal) -> Decimal:
        """C(X), exact: the rate of X's tier on all of X (retroactive), or C at the tier's
        lower boundary plus the tier's rate on the part of X above it (marginal)."""
        i = bisect_right(self._lows, x) - 1
        if i < 0:
            i = 0
        if self.retroactive:
            return self._rates[i] * x
        if x <= 0:
            return _ZERO
        return self._c_at_low[i] + self._rates[i] * (x - self._lows[i])

    def capped(self, x: Decimal) -> Decimal:
        """C_capped(X) = min(C(X), cap), exact (C as `uncapped`, inlined: the hot path)."""
        i = bisect_right(self._lows, x) - 1
        if i < 0:
            i = 0
        if self.retroactive:
            c = self._rates[i] * x
        elif x <= 0:
            c = _ZERO
        else:
            c = self._c_at_low[i] + self._rates[i] * (x - self._lows[i])
        cap = self.cap
        if cap is not None and c > cap:
            return cap
        return c

    def retro_true_up_target(self, x_before: Decimal, x_after: Decimal) -> Decimal | None:
        """Retroactive mode, X crossing into a higher tier: min(r_new × X_before, cap), exact.

        None when there is no re-rating (marginal mode or no tier crossed).
        """
        if not self.retroactive:
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
