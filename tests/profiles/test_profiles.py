from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from venvlint.errors import InputError
from venvlint.model.fs import Knowledge, ancestors
from venvlint.profiles.catalog import _builtin, load_profiles


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("registry.access.redhat.com/ubi9/python-311:1-77", "ubi9-python-311"),
        ("quay.io/sclorg/python-312-c9s", "ubi9-python-312"),
        ("docker.io/library/python:3.11-slim-bookworm", "python-debian"),
        ("python:3.12-alpine3.20", "python-alpine"),
        ("python@sha256:0123", "python-debian-full"),
        ("python:3.12", "python-debian-full"),
        ("python:3-alpine", "python-alpine"),
        ("ghcr.io/astral-sh/uv:bookworm-slim", "uv-debian"),
        ("ghcr.io/astral-sh/uv:debian-slim", "uv-debian"),
        ("ghcr.io/astral-sh/uv:alpine", "uv-alpine"),
        ("ghcr.io/astral-sh/uv:0.9.5-alpine", "uv-alpine"),
        ("ghcr.io/astral-sh/uv:python3.12-alpine", "uv-python-alpine"),
        ("ghcr.io/astral-sh/uv:0.9.5-python3.12-bookworm-slim", "uv-python-debian"),
        ("ghcr.io/astral-sh/uv:latest", "uv-distroless"),
        ("jupyter/minimal-notebook", "jupyter-docker-stacks"),
        ("jupyter/jupyterhub-onbuild", "ubuntu"),  # not a Docker Stacks image: only the distribution
        ("debian:bookworm-slim", "debian"),
        ("node:20-alpine", "alpine"),
        ("nvidia/cuda:12.4.1-runtime-ubuntu22.04", "ubuntu"),
        ("registry.access.redhat.com/ubi9/ubi-minimal", "rhel"),
        ("python:2.7", "debian"),
        ("ghcr.io/astral-sh/uv:0.5.29", "uv-distroless"),
        ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "uv-python-debian"),
        ("quay.io/jupyter/minimal-notebook:2024-10-07", "jupyter-docker-stacks"),
        ("gcr.io/distroless/python3-debian12", "distroless-python3-debian12"),
        ("gcr.io/distroless/python3-debian12:latest-amd64", "distroless-python3-debian12"),
        ("gcr.io/distroless/python3-debian12:nonroot", "distroless-python3-debian12-nonroot"),
        ("gcr.io/distroless/python3-debian12:debug", "distroless-python3-debian12-debug"),
        ("gcr.io/distroless/python3-debian12:debug-nonroot-arm64", "distroless-python3-debian12-debug-nonroot"),
        ("gcr.io/distroless/static-debian12:nonroot", "distroless-static-debian12-nonroot"),
        ("gcr.io/distroless/cc-debian12", "distroless-cc-debian12"),
        ("gcr.io/distroless/base:debug", "distroless-base-debian13-debug"),
        ("gcr.io/distroless/python3", "distroless-python3-debian13"),
    ],
)
def test_matching(ref: str, name: str) -> None:
    p = load_profiles().find(ref)
    assert p is not None and p.name == name


def test_unknown_image_has_no_profile() -> None:
    assert load_profiles().find("registry.example/acme/base:7") is None
    assert load_profiles().find("golang:1.22") is None


def test_distribution_families_are_derived_and_open() -> None:
    p = load_profiles().find("debian:bookworm")
    assert p is not None and p.knowledge is Knowledge.DISTRIBUTION and not p.env_complete
    users = p.userdb()
    assert not users.complete and users.by_name("www-data") is not None
    assert users.by_name("www-data").uid == 33  # type: ignore[union-attr]
    node = p.filesystem().get("/tmp")
    assert node is not None and node.knowledge is Knowledge.DISTRIBUTION and node.mode == 0o1777


def test_base_accounts_come_from_the_distributions() -> None:
    slim = load_profiles().find("python:3.12-slim")
    assert slim is not None and slim.passwd_complete
    names = {u.name for u in slim.users}
    assert {"root", "daemon", "www-data", "nobody", "_apt"} <= names
    alpine = load_profiles().find("python:3.12-alpine")
    assert alpine is not None and alpine.passwd_complete
    nobody = alpine.userdb().by_name("nobody")
    assert nobody is not None and nobody.home == "/"
    assert alpine.userdb().by_name("www-data") is None and alpine.userdb().gid_of("www-data") == 82


