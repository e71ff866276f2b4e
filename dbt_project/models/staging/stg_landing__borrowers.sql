{{ stage_entity('borrowers') }}
