{{ stage_entity('collateral') }}
