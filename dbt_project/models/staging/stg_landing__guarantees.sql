{{ stage_entity('guarantees') }}
