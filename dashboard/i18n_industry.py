"""Labels of the industry limits page (行业限额与行业风险), in Chinese and English.

Kept in their own module so the page's labels are one block; ``dashboard.i18n`` merges them into
``LABELS`` (keys must not clash with the other pages').
"""

from __future__ import annotations

INDUSTRY_LABELS: dict[str, dict[str, str]] = {
    "nav.industry": {"zh": "行业限额与风险", "en": "Industry limits & risk"},
    "industry.title": {"zh": "行业限额与行业风险", "en": "Industry limits and industry risk"},
    "industry.subtitle": {
        "zh": "{name}（{id}）· 数据日期 {as_of} · 金额单位 {currency} · "
        "行业限额只计对公和小微客户，个人客户单列",
        "en": "{name} ({id}) · as of {as_of} · amounts in {currency} · industry limits count "
        "corporate and SME borrowers; individuals are reported apart",
    },
    "industry.no_data": {
        "zh": "所选数据日期没有行业数据。",
        "en": "No industry data for the selected as-of date.",
    },
    "industry.scheme": {"zh": "行业分类标准", "en": "Industry classification"},
    "industry.synthetic_limits": {
        "zh": "本组合的行业限额为演示用的合成数据（非任何银行的真实限额），仅供说明。",
        "en": "This portfolio's industry limits are an illustrative synthetic demonstration set, "
        "not any lender's real limits.",
    },
    # utilisation
    "industry.utilisation": {"zh": "限额使用率", "en": "Limit utilisation"},
    "industry.utilisation_caption": {
        "zh": "使用率 = 风险暴露 ÷ 限额；预警区间：{amber} 起为黄色预警，"
        "{red} 起为红色预警，{breach} 及以上为超限（规则 I3，可配置）。",
        "en": "Utilisation = exposure ÷ limit; bands: amber from {amber}, red from {red}, breach "
        "at {breach} and above (rule I3, configurable).",
    },
    "industry.no_limits": {
        "zh": "本组合没有在所选日期生效的行业限额。",
        "en": "No industry limit is in force for this portfolio on the selected date.",
    },
    "industry.breaches": {
        "zh": "{count} 个行业超限：{names}。",
        "en": "{count} industries breach their limit: {names}.",
    },
    "industry.reds": {
        "zh": "{count} 个行业处于红色预警：{names}。",
        "en": "{count} industries are in the red band: {names}.",
    },
    "industry.list_separator": {"zh": "、", "en": ", "},
    "industry.history": {"zh": "使用率变化", "en": "Utilisation over time"},
    "industry.history_caption": {
        "zh": "历史上每个月末（两次交付之间的月末由月末历史回溯重算）及每个交付数据日期；"
        "超限明细与审议清单只按交付数据日期编制。趋势：过去{months}个月末的最小二乘直线；"
        "预计触及限额月份为直线首次达到限额的月份。",
        "en": "Every month-end of the history (those between deliveries replayed by the "
        "month-end history) and every delivered as-of date; the breach and review lists are "
        "drawn up on delivered as-of dates only. Trend: least-squares line through the last "
        "{months} month-ends; the projected month is the first month the line reaches the "
        "limit.",
    },
    "col.is_delivered_as_of": {"zh": "交付数据日期", "en": "Delivered as-of date"},
    "industry.breach_list": {
        "zh": "超限明细：驱动超限的贷款与借款人",
        "en": "Breaches: the loans and borrowers behind them",
    },
    "industry.no_breaches": {
        "zh": "所选日期没有超限的行业限额。",
        "en": "No industry limit is breached on the selected date.",
    },
    # reviews
    "industry.reviews": {
        "zh": "行业审查清单（提交风险委员会）",
        "en": "Industries to review (for the risk committee)",
    },
    "industry.reviews_caption": {
        "zh": "触发条件为可配置参数（种子表 industry_review_triggers，规则 I4、J16）；"
        "每条列出证据和建议措施。",
        "en": "Triggers are configuration (seed industry_review_triggers, rules I4, J16); each "
        "row gives its evidence and the suggested action.",
    },
    "industry.no_reviews": {
        "zh": "所选日期没有触发行业审查。",
        "en": "No industry review is triggered on the selected date.",
    },
    "industry.evidence.npl_ratio_to_bank": {
        "zh": "不良贷款率 {industry} 为全行 {bank} 的 {ratio} 倍（阈值 ≥ {threshold} 倍），"
        "{obligors} 户，{period}",
        "en": "NPL ratio {industry} against the bank's {bank}: {ratio}x (trigger ≥ {threshold}x), "
        "{obligors} obligors, {period}",
    },
    "industry.evidence.default_rate_to_bank": {
        "zh": "{period} 年违约率 {industry} 为全部对公小微客户 {bank} 的 {ratio} 倍（阈"
              "值 ≥ {threshold} 倍），年初正常客户 {obligors} 户",
        "en": "Default rate {industry} in {period} against the book's {bank}: {ratio}x (trigger "
        "≥ {threshold}x), {obligors} performing obligors at the start of the year",
    },
    "industry.evidence.utilisation": {
        "zh": "风险暴露 {industry}，限额 {bank}，使用率 {ratio}（阈值 ≥ {threshold}），{period}",
        "en": "Exposure {industry} against limit {bank}: {ratio} of the limit (trigger ≥ "
        "{threshold}), {period}",
    },
    "industry.evidence.indicator_yoy_change": {
        "zh": "{period}：{industry}，上年 {bank}，同比 {ratio}（阈值 ≤ {threshold}）",
        "en": "{period}: {industry} against {bank} the year before, {ratio} (trigger ≤"
              " {threshold})",
    },
    "action.lower_grade": {
        "zh": "下调行业评级（政策档次）",
        "en": "Lower the industry grade (tier)",
    },
    "action.lower_limit": {"zh": "下调行业限额", "en": "Lower the limit"},
    "action.freeze_and_remediate": {
        "zh": "冻结新增敞口，报告风险委员会并制定整改计划",
        "en": "Freeze new exposure; report to the committee; remediation plan",
    },
    "trigger.npl_ratio_vs_bank": {"zh": "不良率≥全行2倍", "en": "NPL ratio vs bank"},
    "trigger.default_rate_vs_bank": {"zh": "违约率≥全行2倍", "en": "Default rate vs book"},
    "trigger.limit_breach": {"zh": "限额超限", "en": "Limit breach"},
    "trigger.indicator_decline": {"zh": "外部指标同比下降", "en": "External indicator decline"},
    # risk by year
    "industry.defaults": {"zh": "分行业、分年度违约率", "en": "Default rates by industry and year"},
    "industry.defaults_caption": {
        "zh": "违约率 = 当年有贷款核销的客户数 ÷ 年初正常客户数"
        "（年初有在贷余额且此前无核销），按最新一批数据计算。",
        "en": "Default rate = obligors with a loan written off in the year ÷ obligors performing "
        "at its start (a loan on book, none written off before), from the latest batch.",
    },
    "industry.level": {"zh": "行业层级", "en": "Industry level"},
    "industry.level_option": {"zh": "第{level}级", "en": "level {level}"},
    "industry.bank": {"zh": "全部对公小微客户", "en": "Whole business book"},
    "industry.no_defaults": {
        "zh": "没有可计算的违约率。",
        "en": "No default rate can be computed.",
    },
    "industry.risk_now": {"zh": "行业风险指标", "en": "Industry risk indicators"},
    # drill-down
    "industry.drill": {
        "zh": "逐级查看：行业 → 借款人 → 贷款",
        "en": "Drill down: industry → borrowers → loans",
    },
    "industry.choose_industry": {"zh": "选择行业", "en": "Choose an industry"},
    "industry.choose_borrower": {"zh": "选择借款人", "en": "Choose a borrower"},
    "industry.industry_option": {"zh": "{code} {name}", "en": "{code} {name}"},
    "industry.borrower_option": {"zh": "{id} {name}", "en": "{id} {name}"},
    "industry.drill_count": {
        "zh": "{count} 户借款人，风险暴露合计 {total} {currency}。",
        "en": "{count} borrowers, exposure {total} {currency}.",
    },
    "industry.loans_count": {
        "zh": "{count} 笔贷款，风险暴露合计 {total} {currency}。",
        "en": "{count} loans, exposure {total} {currency}.",
    },
    "band.green": {"zh": "绿色", "en": "green"},
    "band.amber": {"zh": "黄色预警", "en": "amber"},
    "band.red": {"zh": "红色预警", "en": "red"},
    "band.breach": {"zh": "超限", "en": "breach"},
    "trend.rising": {"zh": "上升", "en": "rising"},
    "trend.reached": {"zh": "已达限额", "en": "reached"},
    "trend.not_rising": {"zh": "未上升", "en": "not rising"},
    "trend.too_few_month_ends": {"zh": "月末数据不足", "en": "too few month-ends"},
    "trend.not_a_month_end": {"zh": "非月末", "en": "not a month-end"},
    "col.industry_name": {"zh": "行业名称", "en": "Industry name"},
    "col.industry_level": {"zh": "层级", "en": "Level"},
    "col.limit_amount": {"zh": "行业限额", "en": "Limit"},
    "col.utilisation": {"zh": "限额使用率", "en": "Utilisation"},
    "col.utilisation_text": {"zh": "限额使用率", "en": "Utilisation"},
    "col.npl_ratio_text": {"zh": "不良贷款率", "en": "NPL ratio"},
    "col.borrower_industry_code": {"zh": "借款人行业代码", "en": "Borrower's industry code"},
    "col.band": {"zh": "预警区间", "en": "Band"},
    "col.trend_status": {"zh": "趋势", "en": "Trend"},
    "col.projected_limit_month": {"zh": "预计触及限额月份", "en": "Projected to reach limit"},
    "col.limit_effective_from": {"zh": "限额生效日", "en": "Limit effective from"},
    "col.borrowers": {"zh": "借款人数", "en": "Borrowers"},
    "col.loans": {"zh": "贷款笔数", "en": "Loans"},
    "col.excess": {"zh": "超限金额", "en": "Excess"},
    "col.rank_in_industry": {"zh": "排名", "en": "Rank"},
    "col.share_text": {"zh": "占行业暴露比例", "en": "Share of industry"},
    "col.trigger_id": {"zh": "触发条件", "en": "Trigger"},
    "col.evidence_text": {"zh": "证据", "en": "Evidence"},
    "col.suggested_action": {"zh": "建议措施", "en": "Suggested action"},
    "col.year": {"zh": "年度", "en": "Year"},
    "col.defaulted_obligors": {"zh": "违约客户数", "en": "Defaulted"},
    "col.default_rate_text": {"zh": "违约率", "en": "Default rate"},
    "col.bank_default_rate_text": {"zh": "全部客户违约率", "en": "Book default rate"},
    "col.limit_exposure": {"zh": "对公小微风险暴露", "en": "Business exposure"},
    "col.individual_exposure": {"zh": "个人客户风险暴露", "en": "Individuals' exposure"},
    "col.npl_ratio_to_bank_text": {"zh": "与全行不良率之比", "en": "NPL ratio ÷ bank's"},
    "col.special_mention_text": {"zh": "关注类占比", "en": "Special Mention share"},
    "col.share_of_book_text": {"zh": "占贷款组合比例", "en": "Share of book"},
    "col.mapping": {"zh": "归类方式", "en": "Mapping"},
    "col.exposure_growth_text": {"zh": "风险暴露增长", "en": "Exposure growth"},
    "col.migration_text": {"zh": "向下迁徙率", "en": "Downward migration"},
    "industry.growth_caption": {
        "zh": "增长率与向下迁徙率相对于上一统计日 {previous}（规则 K1，各级合并）。",
        "en": "Growth and downward migration since the previous stock date {previous} (rule K1, "
        "classes pooled).",
    },
    "mapping.gbt": {"zh": "国标代码", "en": "GB/T code"},
    "mapping.crosswalk": {"zh": "NAICS对照映射", "en": "NAICS crosswalk"},
    "mapping.naics": {"zh": "NAICS代码", "en": "NAICS code"},
    "mapping.unmapped": {"zh": "未能映射", "en": "unmapped"},
    "mapping.no_industry": {"zh": "无行业", "en": "no industry"},
    "chart.utilisation": {"zh": "限额使用率（%）", "en": "Utilisation (%)"},
    "chart.default_rate": {"zh": "违约率（%）", "en": "Default rate (%)"},
    "chart.industry": {"zh": "行业", "en": "Industry"},
    "chart.year": {"zh": "年度", "en": "Year"},
}
