{{ stage_entity('industry_limits') }}
