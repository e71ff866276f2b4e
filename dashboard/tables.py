"""Turn a query result into the table the committee sees: translated headers, exact amounts.

Amount columns are rendered to text by :func:`dashboard.formatting.format_amount` from the Decimal
values (never through float), codes are translated, headers come from ``i18n`` (``col.<name>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import formatting
from dashboard.i18n import code_label, translate

TEXT = "text"
AMOUNT = "amount"
COUNT = "count"
DATE = "date"
TIMESTAMP = "timestamp"
CODE = "code"
BOOL = "bool"


@dataclass(frozen=True)
class Col:
    name: str
    kind: str = TEXT
    code_kind: str | None = None  # for CODE columns: the i18n prefix (``loan_status`` ...)


def _bool_label(value: Any, lang: str) -> str:
    if formatting.is_missing(value):
        return ""
    return translate("bool.true" if bool(value) else "bool.false", lang)


def display_frame(
    frame: pd.DataFrame, columns: Sequence[Col], lang: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The display copy of ``frame`` (only ``columns``, in that order) and its column config."""
    shown: dict[str, pd.Series] = {}
    config: dict[str, Any] = {}
    for col in columns:
        header = translate(f"col.{col.name}", lang)
        values = frame[col.name]
        if col.kind == AMOUNT:
            shown[header] = values.map(formatting.format_amount).astype(object)
            config[header] = st.column_config.TextColumn(header, alignment="right")
        elif col.kind == DATE:
            shown[header] = values.map(formatting.format_date).astype(object)
        elif col.kind == TIMESTAMP:
            shown[header] = values.map(formatting.format_timestamp).astype(object)
        elif col.kind == CODE:
            kind = col.code_kind or col.name
            shown[header] = values.map(
                lambda v, k=kind: "" if formatting.is_missing(v) else code_label(k, v, lang)
            ).astype(object)
        elif col.kind == BOOL:
            shown[header] = values.map(lambda v: _bool_label(v, lang)).astype(object)
        else:
            shown[header] = values
    return pd.DataFrame(shown, index=frame.index).reset_index(drop=True), config


def show(frame: pd.DataFrame, columns: Sequence[Col], lang: str, **kwargs: Any) -> None:
    """``st.dataframe`` of the display copy of ``frame``."""
    table, config = display_frame(frame, columns, lang)
    st.dataframe(table, hide_index=True, column_config=config, **kwargs)


def chart_beside(chart: Any, frame: pd.DataFrame, columns: Sequence[Col], lang: str) -> None:
    """A chart and the exact figures behind it, side by side (the pages' common layout)."""
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(chart, width="stretch")
    with right:
        show(frame, columns, lang)
