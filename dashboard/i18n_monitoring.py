"""Labels of the post-loan monitoring page (early warnings, watchlist, tasks), in Chinese and
English. Kept beside ``i18n.py`` and merged into its ``LABELS``; names follow the glossary
(风险预警信号, 观察名单, 贷后检查, 到期通知, 催收通知, 诉讼时效, 保证期间, 担保圈)."""

from __future__ import annotations

SIGNAL_NAMES: dict[str, tuple[str, str]] = {
    "J1": ("本金逾期", "Overdue principal"),
    "J2": ("欠息", "Interest arrears"),
    "J3": ("多次逾期", "Repeated delinquency"),
    "J4": ("临近到期且还款账户资金不足", "Upcoming maturity, no funds seen"),
    "J5": ("集中到期", "Maturity wall"),
    "J6": ("频繁展期、借新还旧或重组", "Frequent extension or refinancing"),
    "J7": ("展期超过法定期限", "Extension over the legal limit"),
    "J8": ("贷款价值比超限", "LTV breach"),
    "J9": ("押品价值下降", "Collateral value decline"),
    "J10": ("押品评估过期", "Stale appraisal"),
    "J11": ("保证人风险恶化", "Guarantor deterioration"),
    "J12": ("保证人对外担保超过净资产", "Guarantor over-extended"),
    "J13": ("互保、联保（担保圈）", "Mutual or chain guarantees"),
    "J14": ("保证期间即将届满", "Guarantee period about to lapse"),
    "J15": ("诉讼时效即将届满", "Limitation period about to lapse"),
    "J16": ("行业评级下调", "Industry downgrade"),
    "J17": ("他行不良或逾期", "Cross-bank stress"),
    "J18": ("五级分类下调", "Class downgrade"),
    "J19": ("还款账户流水下降", "Falling turnover in repayment account"),
    "J20": ("集中度超限", "Concentration breach"),
}

