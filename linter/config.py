"""`.venvlint.yaml`: found from the Dockerfile's folder up to the repository root, then the user's config dir.

Precedence, lowest first: defaults < user config (`$XDG_CONFIG_HOME/venvlint/config.yaml`) < the project file <
`VENVLINT_*` environment variables < command line. Lists (`ignore`, `unfixable`, `runtime-users`, `base-images`) are merged
across all levels, never replaced; `severity` maps are merged (later wins); scalars are replaced.

    ignore: [VL009, numeric-user-without-home]
    unfixable: [VL004]                          # never fixed by --fix / --diff
    severity: {VL005: error}
    failure-threshold: error
    runtime-users: ["1001:0", arbitrary]
    builder: buildah
    exclude: ["tests/fixtures/"]                # Dockerfiles a directory argument skips (gitignore-style, relative
    extend-exclude: ["*.dev"]                   #   to this file); exclude replaces the user config's, extend adds
    base-images: [profiles/corp.yaml]          # files of extra/overriding profiles (paths relative to this file)
    contexts: {"images/*/Dockerfile": "."}     # Dockerfile glob → build context (relative to this file)
    build-args: {"images/py*/Dockerfile": {PYTHON_VERSION: "3.12"}}
    offline: false                              # true: never ask a registry (cache and profiles only)
    platform: linux/amd64                       # the platform of multi-platform base images
    registries:                                 # base images without a profile are read from their registries
      insecure: ["registry.lan:5000"]           #   plain HTTP or an untrusted certificate allowed
      mirrors: {docker.io: ["mirror.lan"]}      #   asked first, in order
      max-image-mb: 2048                        #   compressed layer bytes read per image
      tag-ttl-hours: 24                         #   a tag's digest is asked again after this long
      timeout: 20                               #   seconds per connection or read
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .findings import Severity, parse_threshold
from .yamlfile import read_yaml

if TYPE_CHECKING:  # exclude.py is imported only by a config that excludes (the lint path stays light)
    from .exclude import Exclusion, Group

NAMES = (".venvlint.yaml", ".venvlint.yml")
KEYS = {"ignore", "severity", "failure-threshold", "runtime-users", "builder", "base-images", "contexts", "build-args",
        "unfixable", "offline", "platform", "registries", "exclude", "extend-exclude"}  # fmt: skip
REGISTRY_KEYS = {"insecure", "mirrors", "max-image-mb", "tag-ttl-hours", "timeout"}
BUILDERS = ("buildkit", "buildah", "classic")
# The environment variables venvlint reads (from_env, effective), for --show-config to list.
ENV_VARIABLES = ("VENVLINT_CONFIG", "VENVLINT_IGNORE", "VENVLINT_SEVERITY", "VENVLINT_FAILURE_THRESHOLD",
                 "VENVLINT_BUILDER", "VENVLINT_RUNTIME_USERS", "VENVLINT_OFFLINE", "VENVLINT_CACHE_DIR")  # fmt: skip


@dataclass
class Config:
    ignore: set[str] = field(default_factory=set)
    unfixable: set[str] = field(default_factory=set)
    severity: dict[str, Severity] = field(default_factory=dict)
    failure_threshold: Severity | None = None
    runtime_users: list[str] = field(default_factory=list)
    builder: str | None = None
    profile_files: list[str] = field(default_factory=list)
    contexts: list[tuple[str, str, str]] = field(default_factory=list)  # (glob, context dir, base dir)
    build_args: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the files read, lowest precedence first
    offline: bool | None = None
    platform: str | None = None
    registries: dict[str, Any] = field(default_factory=dict)  # REGISTRY_KEYS → checked values
    # pattern groups (exclude.Group); `exclude` of a later file replaces the earlier ones, `extend-exclude` adds
    exclude: list[Group] | None = None
    extend_exclude: list[Group] = field(default_factory=list)

    def merge(self, other: Config) -> Config:
        return Config(
            ignore=self.ignore | other.ignore,
            unfixable=self.unfixable | other.unfixable,
            severity={**self.severity, **other.severity},
            failure_threshold=other.failure_threshold or self.failure_threshold,
            runtime_users=self.runtime_users + [u for u in other.runtime_users if u not in self.runtime_users],
            builder=other.builder or self.builder,
            profile_files=self.profile_files + other.profile_files,
            contexts=other.contexts + self.contexts,
            build_args=self.build_args + other.build_args,
            files=self.files + other.files,
            offline=other.offline if other.offline is not None else self.offline,
            platform=other.platform or self.platform,
            registries={**self.registries, **other.registries},
            exclude=other.exclude if other.exclude is not None else self.exclude,
            extend_exclude=self.extend_exclude + other.extend_exclude,
        )

    def excluded_by(self, dockerfile: str) -> Exclusion | None:
        """The pattern (and the config file) of `exclude`/`extend-exclude` that leaves this Dockerfile out, or None."""
        groups = (self.exclude or []) + self.extend_exclude
        if not groups:
            return None
        from .exclude import excluded_by

        return excluded_by(dockerfile, groups)

    def context_for(self, dockerfile: str) -> str | None:
        for pattern, ctx, base in self.contexts:
            if _glob_match(pattern, dockerfile, base):
                return ctx
        return None

    def build_args_for(self, dockerfile: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for pattern, args, base in self.build_args:
            if _glob_match(pattern, dockerfile, base):
                out.update(args)
        return out


def _glob_match(pattern: str, dockerfile: str, base: str) -> bool:
    from .buildcontext import parse_ignore

    rel = os.path.relpath(os.path.abspath(dockerfile), base).replace(os.sep, "/")
    (p,) = parse_ignore(pattern) or (None,)
    return p is not None and p.match(rel)


def discover(dockerfile: str) -> list[str]:
    """The user config (if any), then the nearest `.venvlint.yaml` from the Dockerfile's folder up to the repo root."""
    found: list[str] = []
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    user = os.path.join(xdg, "venvlint", "config.yaml")
    if os.path.isfile(user):
        found.append(user)
    d = os.path.dirname(os.path.abspath(dockerfile)) if dockerfile != "-" else os.getcwd()
    while True:
        for name in NAMES:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return [*found, p]
        if os.path.exists(os.path.join(d, ".git")) or os.path.dirname(d) == d:
            return found
        d = os.path.dirname(d)


