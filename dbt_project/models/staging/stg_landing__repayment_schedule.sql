{{ stage_entity('repayment_schedule') }}
