{{ stage_entity('payments') }}
