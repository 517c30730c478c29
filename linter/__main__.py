"""`python -m venvlint`."""

from .cli import main

main()
