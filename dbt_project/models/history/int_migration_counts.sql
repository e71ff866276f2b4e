-- Grain: one row per portfolio, standard period (int_migration_pairs), currency, start class and
-- DPD bucket, end state, class, status and DPD bucket. The closed-cohort transitions of every
-- standard period counted once (macros/history.sql): loans and their start balance. The
-- migration matrix (K2), the migration rates (K1) and the tracked roll and cure rates (K3) all
-- add these up, so the loan-level join of 23 million month-end rows (the 1,000,000-loan
-- demonstration bank) runs once per build instead of once per figure.
select *
from {{ migration_counts(migration_transitions(
    "select * from " ~ ref('int_migration_pairs'), ref('fct_loan_month_ends'))) }}
