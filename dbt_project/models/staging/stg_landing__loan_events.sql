{{ stage_entity('loan_events') }}
