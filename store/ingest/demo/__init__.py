"""The deterministic synthetic Vietnamese demo collection (`thuvienso demo`)."""
