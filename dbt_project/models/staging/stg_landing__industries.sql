{{ stage_entity('industries', reference_key=['scheme', 'code']) }}
