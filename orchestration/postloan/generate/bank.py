"""The demonstration bank as numpy arrays: borrowers, loans, and installments in chunks.

All amounts are integer cents (int64) and all dates whole days since 1970-01-01 (int64), so that
every figure is exact and the arithmetic vectorises. Randomness is drawn only at borrower and
loan level, from streams spawned off the seed in a fixed order; installment rows are a pure
function of their loan, so they can be produced in chunks of loans without changing a byte.

How loans behave (one fate per loan; the rules and rates are stated in docs/demo-bank.md):

* on time: every installment paid on its due date;
* late payer: every installment paid 1-20 days late (the 1-30 DPD bucket, with penalty interest);
* cure: installments j .. j+m-1 (m 1-3) missed and paid together on the due date of j+m;
* default: nothing paid from installment k on; written off 420 days after that due date, and
  a quarter of written-off loans recover 10-30% six months later;
* restructuring (a borrower in difficulty): installments r-2 and r-1 paid 25 days after r-1 fell
  due, the installments from r on deferred by 6 or 12 months (new maturity);
* extension (a performing corporate or SME bullet loan): the final installment deferred by 6 or
  12 months;
* prepayment: the whole remaining principal paid with installment p, the schedule ending there.

The bank depends on its size and seed only, never on the snapshot dates asked for: its loans are
disbursed over the six years before ``BOOK_END`` and a snapshot (any date up to ``BOOK_END``)
shows what was known on its date. A loan's schedule is the same in every snapshot: one that is
prepaid, restructured or extended later than a snapshot already shows the changed schedule there
(its events and payments, of course, only from their dates on).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from postloan.generate.calibration import GRADES, Calibration

EPOCH = np.datetime64("1970-01-01", "D")
BOOK_END = np.datetime64("2026-12-31", "D")  # the last date a snapshot can be taken
NEVER = np.int64(1 << 40)  # "not paid": a day number later than any date

SIZES = {"XS": 300, "S": 20_000, "M": 100_000, "L": 1_000_000}

# [P] Book structure by loan count: segment, product, share, repayment method, terms (months).
PRODUCTS = (
    # name, segment, share, method, terms
    ("retail_consumer", "retail", 0.60, "level_payment", None),  # terms from LendingClub
    ("retail_mortgage", "retail", 0.05, "level_payment", (60, 120)),
    ("retail_business", "retail", 0.10, "level_principal", (12, 24, 36)),
    ("sme_working_capital", "sme", 0.19, "interest_only", (12, 24)),
    ("corporate_working_capital", "corporate", 0.03, "interest_only", (12, 24, 36)),
    ("corporate_fixed_asset", "corporate", 0.03, "level_principal", (60, 84)),
)
PRODUCT_NAMES = tuple(p[0] for p in PRODUCTS)
SEGMENTS = ("corporate", "sme", "retail")
METHODS = ("level_payment", "level_principal", "interest_only")
GUARANTEE_TYPES = ("credit", "guaranteed", "mortgage", "pledge")
PURPOSES = {
    "retail_consumer": "个人消费", "retail_mortgage": "购买自住住房",
    "retail_business": "个人经营周转", "sme_working_capital": "小微企业经营周转",
    "corporate_working_capital": "流动资金周转", "corporate_fixed_asset": "固定资产投资",
}
# Security by product: shares of credit, guaranteed, mortgage, pledge.
SECURITY = {
    "retail_consumer": (1.0, 0.0, 0.0, 0.0),
    "retail_mortgage": (0.0, 0.0, 1.0, 0.0),
    "retail_business": (0.0, 0.0, 1.0, 0.0),
    "sme_working_capital": (0.15, 0.50, 0.35, 0.0),
    "corporate_working_capital": (0.30, 0.35, 0.25, 0.10),
    "corporate_fixed_asset": (0.20, 0.30, 0.40, 0.10),
}
# Amounts in yuan (lognormal: median, sigma, floor, cap); retail consumer from LendingClub.
AMOUNTS = {
    "retail_mortgage": (900_000, 0.5, 200_000, 5_000_000),
    "retail_business": (300_000, 0.6, 50_000, 3_000_000),
    "sme_working_capital": (1_500_000, 0.8, 100_000, 10_000_000),
    "corporate_working_capital": (8_000_000, 0.9, 1_000_000, 300_000_000),
    "corporate_fixed_asset": (15_000_000, 0.9, 2_000_000, 500_000_000),
}
# Rates in hundredths of a percent: [low, high) uniform; retail consumer priced off LendingClub.
RATES = {
    "retail_mortgage": (355, 420), "retail_business": (380, 600),
    "sme_working_capital": (360, 650), "corporate_working_capital": (310, 520),
    "corporate_fixed_asset": (320, 500),
}
# [P] Retail consumer rate = the one-year LPR (3.45%, PBOC, 2024-10 onwards) plus half of the
# LendingClub rate's excess over its lowest rate: CNY consumer credit is priced far below US.
LPR_1Y_BP = 345
USD_CNY = 7  # [P] LendingClub USD amounts taken to yuan at 7 CNY per USD, rounded to 100 yuan
# [P] Ratings of corporate and SME borrowers (grade index 0-6 = the LendingClub grades A-G).
CORPORATE_RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC")
CORPORATE_GRADE_MIX = (0.22, 0.33, 0.25, 0.12, 0.05, 0.02, 0.01)
SME_GRADE_MIX = (0.08, 0.22, 0.30, 0.22, 0.11, 0.05, 0.02)
# [P] Annual default probability of a grade-average, industry-average borrower, per segment;
# tuned so that the NPL ratio by balance lands in 1.5-2% (measured figures: docs/demo-bank.md).
BASE_PD = {"corporate": 0.0065, "sme": 0.013, "retail": 0.016}
FATES = {"late": 0.03, "cure": 0.03, "restructure": 0.006, "extension": 0.05, "prepay_retail":
         0.25, "prepay_other": 0.08}
WRITE_OFF_AFTER_DAYS = 420
RECOVERY_SHARE = 0.25
COLLECTION_AFTER_DAYS = 15
PENALTY_PER_DAY = 0.0005  # [P] 罚息: 0.05% a day of the late amount (a common contract term)
HISTORY_YEARS = 6
BRANCHES = (
    ("北京", "北京市"), ("上海", "上海市"), ("广州", "广东省"), ("深圳", "广东省"),
    ("杭州", "浙江省"), ("南京", "江苏省"), ("苏州", "江苏省"), ("成都", "四川省"),
    ("武汉", "湖北省"), ("西安", "陕西省"), ("天津", "天津市"), ("重庆", "重庆市"),
)
BRANCH_WEIGHTS = (0.12, 0.13, 0.10, 0.10, 0.09, 0.08, 0.07, 0.08, 0.07, 0.06, 0.05, 0.05)
GUARANTEE_COMPANIES = 12
# GB/T 4754-2017 小类 of the guarantee companies: 7296 担保服务 (L 租赁和商务服务业).
GUARANTEE_COMPANY_CLASS = "7296"


def days(date: np.datetime64 | str) -> int:
    return int((np.datetime64(date, "D") - EPOCH).astype(np.int64))


def month_index(day_numbers: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of day numbers."""
    return (EPOCH + day_numbers.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64)


