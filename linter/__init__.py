"""venvlint: replay a Dockerfile on a model filesystem and find Python environments that end up unwritable."""

__version__ = "0.1.0"
