"""Reading prescriptions: the field shape, the engine contract, engines, parser, consensus."""
