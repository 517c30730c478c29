"""Parse layer: Dockerfile text → instructions with exact line spans."""

from .model import Comment, Flag, Heredoc, Instruction, ParsedDockerfile
from .reader import parse_file, parse_text

__all__ = ["Comment", "Flag", "Heredoc", "Instruction", "ParsedDockerfile", "parse_file", "parse_text"]
