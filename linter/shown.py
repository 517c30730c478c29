"""How a command or an instruction is quoted in a message: whole when it fits, else with its middle elided on word
boundaries, so that what it acts on (the package, the path: usually its last words) is never cut off."""

from __future__ import annotations

ELLIPSIS = " … "


def shorten(text: str, limit: int = 160) -> str:
    """`text` (one line) at most about `limit` characters: its first words, `…`, its last words. A single word
    longer than that is kept whole (a path or a URL is not worth quoting half of)."""
    if len(text) <= limit:
        return text
    words = text.split(" ")
    head: list[str] = []
    tail: list[str] = []
    budget = limit - len(ELLIPSIS)
    i, j = 0, len(words) - 1
    # Alternate from both ends, the first two words (tool and subcommand) first.
    while i <= j:
        take_head = len(head) < 2 or len(" ".join(head)) <= len(" ".join(tail))
        w = words[i] if take_head else words[j]
        used = len(" ".join(head)) + len(" ".join(tail)) + len(w) + 1
        if used > budget and (head or tail):
            break
        if take_head:
            head.append(w)
            i += 1
        else:
            tail.insert(0, w)
            j -= 1
    if i > j:
        return text
    return " ".join(head) + ELLIPSIS + " ".join(tail)