def on_day(months: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """Day number of day ``anchor`` (1-28) of month index ``months``."""
    starts = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return starts + anchor - 1


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5).astype(np.int64)


@dataclass
class Borrowers:
    segment: np.ndarray  # index into SEGMENTS
    grade: np.ndarray  # 0-6
    sub_grade: np.ndarray  # 1-5 (retail), 0 otherwise
    section: np.ndarray  # GB/T 4754 section letter ('' for retail)
    industry: np.ndarray  # GB/T 4754 小类 ('' for retail)
    branch: np.ndarray  # index into BRANCHES
    officer: np.ndarray  # officer number within the branch
    group: np.ndarray  # group number, -1 = none
    related: np.ndarray  # bool
    net_assets: np.ndarray  # cents, 0 = unknown
    default_u: np.ndarray  # uniform shared by the borrower's loans (correlated default)
    default_v: np.ndarray  # where in each loan's life a default falls
    npl_elsewhere: np.ndarray  # bool
    is_guarantee_company: np.ndarray  # bool


@dataclass
class Loans:
    """Loan-level arrays, sorted by disbursement date (then a random tie-break)."""

    borrower: np.ndarray
    product: np.ndarray  # index into PRODUCTS
    method: np.ndarray  # index into METHODS
    security: np.ndarray  # index into GUARANTEE_TYPES
    amount: np.ndarray  # cents
    rate_bp: np.ndarray  # hundredths of a percent
    term: np.ndarray  # contractual installments
    n_inst: np.ndarray  # installments in the schedule (term, or p when prepaid)
    disbursed: np.ndarray  # day number
    anchor: np.ndarray  # due day of month, 1-28
    first_month: np.ndarray  # month index of disbursement
    credit_limit: np.ndarray  # cents, 0 = none
    # behaviour
    late_days: np.ndarray  # 0 or 1-20
    cure_j: np.ndarray  # 0 = none
    cure_m: np.ndarray
    default_k: np.ndarray  # 0 = never
    shift_from: np.ndarray  # r: installments >= r deferred; 0 = none
    shift_months: np.ndarray
    shift_event: np.ndarray  # day number of the restructuring / extension
    restructured: np.ndarray  # bool: shift is a restructuring (else an extension)
    prepaid: np.ndarray  # bool: n_inst < term
    write_off: np.ndarray  # day number, NEVER = none
    recovery_share: np.ndarray  # 0 or 0.10-0.30

    @property
    def count(self) -> int:
        return len(self.amount)

    def due_day(self, loan: np.ndarray, inst: np.ndarray) -> np.ndarray:
        shift = np.where((self.shift_from[loan] > 0) & (inst >= self.shift_from[loan]),
                         self.shift_months[loan], 0)
        return on_day(self.first_month[loan] + inst + shift, self.anchor[loan])

    @cached_property
    def maturity(self) -> np.ndarray:
        idx = np.arange(self.count)
        return self.due_day(idx, self.term)

    @property
    def original_maturity(self) -> np.ndarray:
        return on_day(self.first_month + self.term, self.anchor)


