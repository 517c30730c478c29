"""venvlint rules: one module per rule."""
