"""The overview's KPI tiles, computed exactly from Decimal figures (no Streamlit here)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dashboard import formatting


@dataclass(frozen=True)
class PortfolioFigures:
    """One portfolio at one as-of date, in its own currency."""

    loans_outstanding: int
    outstanding_principal: Decimal
    overdue_principal: Decimal
    dpd_over_90_principal: Decimal

    @property
    def overdue_share(self) -> Decimal | None:
        return formatting.share_percent(self.overdue_principal, self.outstanding_principal)

    @property
    def dpd_over_90_share(self) -> Decimal | None:
        return formatting.share_percent(self.dpd_over_90_principal, self.outstanding_principal)


@dataclass(frozen=True)
class Tile:
    label_key: str  # i18n key; amount labels take a {currency} field
    value: str
    delta: str | None  # None: no earlier as-of date to compare with
    delta_color: str  # st.metric: "inverse" where a rise is bad news, "off" where it is neutral
    help_key: str | None = None
    unchanged: bool = False  # a zero change: st.metric shows it without an up arrow


def _difference(now: Decimal | int | None, before: Decimal | int | None) -> Decimal | None:
    if now is None or before is None:
        return None
    return formatting.to_decimal(now) - formatting.to_decimal(before)


def tiles(
    current: PortfolioFigures, previous: PortfolioFigures | None, points_unit: str
) -> list[Tile]:
    """Six tiles: loans outstanding, outstanding principal, overdue principal and ratio, DPD>90
    principal and share; each with its change since ``previous`` when there is one."""

    def change(attr: str) -> Decimal | None:
        return (
            None
            if previous is None
            else _difference(getattr(current, attr), getattr(previous, attr))
        )

    def amount_delta(attr: str) -> str | None:
        d = change(attr)
        return None if d is None else formatting.format_amount_delta(d)

    def share_delta(attr: str) -> str | None:
        d = change(attr)  # None also when a share is undefined (zero outstanding principal)
        return None if d is None else formatting.format_points_delta(d, points_unit)

    def unchanged(attr: str) -> bool:
        d = change(attr)
        return d is not None and d.quantize(formatting.CENT).is_zero()

    count_change = change("loans_outstanding")
    count_delta = None if count_change is None else formatting.format_count_delta(count_change)
    return [
        Tile(
            "kpi.loans_outstanding",
            formatting.format_count(current.loans_outstanding),
            count_delta,
            "off",
            "kpi.help.loans_outstanding",
            unchanged("loans_outstanding"),
        ),
        Tile(
            "kpi.outstanding_principal",
            formatting.format_amount(current.outstanding_principal),
            amount_delta("outstanding_principal"),
            "off",
            unchanged=unchanged("outstanding_principal"),
        ),
        Tile(
            "kpi.overdue_principal",
            formatting.format_amount(current.overdue_principal),
            amount_delta("overdue_principal"),
            "inverse",
            unchanged=unchanged("overdue_principal"),
        ),
        Tile(
            "kpi.overdue_ratio",
            formatting.format_percent(current.overdue_share),
            share_delta("overdue_share"),
            "inverse",
            "kpi.help.overdue_ratio",
            unchanged("overdue_share"),
        ),
        Tile(
            "kpi.dpd90_principal",
            formatting.format_amount(current.dpd_over_90_principal),
            amount_delta("dpd_over_90_principal"),
            "inverse",
            unchanged=unchanged("dpd_over_90_principal"),
        ),
        Tile(
            "kpi.dpd90_ratio",
            formatting.format_percent(current.dpd_over_90_share),
            share_delta("dpd_over_90_share"),
            "inverse",
            "kpi.help.dpd90_ratio",
            unchanged("dpd_over_90_share"),
        ),
    ]