def load(path: str, resolve_rule: Callable[[str], str | None]) -> Config:
    data, root = read_yaml(path, "config")
    if data is None:
        return Config(files=[path])
    if not isinstance(data, dict):
        raise InputError("the config must be a mapping of keys", path, 1)
    lines = {k.value: k.start_mark.line + 1 for k, _ in root.value} if root is not None else {}
    base = os.path.dirname(os.path.abspath(path))

    def err(key: str, msg: str) -> InputError:
        return InputError(f"{key}: {msg}", path, lines.get(key))

    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise err(unknown[0], f"unknown key (allowed: {', '.join(sorted(KEYS))})")
    cfg = Config(files=[path])
    cfg.ignore = _rule_codes(_str_list(data, "ignore", err), resolve_rule, err, "ignore")
    cfg.unfixable = _rule_codes(_str_list(data, "unfixable", err), resolve_rule, err, "unfixable")
    sev = data.get("severity", {})
    if not isinstance(sev, dict):
        raise err("severity", "must be a mapping of rule → error|warning|info")
    for name, level in sev.items():
        code = resolve_rule(str(name))
        if code is None:
            raise err("severity", f"unknown rule {name!r}")
        if code in cfg.severity:  # by code and by name: which one was meant?
            raise err("severity", f"{name!r} is {code}, given a severity twice")
        cfg.severity[code] = _severity(level, err, "severity")
    if "failure-threshold" in data:
        cfg.failure_threshold = _threshold(data["failure-threshold"], err, "failure-threshold")
    cfg.runtime_users = _runtime_users([str(u) for u in _str_list(data, "runtime-users", err)], err, "runtime-users")
    if "builder" in data:
        if data["builder"] not in BUILDERS:
            raise err("builder", f"must be one of {', '.join(BUILDERS)}, got {data['builder']!r}")
        cfg.builder = data["builder"]
    cfg.profile_files = [os.path.join(base, p) for p in _str_list(data, "base-images", err)]
    ctxs = data.get("contexts", {})
    if not isinstance(ctxs, dict) or not all(isinstance(v, str) for v in ctxs.values()):
        raise err("contexts", "must map Dockerfile globs to context directories")
    cfg.contexts = [(str(k), os.path.normpath(os.path.join(base, v)), base) for k, v in ctxs.items()]
    bas = data.get("build-args", {})
    if not isinstance(bas, dict) or not all(isinstance(v, dict) for v in bas.values()):
        raise err("build-args", "must map Dockerfile globs to {NAME: value} mappings")
    cfg.build_args = [(str(k), {str(a): str(b) for a, b in v.items()}, base) for k, v in bas.items()]
    if "offline" in data:
        if not isinstance(data["offline"], bool):
            raise err("offline", f"must be true or false, got {data['offline']!r}")
        cfg.offline = data["offline"]
    if "platform" in data:
        from .registry.settings import valid_platform

        if not isinstance(data["platform"], str) or not valid_platform(data["platform"]):
            raise err("platform", f"must be os/arch[/variant] such as linux/arm64, got {data['platform']!r}")
        cfg.platform = data["platform"].lower()
    cfg.registries = _registries(data.get("registries", {}), err)
    if "exclude" in data or "extend-exclude" in data:
        from .exclude import Group

        if "exclude" in data:
            cfg.exclude = [Group(base, tuple(_str_list(data, "exclude", err)), f"{path} exclude")]
        if "extend-exclude" in data:
            patterns = tuple(_str_list(data, "extend-exclude", err))
            cfg.extend_exclude = [Group(base, patterns, f"{path} extend-exclude")]
    return cfg


