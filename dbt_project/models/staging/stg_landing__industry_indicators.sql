{{ stage_entity('industry_indicators', reference_key=['scheme', 'code', 'period', 'indicator', 'source']) }}
