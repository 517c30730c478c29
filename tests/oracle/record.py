"""Record what buildah does for each oracle case into its case.yaml (`expected:` or `build: fails`).

python tests/oracle/record.py            # every case
python tests/oracle/record.py 01-motivating-case ...
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from harness import Buildah, buildah_problem, case_dirs, load_case


def main(names: list[str]) -> int:
    problem = buildah_problem()
    if problem:
        print(f"cannot record: {problem}", file=sys.stderr)
        return 2
    cases = [c for c in case_dirs() if not names or c.name in names]
    with tempfile.TemporaryDirectory(prefix="venvlint-oracle-") as tmp:
        b = Buildah(Path(tmp))
        for i, case in enumerate(cases):
            work = Path(tmp) / f"w{i}"
            work.mkdir()
            result = b.build_and_stat(case, work)
            data = load_case(case)
            for key in ("expected", "build", "error"):
                data.pop(key, None)
            data.update(result)
            text = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=120)
            (case / "case.yaml").write_text(text)
            print(f"{case.name}: {'fails' if 'build' in result else 'ok'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