def test_ubi9_python_311_facts() -> None:
    p = load_profiles().find("registry.access.redhat.com/ubi9/python-311")
    assert p is not None
    fs = p.filesystem()
    n = fs.get("/opt/app-root")
    assert n is not None and (n.uid, n.gid, n.mode) == (1001, 0, 0o775)
    u = p.userdb().by_name("default")
    assert u is not None and (u.uid, u.gid, u.home) == (1001, 0, "/opt/app-root/src")
    assert "arbitrary" in p.runtime_users and p.user == "1001"


def test_tag_version_is_substituted() -> None:
    p = load_profiles().find("python:3.11-slim")
    assert p is not None
    assert p.filesystem().get("/usr/local/lib/python3.11/site-packages") is not None
    assert dict(p.env)["PYTHON_VERSION"] == "3.11"


def test_builtin_profiles_are_consistent() -> None:
    for p in _builtin():
        paths = dict(p.paths)
        assert p.source, p.name
        for path in paths:
            for a in ancestors(path):
                assert a in paths, (p.name, path, a)


def test_builtin_profiles_are_made_only_when_picked() -> None:
    """A lint makes only the built-in profiles its FROM lines pick (start-up); what it picks and makes must be what
    reading the whole file at once gives, for every pattern of every profile."""
    import json

    from venvlint.profiles import catalog

    with open(catalog.BUILTIN_JSON, encoding="utf-8") as fh:
        eager = catalog._load_file(catalog.BUILTIN, {}, json.load(fh))
    catalog._builtin_index.cache_clear()
    lazy = catalog._LazyProfiles([])
    assert lazy.find("python:3.11-slim") == catalog.ProfileSet(list(eager)).find("python:3.11-slim")
    made = len(catalog._builtin_index()._made)
    assert 1 <= made <= 3, made  # the profile and what it extends
    assert lazy.names() == [p.name for p in eager] and len(catalog._builtin_index()._made) == made
    assert list(_builtin()) == eager
    refs = {"golang:1.22", "registry.example/acme/base:7", "python:3.10", "python:3.13-slim-trixie"}
    for p in eager:
        for m in p.match:
            refs |= {m.replace("*", fill).replace("?", "x") for fill in ("", "3.12", "3.12-slim-bookworm", "a/b")}
    full = catalog.ProfileSet(list(eager))
    for ref in sorted(refs):
        if "[" not in ref:
            assert catalog._LazyProfiles([]).find(ref) == full.find(ref), ref


def test_libyaml_reads_what_pyyaml_reads(tmp_path: Path) -> None:
    """Users' YAML is read with libyaml's safe loader where PyYAML has it: the same documents (builtin.yaml has
    anchors, aliases and merged lists), the same duplicate-key check, and errors worded by PyYAML's own parser."""
    import yaml
    from venvlint import yamlfile
    from venvlint.profiles import compile as compile_profiles

    assert yaml.__with_libyaml__, "the test environment's PyYAML is built with libyaml"
    text = Path(compile_profiles.SOURCE).read_text()
    fast, pure = yamlfile._parse(text, True, libyaml=True), yamlfile._parse(text, True, libyaml=False)
    assert fast[0] == pure[0] and fast[1].value[1][0].value == "profiles"
    bad = tmp_path / "bad.yaml"
    for body, message, line in (("a: b: c\n", "mapping values are not allowed here", 1),
                                ("x: [1, 2\ny: 3\n", "expected ',' or ']', but got ':'", 2),
                                ("a: 1\nb: 2\na: 3\n", "duplicate key 'a' (first at line 1)", 3)):  # fmt: skip
        bad.write_text(body)
        with pytest.raises(InputError) as err:
            yamlfile.read_yaml(str(bad), "config")
        assert message in err.value.message and err.value.line == line, err.value.message


def test_builtin_json_is_builtin_yaml_compiled() -> None:
    # Linting reads builtin.json (no PyYAML at start-up); it must say exactly what builtin.yaml says.
    from venvlint.profiles import compile as compile_profiles

    with open(compile_profiles.TARGET, encoding="utf-8") as fh:
        assert fh.read() == compile_profiles.compiled(), "run `python -m venvlint.profiles.compile`"
    assert compile_profiles.main(["--check"]) == 0


