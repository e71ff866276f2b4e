{{ stage_entity('classification_overrides') }}
