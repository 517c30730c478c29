"""Write `builtin.json`, the start-up-cheap twin of `builtin.yaml`: `python -m venvlint.profiles.compile`.

`builtin.yaml` is the file people edit. Parsing it needs PyYAML (~15 ms to import, ~40 ms to parse in pure
Python), which every lint of a non-scratch image would pay; `json` is already loaded and parses the same data in
about a millisecond. A test fails when the two differ, so the JSON cannot go stale unnoticed.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "builtin.yaml")
TARGET = os.path.join(HERE, "builtin.json")


def compiled() -> str:
    """The JSON text for the current builtin.yaml (YAML read with safe_load only)."""
    import yaml

    with open(SOURCE, encoding="utf-8") as fh:
        data: Any = yaml.safe_load(fh)
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = compiled()
    if argv[:1] == ["--check"]:
        with open(TARGET, encoding="utf-8") as fh:
            if fh.read() != text:
                sys.stderr.write("builtin.json is stale: run `python -m venvlint.profiles.compile`\n")
                return 1
        return 0
    with open(TARGET, "w", encoding="utf-8") as fh:
        fh.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
