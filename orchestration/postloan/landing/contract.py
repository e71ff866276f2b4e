"""The landing contract: what a bank delivers, as data.

This module is the single source of truth for entity names, columns, types, units, Chinese header
aliases and accepted codes. The loader validates against it, the raw tables are created from it, and
``docs/landing-contract.md`` describes the same thing in words (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column types. Money is exact: DECIMAL(18, 2) in DuckDB (64-bit: 16 digits before the point, far
# above any amount a loan file carries; the loader parses amounts through that width anyway),
# decimal.Decimal in Python. A wider decimal is stored as a 128-bit integer, and DuckDB sums those
# some hundred times slower: summing 36 million installments took 9.7 s as DECIMAL(20, 2) and
# 0.1 s as DECIMAL(18, 2) (docs/benchmarks.md). Reporting tables give amounts DECIMAL(20, 2).
TEXT = "text"
DATE = "date"
MONEY = "money"
RATE = "rate"
INTEGER = "integer"
NUMBER = "number"
BOOLEAN = "boolean"
CODE = "code"

SQL_TYPES = {
    TEXT: "VARCHAR",
    DATE: "DATE",
    MONEY: "DECIMAL(18,2)",
    RATE: "DECIMAL(12,6)",
    INTEGER: "INTEGER",
    NUMBER: "DECIMAL(24,6)",
    BOOLEAN: "BOOLEAN",
    CODE: "VARCHAR",
}

# Largest number of decimal places accepted for each numeric type. More places are rejected rather
# than rounded, so no amount is changed on the way in.
MAX_SCALE = {MONEY: 2, RATE: 6, NUMBER: 6, INTEGER: 0}

PROVENANCES = ("real", "derived", "synthetic")

TRUE_WORDS = ("true", "t", "yes", "y", "1", "是", "有")
FALSE_WORDS = ("false", "f", "no", "n", "0", "否", "无")


# The columns of raw.rejects (one row per broken rule of a quarantined record).
REJECT_COLUMNS = ("batch_id", "entity", "source_file", "line_number", "column_name", "rule",
                  "reason", "raw_value", "raw_record")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str
    unit: str = ""
    aliases: tuple[str, ...] = ()
    # For CODE columns: accepted code -> extra spellings (Chinese labels, common variants).
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    personal: bool = False
    nonnegative: bool = False


@dataclass(frozen=True)
class Reference:
    column: str
    entity: str
    target_column: str
    optional: bool = False


@dataclass(frozen=True)
class Entity:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    # Reference entities describe industries rather than the portfolio's loans.
    reference_data: bool = False
    # Optional entities may be left out of a manifest; they then count as absent ("none").
    optional: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


PROVENANCE = Column(
    "provenance", CODE, False,
    "Where the row comes from; the manifest's default when the file has no such column or the cell "
    "is empty.",
    aliases=("数据来源", "来源标识"),
    codes={"real": ("真实",), "derived": ("推导", "派生"), "synthetic": ("合成", "模拟")},
)

FIVE_CLASS_CODES = {
    "pass": ("正常", "Pass"),
    "special_mention": ("关注", "Special Mention"),
    "substandard": ("次级", "Substandard"),
    "doubtful": ("可疑", "Doubtful"),
    "loss": ("损失", "Loss"),
}

BORROWERS = Entity(
    "borrowers",
    "One row per obligor (borrower or guarantor) known to the bank.",
    (
        Column("borrower_id", TEXT, True, "Obligor identifier, unique within the batch.",
               aliases=("借款人编号", "客户编号", "客户号")),
        Column("borrower_name", TEXT, True, "Legal or personal name.",
               aliases=("借款人名称", "客户名称"), personal=True),
        Column("id_number", TEXT, False,
               "Unified social credit code or personal id number.",
               aliases=("证件号码", "统一社会信用代码"), personal=True),
        Column("borrower_type", CODE, True, "Customer segment.", aliases=("客户类型",),
               codes={"corporate": ("对公", "公司", "企业", "大中型企业"),
                      "sme": ("小微", "小微企业", "中小企业", "SME"),
                      "retail": ("个人", "零售", "个人客户"),
                      "bank": ("银行", "同业", "金融同业")}),
        Column("group_id", TEXT, False, "Group customer (集团客户) the obligor belongs to.",
               aliases=("集团编号", "集团客户编号")),
        Column("industry_scheme", CODE, False, "Scheme of industry_code.",
               aliases=("行业分类标准",),
               codes={"GB/T 4754-2017": ("GB/T4754-2017", "GBT4754-2017"),
                      "NAICS 2017": ("NAICS2017",), "NAICS 2007": ("NAICS2007",)}),
        Column("industry_code", TEXT, False, "Industry code in industry_scheme.",
               aliases=("行业代码",)),
        Column("region", TEXT, False, "Region, province or state.", aliases=("地区", "所在地区")),
        Column("internal_rating", TEXT, False, "The bank's internal rating grade.",
               aliases=("内部评级", "客户评级")),
        Column("is_related_party", BOOLEAN, False, "Related party (关联方) of the bank.",
               aliases=("关联方标识", "是否关联方")),
        Column("net_assets", MONEY, False, "Net assets (所有者权益), used for guarantors.",
               unit="currency units", aliases=("净资产", "所有者权益")),
        Column("bureau_total_debt", MONEY, False,
               "Credit bureau: debts at all banks.", unit="currency units",
               aliases=("征信负债总额",), nonnegative=True),
        Column("bureau_debt_over_90dpd", MONEY, False,
               "Credit bureau: of which more than 90 days overdue.", unit="currency units",
               aliases=("征信逾期90天以上金额",), nonnegative=True),
        Column("bureau_npl_elsewhere", BOOLEAN, False,
               "Credit bureau: non-performing debt at another bank.", aliases=("他行不良标识",)),
        PROVENANCE,
    ),
    key=("borrower_id",),
)

LOANS = Entity(
    "loans",
    "One row per loan (借据) ever disbursed and not yet purged, including closed and written-off "
    "loans so that history can be rebuilt.",
    (
        Column("loan_id", TEXT, True, "Loan identifier, unique within the batch.",
               aliases=("贷款编号", "借据号", "借据编号")),
        Column("borrower_id", TEXT, True, "The obligor; must be in borrowers.",
               aliases=("借款人编号", "客户编号")),
        Column("product", TEXT, True, "Product name or code.", aliases=("产品", "贷款产品")),
        Column("currency", TEXT, False, "ISO 4217 code; the manifest's currency when empty.",
               aliases=("币种",)),
        Column("contract_amount", MONEY, True, "Contract (disbursed) principal.",
               unit="currency units", aliases=("合同金额", "贷款金额"), nonnegative=True),
        Column("credit_limit", MONEY, False, "Credit line the loan draws on.",
               unit="currency units", aliases=("授信额度",), nonnegative=True),
        Column("undrawn_amount", MONEY, False, "Undrawn committed amount.",
               unit="currency units", aliases=("未提款金额", "未用额度"), nonnegative=True),
        Column("disbursement_date", DATE, True, "Date the money was paid out.",
               aliases=("放款日期", "发放日期")),
        Column("maturity_date", DATE, True, "Current maturity (after any extension).",
               aliases=("到期日期", "到期日")),
        Column("original_maturity_date", DATE, False, "Maturity at origination.",
               aliases=("原到期日期", "原到期日")),
        Column("interest_rate", RATE, False, "Contract interest rate.", unit="% per year",
               aliases=("年利率", "执行利率"), nonnegative=True),
        Column("repayment_method", CODE, False, "How the loan amortises.",
               aliases=("还款方式",),
               codes={"level_payment": ("等额本息",), "level_principal": ("等额本金",),
                      "interest_only": ("按期付息到期还本", "先息后本"),
                      "bullet": ("到期一次还本付息", "一次性还本付息"), "other": ("其他",)}),
        Column("guarantee_type", CODE, True, "Main form of security.", aliases=("担保方式",),
               codes={"credit": ("信用",), "guaranteed": ("保证",), "mortgage": ("抵押",),
                      "pledge": ("质押",)}),
        Column("purpose", TEXT, False, "Loan purpose.", aliases=("贷款用途", "用途")),
        Column("branch", TEXT, False, "Booking branch or lender.", aliases=("经办机构", "经办行")),
        Column("officer", TEXT, False, "Responsible loan officer.", aliases=("客户经理",)),
        Column("judgmental_class", CODE, False, "Five-level class the bank assigned.",
               aliases=("五级分类", "人工分类"), codes=FIVE_CLASS_CODES),
        Column("is_credit_impaired", BOOLEAN, False,
               "The bank's own credit-impaired (Stage 3) judgement.", aliases=("信用减值标识",)),
        Column("ecl_amount", MONEY, False, "Expected credit loss the bank booked.",
               unit="currency units", aliases=("预期信用损失", "减值准备"), nonnegative=True),
        Column("reported_status", TEXT, False,
               "Delinquency status as the source system reports it (for example LendingClub's "
               "loan_status), kept beside the computed DPD so the two can be reconciled.",
               aliases=("源系统状态", "报送状态")),
        PROVENANCE,
    ),
    key=("loan_id",),
    references=(Reference("borrower_id", "borrowers", "borrower_id"),),
)

REPAYMENT_SCHEDULE = Entity(
    "repayment_schedule",
    "One row per installment of each loan's contractual schedule.",
    (
        Column("loan_id", TEXT, True, "The loan.", aliases=("贷款编号", "借据号")),
        Column("installment_no", INTEGER, True, "Installment number, 1 = first.",
               aliases=("期次", "期数"), nonnegative=True),
        Column("due_date", DATE, True, "Contractual due date.", aliases=("应还日期", "到期日期")),
        Column("principal_due", MONEY, True, "Principal due on that date.",
               unit="currency units", aliases=("应还本金",), nonnegative=True),
        Column("interest_due", MONEY, True, "Interest due on that date.",
               unit="currency units", aliases=("应还利息",), nonnegative=True),
        PROVENANCE,
    ),
    key=("loan_id", "installment_no"),
    references=(Reference("loan_id", "loans", "loan_id"),),
)

PAYMENTS = Entity(
    "payments",
    "One row per payment received.",
    (
        Column("payment_id", TEXT, True, "Payment identifier, unique within the batch.",
               aliases=("还款流水号", "交易流水号")),
        Column("loan_id", TEXT, True, "The loan.", aliases=("贷款编号", "借据号")),
        Column("payment_date", DATE, True, "Value date of the payment.",
               aliases=("实还日期", "还款日期")),
        Column("principal_paid", MONEY, True, "Principal received.", unit="currency units",
               aliases=("实还本金",), nonnegative=True),
        Column("interest_paid", MONEY, True, "Interest received.", unit="currency units",
               aliases=("实还利息",), nonnegative=True),
        Column("penalty_paid", MONEY, False, "Penalty interest and fees received.",
               unit="currency units", aliases=("实还罚息",), nonnegative=True),
        PROVENANCE,
    ),
    key=("payment_id",),
    references=(Reference("loan_id", "loans", "loan_id"),),
)

EVENT_TYPES = {
    "restructuring": ("重组",),
    "extension": ("展期",),
    "refinancing": ("借新还旧",),
    "write_off": ("核销",),
    "recovery": ("核销后收回", "收回"),
    "disposal": ("处置", "转让"),
    "technical_delay": ("技术性逾期",),
    "unauthorised_use_change": ("挪用", "改变用途"),
    "bankruptcy": ("破产", "破产清算"),
    "collection_demand": ("催收", "催收通知"),
    "post_loan_check": ("贷后检查",),
}

LOAN_EVENTS = Entity(
    "loan_events",
    "Things that happened to a loan besides scheduled repayment.",
    (
        Column("event_id", TEXT, False, "Event identifier; line-derived when empty.",
               aliases=("事件编号",)),
        Column("loan_id", TEXT, True, "The loan.", aliases=("贷款编号", "借据号")),
        Column("event_date", DATE, True, "Date the event took effect.", aliases=("事件日期",)),
        Column("event_type", CODE, True, "What happened.", aliases=("事件类型",),
               codes=EVENT_TYPES),
        Column("amount", MONEY, False, "Amount involved (written off, recovered, disposed).",
               unit="currency units", aliases=("金额",), nonnegative=True),
        Column("new_maturity_date", DATE, False, "For extensions and restructurings.",
               aliases=("新到期日期",)),
        Column("note", TEXT, False, "Free text.", aliases=("备注", "说明")),
        PROVENANCE,
    ),
    key=("event_id",),
    references=(Reference("loan_id", "loans", "loan_id"),),
)

COLLATERAL = Entity(
    "collateral",
    "One row per appraisal of each collateral item (several rows over time per item).",
    (
        Column("collateral_id", TEXT, True, "Collateral identifier.", aliases=("押品编号",)),
        Column("loan_id", TEXT, True, "The loan it secures.", aliases=("贷款编号", "借据号")),
        Column("collateral_type", CODE, True, "Kind of asset.", aliases=("押品类型",),
               codes={"property": ("房产", "房地产"), "land": ("土地",), "equipment": ("设备",),
                      "receivables": ("应收账款",), "deposit": ("存单", "保证金"),
                      "securities": ("有价证券", "股权"), "vehicle": ("车辆",),
                      "other": ("其他",)}),
        Column("appraised_value", MONEY, True, "Appraised value.", unit="currency units",
               aliases=("评估价值",), nonnegative=True),
        Column("appraisal_date", DATE, True, "Date of the appraisal.", aliases=("评估日期",)),
        PROVENANCE,
    ),
    key=("collateral_id", "appraisal_date"),
    references=(Reference("loan_id", "loans", "loan_id"),),
)

GUARANTEES = Entity(
    "guarantees",
    "One row per guarantee (保证) given for a loan.",
    (
        Column("guarantee_id", TEXT, True, "Guarantee contract identifier.",
               aliases=("保证合同编号", "担保编号")),
        Column("loan_id", TEXT, True, "The loan guaranteed.", aliases=("贷款编号", "借据号")),
        Column("guarantor_id", TEXT, True,
               "The guarantor; a borrower_id when the guarantor is also in borrowers.",
               aliases=("保证人编号", "担保人编号")),
        Column("guaranteed_amount", MONEY, True, "Amount guaranteed.", unit="currency units",
               aliases=("担保金额",), nonnegative=True),
        Column("guarantee_period_end", DATE, False,
               "End of the guarantee period; empty = six months after the main debt's maturity.",
               aliases=("保证期间截止日",)),
        PROVENANCE,
    ),
    key=("guarantee_id",),
    references=(Reference("loan_id", "loans", "loan_id"),),
)

INDUSTRIES = Entity(
    "industries",
    "Industry classification trees (GB/T 4754-2017, NAICS).",
    (
        Column("scheme", CODE, True, "Classification scheme.", aliases=("分类标准",),
               codes={"GB/T 4754-2017": ("GB/T4754-2017",), "NAICS 2017": ("NAICS2017",),
                      "NAICS 2007": ("NAICS2007",), "NAICS 2022": ("NAICS2022",)}),
        Column("code", TEXT, True, "Code within the scheme.", aliases=("行业代码",)),
        Column("name", TEXT, True, "Name in the scheme's own language.", aliases=("行业名称",)),
        Column("name_en", TEXT, False, "English name, where known.", aliases=("英文名称",)),
        Column("parent_code", TEXT, False, "Parent code; empty at the top level.",
               aliases=("上级代码",)),
        Column("level", INTEGER, True,
               "Depth: GB/T 4754 0 门类 .. 3 小类; NAICS 2 to 6 digits as 0..4.",
               aliases=("层级",), nonnegative=True),
        PROVENANCE,
    ),
    key=("scheme", "code"),
    reference_data=True,
)

INDUSTRY_INDICATORS = Entity(
    "industry_indicators",
    "External industry indicators (charge-off rates, growth, policy tiers).",
    (
        Column("scheme", CODE, True, "Scheme of code.", aliases=("分类标准",),
               codes=INDUSTRIES.column("scheme").codes),
        Column("code", TEXT, True, "Industry code, or a scheme-level total such as 'ALL'.",
               aliases=("行业代码",)),
        Column("period", TEXT, True, "Period: YYYY, YYYY-Qn or YYYY-MM.", aliases=("期间",)),
        Column("indicator", TEXT, True, "Indicator name.", aliases=("指标名称",)),
        Column("value", NUMBER, False, "Value; empty when the source suppressed it.",
               aliases=("指标值",)),
        Column("unit", TEXT, False, "Unit of value.", aliases=("单位",)),
        Column("source", TEXT, True, "Publisher and table.", aliases=("数据来源机构",)),
        PROVENANCE,
    ),
    key=("scheme", "code", "period", "indicator", "source"),
    reference_data=True,
)

INDUSTRY_LIMITS = Entity(
    "industry_limits",
    "The bank's industry limits (行业限额), effective dated.",
    (
        Column("scheme", CODE, True, "Scheme of code.", aliases=("分类标准",),
               codes=INDUSTRIES.column("scheme").codes),
        Column("code", TEXT, True, "Industry code the limit applies to.", aliases=("行业代码",)),
        Column("level", INTEGER, True, "Level of code in its tree.", aliases=("层级",),
               nonnegative=True),
        Column("limit_amount", MONEY, True, "Limit.", unit="currency units",
               aliases=("限额",), nonnegative=True),
        Column("effective_from", DATE, True, "First day the limit applies.",
               aliases=("生效日期",)),
        PROVENANCE,
    ),
    key=("scheme", "code", "effective_from"),
)

CLASSIFICATION_OVERRIDES = Entity(
    "classification_overrides",
    "Manual five-level classifications the bank approved, kept whole as an audit trail: the "
    "latest one approved on or before the as-of date is a loan's base class. An override can "
    "never sit below a hard floor; the attempt is reported.",
    (
        Column("loan_id", TEXT, True, "The loan.", aliases=("贷款编号", "借据号")),
        Column("override_class", CODE, True, "The class approved.",
               aliases=("认定分类", "调整后分类"),
               codes=FIVE_CLASS_CODES),
        Column("reason", TEXT, True, "Why.", aliases=("调整原因", "认定理由")),
        Column("approver", TEXT, True, "Who approved it.", aliases=("审批人",)),
        Column("approved_on", DATE, True, "Approval date.", aliases=("审批日期",)),
        PROVENANCE,
    ),
    key=("loan_id", "approved_on"),
    references=(Reference("loan_id", "loans", "loan_id"),),
    optional=True,
)

ENTITIES: tuple[Entity, ...] = (
    BORROWERS, LOANS, REPAYMENT_SCHEDULE, PAYMENTS, LOAN_EVENTS, COLLATERAL, GUARANTEES,
    INDUSTRIES, INDUSTRY_INDICATORS, INDUSTRY_LIMITS, CLASSIFICATION_OVERRIDES,
)
ENTITY_BY_NAME = {e.name: e for e in ENTITIES}


def header_lookup(entity: Entity) -> dict[str, str]:
    """Map every accepted header spelling (case- and space-insensitive) to the column name."""
    lookup: dict[str, str] = {}
    for col in entity.columns:
        for spelling in (col.name, *col.aliases):
            lookup[normalise_header(spelling)] = col.name
    return lookup


def normalise_header(text: str) -> str:
    return "".join(str(text).replace("\ufeff", "").split()).lower()


def code_lookup(column: Column) -> dict[str, str]:
    """Map every accepted spelling of a code (case-insensitive) to the code itself."""
    lookup: dict[str, str] = {}
    for code, spellings in column.codes.items():
        for spelling in (code, *spellings):
            lookup[spelling.strip().lower()] = code
    return lookup
