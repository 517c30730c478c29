"""profiles layer."""
