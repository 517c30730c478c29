"""`venvlint lint --show-config`: which config files were read and what each Dockerfile would be linted with."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..config import ENV_VARIABLES


def render_config(configs: Sequence[tuple[str, Any, Any, Any]], excluded: Sequence[tuple[str, Any]] = ()) -> str:
    """The settings of each (Dockerfile, Config, LintOptions, threshold Severity), as `key: value` lines under the
    Dockerfile's name: the config files (lowest precedence first), the VENVLINT_* variables set, then every
    setting after config files, environment and command line were merged. Then each (Dockerfile, exclude.Exclusion)
    a directory argument found and an exclusion left out, with the pattern and where it was given."""
    out: list[str] = []
    env = [f"{k}={os.environ[k]}" for k in ENV_VARIABLES if os.environ.get(k)]
    for name, cfg, options, threshold in configs:
        out.append(f"{name}:")
        rows = [
            ("config files", ", ".join(cfg.files) or "none found"),
            ("environment", ", ".join(env) or "no VENVLINT_* variables"),
            ("context", _context(name, options)),
            ("builder", options.builder),
            ("target", options.target or "the last stage"),
            ("build args", ", ".join(f"{k}={v}" for k, v in sorted(options.build_args.items())) or "none"),
            ("runtime users", ", ".join(options.runtime_users) or "none besides the image's USER"),
            ("profiles", ", ".join(options.profile_files) or "built-in only"),
            ("base images", _registry(options.registry)),
            ("ignore", ", ".join(sorted(options.ignore)) or "none"),
            ("severity", ", ".join(f"{k}={v.value}" for k, v in sorted(options.severity.items())) or "rule defaults"),
            ("failure threshold", threshold.value),
            ("pragmas", "honoured" if options.pragmas else "ignored (--no-pragmas)"),
        ]
        out.extend(f"  {key}: {value}" for key, value in rows)
    if excluded:
        out.append("excluded (not linted):")
        out.extend(f"  {name}: `{why.pattern}` ({why.origin})" for name, why in excluded)
    return "\n".join(out) + "\n"


def _registry(settings: Any) -> str:
    if settings is None:
        return "profiles only"
    from ..registry.cache import default_root

    where = settings.cache_dir or default_root()
    if settings.offline:
        return f"profiles and the cache only (offline); cache {where}"
    return f"read from their registries ({settings.platform}), cached in {where}"


def _context(name: str, options: Any) -> str:
    if options.no_context:
        return "none (--no-context)"
    return str(options.context or ("the current directory" if name == "-" else "the Dockerfile's folder"))
