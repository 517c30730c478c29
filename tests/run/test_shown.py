"""Commands and instructions are quoted whole, or with their middle elided: never without what they act on."""

from __future__ import annotations

from venvlint.shown import shorten


def test_short_text_is_whole() -> None:
    assert shorten("pip install requests") == "pip install requests"


def test_long_command_keeps_its_tool_and_its_last_words() -> None:
    cmd = (
        "pip install --no-cache-dir -U --extra-index-url https://download.pytorch.org/whl/cpu torch torchvision "
        "requests"
    )
    out = shorten(cmd, 60)
    assert out.startswith("pip install ") and out.endswith(" requests") and " … " in out
    assert len(out) <= 60


def test_a_single_long_word_is_not_cut() -> None:
    word = "x" * 300
    assert shorten(word, 60) == word
