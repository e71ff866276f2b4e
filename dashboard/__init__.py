"""The risk committee's Streamlit dashboard (``streamlit run dashboard/app.py``).

Modules: ``app`` (entry point and page registry), ``shell`` (sidebar, banner, run context), ``data``
(read-only warehouse access cached per published build), ``i18n`` (all labels), ``formatting`` and
``kpis`` (exact Decimal figures as text), ``tables`` (display copies of query results), ``status``
(run-log rule for the failed-refresh banner); pages in ``pages_/``.
"""