@dataclass
class Bank:
    size: str
    seed: int
    horizon: int  # day number of BOOK_END
    borrowers: Borrowers
    loans: Loans


def _pick(rng: np.random.Generator, n: int, shares) -> np.ndarray:
    p = np.asarray(shares, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _lognormal_cents(rng, n, median, sigma, floor, cap, step_yuan) -> np.ndarray:
    yuan = np.clip(median * np.exp(sigma * rng.standard_normal(n)), floor, cap)
    return (np.round(yuan / step_yuan) * step_yuan * 100).astype(np.int64)


def build(cal: Calibration, size: str, seed: int) -> Bank:
    """Borrowers and loans of the bank (loan-level only; installments come in chunks)."""
    n = SIZES[size]
    horizon = days(BOOK_END)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    r_loans, r_borrowers, r_amounts, r_dates, r_fate, r_guar, r_ind, r_misc = streams

    # Products and segments of the loans.
    product = _pick(r_loans, n, [p[2] for p in PRODUCTS])
    segment_of_product = np.array([SEGMENTS.index(p[1]) for p in PRODUCTS])
    loan_segment = segment_of_product[product]

    # Borrowers per segment: each borrower has one loan, the rest go to random borrowers.
    per_loan = {"corporate": 0.35, "sme": 0.70, "retail": 0.92}
    borrower = np.empty(n, dtype=np.int64)
    seg_of_borrower = []
    offset = 0
    for s, name in enumerate(SEGMENTS):
        idx = np.flatnonzero(loan_segment == s)
        nb = max(1, min(len(idx), int(np.ceil(len(idx) * per_loan[name]))))
        assign = np.concatenate([np.arange(nb), r_borrowers.integers(0, nb, len(idx) - nb)])
        r_borrowers.shuffle(assign)
        borrower[idx] = assign + offset
        seg_of_borrower.append(np.full(nb, s))
        offset += nb
    n_loan_borrowers = offset
    nb_total = n_loan_borrowers + GUARANTEE_COMPANIES
    b_segment = np.concatenate([*seg_of_borrower, np.zeros(GUARANTEE_COMPANIES, dtype=np.int64)])
    is_gc = np.zeros(nb_total, dtype=bool)
    is_gc[n_loan_borrowers:] = True

    # Retail consumer loans copy a real LendingClub row (grade, amount, term, rate).
    lc = cal.retail
    row = r_amounts.integers(0, len(lc.grade), n)
    amount = np.zeros(n, dtype=np.int64)
    rate_bp = np.zeros(n, dtype=np.int64)
    term = np.zeros(n, dtype=np.int64)
    consumer = product == PRODUCT_NAMES.index("retail_consumer")
    amount[consumer] = (np.round(lc.amount_cents[row[consumer]] * USD_CNY / 10000) * 10000)
    rate_bp[consumer] = LPR_1Y_BP + (lc.rate_bp[row[consumer]] - lc.rate_bp.min()) // 2
    term[consumer] = lc.term[row[consumer]]
    for p, (name, _seg, _share, _method, terms) in enumerate(PRODUCTS):
        idx = np.flatnonzero(product == p)
        if name == "retail_consumer" or not len(idx):
            continue
        median, sigma, floor, cap = AMOUNTS[name]
        step = 10_000 if median >= 1_000_000 else 1_000
        amount[idx] = _lognormal_cents(r_amounts, len(idx), median, sigma, floor, cap, step)
        low, high = RATES[name]
        rate_bp[idx] = r_amounts.integers(low, high, len(idx))
        term[idx] = np.asarray(terms)[r_amounts.integers(0, len(terms), len(idx))]
    method = np.array([METHODS.index(p[3]) for p in PRODUCTS])[product]
    security = np.empty(n, dtype=np.int64)
    for p, name in enumerate(PRODUCT_NAMES):
        idx = np.flatnonzero(product == p)
        security[idx] = _pick(r_loans, len(idx), SECURITY[name])

    # Borrower attributes.
    grade = np.zeros(nb_total, dtype=np.int64)
    sub_grade = np.zeros(nb_total, dtype=np.int64)
    retail_b = b_segment == SEGMENTS.index("retail")
    # A retail borrower's grade is its first loan's LendingClub grade (any loan's for others).
    order = np.lexsort((np.arange(n), borrower))
    first_loan = np.full(nb_total, -1)
    first_loan[borrower[order[::-1]]] = order[::-1]
    has_loan = first_loan >= 0
    grade[has_loan] = lc.grade[row[first_loan[has_loan]]]
    sub_grade[has_loan] = lc.sub_grade[row[first_loan[has_loan]]]
    corp_b = b_segment == SEGMENTS.index("corporate")
    sme_b = b_segment == SEGMENTS.index("sme")
    grade[corp_b] = _pick(r_borrowers, int(corp_b.sum()), CORPORATE_GRADE_MIX)
    grade[sme_b] = _pick(r_borrowers, int(sme_b.sum()), SME_GRADE_MIX)
    grade[is_gc] = 1
    sub_grade[~retail_b] = 0
    # Retail consumer loans of other grades than the borrower's keep their own LendingClub
    # terms; their rate follows the borrower's grade through the LendingClub row drawn.

    sections = np.array(sorted(cal.classes))
    weights = np.array([cal.section_weights[s] for s in sections])
    section = np.full(nb_total, "", dtype=object)
    industry = np.full(nb_total, "", dtype=object)
    firms = np.flatnonzero(~retail_b)
    chosen = sections[_pick(r_ind, len(firms), weights)]
    section[firms] = chosen
    pick = r_ind.random(len(firms))
    for s in sections:
        members = np.flatnonzero(chosen == s)
        codes = cal.classes[s]
        industry[firms[members]] = codes[(pick[members] * len(codes)).astype(np.int64)]
    section[is_gc] = "L"
    industry[is_gc] = GUARANTEE_COMPANY_CLASS

    branch = _pick(r_misc, nb_total, BRANCH_WEIGHTS)
    officers_per_branch = max(2, n // 2500)
    officer = r_misc.integers(1, officers_per_branch + 1, nb_total)
    group = np.full(nb_total, -1, dtype=np.int64)
    for mask, share in ((corp_b, 0.40), (sme_b, 0.05)):
        idx = np.flatnonzero(mask)
        members = idx[r_misc.random(len(idx)) < share]
        n_groups = max(1, len(members) * 2 // 7)
        base = group.max() + 1
        group[members] = base + r_misc.integers(0, n_groups, len(members))
    related = np.where(retail_b, r_misc.random(nb_total) < 0.002,
                       r_misc.random(nb_total) < 0.008) & ~is_gc
    net_assets = np.zeros(nb_total, dtype=np.int64)
    net_assets[corp_b] = _lognormal_cents(r_misc, int(corp_b.sum()), 200_000_000, 1.0,
                                          10_000_000, 20_000_000_000, 10_000)
    net_assets[sme_b] = _lognormal_cents(r_misc, int(sme_b.sum()), 8_000_000, 0.8, 500_000,
                                         200_000_000, 10_000)
    net_assets[is_gc] = _lognormal_cents(r_misc, GUARANTEE_COMPANIES, 1_000_000_000, 0.4,
                                         300_000_000, 3_000_000_000, 10_000)
    npl_elsewhere = (r_misc.random(nb_total) < 0.003) & ~retail_b & ~is_gc

    # Disbursement dates: HISTORY_YEARS back, growing 8% a year; due day = disbursement day.
    start = horizon - int(HISTORY_YEARS * 365.25)
    span = horizon - 15 - start
    growth = np.log(1.08) / 365.25
    u = r_dates.random(n)
    disbursed = start + np.floor(np.log1p(u * np.expm1(growth * span)) / growth).astype(np.int64)
    anchor = disbursed - on_day(month_index(disbursed), np.ones_like(disbursed)) + 1
    # Days 29-31 move to the 28th so that every due day exists in every month.
    disbursed = disbursed - np.maximum(anchor - 28, 0)
    anchor = np.minimum(anchor, 28)
    first_month = month_index(disbursed)
    order = np.lexsort((r_dates.random(n), disbursed))

    def by_date(a):
        return a[order]

    borrower, product, method, security = map(by_date, (borrower, product, method, security))
    amount, rate_bp, term, disbursed, anchor, first_month = map(
        by_date, (amount, rate_bp, term, disbursed, anchor, first_month))
    loan_segment = segment_of_product[product]

    credit_limit = np.zeros(n, dtype=np.int64)
    corp_loan = loan_segment == SEGMENTS.index("corporate")
    credit_limit[corp_loan] = (np.round(amount[corp_loan] * r_misc.uniform(
        1.0, 1.5, int(corp_loan.sum())) / 1_000_000) * 1_000_000).astype(np.int64)

    # Default: borrower-level uniform against the loan's lifetime default probability.
    b_default_u = r_fate.random(nb_total)
    b_default_v = r_fate.random(nb_total)
    section_rel = np.array([cal.section_relative.get(s, 1.0) if s else 1.0 for s in section])
    pd_year = (np.array([BASE_PD[s] for s in SEGMENTS])[b_segment]
               * cal.grade_relative[grade] * section_rel)
    pd_life = 1 - (1 - np.minimum(pd_year[borrower], 0.5)) ** (term / 12)
    defaults = b_default_u[borrower] < pd_life
    default_k = np.where(defaults, 2 + np.floor(b_default_v[borrower] * (term - 1)), 0)
    default_k = np.minimum(default_k, term).astype(np.int64)

    fate_u = r_fate.random(n)
    late_days = np.where(~defaults & (fate_u < FATES["late"]), r_fate.integers(1, 21, n), 0)
    cure = ~defaults & (fate_u >= FATES["late"]) & (fate_u < FATES["late"] + FATES["cure"]) \
        & (term >= 6)
    cure_m = np.where(cure, r_fate.integers(1, 4, n), 0)
    cure_j = np.where(cure, 1 + np.floor(r_fate.random(n) * (term - cure_m - 1)), 0)
    cure_j = cure_j.astype(np.int64)

    horizon_month = month_index(np.array([horizon]))[0]
    months_to_end = horizon_month - first_month
    # Restructuring (difficulty) at installment r, arrears of r-2 and r-1 paid 25 days after r-1.
    lo = FATES["late"] + FATES["cure"]
    restr = (fate_u >= lo) & (fate_u < lo + FATES["restructure"]) & (term >= 6) & \
        (months_to_end >= 5)
    r_pick = 3 + np.floor(r_fate.random(n) * np.maximum(
        np.minimum(term, months_to_end - 1) - 3, 0)).astype(np.int64)
    shift_from = np.where(restr, r_pick, 0)
    restr &= (shift_from >= 3) & (shift_from <= term)
    shift_months = np.where(r_fate.random(n) < 0.5, 6, 12)
    shift_event = np.full(n, NEVER)
    due_r1 = on_day(first_month + shift_from - 1, anchor)
    shift_event = np.where(restr, due_r1 + 25, shift_event)
    restr &= shift_event <= horizon
    defaults_before = restr & (default_k > 0) & (default_k <= shift_from + 1)
    restr &= ~defaults_before
    default_k = np.where(restr & (default_k > 0), np.maximum(default_k, shift_from + 2),
                         default_k)
    default_k = np.where(default_k > term, 0, default_k)
    # Extension of a performing corporate or SME bullet loan, 10 days before it falls due.
    bullet = method == METHODS.index("interest_only")
    ext = bullet & ~restr & (default_k == 0) & (late_days == 0) & (cure_j == 0) & \
        (r_fate.random(n) < FATES["extension"])
    maturity0 = on_day(first_month + term, anchor)
    ext &= maturity0 - 10 <= horizon
    shift_from = np.where(ext, term, np.where(restr, shift_from, 0))
    shift_event = np.where(ext, maturity0 - 10, np.where(restr, shift_event, NEVER))
    shift_months = np.where(ext | restr, shift_months, 0)

    # Prepayment with installment p (retail consumer more often), on or before the first as-of.
    prepay_share = np.where(consumer[order], FATES["prepay_retail"], FATES["prepay_other"])
    prepay = (r_fate.random(n) < prepay_share) & (default_k == 0) & ~restr & ~ext & \
        (cure_j == 0) & (term >= 6)
    p = 2 + np.floor(r_fate.random(n) * (term - 3)).astype(np.int64)
    prepay &= on_day(first_month + p, anchor) <= horizon
    n_inst = np.where(prepay, p, term)

    write_off = np.full(n, NEVER)
    loans = Loans(
        borrower=borrower, product=product, method=method, security=security, amount=amount,
        rate_bp=rate_bp, term=term, n_inst=n_inst, disbursed=disbursed, anchor=anchor,
        first_month=first_month, credit_limit=credit_limit, late_days=late_days,
        cure_j=cure_j, cure_m=cure_m, default_k=default_k, shift_from=shift_from,
        shift_months=shift_months, shift_event=shift_event, restructured=restr,
        prepaid=prepay, write_off=write_off,
        recovery_share=np.where((default_k > 0) & (r_fate.random(n) < RECOVERY_SHARE),
                                r_fate.uniform(0.10, 0.30, n), 0.0),
    )
    # Written off a fixed time after the first unpaid due date (of the deferred schedule, if any).
    idx = np.flatnonzero(default_k > 0)
    loans.write_off[idx] = loans.due_day(idx, default_k[idx]) + WRITE_OFF_AFTER_DAYS
    borrowers = Borrowers(
        segment=b_segment, grade=grade, sub_grade=sub_grade, section=section,
        industry=industry, branch=branch, officer=officer, group=group, related=related,
        net_assets=net_assets, default_u=b_default_u, default_v=b_default_v,
        npl_elsewhere=npl_elsewhere, is_guarantee_company=is_gc,
    )
    return Bank(size, seed, horizon, borrowers, loans)


def rating_label(borrowers: Borrowers) -> np.ndarray:
    retail = borrowers.segment == SEGMENTS.index("retail")
    corp = np.array(CORPORATE_RATINGS, dtype=object)[borrowers.grade]
    lc = np.array(GRADES, dtype=object)[borrowers.grade] + borrowers.sub_grade.astype(str)
    return np.where(retail, lc, corp)


@dataclass
class Installments:
    """One chunk of schedule rows with how each was paid."""

    loan: np.ndarray
    inst: np.ndarray
    due: np.ndarray
    principal: np.ndarray  # cents
    interest: np.ndarray  # cents
    paid_on: np.ndarray  # day number, NEVER = unpaid
    penalty: np.ndarray  # cents


def installments(loans: Loans, lo: int, hi: int) -> Installments:
    """Schedule rows of loans lo..hi-1, in loan then installment order."""
    counts = loans.n_inst[lo:hi]
    loan = np.repeat(np.arange(lo, hi), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    inst = np.arange(len(loan)) - starts + 1
    due = loans.due_day(loan, inst)

    a = loans.amount[loan]
    term = loans.term[loan]
    r = loans.rate_bp[loan] / 120000.0
    method = loans.method[loan]
    last = inst == loans.n_inst[loan]

    # Cumulative principal after each installment, rounded half up to the cent.
    growth = (1 + r) ** inst
    factor = (1 + r) ** term
    payment = _round_half_up(a * r * factor / (factor - 1))
    cum_level = _round_half_up(a - (a * growth - payment * (growth - 1) / r))
    cum_straight = (a * inst * 2 + term) // (2 * term)
    cum = np.select([method == 0, method == 1], [cum_level, cum_straight], 0)
    cum = np.where(last, a, np.clip(cum, 0, a))
    prev = np.concatenate([[0], cum[:-1]])
    prev = np.where(inst == 1, 0, prev)
    principal = cum - prev
    balance_before = a - prev
    interest_on_balance = _round_half_up(balance_before * r)
    interest = np.where((method == 0) & ~last, payment - principal, interest_on_balance)
    interest = np.where(method == 2, _round_half_up(a * r), interest)
    interest = np.maximum(interest, 0)

    paid = due + loans.late_days[loan]
    j, m = loans.cure_j[loan], loans.cure_m[loan]
    in_cure = (j > 0) & (inst >= j) & (inst < j + m)
    catch_up = loans.due_day(loan, j + m)
    paid = np.where(in_cure, catch_up, paid)
    s = loans.shift_from[loan]
    arrears = loans.restructured[loan] & ((inst == s - 2) | (inst == s - 1))
    paid = np.where(arrears, loans.shift_event[loan], paid)
    k = loans.default_k[loan]
    paid = np.where((k > 0) & (inst >= k), NEVER, paid)
    late = np.where(paid < NEVER, paid - due, 0)
    penalty = _round_half_up((principal + interest) * PENALTY_PER_DAY * late)
    return Installments(loan, inst, due, principal, interest, paid, penalty)


def unit_hash(index: np.ndarray, salt: int) -> np.ndarray:
    """A fixed pseudo-uniform in [0, 1) per index (a Weyl sequence), for row-level variety
    that needs no random stream."""
    golden = 0.6180339887498949
    return np.mod((np.asarray(index, dtype=np.float64) + 1) * golden * (salt + 1) + salt * 0.1,
                  1.0)


@dataclass
class Guarantees:
    loan: np.ndarray
    guarantor: np.ndarray  # borrower index
    amount: np.ndarray  # cents
    circle: np.ndarray  # circle number, -1 = none (kept for the docs' counts)


def guarantees(bank: Bank) -> Guarantees:
    """One guarantee per guaranteed loan; a few mutual guarantees and chains (担保圈).

    Guarantors are other corporate or SME borrowers (65%) or one of the financing guarantee
    companies (35%, 80% of the amount). Among firms with a guaranteed loan disbursed by the
    first snapshot, pairs guarantee each other (互保), triples guarantee round a loop (A->B->C->A)
    and fours form an open chain (A->B->C->D): one of each per 300 such firms, at least one.
    A snapshot shows the guarantees of the loans disbursed by its date.
    """
    rng = np.random.default_rng(np.random.SeedSequence(bank.seed).spawn(8)[5])
    loans, b = bank.loans, bank.borrowers
    idx = np.flatnonzero(loans.security == GUARANTEE_TYPES.index("guaranteed"))
    firms = np.flatnonzero((b.segment != SEGMENTS.index("retail")) & ~b.is_guarantee_company)
    companies = np.flatnonzero(b.is_guarantee_company)
    own = loans.borrower[idx]
    use_company = rng.random(len(idx)) < 0.35
    guarantor = np.where(use_company, companies[rng.integers(0, len(companies), len(idx))],
                         firms[rng.integers(0, len(firms), len(idx))])
    clash = guarantor == own
    guarantor[clash] = companies[rng.integers(0, len(companies), int(clash.sum()))]
    circle = np.full(len(idx), -1, dtype=np.int64)
    known = loans.disbursed[idx] <= bank.horizon
    candidates = np.unique(own[known & np.isin(own, firms)])
    rng.shuffle(candidates)
    per = max(1, len(candidates) // 300)
    sizes = [2] * per + [3] * per + [4] * per
    start = 0
    for number, size in enumerate(sizes):
        members = candidates[start:start + size]
        start += size
        if len(members) < size:
            break
        for i, m in enumerate(members):
            if size == 4 and i == size - 1:
                continue  # the open chain ends at its last member
            target = members[(i + 1) % size]
            sel = own == m
            guarantor[sel] = target
            circle[sel] = number
    amount = np.where(np.isin(guarantor, companies),
                      (loans.amount[idx] * 4) // 5, loans.amount[idx])
    return Guarantees(idx, guarantor, amount, circle)
