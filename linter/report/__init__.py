"""Output: text, json and the CI formats."""