def test_user_profile_overrides_and_adds(tmp_path: Path) -> None:
    f = tmp_path / "profiles.yaml"
    f.write_text(
        "profiles:\n"
        "  - name: corp-python\n"
        "    match: [registry.corp/python-*]\n"
        "    source: corp/base-images python/Dockerfile\n"
        "    user: '1500'\n"
        "    passwd: ['app:1500:0:/home/app']\n"
        "    paths:\n"
        "      /: {owner: '0:0', mode: '0755'}\n"
        "      /venv: {owner: '1500:0', mode: '0775'}\n"
    )
    ps = load_profiles([str(f)])
    p = ps.find("registry.corp/python-3.12:1")
    assert p is not None and p.origin == str(f) and p.filesystem().get("/venv").uid == 1500  # type: ignore[union-attr]
    assert ps.find("python:3.12") is not None


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ("profiles:\n  - name: x\n    match: [a]\n    source: s\n    colour: red\n", "unknown key 'colour'", 5),
        # Items of the wrong shape: the line-number lookup must not trip over them (found by fuzzing).
        ("profiles:\n  - [a, b]\n", "each profile must be a mapping", 2),
        ("profiles:\n  - just a string\n", "each profile must be a mapping", 2),
        ("profiles:\n  - name: x\n    match: {a: b}\n", "'match' must be a list", 3),
        (
            "profiles:\n  - name: x\n    match: [a]\n    source: s\n    paths:\n      /a/b: {owner: '0:0', mode: '0755'}\n",
            "its parent / is not",
            5,
        ),
        (
            "profiles:\n  - name: x\n    match: [a]\n    source: s\n    paths:\n      /: {owner: 'root', mode: '0755'}\n",
            "owner must be",
            5,
        ),
        ("profiles:\n  - name: x\n    match: [a]\n    extends: nope\n", "extends unknown profile", 4),
        ("profiles: [\n", "invalid YAML", None),
    ],
)
def test_validation_errors_name_file_and_line(tmp_path: Path, body: str, message: str, line: int | None) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(body)
    with pytest.raises(InputError) as err:
        load_profiles([str(f)]).find("anything")
    assert message in err.value.message and err.value.file == str(f)
    if line is not None:
        assert err.value.line == line


@given(
    text=st.text(alphabet="ab:-", max_size=8),
    pattern=st.text(alphabet="ab:*-", max_size=6),
)
@example(text="a", pattern="*a*a*")
@example(text="ab", pattern="a*b*")
@example(text="aba", pattern="*ab*ba")
@example(text="bookworm-slim", pattern="*bookworm*")
@settings(max_examples=500)
def test_profile_glob_agrees_with_fnmatch(text: str, pattern: str) -> None:
    """The match patterns' `*` globs are matched without regular expressions; they must agree with fnmatch."""
    from venvlint.profiles.catalog import _compile_glob, _glob

    assert _glob(text, _compile_glob(pattern)) == fnmatch.fnmatchcase(text, pattern)


def test_distroless_facts() -> None:
    """GoogleContainerTools/distroless' build definitions (common/BUILD.bazel, static/static.bzl, python3/python.bzl)
    and the bookworm packages the -debian12 images hold (docs/MEASUREMENTS.md)."""
    profiles = load_profiles()
    py = profiles.find("gcr.io/distroless/python3-debian12")
    assert py is not None and py.user == "" and py.workdir == "/"
    fs = py.filesystem()
    assert fs.resolve("/usr/bin/python3") == "/usr/bin/python3.11" and fs.get("/usr/bin/python3.11") is not None
    assert fs.is_known_absent("/bin/sh") and fs.is_known_absent("/usr/local/bin/python3")
    home = fs.get("/home/nonroot")
    assert home is not None and (home.uid, home.gid, home.mode) == (65532, 65532, 0o700)
    users = py.userdb()
    assert users.complete and [u.name for u in users.users.values()] == ["root", "nobody", "nonroot"]
    nonroot = profiles.find("gcr.io/distroless/python3-debian12:nonroot")
    assert nonroot is not None and (nonroot.user, nonroot.workdir) == ("65532", "/home/nonroot")
    debug = profiles.find("gcr.io/distroless/static-debian12:debug")
    assert debug is not None and dict(debug.env)["PATH"].endswith(":/busybox")
    dfs = debug.filesystem()
    assert dfs.get("/busybox/sh") is not None and dfs.is_known_absent("/bin/sh")
    assert dfs.is_known_absent("/lib64")  # static has no libc6
    trixie = profiles.find("gcr.io/distroless/python3")
    assert trixie is not None
    tfs = trixie.filesystem()
    assert tfs.resolve("/usr/bin/python3") == "/usr/bin/python3.13"
    assert not tfs.is_known_absent("/bin/sh")  # the trixie listings are not measured: open
