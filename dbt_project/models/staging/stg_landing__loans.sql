{{ stage_entity('loans') }}