def _registries(raw: Any, err: Callable[[str, str], InputError]) -> dict[str, Any]:
    """The `registries:` mapping, checked: host lists, a mirror map, positive numbers."""
    if not isinstance(raw, dict):
        raise err("registries", f"must be a mapping of {', '.join(sorted(REGISTRY_KEYS))}")
    unknown = sorted(set(raw) - REGISTRY_KEYS)
    if unknown:
        raise err("registries", f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(REGISTRY_KEYS))})")
    out: dict[str, Any] = {}
    if "insecure" in raw:
        hosts = raw["insecure"]
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
            raise err("registries", "insecure: must be a list of registry hosts (host[:port])")
        out["insecure"] = [h.lower() for h in hosts]
    if "mirrors" in raw:
        mirrors = raw["mirrors"]
        if not isinstance(mirrors, dict) or not all(
            isinstance(v, list) and all(isinstance(m, str) and m for m in v) for v in mirrors.values()
        ):
            raise err("registries", "mirrors: must map a registry (docker.io) to a list of mirror hosts")
        out["mirrors"] = {str(k).lower(): [m.lower() for m in v] for k, v in mirrors.items()}
    for key, kind in (("max-image-mb", float), ("tag-ttl-hours", float), ("timeout", float)):
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise err("registries", f"{key}: must be a number of at least 0, got {value!r}")
            if value == 0 and key != "tag-ttl-hours":  # a TTL of 0 asks for the tag's digest every run
                raise err("registries", f"{key}: must be more than 0")
            out[key] = kind(value)
    return out


def runtime_user_problem(spec: str) -> str | None:
    """Why `spec` cannot name an identity to run as (None when it can): `arbitrary`, or USER[:GROUP] with a name or
    a number on each side, as `docker run --user` takes it. Whether the image has that user is checked later, per
    Dockerfile."""
    if spec == "arbitrary":
        return None
    user, sep, group = spec.partition(":")
    parts = [user, group] if sep else [user]
    if not all(_ID.fullmatch(p) and (not p.isdigit() or int(p) <= _MAX_ID) for p in parts):
        return f"{spec!r} is not an identity: give USER or USER:GROUP (names or numbers), or `arbitrary`"
    return None


