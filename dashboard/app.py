"""Entry point of the risk committee's dashboard: ``streamlit run dashboard/app.py``.

Every run: language switch, login (``dashboard.auth``), page navigation, portfolio / as-of / amount
unit selectors, the build banner, the committee pack button, then the chosen page. Pages live in
``dashboard/pages_/``; to add one, add its file to ``PAGES`` with an i18n
key for its title (and the section it belongs to).
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if str(_HERE.parent) not in sys.path:  # `streamlit run` puts only dashboard/ itself on the path
    sys.path.insert(0, str(_HERE.parent))

import duckdb  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard import shell  # noqa: E402
from dashboard.data import BuildChanged  # noqa: E402
from dashboard.i18n import t  # noqa: E402

PAGES_DIR = _HERE / "pages_"

# section title key -> [(page file, url path, title key, icon)]
PAGES: dict[str, list[tuple[str, str, str, str]]] = {
    "nav.section.portfolio": [
        ("overview.py", "overview", "nav.overview", ":material/dashboard:"),
        ("classification.py", "classification", "nav.classification", ":material/category:"),
        ("concentration.py", "concentration", "nav.concentration", ":material/donut_large:"),
        ("history.py", "history", "nav.history", ":material/timeline:"),
        ("industry.py", "industry", "nav.industry", ":material/factory:"),
        ("loan.py", "loan", "nav.loan", ":material/request_quote:"),
        ("monitoring.py", "monitoring", "nav.monitoring", ":material/notifications_active:"),
    ],
    "nav.section.data": [
        ("loads.py", "loads", "nav.loads", ":material/fact_check:"),
        ("quality.py", "quality", "nav.quality", ":material/rule:"),
    ],
}


def navigation():
    """Register the pages (titles in the chosen language) and return the one to run."""
    sections = {
        t(section): [
            st.Page(PAGES_DIR / file, title=t(title), url_path=url, icon=icon)
            for file, url, title, icon in pages
        ]
        for section, pages in PAGES.items()
    }
    return st.navigation(sections)


def main() -> None:
    st.set_page_config(page_title=t("app.page_title"), page_icon="📊", layout="wide")
    shell.render_language_switch()
    user = shell.require_login()  # the login form until someone is signed in
    page = navigation()
    try:
        context = shell.build_context(user)
        shell.render_banner(context)
        if context.snapshot is None:
            st.stop()
        shell.store_context(context)
        shell.render_pack_button(context)
        page.run()
    except BuildChanged:
        # A new build was published while this run was reading: start over against it.
        st.rerun()
    except duckdb.Error as exc:
        st.error(t("error.query", error=exc), icon=":material/error:")


main()
