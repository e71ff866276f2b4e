"""Every visible label of the dashboard, in Chinese and English.

Pages never write a literal label: they call ``t("key")`` (or ``t("key", field=value)`` for
labels with placeholders). A missing key raises ``KeyError`` so a typo shows up in the tests, not
as a blank on the committee's screen. Chinese terms follow the project glossary (贷款余额,
逾期天数, 逾期率 ...).
"""

from __future__ import annotations

import streamlit as st

LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"
LANGUAGE_KEY = "lang"  # session-state key of the language switch

LABELS: dict[str, dict[str, str]] = {
    # --- application and navigation -------------------------------------------------------
    "app.page_title": {"zh": "贷后管理", "en": "Post-loan management"},
    "app.heading": {
        "zh": "贷后管理 · 风险委员会看板",
        "en": "Post-loan management · risk committee dashboard",
    },
    "sidebar.language": {"zh": "语言 / Language", "en": "语言 / Language"},
    "sidebar.portfolio": {"zh": "资产组合", "en": "Portfolio"},
    "sidebar.portfolio_option": {
        "zh": "{name}（{id}，{currency}）",
        "en": "{name} ({id}, {currency})",
    },
    "sidebar.as_of": {"zh": "数据日期", "en": "As-of date"},
    "sidebar.no_portfolios": {
        "zh": "本次发布的数据中没有资产组合。",
        "en": "This build contains no portfolios.",
    },
    "nav.section.portfolio": {"zh": "组合风险", "en": "Portfolio risk"},
    "nav.section.data": {"zh": "数据", "en": "Data"},
    "nav.overview": {"zh": "概览", "en": "Overview"},
    "nav.loads": {"zh": "数据质量与加载", "en": "Data quality & loads"},
    # --- banner ---------------------------------------------------------------------------
    "banner.build": {
        "zh": "已发布版本 **{build_id}** · 构建于 {built_at}",
        "en": "Published build **{build_id}** · built {built_at}",
    },
    "banner.as_of": {"zh": " · 数据日期 **{as_of}**", "en": " · as of **{as_of}**"},
    "banner.refresh_failed": {
        "zh": "最近一次刷新失败（{failed_at}），失败步骤：{step}；原因：{reason}。"
        "当前显示的是上一次成功发布的版本 {build_id}（构建于 {built_at}）。",
        "en": "The last refresh failed ({failed_at}) in step {step}: {reason}. "
        "The data shown is the last good build {build_id} (built {built_at}).",
    },
    "banner.refresh_failed_no_build": {
        "zh": "最近一次刷新失败（{failed_at}），失败步骤：{step}；原因：{reason}。",
        "en": "The last refresh failed ({failed_at}) in step {step}: {reason}.",
    },
    "banner.no_warehouse": {
        "zh": "尚未发布数据仓库（{path}）。请先运行 `postloan build` 构建并发布数据。",
        "en": "No warehouse has been published yet ({path}). Run `postloan build` to build and "
        "publish one.",
    },
    "banner.unknown": {"zh": "未知", "en": "unknown"},
    "error.query": {
        "zh": "读取数据仓库失败：{error}",
        "en": "Could not read the warehouse: {error}",
    },
    # --- overview -------------------------------------------------------------------------
    "overview.title": {"zh": "组合概览", "en": "Portfolio overview"},
    "overview.subtitle": {
        "zh": "{name}（{id}）· 币种 {currency} · 数据日期 {as_of}",
        "en": "{name} ({id}) · currency {currency} · as of {as_of}",
    },
    "overview.no_data": {
        "zh": "该组合在所选数据日期没有数据。",
        "en": "This portfolio has no data for the selected as-of date.",
    },
    "overview.change_vs": {
        "zh": "变动为相对上一数据日期 {date} 的变化。",
        "en": "Changes are against the previous as-of date {date}.",
    },
    "overview.no_previous": {
        "zh": "该组合没有更早的数据日期，不显示变动。",
        "en": "There is no earlier as-of date for this portfolio, so no changes are shown.",
    },
    "overview.provenance.derived": {
        "zh": "注意：该组合的数据含推算数据（非银行直接提供）。",
        "en": "Note: this portfolio's data is partly derived (not delivered as such by the bank).",
    },
    "overview.provenance.synthetic": {
        "zh": "注意：该组合的数据为合成数据，不是银行真实数据。",
        "en": "Note: this portfolio's data is synthetic, not real bank data.",
    },
    "overview.loans": {"zh": "贷款明细", "en": "Loans"},
    "overview.bucket_filter": {"zh": "逾期天数分档", "en": "DPD bucket"},
    "overview.loans_shown": {
        "zh": "显示 {count} 笔贷款，贷款余额合计 {total} {currency}。",
        "en": "{count} loans shown, outstanding principal {total} {currency}.",
    },
    "overview.download": {"zh": "下载贷款明细（CSV）", "en": "Download loans (CSV)"},
    "overview.chart": {
        "zh": "按逾期天数分档的贷款余额",
        "en": "Outstanding principal by DPD bucket",
    },
    "chart.balance": {"zh": "贷款余额（{currency}）", "en": "Outstanding principal ({currency})"},
    "chart.loans": {"zh": "笔数", "en": "Loans"},
    "chart.bucket": {"zh": "逾期天数分档", "en": "DPD bucket"},
    "kpi.loans_outstanding": {"zh": "在贷笔数", "en": "Loans outstanding"},
    "kpi.outstanding_principal": {
        "zh": "贷款余额（{currency}）",
        "en": "Outstanding principal ({currency})",
    },
    "kpi.overdue_principal": {
        "zh": "逾期本金（逾期天数>0，{currency}）",
        "en": "Overdue principal (DPD>0, {currency})",
    },
    "kpi.overdue_ratio": {"zh": "逾期率（逾期天数>0）", "en": "Overdue ratio (DPD>0)"},
    "kpi.dpd90_principal": {
        "zh": "逾期90天以上本金（{currency}）",
        "en": "DPD>90 principal ({currency})",
    },
    "kpi.dpd90_ratio": {"zh": "逾期90天以上占比", "en": "DPD>90 share"},
    "kpi.help.loans_outstanding": {
        "zh": "贷款状态为“在贷”的贷款笔数。",
        "en": "Number of loans whose status is outstanding.",
    },
    "kpi.help.overdue_ratio": {
        "zh": "逾期本金 ÷ 贷款余额",
        "en": "Overdue principal ÷ outstanding principal",
    },
    "kpi.help.dpd90_ratio": {
        "zh": "逾期90天以上本金 ÷ 贷款余额（按逾期天数，不是五级分类的不良贷款率）",
        "en": "DPD>90 principal ÷ outstanding principal (by days past due; not the NPL ratio "
        "of the five-category classification)",
    },
    "unit.pp": {"zh": "个百分点", "en": "pp"},
    # --- data quality / loads -------------------------------------------------------------
    "loads.title": {"zh": "数据质量与加载", "en": "Data quality & loads"},
    "loads.only_portfolio": {
        "zh": "仅显示所选组合的批次",
        "en": "Only batches of the selected portfolio",
    },
    "loads.batches": {"zh": "批次", "en": "Batches"},
    "loads.batches_caption": {
        "zh": "每个组合和数据日期只采用一个批次；被更晚交付替代的批次标为“已被替代”。",
        "en": "One batch is used per portfolio and as-of date; a batch replaced by a later "
        "delivery is marked superseded.",
    },
    "loads.reconciliation": {"zh": "加载勾稽", "en": "Load reconciliation"},
    "loads.reconciliation_caption": {
        "zh": "每个源文件：数据行数 = 已加载行数 + 拒绝行数 + 跳过行数。",
        "en": "For each source file: data lines = loaded rows + rejected rows + skipped rows.",
    },
    "loads.reconciles_all": {
        "zh": "全部 {count} 个文件勾稽一致。",
        "en": "All {count} files reconcile.",
    },
    "loads.reconciles_broken": {
        "zh": "{count} 个文件勾稽不一致，请核查。",
        "en": "{count} files do not reconcile; check them.",
    },
    "loads.rejects": {"zh": "拒绝行", "en": "Rejected rows"},
    "loads.rejects_none": {"zh": "没有拒绝行。", "en": "No rejected rows."},
    "loads.rejects_by_rule": {"zh": "按规则汇总", "en": "By rule"},
    "loads.rejects_batch": {"zh": "批次", "en": "Batch"},
    "loads.all": {"zh": "全部", "en": "All"},
    "loads.rejects_shown": {
        "zh": "显示 {shown} 行，共 {total} 行。",
        "en": "Showing {shown} of {total} rows.",
    },
    "loads.runs": {"zh": "运行日志", "en": "Run log"},
    "loads.runs_none": {"zh": "运行日志为空。", "en": "The run log is empty."},
    "loads.empty": {"zh": "没有数据。", "en": "Nothing to show."},
    # --- column headers -------------------------------------------------------------------
    "col.portfolio_id": {"zh": "组合编号", "en": "Portfolio"},
    "col.as_of_date": {"zh": "数据日期", "en": "As-of date"},
    "col.loan_id": {"zh": "贷款编号", "en": "Loan"},
    "col.borrower_id": {"zh": "借款人编号", "en": "Borrower"},
    "col.borrower_type": {"zh": "借款人类型", "en": "Borrower type"},
    "col.product": {"zh": "产品", "en": "Product"},
    "col.currency": {"zh": "币种", "en": "Currency"},
    "col.branch": {"zh": "经办机构", "en": "Branch"},
    "col.contract_amount": {"zh": "合同金额", "en": "Contract amount"},
    "col.disbursement_date": {"zh": "放款日期", "en": "Disbursed"},
    "col.maturity_date": {"zh": "到期日期", "en": "Maturity"},
    "col.outstanding_principal": {"zh": "贷款余额", "en": "Outstanding principal"},
    "col.dpd": {"zh": "逾期天数", "en": "DPD"},
    "col.dpd_bucket": {"zh": "逾期分档", "en": "DPD bucket"},
    "col.loan_status": {"zh": "贷款状态", "en": "Status"},
    "col.provenance": {"zh": "数据来源", "en": "Provenance"},
    "col.batch_id": {"zh": "批次编号", "en": "Batch"},
    "col.batch_status": {"zh": "批次状态", "en": "Batch status"},
    "col.superseded_by": {"zh": "替代批次", "en": "Superseded by"},
    "col.delivered_at": {"zh": "交付时间", "en": "Delivered at"},
    "col.folder": {"zh": "目录", "en": "Folder"},
    "col.entity": {"zh": "数据实体", "en": "Entity"},
    "col.source_file": {"zh": "源文件", "en": "Source file"},
    "col.data_lines": {"zh": "数据行数", "en": "Data lines"},
    "col.loaded_rows": {"zh": "已加载行数", "en": "Loaded"},
    "col.rejected_rows": {"zh": "拒绝行数", "en": "Rejected"},
    "col.skipped_rows": {"zh": "跳过行数", "en": "Skipped"},
    "col.reconciles": {"zh": "勾稽一致", "en": "Reconciles"},
    "col.line_number": {"zh": "行号", "en": "Line"},
    "col.column_name": {"zh": "字段", "en": "Column"},
    "col.rule": {"zh": "规则", "en": "Rule"},
    "col.reason": {"zh": "原因", "en": "Reason"},
    "col.raw_value": {"zh": "原始值", "en": "Raw value"},
    "col.raw_record": {"zh": "原始记录", "en": "Raw record"},
    "col.rows": {"zh": "行数", "en": "Rows"},
    "col.run_id": {"zh": "运行编号", "en": "Run"},
    "col.started_at": {"zh": "开始时间", "en": "Started"},
    "col.finished_at": {"zh": "结束时间", "en": "Finished"},
    "col.status": {"zh": "状态", "en": "Status"},
    "col.build_id": {"zh": "版本编号", "en": "Build"},
    "col.failed_step": {"zh": "失败步骤", "en": "Failed step"},
    # --- codes ----------------------------------------------------------------------------
    "bucket.M0": {"zh": "M0 未逾期（0天）", "en": "M0 current (0)"},
    "bucket.M1": {"zh": "M1 逾期1–30天", "en": "M1 1–30 days"},
    "bucket.M2": {"zh": "M2 逾期31–60天", "en": "M2 31–60 days"},
    "bucket.M3": {"zh": "M3 逾期61–90天", "en": "M3 61–90 days"},
    "bucket.M4": {"zh": "M4 逾期91–120天", "en": "M4 91–120 days"},
    "bucket.M5": {"zh": "M5 逾期121–150天", "en": "M5 121–150 days"},
    "bucket.M6": {"zh": "M6 逾期151–180天", "en": "M6 151–180 days"},
    "bucket.M7": {"zh": "M7 逾期181天以上", "en": "M7 181+ days"},
    "loan_status.outstanding": {"zh": "在贷", "en": "outstanding"},
    "loan_status.closed": {"zh": "已结清", "en": "closed"},
    "loan_status.written_off": {"zh": "已核销", "en": "written off"},
    "batch_status.published": {"zh": "已采用", "en": "published"},
    "batch_status.superseded": {"zh": "已被替代", "en": "superseded"},
    "batch_status.not_selected": {"zh": "未采用", "en": "not selected"},
    "provenance.real": {"zh": "真实", "en": "real"},
    "provenance.derived": {"zh": "推算", "en": "derived"},
    "provenance.synthetic": {"zh": "合成", "en": "synthetic"},
    "run_status.success": {"zh": "成功", "en": "success"},
    "run_status.failure": {"zh": "失败", "en": "failure"},
    "bool.true": {"zh": "是", "en": "yes"},
    "bool.false": {"zh": "否", "en": "no"},
    # --- glossary terms kept for the pages still to come -----------------------------------
    "class.pass": {"zh": "正常", "en": "Pass"},
    "class.special_mention": {"zh": "关注", "en": "Special Mention"},
    "class.substandard": {"zh": "次级", "en": "Substandard"},
    "class.doubtful": {"zh": "可疑", "en": "Doubtful"},
    "class.loss": {"zh": "损失", "en": "Loss"},
    "term.dpd": {"zh": "逾期天数", "en": "days past due (DPD)"},
    "term.overdue_ratio": {"zh": "逾期率", "en": "overdue ratio"},
    "term.npl_ratio": {"zh": "不良贷款率", "en": "NPL ratio"},
    "term.outstanding_principal": {"zh": "贷款余额", "en": "outstanding principal"},
    "term.post_loan": {"zh": "贷后管理", "en": "post-loan management"},
}

DPD_BUCKETS: tuple[str, ...] = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7")


def translate(key: str, lang: str, **fields: object) -> str:
    """The label ``key`` in ``lang`` (Chinese when ``lang`` is unknown), placeholders filled."""
    entry = LABELS[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**fields) if fields else text


def current_language() -> str:
    lang = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **fields: object) -> str:
    """The label ``key`` in the language chosen in the sidebar."""
    return translate(key, current_language(), **fields)


def code_label(kind: str, code: object, lang: str | None = None) -> str:
    """A code value (``loan_status`` ``closed``, ``bucket`` ``M4`` ...) as a label; unknown codes
    and missing values are shown as they are."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    key = f"{kind}.{code}"
    if key not in LABELS:
        return str(code)
    return translate(key, lang or current_language())