# A user or group as `docker run --user` takes it: a number up to 2^32-2 (uid_t's largest, -1 is "none"), or a name
# as shadow-utils allows one (no leading `-`, which would read as an option).
_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\$?")
_MAX_ID = 2**32 - 2


def _rule_codes(
    names: list[str], resolve_rule: Callable[[str], str | None], err: Callable[[str, str], InputError], key: str
) -> set[str]:
    """The codes of rules given by code or name; an unknown one is an error naming `key`."""
    codes = set()
    for name in names:
        code = resolve_rule(name)
        if code is None:
            raise err(key, f"unknown rule {name!r}")
        codes.add(code)
    return codes


def _runtime_users(specs: list[str], err: Callable[[str, str], InputError], key: str) -> list[str]:
    """`specs`, each checked by runtime_user_problem; a bad one is an error naming `key`."""
    for spec in specs:
        if (problem := runtime_user_problem(spec)) is not None:
            raise err(key, problem)
    return specs


def _comma_list(env: Mapping[str, str], name: str) -> list[str]:
    """A VENVLINT_* variable's comma-separated items, blanks dropped."""
    return [item.strip() for item in env.get(name, "").split(",") if item.strip()]


def _str_list(data: Mapping[str, Any], key: str, err: Callable[[str, str], InputError]) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise err(key, "must be a list of strings")
    return [str(v) for v in value]


def _severity(value: Any, err: Callable[[str, str], InputError], key: str) -> Severity:
    try:
        return Severity.parse(str(value))
    except ValueError as exc:
        raise err(key, str(exc)) from None


def _threshold(value: Any, err: Callable[[str, str], InputError], key: str) -> Severity:
    if value is None:  # an empty `failure-threshold:` is a mistake, not YAML's null read as "none"
        raise err(key, "is empty (choose error, warning or info)")
    try:
        return parse_threshold(str(value))
    except ValueError as exc:
        raise err(key, str(exc)) from None


def from_env(resolve_rule: Callable[[str], str | None], env: Mapping[str, str] | None = None) -> Config:
    """VENVLINT_IGNORE, VENVLINT_SEVERITY (VL005=error,...), VENVLINT_FAILURE_THRESHOLD, VENVLINT_BUILDER,
    VENVLINT_RUNTIME_USERS (comma-separated)."""
    env = os.environ if env is None else env
    cfg = Config()

    def err(key: str, msg: str) -> InputError:
        return InputError(f"{key}: {msg}")

    cfg.ignore = _rule_codes(_comma_list(env, "VENVLINT_IGNORE"), resolve_rule, err, "VENVLINT_IGNORE")
    for item in _comma_list(env, "VENVLINT_SEVERITY"):
        name, _, level = item.partition("=")
        code = resolve_rule(name)
        if code is None:
            raise err("VENVLINT_SEVERITY", f"unknown rule {name!r}")
        cfg.severity[code] = _severity(level, err, "VENVLINT_SEVERITY")
    if env.get("VENVLINT_FAILURE_THRESHOLD"):
        cfg.failure_threshold = _threshold(env["VENVLINT_FAILURE_THRESHOLD"], err, "VENVLINT_FAILURE_THRESHOLD")
    if env.get("VENVLINT_BUILDER"):
        if env["VENVLINT_BUILDER"] not in BUILDERS:
            raise err("VENVLINT_BUILDER", f"must be one of {', '.join(BUILDERS)}")
        cfg.builder = env["VENVLINT_BUILDER"]
    cfg.runtime_users = _runtime_users(_comma_list(env, "VENVLINT_RUNTIME_USERS"), err, "VENVLINT_RUNTIME_USERS")
    return cfg


def effective(dockerfile: str, explicit: str | None, resolve_rule: Callable[[str], str | None]) -> Config:
    """User and project files (or `--config FILE` / VENVLINT_CONFIG), then the environment, merged in order."""
    explicit = explicit or os.environ.get("VENVLINT_CONFIG") or None
    files = [explicit] if explicit else discover(dockerfile)
    cfg = Config()
    for f in files:
        cfg = cfg.merge(load(f, resolve_rule))
    return cfg.merge(from_env(resolve_rule))