MONITORING_LABELS: dict[str, dict[str, str]] = {
    "nav.monitoring": {"zh": "贷后监测", "en": "Post-loan monitoring"},
    "monitoring.title": {"zh": "贷后监测：预警、观察名单与任务", "en": "Post-loan monitoring"},
    "monitoring.caption": {
        "zh": "风险预警信号的阈值、严重程度和应采取的措施见规则表 early_warning_rules；"
        "说明见 docs/monitoring.md。",
        "en": "Thresholds, severities and actions of the early-warning signals are in the rule "
        "table early_warning_rules; docs/monitoring.md explains them.",
    },
    "monitoring.watchlist": {"zh": "观察名单", "en": "Watchlist"},
    "monitoring.watchlist_caption": {
        "zh": "风险分值：客户及其贷款、押品、保证上触发的每类信号按最严重程度计一次"
        "（红色、黄色的分值为变量 watchlist_points_red / watchlist_points_amber，默认 3 和 1）；"
        "“分值构成”列写出每户的计算。",
        "en": "Severity score: each signal fired on the obligor, its loans, collateral or "
        "guarantees counts once at its worst severity (points per red and amber signal: vars "
        "watchlist_points_red / watchlist_points_amber, 3 and 1 by default); the score basis "
        "column spells out each sum.",
    },
    "monitoring.watchlist_counts": {
        "zh": "在列 {on} 户：新进入 {entered}，升级 {escalated}，移出 {cleared}。",
        "en": "{on} obligors on the list: {entered} entered, {escalated} escalated, "
        "{cleared} cleared.",
    },
    "monitoring.watchlist_none": {
        "zh": "所选数据日期没有客户在观察名单上。",
        "en": "No obligor is on the watchlist at this as-of date.",
    },
    "monitoring.choose_obligor": {"zh": "选择客户", "en": "Choose an obligor"},
    "monitoring.signals": {"zh": "客户的预警信号", "en": "Signals behind the obligor"},
    "monitoring.signals_none": {
        "zh": "该客户在所选数据日期没有触发预警信号。",
        "en": "No signal fired on this obligor at this as-of date.",
    },
    "monitoring.network": {"zh": "担保关系", "en": "Guarantee network"},
    "monitoring.network_caption": {
        "zh": "箭头由保证人指向被担保贷款的借款人；只显示未结清贷款的保证。",
        "en": "Arrows run from the guarantor to the borrower of the guaranteed loan; "
        "guarantees of outstanding loans only.",
    },
    "monitoring.network_none": {
        "zh": "该客户没有提供或接受保证。",
        "en": "This obligor neither gives nor receives guarantees.",
    },
    "monitoring.in_cycle": {
        "zh": "该客户属于担保圈 {cycle}（{size} 户）。",
        "en": "This obligor is in the guarantee circle {cycle} ({size} obligors).",
    },
    "monitoring.coverage": {"zh": "预警信号覆盖情况", "en": "Signal coverage"},
    "monitoring.coverage_missing": {
        "zh": "本组合缺少以下信号所需的数据：{signals}。",
        "en": "This portfolio lacks the data these signals need: {signals}.",
    },
    "monitoring.red_from": {"zh": "{rule}；红色 {red}", "en": "{rule}; red {red}"},
    "monitoring.per_entity_limit": {"zh": "{op} 各自的限额", "en": "{op} its own limit"},
    "monitoring.tasks": {"zh": "贷后任务", "en": "Post-loan tasks"},
    "monitoring.tasks_count": {
        "zh": "共 {count} 项，其中逾期 {overdue} 项。",
        "en": "{count} tasks, {overdue} overdue.",
    },
    "monitoring.tasks_none": {
        "zh": "没有符合筛选条件的任务。",
        "en": "No task matches the filters.",
    },
    "monitoring.filter_branch": {"zh": "经办机构", "en": "Branch"},
    "monitoring.filter_officer": {"zh": "客户经理", "en": "Loan officer"},
    "monitoring.filter_type": {"zh": "任务类型", "en": "Task type"},
    "monitoring.filter_status": {"zh": "状态", "en": "Status"},
    "monitoring.filter_due": {"zh": "到期日不晚于", "en": "Due on or before"},
    "monitoring.export": {"zh": "导出 CSV", "en": "Export CSV"},
    "monitoring.none_label": {"zh": "（未填）", "en": "(none)"},
    "col.signal_code": {"zh": "编号", "en": "Code"},
    "col.signal_label": {"zh": "预警信号", "en": "Signal"},
    "col.entity_type": {"zh": "对象类型", "en": "Entity type"},
    "col.entity_id": {"zh": "对象", "en": "Entity"},
    "col.value_text": {"zh": "指标值", "en": "Value"},
    "col.threshold_text": {"zh": "阈值", "en": "Threshold"},
    "col.first_seen": {"zh": "首次发现", "en": "First seen"},
    "col.action": {"zh": "应采取措施", "en": "Action"},
    "col.detail": {"zh": "说明", "en": "Detail"},
    "col.watch_level": {"zh": "级别", "en": "Level"},
    "col.severity_score": {"zh": "风险分值", "en": "Severity score"},
    "col.score_basis": {"zh": "分值构成", "en": "Score basis"},
    "col.watch_status": {"zh": "变动", "en": "Change"},
    "col.date_entered": {"zh": "列入日期", "en": "Date entered"},
    "col.task_type": {"zh": "任务", "en": "Task"},
    "col.days_to_due": {"zh": "距到期天数", "en": "Days to due"},
    "col.reference_date": {"zh": "起算日", "en": "Counted from"},
    "col.coverage_status": {"zh": "覆盖情况", "en": "Coverage"},
    "col.fires_when": {"zh": "触发条件", "en": "Fires when"},
    "col.missing_data": {"zh": "所需数据", "en": "Data needed"},
    "col.signals_fired": {"zh": "触发数", "en": "Fired"},
    "severity.amber": {"zh": "黄色", "en": "amber"},
    "severity.red": {"zh": "红色", "en": "red"},
    "watch_status.entered": {"zh": "新进入", "en": "entered"},
    "watch_status.escalated": {"zh": "升级", "en": "escalated"},
    "watch_status.de_escalated": {"zh": "降级", "en": "de-escalated"},
    "watch_status.unchanged": {"zh": "不变", "en": "unchanged"},
    "watch_status.cleared": {"zh": "移出", "en": "cleared"},
    "action.collection_notice": {"zh": "发送催收通知", "en": "collection notice"},
    "action.post_loan_check": {"zh": "贷后检查", "en": "post-loan check"},
    "action.maturity_notice": {"zh": "发送到期通知", "en": "maturity notice"},
    "action.reclassification_review": {"zh": "重新认定分类", "en": "reclassification review"},
    "action.collateral_revaluation": {"zh": "押品重估", "en": "collateral revaluation"},
    "action.guarantor_review": {"zh": "保证人复核", "en": "guarantor review"},
    "action.guarantee_claim": {"zh": "向保证人主张权利", "en": "claim on the guarantor"},
    "action.limit_review": {"zh": "限额复核", "en": "limit review"},
    "entity_type.loan": {"zh": "贷款", "en": "loan"},
    "entity_type.obligor": {"zh": "客户", "en": "obligor"},
    "entity_type.collateral": {"zh": "押品", "en": "collateral"},
    "entity_type.guarantee": {"zh": "保证", "en": "guarantee"},
    "entity_type.portfolio": {"zh": "组合", "en": "portfolio"},
    "entity_type.ratio": {"zh": "监管指标", "en": "ratio"},
    "entity_type.large_exposure_customer": {"zh": "大额风险暴露（客户）",
                                            "en": "large exposure (customer)"},
    "entity_type.large_exposure_group": {"zh": "大额风险暴露（集团）",
                                         "en": "large exposure (group)"},
    "task_type.maturity_notice": {"zh": "到期通知", "en": "maturity notice"},
    "task_type.collection_notice": {"zh": "催收通知", "en": "collection notice"},
    "task_type.post_loan_check": {"zh": "贷后检查", "en": "post-loan check"},
    "task_type.limitation_period": {"zh": "诉讼时效届满", "en": "limitation period ends"},
    "task_type.guarantee_claim": {"zh": "保证期间届满", "en": "guarantee period ends"},
    "task_status.open": {"zh": "待办", "en": "open"},
    "task_status.overdue": {"zh": "已超期", "en": "overdue"},
    "task_status.done": {"zh": "已完成", "en": "done"},
    "coverage_status.computed": {"zh": "已计算", "en": "computed"},
    "coverage_status.no_data": {"zh": "本组合无数据", "en": "no data in this portfolio"},
    "coverage_status.not_in_contract": {
        "zh": "数据规范未包含",
        "en": "not in the landing contract",
    },
    "coverage_status.not_wired": {"zh": "尚未接入", "en": "not yet wired"},
    **{f"signal.{code}": {"zh": zh, "en": en} for code, (zh, en) in SIGNAL_NAMES.items()},
}
