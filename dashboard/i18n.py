"""Every visible label of the dashboard, in Chinese and English.

Pages never write a literal label: they call ``t("key")`` (or ``t("key", field=value)`` for
labels with placeholders). A missing key raises ``KeyError`` so a typo shows up in the tests, not
as a blank on the committee's screen. Chinese terms follow the project glossary (贷款余额,
逾期天数, 逾期率 ...).
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n_industry import INDUSTRY_LABELS

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
        "zh": "每个组合和数据日期只采用一个批次；被更晚交付替代的批次标为“已被替代”。"
        "增量批次只含新增和变更的行，其余行沿用基准批次。",
        "en": "One batch is used per portfolio and as-of date; a batch replaced by a later "
        "delivery is marked superseded. A delta holds only new and changed rows; the rest are "
        "carried from its base batch.",
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
    "col.delivery": {"zh": "交付方式", "en": "Delivery"},
    "col.base_batch_id": {"zh": "增量基准批次", "en": "Base batch"},
    "col.carried_rows": {"zh": "沿用基准行数", "en": "Rows carried from base"},
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
    "col.rejects_file": {"zh": "拒绝行文件", "en": "Rejected rows file"},
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
    "batch_status.incomplete": {"zh": "未到齐（未加载）", "en": "incomplete (not loaded)"},
    "batch_status.base_only": {"zh": "仅作增量基准（未采用）",
                               "en": "read as a delta's base (not in this build)"},
    "delivery.snapshot": {"zh": "全量快照", "en": "snapshot"},
    "delivery.delta": {"zh": "增量", "en": "delta"},
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
    # --- five-level classification page ----------------------------------------------------
    "nav.classification": {"zh": "分类", "en": "Classification"},
    "nav.loan": {"zh": "贷款详情", "en": "Loan"},
    "classification.title": {"zh": "五级分类", "en": "Five-level classification"},
    "classification.subtitle": {
        "zh": "{name}（{id}）· 币种 {currency} · 数据日期 {as_of} · 分类规则 {rule_set}",
        "en": "{name} ({id}) · currency {currency} · as of {as_of} · rule set {rule_set}",
    },
    "classification.no_data": {
        "zh": "该组合在所选数据日期没有五级分类结果。",
        "en": "There is no five-level classification for this portfolio at the selected "
        "as-of date.",
    },
    "classification.distribution": {"zh": "五级分类分布", "en": "Distribution by class"},
    "classification.distribution_total": {
        "zh": "合计 {count} 笔在贷贷款，贷款余额 {total} {currency}。",
        "en": "{count} outstanding loans in all, outstanding principal {total} {currency}.",
    },
    "classification.trend": {"zh": "不良贷款率趋势", "en": "NPL ratio trend"},
    "classification.allowance_meets": {
        "zh": "贷款损失准备 {allowance} {currency} 达到监管要求 {required} {currency}。",
        "en": "The allowance of {allowance} {currency} meets the required {required} {currency}.",
    },
    "classification.allowance_short": {
        "zh": "贷款损失准备 {allowance} {currency} 低于监管要求 {required} {currency}，"
        "缺口 {short} {currency}。",
        "en": "The allowance of {allowance} {currency} is below the required {required} "
        "{currency}: {short} {currency} short.",
    },
    "classification.vs_requirement": {
        "zh": "{gap}（要求 {requirement}）",
        "en": "{gap} (requirement {requirement})",
    },
    "classification.vs_required": {
        "zh": "{gap}（应提 {required}）",
        "en": "{gap} (required {required})",
    },
    "classification.differs": {
        "zh": "最终分类与人工分类不一致的贷款",
        "en": "Loans whose final class differs from the judgmental class",
    },
    "classification.differs_caption": {
        "zh": "最终分类取人工分类（有审批通过的调整时取调整后分类）与各条规则下限中较差者。"
        "未提供人工分类的贷款按正常比较；人工调整低于规则下限的贷款也列出。",
        "en": "The final class is the worse of the judgmental class (or the approved override, "
        "if any) and the floor of every rule that fired. A loan without a judgmental class is "
        "compared as Pass; loans overridden below a rule floor are listed too.",
    },
    "classification.differs_none": {
        "zh": "所有贷款的最终分类与人工分类一致。",
        "en": "Every loan's final class equals its judgmental class.",
    },
    "classification.differs_count": {
        "zh": "{count} 笔贷款，贷款余额合计 {total} {currency}。",
        "en": "{count} loans, outstanding principal {total} {currency}.",
    },
    "classification.below_floor": {
        "zh": "{count} 笔贷款的人工调整低于规则下限，已按规则下限分类。",
        "en": "{count} loans were overridden below a rule floor; the floor prevailed.",
    },
    "classification.not_given": {"zh": "未提供", "en": "not given"},
    "classification.override_approval": {
        "zh": "{date}，{approver}",
        "en": "{date}, {approver}",
    },
    "classification.rules": {"zh": "规则说明", "en": "The rules that fired"},
    "classification.compare": {
        "zh": "最终分类与美国零售分类、IFRS 9 阶段对照",
        "en": "Final class vs US retail class and IFRS 9 stage",
    },
    "classification.status_by_class": {"zh": "源系统状态与五级分类对照",
                                        "en": "Reported status by class"},
    "classification.status_by_class_caption": {
        "zh": "按报送方自己的逾期状态（如 LendingClub 的 loan_status）统计各分类的贷款笔数，"
        "用于核对本系统按还款计划算出的逾期天数与分类。",
        "en": "Loans per status the sender's own system reported (for example LendingClub's "
        "loan_status) and final class, to reconcile the days past due and classes computed here "
        "from the schedule.",
    },
    "classification.compare_caption": {
        "zh": "美国零售分类（FFIEC）只适用于零售借款人；IFRS 9 阶段按逾期30天、90天及银行的信用减值"
        "标识划分。两者只作对照，不影响最终分类。阶段对照按 正常→第一阶段、关注→第二阶段、"
        "不良→第三阶段。",
        "en": "The US retail class (FFIEC) applies to retail borrowers only; the IFRS 9 stage "
        "follows the 30- and 90-day backstops and the bank's credit-impaired flag. Both are "
        "shown for comparison and do not change the final class. Stages are compared as "
        "Pass → Stage 1, Special Mention → Stage 2, NPL → Stage 3.",
    },
    "classification.compare_matrix": {
        "zh": "按最终分类统计的笔数",
        "en": "Loans by final class",
    },
    "classification.compare_only_diff": {
        "zh": "只显示不一致的贷款",
        "en": "Only loans that disagree",
    },
    "classification.compare_count": {
        "zh": "显示 {shown} 笔贷款，共 {total} 笔。",
        "en": "Showing {shown} of {total} loans.",
    },
    "classification.open_loan": {"zh": "查看贷款详情", "en": "Open a loan"},
    "classification.open_loan_help": {
        "zh": "在上表中选中一行，或在此选择贷款编号。",
        "en": "Select a row in the table above, or pick the loan here.",
    },
    "classification.open_loan_link": {
        "zh": "打开贷款 {loan_id} 的详情",
        "en": "Open loan {loan_id}",
    },
    "classification.not_applicable": {"zh": "不适用（非零售）", "en": "n/a (not retail)"},
    "kpi.npl_ratio": {"zh": "不良贷款率", "en": "NPL ratio"},
    "kpi.npl_balance": {"zh": "不良贷款余额（{currency}）", "en": "NPL balance ({currency})"},
    "kpi.coverage_ratio": {"zh": "拨备覆盖率", "en": "Coverage ratio"},
    "kpi.loan_provision_ratio": {"zh": "贷款拨备率", "en": "Loan-provision ratio"},
    "kpi.allowance": {
        "zh": "贷款损失准备（{currency}）",
        "en": "Allowance ({currency})",
    },
    "kpi.dpd90_to_npl": {
        "zh": "逾期90天以上贷款与不良贷款比例",
        "en": "90+ DPD to NPL",
    },
    "kpi.help.npl_ratio": {
        "zh": "不良贷款（次级、可疑、损失）余额 ÷ 贷款余额",
        "en": "Balance of NPL (Substandard, Doubtful, Loss) ÷ outstanding principal",
    },
    "kpi.help.npl_balance": {
        "zh": "次级、可疑、损失类贷款余额合计",
        "en": "Outstanding principal of Substandard, Doubtful and Loss loans",
    },
    "kpi.help.coverage_ratio": {
        "zh": "贷款损失准备 ÷ 不良贷款余额；变动一栏为与监管要求的差距",
        "en": "Allowance ÷ NPL balance; the change line shows the gap to the requirement",
    },
    "kpi.help.loan_provision_ratio": {
        "zh": "贷款损失准备 ÷ 贷款余额；变动一栏为与监管要求的差距",
        "en": "Allowance ÷ outstanding principal; the change line shows the gap to the requirement",
    },
    "kpi.help.allowance": {
        "zh": "专项准备（按分类参考比例）+ 一般准备；应提数为 拨备覆盖率要求 × 不良贷款 与 "
        "贷款拨备率要求 × 贷款余额 中较高者",
        "en": "Specific provisions (reference rates by class) + general reserve; the required "
        "allowance is the higher of coverage requirement × NPL and loan-provision "
        "requirement × loans",
    },
    "kpi.help.dpd90_to_npl": {
        "zh": "逾期90天以上贷款余额 ÷ 不良贷款余额（偏离度，超过100%说明分类不够审慎）",
        "en": "Balance more than 90 days past due ÷ NPL balance (above 100% means the "
        "classification is not prudent enough)",
    },
    "chart.class": {"zh": "五级分类", "en": "Class"},
    "chart.as_of": {"zh": "数据日期", "en": "As-of date"},
    "chart.npl_ratio": {"zh": "不良贷款率（%）", "en": "NPL ratio (%)"},
    "chart.dpd": {"zh": "逾期天数", "en": "Days past due"},
    # --- rule explanations (from the seeds' ids, floors and descriptions) --------------------
    "rule.with_floor": {
        "zh": "{text}（至少{floor}）",
        "en": "{text} (at least {floor})",
    },
    "rule.dpd_floor.all": {
        "zh": "逾期天数达到{min_dpd}天",
        "en": "{min_dpd} or more days past due",
    },
    "rule.dpd_floor.credit_card": {
        "zh": "信用卡逾期天数达到{min_dpd}天",
        "en": "Credit card {min_dpd} or more days past due",
    },
    "rule.dpd_floor.other": {
        "zh": "逾期天数达到{min_dpd}天（适用范围：{scope}）",
        "en": "{min_dpd} or more days past due (scope: {scope})",
    },
    "rule.item": {"zh": "{rule_id}：{text}", "en": "{rule_id}: {text}"},
    "rule.separator": {"zh": "；", "en": "; "},
    # --- single loan page -------------------------------------------------------------------
    "loan.title": {"zh": "贷款详情", "en": "Loan details"},
    "loan.choose": {"zh": "贷款编号", "en": "Loan"},
    "loan.option": {"zh": "{loan_id}（{status}）", "en": "{loan_id} ({status})"},
    "tables.first_rows": {
        "zh": "表中只显示前 {shown} 笔（共 {count} 笔，排序同上）；导出文件含全部 {count} 笔。",
        "en": "The table shows the first {shown} of {count} loans (in the order above); the "
              "exports hold all {count}.",
    },
    "concentration.lorenz_sampled": {
        "zh": "曲线与下表取 {count} 个点中均匀分布的 {shown} 个（累计占比按全部点精确计算）；"
              "全部点见 reporting.concentration_lorenz。",
        "en": "The curve and the table use {shown} evenly spread points of {count} (the "
              "cumulative shares add up every point exactly); all points are in "
              "reporting.concentration_lorenz.",
    },
    "tables.picker_first": {
        "zh": "选择框只列出前 {shown} 笔；其他贷款请在贷款详情页按编号查找。",
        "en": "The picker lists the first {shown} loans; find any other on the loan page by "
              "its id.",
    },
    "tables.first_rows_of": {
        "zh": "表中只显示前 {shown} 行（共 {count} 行）；导出文件含全部行。",
        "en": "The table shows the first {shown} of {count} rows; the exports hold them all.",
    },
    "loan.find": {"zh": "按贷款编号查找", "en": "Find a loan by its id"},
    "loan.find_help": {
        "zh": "列表只列出逾期最久、余额最大的前 {shown} 笔（共 {count} 笔）；其余贷款请输入编号。",
        "en": "The list shows the first {shown} of {count} loans, most overdue and largest "
              "first; type the id of any other loan.",
    },
    "loan.none": {
        "zh": "该组合在所选数据日期没有贷款。",
        "en": "This portfolio has no loans at the selected as-of date.",
    },
    "loan.not_here": {
        "zh": "贷款 {loan_id} 不在所选组合 {portfolio} 的 {as_of} 数据中。",
        "en": "Loan {loan_id} is not in the selected portfolio {portfolio} as of {as_of}.",
    },
    "loan.not_found": {
        "zh": "本次发布的数据中没有贷款 {loan_id}。",
        "en": "This build has no loan {loan_id}.",
    },
    "loan.switch_to": {
        "zh": "切换到组合 {portfolio}（数据日期 {as_of}）",
        "en": "Switch to portfolio {portfolio} (as of {as_of})",
    },
    "loan.subtitle": {
        "zh": "组合 {portfolio} · 币种 {currency} · 数据日期 {as_of} · 批次 {batch_id}",
        "en": "Portfolio {portfolio} · currency {currency} · as of {as_of} · batch {batch_id}",
    },
    "loan.heading": {"zh": "贷款 {loan_id}", "en": "Loan {loan_id}"},
    "loan.terms": {"zh": "合同条款", "en": "Terms"},
    "loan.terms_missing": {
        "zh": "该批次中没有这笔贷款的合同条款。",
        "en": "The batch has no terms for this loan.",
    },
    "loan.classification": {"zh": "五级分类", "en": "Five-level classification"},
    "loan.not_classified": {
        "zh": "该贷款在所选数据日期不在贷（已结清或已核销），没有五级分类结果。",
        "en": "The loan is not outstanding at the selected as-of date (closed or written "
        "off), so it has no five-level class.",
    },
    "loan.no_rules": {"zh": "没有触发任何规则。", "en": "No rule fired."},
    "loan.override": {
        "zh": "人工调整为{override}，{date} 由 {approver} 审批。",
        "en": "Overridden to {override}, approved {date} by {approver}.",
    },
    "loan.override_below_floor": {
        "zh": "人工调整低于规则下限，已按规则下限分类。",
        "en": "The override is below a rule floor; the floor prevailed.",
    },
    "loan.technical_delay": {
        "zh": "技术性逾期：不因逾期强制归为关注。",
        "en": "Technical delay: the overdue does not force Special Mention.",
    },
    "loan.restructuring": {
        "zh": "重组资产观察期至 {date}。",
        "en": "Restructured; observation period until {date}.",
    },
    "loan.schedule": {"zh": "还款计划", "en": "Repayment schedule"},
    "loan.schedule_caption": {
        "zh": "状态以数据日期 {as_of} 为准，还款按先到期先偿还冲抵：{settled} 期已结清，"
        "{overdue} 期逾期未还，{not_due} 期未到期。",
        "en": "Status as of {as_of}, payments settling the oldest amounts first: {settled} "
        "settled, {overdue} overdue and unpaid, {not_due} not yet due.",
    },
    "loan.schedule_unknown": {
        "zh": "本次发布的数据中没有结清计算结果，不显示各期状态。",
        "en": "This build has no settlement results, so installment status is not shown.",
    },
    "loan.payments": {"zh": "还款记录", "en": "Payments"},
    "loan.payments_total": {
        "zh": "{count} 笔还款，实还本金合计 {principal} {currency}，实还利息合计 {interest} "
        "{currency}。",
        "en": "{count} payments, principal {principal} {currency}, interest {interest} {currency}.",
    },
    "loan.events": {"zh": "贷款事件", "en": "Events"},
    "loan.history": {"zh": "逾期与分类历史", "en": "DPD and class history"},
    "loan.empty": {"zh": "没有记录。", "en": "None."},
    "loan.back": {"zh": "返回五级分类", "en": "Back to classification"},
    # --- column headers of the classification and loan pages ------------------------------
    "col.five_class": {"zh": "五级分类", "en": "Class"},
    "col.loan_count": {"zh": "笔数", "en": "Loans"},
    "col.balance_share": {"zh": "余额占比", "en": "Share of balance"},
    "col.specific_provision": {"zh": "专项准备", "en": "Specific provision"},
    "col.judgmental_class": {"zh": "人工分类", "en": "Judgmental class"},
    "col.override_class": {"zh": "调整后分类", "en": "Override"},
    "col.override_approval": {"zh": "调整审批", "en": "Override approved"},
    "col.final_class": {"zh": "最终分类", "en": "Final class"},
    "col.rules_explained": {"zh": "触发规则", "en": "Rules fired"},
    "col.rules_fired": {"zh": "触发规则编号", "en": "Rule ids fired"},
    "col.override_below_floor": {"zh": "调整低于下限", "en": "Override below floor"},
    "col.us_retail_class": {"zh": "美国零售分类", "en": "US retail class"},
    "col.reported_status": {"zh": "源系统状态", "en": "Reported status"},
    "col.ifrs9_stage": {"zh": "IFRS 9 阶段", "en": "IFRS 9 stage"},
    "col.stage_agrees": {"zh": "阶段一致", "en": "Stage agrees"},
    "col.us_agrees": {"zh": "美国分类一致", "en": "US class agrees"},
    "col.npl_ratio": {"zh": "不良贷款率", "en": "NPL ratio"},
    "col.npl_balance": {"zh": "不良贷款余额", "en": "NPL balance"},
    "col.total_balance": {"zh": "贷款余额", "en": "Outstanding principal"},
    "col.rule_id": {"zh": "规则编号", "en": "Rule"},
    "col.rule_text": {"zh": "含义", "en": "Meaning"},
    "col.floor_class": {"zh": "最低分类", "en": "Floor class"},
    "col.source": {"zh": "依据", "en": "Source"},
    "col.loans_affected": {"zh": "涉及笔数", "en": "Loans"},
    "col.installment_no": {"zh": "期次", "en": "No."},
    "col.due_date": {"zh": "应还日期", "en": "Due date"},
    "col.principal_due": {"zh": "应还本金", "en": "Principal due"},
    "col.interest_due": {"zh": "应还利息", "en": "Interest due"},
    # Paid on or before the due date: the warehouse records the due date (benchmarks.md).
    "col.settled_on": {"zh": "结清日期（按期结清记为到期日）",
                       "en": "Settled on (on time: the due date)"},
    "col.days_late": {"zh": "结清时逾期天数", "en": "Days late when settled"},
    "col.days_overdue": {"zh": "已逾期天数", "en": "Days overdue"},
    "col.installment_status": {"zh": "状态", "en": "Status"},
    "col.payment_id": {"zh": "还款流水号", "en": "Payment"},
    "col.payment_date": {"zh": "实还日期", "en": "Paid on"},
    "col.principal_paid": {"zh": "实还本金", "en": "Principal paid"},
    "col.interest_paid": {"zh": "实还利息", "en": "Interest paid"},
    "col.penalty_paid": {"zh": "实还罚息", "en": "Penalty paid"},
    "col.event_id": {"zh": "事件编号", "en": "Event"},
    "col.event_date": {"zh": "事件日期", "en": "Date"},
    "col.event_type": {"zh": "事件类型", "en": "Event type"},
    "col.amount": {"zh": "金额", "en": "Amount"},
    "col.new_maturity_date": {"zh": "新到期日期", "en": "New maturity"},
    "col.note": {"zh": "备注", "en": "Note"},
    "col.principal_dpd": {"zh": "本金逾期天数", "en": "Principal DPD"},
    "col.interest_dpd": {"zh": "利息逾期天数", "en": "Interest DPD"},
    "col.term": {"zh": "项目", "en": "Term"},
    "col.term_value": {"zh": "内容", "en": "Value"},
    "col.original_maturity_date": {"zh": "原到期日期", "en": "Original maturity"},
    "col.interest_rate": {"zh": "年利率", "en": "Interest rate (per year)"},
    "col.repayment_method": {"zh": "还款方式", "en": "Repayment method"},
    "col.guarantee_type": {"zh": "担保方式", "en": "Security"},
    "col.purpose": {"zh": "贷款用途", "en": "Purpose"},
    "col.officer": {"zh": "客户经理", "en": "Loan officer"},
    "col.credit_limit": {"zh": "授信额度", "en": "Credit limit"},
    "col.undrawn_amount": {"zh": "未提款金额", "en": "Undrawn amount"},
    "col.is_credit_impaired": {"zh": "信用减值", "en": "Credit-impaired"},
    "col.ecl_amount": {"zh": "预期信用损失（银行）", "en": "Expected credit loss (bank)"},
    # --- codes of the classification and loan pages -----------------------------------------
    "ifrs9_stage.1": {"zh": "第一阶段", "en": "Stage 1"},
    "ifrs9_stage.2": {"zh": "第二阶段", "en": "Stage 2"},
    "ifrs9_stage.3": {"zh": "第三阶段", "en": "Stage 3"},
    "installment_status.settled": {"zh": "已结清", "en": "settled"},
    "installment_status.overdue": {"zh": "逾期未还", "en": "overdue, unpaid"},
    "installment_status.not_due": {"zh": "未到期", "en": "not yet due"},
    "event_type.restructuring": {"zh": "重组", "en": "restructuring"},
    "event_type.extension": {"zh": "展期", "en": "extension"},
    "event_type.refinancing": {"zh": "借新还旧", "en": "refinancing"},
    "event_type.write_off": {"zh": "核销", "en": "write-off"},
    "event_type.recovery": {"zh": "核销后收回", "en": "recovery"},
    "event_type.disposal": {"zh": "处置", "en": "disposal"},
    "event_type.technical_delay": {"zh": "技术性逾期", "en": "technical delay"},
    "event_type.unauthorised_use_change": {"zh": "改变资金用途", "en": "use of funds changed"},
    "event_type.bankruptcy": {"zh": "破产清算", "en": "bankruptcy"},
    "event_type.collection_demand": {"zh": "催收", "en": "collection demand"},
    "event_type.post_loan_check": {"zh": "贷后检查", "en": "post-loan check"},
    "repayment_method.level_payment": {"zh": "等额本息", "en": "level payment"},
    "repayment_method.level_principal": {"zh": "等额本金", "en": "level principal"},
    "repayment_method.interest_only": {"zh": "按期付息到期还本", "en": "interest only"},
    "repayment_method.bullet": {"zh": "到期一次还本付息", "en": "bullet"},
    "repayment_method.other": {"zh": "其他", "en": "other"},
    "guarantee_type.credit": {"zh": "信用", "en": "unsecured"},
    "guarantee_type.guaranteed": {"zh": "保证", "en": "guaranteed"},
    "guarantee_type.mortgage": {"zh": "抵押", "en": "mortgage"},
    "guarantee_type.pledge": {"zh": "质押", "en": "pledge"},
    "borrower_type.corporate": {"zh": "对公", "en": "corporate"},
    "borrower_type.sme": {"zh": "小微企业", "en": "SME"},
    "borrower_type.retail": {"zh": "个人", "en": "retail"},
    # --- concentration page -------------------------------------------------------------------
    "nav.concentration": {"zh": "集中度", "en": "Concentration"},
    "concentration.title": {"zh": "集中度", "en": "Concentration"},
    "concentration.subtitle": {
        "zh": "{name}（{id}）· 币种 {currency} · 数据日期 {as_of}",
        "en": "{name} ({id}) · currency {currency} · as of {as_of}",
    },
    "concentration.no_data": {
        "zh": "该组合在所选数据日期没有集中度数据。",
        "en": "There are no concentration figures for this portfolio at the selected as-of date.",
    },
    "concentration.ratios": {"zh": "监管集中度指标", "en": "Regulatory concentration ratios"},
    "concentration.ratios_caption": {
        "zh": "指标值与限额按分子、分母的精确金额计算。未超限：低于限额的90%；预警：达到限额的90%；"
        "超限：高于限额（恰好等于限额为未超限）；仅报告：无监管限额；缺少资本数据：未提供分母。"
        "剩余额度 = 限额 × 分母 − 分子，负数为超出金额。",
        "en": "Values and limits are computed from the exact numerator and denominator. Within: "
        "below 90% of the limit; warning: from 90% of the limit; breach: above the limit "
        "(exactly at the limit is within); reported: no limit; no capital data: no denominator "
        "delivered. Headroom = limit × denominator − numerator; negative means over the limit.",
    },
    "concentration.ratios_none": {
        "zh": "没有监管集中度指标。",
        "en": "No regulatory concentration ratios.",
    },
    "concentration.breaches": {
        "zh": "{count} 项指标超限：{names}。",
        "en": "{count} ratios breach their limit: {names}.",
    },
    "concentration.warnings": {
        "zh": "{count} 项指标达到预警线：{names}。",
        "en": "{count} ratios are at the warning level: {names}.",
    },
    "concentration.all_within": {
        "zh": "所有设有限额的指标均未超限。",
        "en": "Every ratio with a limit is within it.",
    },
    "concentration.list_separator": {"zh": "、", "en": ", "},
    "concentration.large": {"zh": "大额风险暴露", "en": "Large exposures"},
    "concentration.large_caption": {
        "zh": "风险暴露超过一级资本净额2.5%的客户和集团客户，按风险暴露从大到小排列。",
        "en": "Customers and connected groups whose exposure exceeds 2.5% of net tier-1 capital, "
        "largest first.",
    },
    "concentration.large_none": {
        "zh": "没有超过一级资本净额2.5%的风险暴露。",
        "en": "No exposure exceeds 2.5% of net tier-1 capital.",
    },
    "concentration.drill": {"zh": "客户与集团贷款明细", "en": "Loans of a customer or group"},
    "concentration.choose_counterparty": {
        "zh": "选择客户或集团",
        "en": "Choose a customer or group",
    },
    "concentration.choose_help": {
        "zh": "在上面的指标表或大额风险暴露表中选中一行，或在此选择。",
        "en": "Select a row in the ratios or large exposures table above, or pick one here.",
    },
    "concentration.counterparty_option": {"zh": "{kind} {id}", "en": "{kind} {id}"},
    "concentration.drill_count": {
        "zh": "{count} 笔贷款，贷款余额合计 {total} {currency}。",
        "en": "{count} loans, outstanding principal {total} {currency}.",
    },
    "concentration.drill_none": {
        "zh": "所选数据日期没有该客户或集团的贷款。",
        "en": "No loans of this customer or group at the selected as-of date.",
    },
    "concentration.indices": {"zh": "集中度指数", "en": "Concentration indices"},
    "concentration.dimension": {"zh": "维度", "en": "Dimension"},
    "concentration.dimension_level": {
        "zh": "{dimension}（第{level}级）",
        "en": "{dimension} (level {level})",
    },
    "concentration.indices_none": {
        "zh": "所选数据日期没有集中度指数。",
        "en": "No concentration indices at the selected as-of date.",
    },
    "concentration.lorenz": {"zh": "洛伦兹曲线", "en": "Lorenz curve"},
    "concentration.lorenz_caption": {
        "zh": "按风险暴露从小到大累计；虚线为完全均匀分布（45°线），曲线越偏离越集中。",
        "en": "Cumulated from the smallest exposure up; the dashed 45° line is an even spread, "
        "and the further the curve sags below it, the more concentrated the book.",
    },
    "concentration.trend": {"zh": "集中度趋势", "en": "Concentration trend"},
    "concentration.index.names": {"zh": "名称数", "en": "Names"},
    "concentration.index.total_exposure": {
        "zh": "风险暴露合计（{currency}）",
        "en": "Total exposure ({currency})",
    },
    "concentration.index.hhi": {"zh": "赫芬达尔指数（HHI）", "en": "HHI"},
    "concentration.index.hhi_normalised": {"zh": "标准化HHI", "en": "Normalised HHI"},
    "concentration.index.effective_names": {"zh": "有效名称数", "en": "Effective names"},
    "concentration.index.gini": {"zh": "基尼系数", "en": "Gini"},
    "concentration.index.gini_small_sample": {
        "zh": "基尼系数（小样本修正）",
        "en": "Gini (small-sample)",
    },
    "concentration.index.entropy": {"zh": "香农熵", "en": "Entropy"},
    "concentration.index.entropy_normalised": {"zh": "标准化熵", "en": "Normalised entropy"},
    "concentration.index.top_1_share": {"zh": "最大1名占比", "en": "Top-1 share"},
    "concentration.index.top_5_share": {"zh": "最大5名占比", "en": "Top-5 share"},
    "concentration.index.top_10_share": {"zh": "最大10名占比", "en": "Top-10 share"},
    "concentration.index.top_20_share": {"zh": "最大20名占比", "en": "Top-20 share"},
    "chart.cumulative_names": {"zh": "累计名称占比（%）", "en": "Cumulative share of names (%)"},
    "chart.cumulative_exposure": {
        "zh": "累计风险暴露占比（%）",
        "en": "Cumulative share of exposure (%)",
    },
    "chart.index_value": {"zh": "指数值", "en": "Index value"},
    "chart.index": {"zh": "指数", "en": "Index"},
    "col.light": {"zh": "信号", "en": "Light"},
    "col.ratio": {"zh": "指标", "en": "Ratio"},
    "col.basis": {"zh": "口径", "en": "Basis"},
    "col.counterparty": {"zh": "客户/集团", "en": "Counterparty"},
    "col.numerator": {"zh": "分子", "en": "Numerator"},
    "col.denominator": {"zh": "分母", "en": "Denominator"},
    "col.ratio_value": {"zh": "指标值", "en": "Value"},
    "col.limit_share": {"zh": "限额", "en": "Limit"},
    "col.headroom": {"zh": "剩余额度", "en": "Headroom"},
    "col.counterparty_type": {"zh": "类型", "en": "Type"},
    "col.counterparty_id": {"zh": "客户/集团编号", "en": "Counterparty"},
    "col.exposure": {"zh": "风险暴露", "en": "Exposure"},
    "col.share_of_net_tier1_capital": {
        "zh": "占一级资本净额比例",
        "en": "Share of net tier-1 capital",
    },
    "col.group_id": {"zh": "集团编号", "en": "Group"},
    "col.index_name": {"zh": "指数", "en": "Index"},
    "col.index_value": {"zh": "数值", "en": "Value"},
    "col.point": {"zh": "序号", "en": "Point"},
    "col.item": {"zh": "名称", "en": "Name"},
    "col.cumulative_name_share": {"zh": "累计名称占比", "en": "Cumulative share of names"},
    "col.cumulative_exposure_share": {
        "zh": "累计风险暴露占比",
        "en": "Cumulative share of exposure",
    },
    "col.hhi": {"zh": "赫芬达尔指数（HHI）", "en": "HHI"},
    "col.top_10_share": {"zh": "最大10名占比", "en": "Top-10 share"},
    "col.names": {"zh": "名称数", "en": "Names"},
    "concentration_status.within": {"zh": "未超限", "en": "within limit"},
    "concentration_status.warning": {"zh": "预警", "en": "warning"},
    "concentration_status.breach": {"zh": "超限", "en": "breach"},
    "concentration_status.reported": {"zh": "仅报告（无限额）", "en": "reported (no limit)"},
    "concentration_status.no_denominator": {
        "zh": "缺少资本数据",
        "en": "no capital data",
    },
    "ratio.single_customer_loans": {
        "zh": "单一客户贷款集中度",
        "en": "Single customer loans",
    },
    "ratio.single_group_credit": {
        "zh": "单一集团客户授信集中度",
        "en": "Single group credit",
    },
    "ratio.top_ten_customers_loans": {
        "zh": "最大十家客户贷款集中度",
        "en": "Top ten customers' loans",
    },
    "ratio.single_related_party_credit": {
        "zh": "单一关联方授信集中度",
        "en": "Single related party credit",
    },
    "ratio.all_related_parties_credit": {
        "zh": "全部关联方授信集中度",
        "en": "All related parties' credit",
    },
    "ratio.large_exposure_single": {
        "zh": "单一客户风险暴露",
        "en": "Large exposure: single customer",
    },
    "ratio.large_exposure_group": {
        "zh": "集团客户风险暴露",
        "en": "Large exposure: connected group",
    },
    "ratio.related_group_credit": {
        "zh": "单一关联方集团授信集中度",
        "en": "Single related group credit",
    },
    "ratio.large_exposure_interbank": {
        "zh": "同业单一客户风险暴露",
        "en": "Large exposure: interbank counterparty",
    },
    "ratio.real_estate_loans": {"zh": "房地产贷款占比", "en": "Real estate loans"},
    "ratio.personal_mortgages": {"zh": "个人住房贷款占比", "en": "Personal mortgages"},
    "basis.rmb_loans": {"zh": "人民币各项贷款", "en": "RMB loans"},
    "basis.loans": {"zh": "贷款余额", "en": "loans"},
    "basis.credit": {"zh": "授信", "en": "credit"},
    "basis.exposure": {"zh": "风险暴露", "en": "exposure"},
    "basis.net_capital": {"zh": "资本净额", "en": "net capital"},
    "basis.net_capital_prev_quarter": {
        "zh": "上季末资本净额",
        "en": "previous quarter-end net capital",
    },
    "basis.net_tier1_capital": {"zh": "一级资本净额", "en": "net tier-1 capital"},
    "basis.ratio": {"zh": "{numerator} ÷ {denominator}", "en": "{numerator} ÷ {denominator}"},
    "counterparty_type.customer": {"zh": "客户", "en": "Customer"},
    "counterparty_type.group": {"zh": "集团", "en": "Group"},
    "dimension.obligor": {"zh": "客户", "en": "Obligor"},
    "dimension.group": {"zh": "集团", "en": "Group"},
    "dimension.region": {"zh": "地区", "en": "Region"},
    "dimension.product": {"zh": "产品", "en": "Product"},
    "dimension.branch": {"zh": "经办机构", "en": "Branch"},
    "dimension.industry": {"zh": "行业", "en": "Industry"},
    # --- history (issue 7): trends, migration, roll rates, vintages (pages_/history.py) -----
    "nav.history": {"zh": "历史与迁徙", "en": "History & migration"},
    "history.title": {"zh": "历史趋势、迁徙与账龄分析", "en": "History, migration and vintages"},
    "history.subtitle": {
        "zh": "{name}（{id}）· 币种 {currency} · 历史日期 {first} 至 {last}，共 {count} 个",
        "en": "{name} ({id}) · currency {currency} · {count} history dates from {first} to {last}",
    },
    "history.no_data": {
        "zh": "该组合没有月末历史快照。",
        "en": "This portfolio has no month-end history.",
    },
    "history.trends": {"zh": "资产质量趋势", "en": "Asset quality trends"},
    "history.trends_caption": {
        "zh": "组合历史上的每个月末及交付日期，虚线为所选数据日期。逾期率按整笔贷款余额计（逾期天数"
        "达到各档下限的贷款全部余额 ÷ 贷款余额）；逾期金额占比只计已逾期的本金。",
        "en": "Every month-end and delivered date of the history; the dashed line is the chosen "
        "as-of date. Overdue ratios are on the whole-loan basis (the full balance of loans at or "
        "past each DPD threshold ÷ outstanding principal); the overdue-amount ratio counts "
        "past-due principal only.",
    },
    "history.series": {"zh": "指标", "en": "Measure"},
    "history.ratio_pct": {"zh": "比率（%）", "en": "Ratio (%)"},
    "history.coverage": {"zh": "拨备覆盖率", "en": "Provision coverage ratio"},
    "history.default_rate": {"zh": "12个月违约率", "en": "12-month default rate"},
    "history.default_rate_caption": {
        "zh": "当日正常履约的客户在其后12个月内逾期超过90天或进入不良的比例；"
        "其后12个月尚未全部观察到的日期留空。",
        "en": "Obligors performing at the date that became more than 90 days past due or "
        "non-performing within the next 12 months; blank until those 12 months are observed.",
    },
    "history.migration": {"zh": "五级分类迁徙矩阵", "en": "Migration matrix"},
    "history.migration_caption": {
        "zh": "期初在贷贷款（封闭样本，期间新发放的贷款不计）在期末的分类或结清、核销、处置状态；"
        "每行合计为100%。余额口径按期初余额加权。",
        "en": "Loans on the book at the start (a closed cohort: loans new in the period are left "
        "out) by their class or closing state at the end; each row sums to 100%. The balance "
        "basis weighs loans by their start balance.",
    },
    "history.migration_too_few": {
        "zh": "该组合只有一个历史日期，无法计算迁徙。",
        "en": "This portfolio has only one history date: there is nothing to migrate between.",
    },
    "history.matrix.from_date": {"zh": "期初日期", "en": "Start date"},
    "history.matrix.to_date": {"zh": "期末日期", "en": "End date"},
    "history.matrix.order": {
        "zh": "期初日期须早于期末日期。",
        "en": "The start date must be before the end date.",
    },
    "history.matrix.cohort": {
        "zh": "{start} 至 {end}：期初在贷 {loans} 笔。",
        "en": "{start} to {end}: {loans} loans on the book at the start.",
    },
    "history.matrix.from_class": {"zh": "期初分类", "en": "Start class"},
    "history.matrix.to_state": {"zh": "期末状态", "en": "End state"},
    "history.matrix.share": {"zh": "占比", "en": "Share"},
    "history.matrix.part.count": {"zh": "笔数", "en": "Loans"},
    "history.matrix.part.balance": {
        "zh": "期初余额（{currency}）",
        "en": "Start balance ({currency})",
    },
    "history.matrix.whole.count": {"zh": "期初笔数", "en": "Loans at start"},
    "history.matrix.whole.balance": {"zh": "期初余额", "en": "Balance at start"},
    "history.basis": {"zh": "口径", "en": "Basis"},
    "history.basis.count": {"zh": "笔数", "en": "Count"},
    "history.basis.balance": {"zh": "余额", "en": "Balance"},
    "history.basis.amount": {"zh": "金额（合同本金）", "en": "Amount (contract principal)"},
    "history.rates": {"zh": "监管迁徙率", "en": "Regulatory migration rates"},
    "history.rates_caption": {
        "zh": "迁徙率 = 期初该类贷款中向下迁徙的余额 ÷（期初该类余额 − 期间减少）；期间减少指期间"
        "结清、核销、处置的期初余额。分母为零时不计算（—）。",
        "en": "Migration rate = start balance of the class that moved down ÷ (start balance of "
        "the class − reduced in the period); reduced is the start balance repaid, written off "
        "or disposed of in the period. No rate (—) when the denominator is zero.",
    },
    "history.horizon": {"zh": "期间", "en": "Horizon"},
    "history.horizon.month": {"zh": "月", "en": "Month"},
    "history.horizon.quarter": {"zh": "季", "en": "Quarter"},
    "history.horizon.year": {"zh": "年", "en": "Year"},
    "history.rates_none": {
        "zh": "该组合的历史不足一个完整期间。",
        "en": "The portfolio's history does not span one full period of this horizon.",
    },
    "history.rate": {"zh": "迁徙率", "en": "Rate"},
    "history.rates_detail": {
        "zh": "分子、分母明细",
        "en": "Numerators and denominators",
    },
    "history.rolls": {"zh": "滚动率、治愈率与流转率", "en": "Roll, cure and flow rates"},
    "history.rolls_caption": {
        "zh": "月末到下一月末。滚动率与治愈率跟踪同一批贷款（期间结清的贷款留在分母中），余额口径按"
        "月初余额加权；流转率为总量口径：次月末下一档余额 ÷ 本月末该档余额，不跟踪贷款。",
        "en": "Month-end to the next month-end. Roll and cure rates track the same loans (loans "
        "closed in the month stay in the denominator), weighted by their start balance; the flow "
        "rate is aggregate: the next bucket at the next month-end ÷ this bucket now, not tracked.",
    },
    "history.rolls_none": {
        "zh": "该组合的历史不足两个月末。",
        "en": "The portfolio's history has fewer than two month-ends.",
    },
    "history.roll_month": {"zh": "月份", "en": "Month"},
    "history.roll_month_option": {"zh": "{start} → {end}", "en": "{start} → {end}"},
    "history.roll_trend": {"zh": "{start}→{end} 滚动率走势", "en": "{start}→{end} roll rate"},
    "history.roll_trend_none": {
        "zh": "历史中没有 {start} 档的贷款。",
        "en": "No loan was in bucket {start} in the history.",
    },
    "history.vintage": {"zh": "账龄分析（Vintage）", "en": "Vintage curves"},
    "history.vintage_caption": {
        "zh": "按放款月份或季度分组；账龄 = 放款月之后经过的月末数。累计比率为截至该账龄"
        "曾达到该状态的贷款占比；尚未观察到的单元格留空，不记为零。",
        "en": "Cohorts by origination month or quarter; months on book = month-ends since the "
        "origination month. Each rate is the cumulative share of the cohort that has ever "
        "reached the status by then; cells not yet observed are blank, not zero.",
    },
    "history.vintage_none": {
        "zh": "该组合没有账龄数据。",
        "en": "This portfolio has no vintage data.",
    },
    "history.vintage.granularity": {"zh": "分组", "en": "Cohorts by"},
    "history.vintage.granularity.quarter": {"zh": "放款季度", "en": "Quarter"},
    "history.vintage.granularity.month": {"zh": "放款月份", "en": "Month"},
    "history.vintage.metric": {"zh": "指标", "en": "Metric"},
    "history.vintage.metric.ever": {
        "zh": "曾逾期{days}天及以上",
        "en": "Ever {days}+ days past due",
    },
    "history.vintage.metric.default": {
        "zh": "违约（不良或核销）",
        "en": "Default (NPL or written off)",
    },
    "history.vintage.cohorts": {"zh": "放款批次", "en": "Cohorts"},
    "history.vintage.cohorts_help": {
        "zh": "默认显示最近 {count} 个批次。",
        "en": "The latest {count} cohorts by default.",
    },
    "history.vintage.no_cohort": {
        "zh": "请选择至少一个批次。",
        "en": "Choose at least one cohort.",
    },
    "history.vintage.rate_pct": {"zh": "{metric}（%）", "en": "{metric} (%)"},
    "history.vintage.mob": {"zh": "账龄（月）", "en": "Months on book"},
    "history.vintage.cohort": {"zh": "放款批次", "en": "Cohort"},
    "history.vintage.cohort_loans": {"zh": "笔数", "en": "Loans"},
    "history.vintage.cohort_principal": {"zh": "合同本金", "en": "Contract principal"},
    "history.vintage.mob_column": {"zh": "账龄{mob}", "en": "MOB {mob}"},
    "col.dpd_1_plus_ratio": {"zh": "逾期率（1天及以上）", "en": "Overdue ratio (DPD 1+)"},
    "col.dpd_31_plus_ratio": {"zh": "逾期率（31天及以上）", "en": "Overdue ratio (DPD 31+)"},
    "col.dpd_61_plus_ratio": {"zh": "逾期率（61天及以上）", "en": "Overdue ratio (DPD 61+)"},
    "col.dpd_91_plus_ratio": {"zh": "逾期率（91天及以上）", "en": "Overdue ratio (DPD 91+)"},
    "col.overdue_amount_ratio": {"zh": "逾期金额占比", "en": "Overdue-amount ratio"},
    "col.allowance": {"zh": "贷款损失准备", "en": "Loan-loss allowance"},
    "col.coverage_ratio": {"zh": "拨备覆盖率", "en": "Provision coverage ratio"},
    "col.performing_obligors": {"zh": "正常履约客户数", "en": "Performing obligors"},
    "col.defaulted_obligors_12m": {"zh": "12个月内违约客户数", "en": "Defaulted in 12 months"},
    "col.default_rate_12m": {"zh": "12个月违约率", "en": "12-month default rate"},
    "col.from_as_of_date": {"zh": "期初日期", "en": "Start date"},
    "col.to_as_of_date": {"zh": "期末日期", "en": "End date"},
    "col.migration_rate_pass": {"zh": "正常类迁徙率", "en": "Pass"},
    "col.migration_rate_special_mention": {"zh": "关注类迁徙率", "en": "Special Mention"},
    "col.migration_rate_substandard": {"zh": "次级类迁徙率", "en": "Substandard"},
    "col.migration_rate_doubtful": {"zh": "可疑类迁徙率", "en": "Doubtful"},
    "col.migration_rate_normal_loans": {"zh": "正常贷款迁徙率", "en": "Normal loans"},
    "col.rate_code": {"zh": "迁徙率指标", "en": "Rate"},
    "col.start_loans": {"zh": "期初笔数", "en": "Loans at start"},
    "col.start_balance": {"zh": "期初余额", "en": "Balance at start"},
    "col.reduced_balance": {"zh": "期间减少", "en": "Reduced in period"},
    "col.migrated_balance": {"zh": "向下迁徙余额", "en": "Migrated down"},
    "col.migration_rate": {"zh": "迁徙率", "en": "Migration rate"},
    "col.from_bucket": {"zh": "期初逾期分档", "en": "From bucket"},
    "col.to_bucket": {"zh": "去向逾期分档", "en": "To bucket"},
    "col.rate_kind": {"zh": "比率类型", "en": "Kind"},
    "col.numerator_loans": {"zh": "分子笔数", "en": "Numerator loans"},
    "col.denominator_loans": {"zh": "分母笔数", "en": "Denominator loans"},
    "col.count_rate": {"zh": "比率（笔数）", "en": "Rate (count)"},
    "col.numerator_balance": {"zh": "分子余额", "en": "Numerator balance"},
    "col.denominator_balance": {"zh": "分母余额", "en": "Denominator balance"},
    "col.balance_rate": {"zh": "比率（余额）", "en": "Rate (balance)"},
    "migration_state.pass": {"zh": "正常", "en": "Pass"},
    "migration_state.special_mention": {"zh": "关注", "en": "Special Mention"},
    "migration_state.substandard": {"zh": "次级", "en": "Substandard"},
    "migration_state.doubtful": {"zh": "可疑", "en": "Doubtful"},
    "migration_state.loss": {"zh": "损失", "en": "Loss"},
    "migration_state.repaid": {"zh": "已结清", "en": "Repaid"},
    "migration_state.written_off": {"zh": "已核销", "en": "Written off"},
    "migration_state.disposed": {"zh": "已处置", "en": "Disposed of"},
    "migration_rate.pass": {"zh": "正常类迁徙率", "en": "Pass migration rate"},
    "migration_rate.special_mention": {
        "zh": "关注类迁徙率",
        "en": "Special Mention migration rate",
    },
    "migration_rate.substandard": {"zh": "次级类迁徙率", "en": "Substandard migration rate"},
    "migration_rate.doubtful": {"zh": "可疑类迁徙率", "en": "Doubtful migration rate"},
    "migration_rate.normal_loans": {"zh": "正常贷款迁徙率", "en": "Normal loans migration rate"},
    "rate_kind.roll": {"zh": "滚动率（跟踪）", "en": "Roll rate (tracked)"},
    "rate_kind.cure": {"zh": "治愈率（转为未逾期，跟踪）", "en": "Cure rate (to current, tracked)"},
    "rate_kind.flow": {"zh": "流转率（总量，不跟踪）", "en": "Flow rate (aggregate, not tracked)"},
    # --- issue 9: login, amount units, exports, committee pack -------------------------------
    "sidebar.unit": {"zh": "金额单位", "en": "Amounts in"},
    "amount_unit.yuan": {"zh": "CNY", "en": "CNY"},
    "amount_unit.wan": {"zh": "万元", "en": "CNY 10k"},
    "amount_unit.yi": {"zh": "亿元", "en": "CNY 100m"},
    "amount_unit.one": {"zh": "{currency}", "en": "{currency}"},
    "amount_unit.thousand": {"zh": "千{currency}", "en": "{currency} thousand"},
    "amount_unit.million": {"zh": "百万{currency}", "en": "{currency} million"},
    "amount_unit.option.yuan": {"zh": "元", "en": "yuan"},
    "amount_unit.option.wan": {"zh": "万元", "en": "10 thousand yuan (万元)"},
    "amount_unit.option.yi": {"zh": "亿元", "en": "100 million yuan (亿元)"},
    "amount_unit.option.one": {"zh": "{currency}", "en": "{currency}"},
    "amount_unit.option.thousand": {"zh": "千{currency}", "en": "thousand {currency}"},
    "amount_unit.option.million": {"zh": "百万{currency}", "en": "million {currency}"},
    "export.csv": {"zh": "导出 CSV", "en": "CSV"},
    "export.xlsx": {"zh": "导出 XLSX", "en": "XLSX"},
    "export.amount_header": {"zh": "{header}（{unit}）", "en": "{header} ({unit})"},
    "login.title": {"zh": "登录", "en": "Sign in"},
    "login.user": {"zh": "用户名", "en": "User name"},
    "login.password": {"zh": "密码", "en": "Password"},
    "login.submit": {"zh": "登录", "en": "Sign in"},
    "login.failed": {"zh": "用户名或密码不正确。", "en": "Wrong user name or password."},
    "login.config_error": {
        "zh": "用户配置文件有误：{error}",
        "en": "The users file is not valid: {error}",
    },
    "login.demo_hint": {
        "zh": "当前使用演示用户（config/dashboard_users.demo.yaml）：committee / committee-demo、"
        "analyst / analyst-demo、officer / officer-demo。正式使用前请按 dashboard/README.md "
        "配置真实用户。",
        "en": "Demo users are in force (config/dashboard_users.demo.yaml): committee / "
        "committee-demo, analyst / analyst-demo, officer / officer-demo. Set up real users as "
        "dashboard/README.md says before real use.",
    },
    "login.signed_in": {
        "zh": "已登录：**{user}**（{role}，{scope}）",
        "en": "Signed in: **{user}** ({role}, {scope})",
    },
    "login.locked": {
        "zh": "该用户连续多次密码错误，已暂停登录 {minutes} 分钟。",
        "en": "Too many wrong passwords for this user: sign-in is paused for {minutes} minutes.",
    },
    "banner.branch_scope": {
        "zh": "  \n仅显示经办机构 **{branches}** 的贷款；"
        "全行口径的指标（集中度、拨备等）不向分支机构显示。",
        "en": "  \nOnly loans of branch **{branches}** are shown; bank-wide figures "
        "(concentration, provisions ...) are not shown to branch officers.",
    },
    "banner.masked": {
        "zh": "  \n脱敏副本：借款人名称和证件号码已脱敏。",
        "en": "  \nMasked copy: borrower names and id numbers are masked.",
    },
    "login.logout": {"zh": "退出登录", "en": "Sign out"},
    "login.all_branches": {"zh": "全部机构", "en": "all branches"},
    "role.committee": {"zh": "风险委员会", "en": "risk committee"},
    "role.analyst": {"zh": "分析员（脱敏数据）", "en": "analyst (masked data)"},
    "role.branch_officer": {"zh": "分支机构客户经理", "en": "branch officer"},
    "overview.chart_drill": {
        "zh": "点击柱形可只看该分档的贷款；在贷款明细中选中一行可打开贷款详情。",
        "en": "Click a bar to list that bucket's loans; select a loan in the table to open it.",
    },
    "overview.all_buckets": {"zh": "显示全部分档", "en": "Show every bucket"},
    "loan.borrower": {"zh": "借款人", "en": "Borrower"},
    "loan.borrower_masked": {
        "zh": "借款人名称和证件号码已脱敏（当前角色读取脱敏副本）。",
        "en": "Borrower names and id numbers are masked (this role reads the masked copy).",
    },
    "loan.borrower_logged": {
        "zh": "查看借款人名称和证件号码会记入访问日志（用户、时间）。",
        "en": "Viewing borrower names and id numbers is recorded in the access log (user, time).",
    },
    "loan.collateral": {"zh": "押品", "en": "Collateral"},
    "loan.collateral_total": {
        "zh": "{count} 件押品，最近评估价值合计 {total} {currency}。",
        "en": "{count} collateral items, latest appraised value {total} {currency} in all.",
    },
    "loan.guarantees": {"zh": "保证", "en": "Guarantees"},
    "col.borrower_name": {"zh": "借款人名称", "en": "Borrower name"},
    "col.id_number": {"zh": "证件号码", "en": "Id number"},
    "col.industry_scheme": {"zh": "行业分类标准", "en": "Industry scheme"},
    "col.industry_code": {"zh": "行业代码", "en": "Industry"},
    "col.region": {"zh": "地区", "en": "Region"},
    "col.internal_rating": {"zh": "内部评级", "en": "Internal rating"},
    "col.is_related_party": {"zh": "关联方", "en": "Related party"},
    "col.collateral_id": {"zh": "押品编号", "en": "Collateral"},
    "col.collateral_type": {"zh": "押品类型", "en": "Type"},
    "col.appraised_value": {"zh": "评估价值", "en": "Appraised value"},
    "col.appraisal_date": {"zh": "评估日期", "en": "Appraised on"},
    "col.guarantee_id": {"zh": "保证合同编号", "en": "Guarantee"},
    "col.guarantor_id": {"zh": "保证人编号", "en": "Guarantor"},
    "col.guarantor_name": {"zh": "保证人名称", "en": "Guarantor name"},
    "col.guaranteed_amount": {"zh": "保证金额", "en": "Amount guaranteed"},
    "col.guarantee_period_end": {"zh": "保证期间届满日", "en": "Guarantee ends"},
    "collateral_type.property": {"zh": "房产", "en": "property"},
    "collateral_type.land": {"zh": "土地", "en": "land"},
    "collateral_type.equipment": {"zh": "设备", "en": "equipment"},
    "collateral_type.receivables": {"zh": "应收账款", "en": "receivables"},
    "collateral_type.deposit": {"zh": "存单/保证金", "en": "deposit"},
    "collateral_type.securities": {"zh": "有价证券", "en": "securities"},
    "collateral_type.vehicle": {"zh": "车辆", "en": "vehicle"},
    "collateral_type.other": {"zh": "其他", "en": "other"},
    "classification.open_loan_placeholder": {
        "zh": "输入或选择贷款编号",
        "en": "Type or pick a loan id",
    },
    "classification.class_loans": {
        "zh": "{five_class}类贷款",
        "en": "Loans classed {five_class}",
    },
    "classification.distribution_drill": {
        "zh": "在右表中选中一个分类可列出该分类的贷款。",
        "en": "Select a class in the table to list its loans.",
    },
    "concentration.choose_placeholder": {
        "zh": "输入或选择客户、集团编号",
        "en": "Type or pick a customer or group",
    },
    "pack.download": {"zh": "下载委员会材料包（XLSX）", "en": "Committee pack (XLSX)"},
    "pack.help": {
        "zh": "所选组合与数据日期的关键表格，每张表一个工作表；金额按所选单位，精确到分。",
        "en": "The key tables of the chosen portfolio and as-of date, one sheet each; amounts in "
        "the chosen unit, exact.",
    },
    "pack.figure": {"zh": "项目", "en": "Figure"},
    "pack.unit": {"zh": "单位", "en": "Unit"},
    "pack.now": {"zh": "本期", "en": "This as-of date"},
    "pack.previous": {"zh": "上期", "en": "Previous as-of date"},
    "pack.change": {"zh": "变动", "en": "Change"},
    "pack.portfolio": {"zh": "资产组合", "en": "Portfolio"},
    "pack.currency": {"zh": "币种", "en": "Currency"},
    "pack.as_of": {"zh": "数据日期", "en": "As-of date"},
    "pack.previous_as_of": {"zh": "上一数据日期", "en": "Previous as-of date"},
    "pack.build": {"zh": "发布版本", "en": "Published build"},
    "pack.prepared_for": {"zh": "制表人", "en": "Prepared for"},
    "pack.prepared_at": {"zh": "制表时间", "en": "Prepared at"},
    "pack.unit_loans": {"zh": "笔", "en": "loans"},
    "pack.kpi.loans_outstanding": {"zh": "在贷笔数", "en": "Loans outstanding"},
    "pack.kpi.outstanding_principal": {"zh": "贷款余额", "en": "Outstanding principal"},
    "pack.kpi.overdue_principal": {
        "zh": "逾期本金（逾期天数>0）",
        "en": "Overdue principal (DPD>0)",
    },
    "pack.kpi.overdue_ratio": {"zh": "逾期率（逾期天数>0）", "en": "Overdue ratio (DPD>0)"},
    "pack.kpi.dpd90_principal": {"zh": "逾期90天以上本金", "en": "DPD>90 principal"},
    "pack.kpi.dpd90_ratio": {"zh": "逾期90天以上占比", "en": "DPD>90 share"},
    "pack.sheet.summary": {"zh": "概览", "en": "Summary"},
    "pack.sheet.buckets": {"zh": "逾期分档", "en": "DPD buckets"},
    "pack.sheet.classes": {"zh": "五级分类", "en": "Five-level classes"},
    "pack.sheet.ratios": {"zh": "监管集中度指标", "en": "Concentration ratios"},
    "pack.sheet.large": {"zh": "大额风险暴露", "en": "Large exposures"},
    "pack.sheet.loans": {"zh": "贷款明细", "en": "Loans"},
    # --- data quality page (docs/data-quality.md) ------------------------------------------
    "nav.quality": {"zh": "数据质量检查", "en": "Data quality checks"},
    "quality.title": {"zh": "数据质量检查", "en": "Data quality checks"},
    "quality.stopped": {
        "zh": "最近一次构建 {run} 未发布：{reason}。看板仍显示上一个合格版本 {build}。",
        "en": "The latest build {run} was not published: {reason}. The dashboard still shows "
        "the last good build {build}.",
    },
    "quality.checks": {"zh": "最近一次构建的检查", "en": "Checks of the latest build"},
    "quality.checks_failed_run": {
        "zh": "以下为未发布的最近一次构建的检查结果。",
        "en": "Results of the latest build, which was not published.",
    },
    "quality.checks_published": {
        "zh": "以下为当前发布版本的检查结果。",
        "en": "Results of the published build.",
    },
    "quality.no_checks": {
        "zh": "该版本没有检查结果（早于数据质量检查的版本）。",
        "en": "This build has no check results (it predates the data-quality checks).",
    },
    "quality.failures": {"zh": "未通过的检查与样例", "en": "Failures with samples"},
    "quality.no_failures": {
        "zh": "全部检查通过或跳过。",
        "en": "Every check passed or was skipped.",
    },
    "quality.observed": {"zh": "观测值：{value}", "en": "Observed: {value}"},
    "quality.rejects": {"zh": "按原因汇总的拒绝行", "en": "Rejected rows by reason"},
    "quality.freshness": {"zh": "数据时效", "en": "Freshness"},
    "quality.freshness_caption": {
        "zh": "各组合最新数据日期距本版本构建日的天数（阈值见 config/data_quality.yaml）。",
        "en": "Days from each portfolio's latest as-of date to the build date (threshold in "
        "config/data_quality.yaml).",
    },
    "quality.history": {"zh": "构建历史", "en": "Build history"},
    "quality.data_docs": {"zh": "GX 数据文档", "en": "GX data docs"},
    "quality.data_docs_none": {
        "zh": "尚未生成 Great Expectations 数据文档。",
        "en": "No Great Expectations data docs yet.",
    },
    "quality.data_docs_link": {
        "zh": "[打开 Great Expectations 数据文档]({url})（{path}）",
        "en": "[Open the Great Expectations data docs]({url}) ({path})",
    },
    "dq_status.passed": {"zh": "通过", "en": "passed"},
    "dq_status.failed": {"zh": "未通过", "en": "failed"},
    "dq_status.errored": {"zh": "执行出错", "en": "errored"},
    "dq_status.skipped": {"zh": "跳过", "en": "skipped"},
    "dq_severity.blocking": {"zh": "阻断发布", "en": "blocking"},
    "dq_severity.warning": {"zh": "警告", "en": "warning"},
    "col.asset": {"zh": "数据资产", "en": "Asset"},
    "col.check_name": {"zh": "检查", "en": "Check"},
    "col.severity": {"zh": "严重程度", "en": "Severity"},
    "col.observed_value": {"zh": "观测值", "en": "Observed"},
    "col.failing_count": {"zh": "不合格数", "en": "Failing"},
    "col.age_days": {"zh": "距构建日天数", "en": "Age (days)"},
}

# The industry limits page keeps its labels in one block of its own.
# Labels kept in other modules join here; one key never has two meanings.
assert not set(LABELS) & set(INDUSTRY_LABELS), set(LABELS) & set(INDUSTRY_LABELS)
LABELS.update(INDUSTRY_LABELS)


# The monitoring page's labels live in their own module (no key may be defined twice).
from dashboard.i18n_monitoring import MONITORING_LABELS  # noqa: E402

assert not MONITORING_LABELS.keys() & LABELS.keys(), MONITORING_LABELS.keys() & LABELS.keys()
LABELS.update(MONITORING_LABELS)

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
