"""Where builders disagree (docs/BUILDERS.md, "Where builders disagree"): the default follows BuildKit, --builder
selects the others. The buildah column is also checked against the real builder in tests/oracle; these cases cover
what buildah cannot show (BuildKit and classic behaviour, measured by hand: the rows of docs/BUILDERS.md)."""

from __future__ import annotations

from .conftest import state


def test_workdir_owner_under_numeric_user(build) -> None:  # type: ignore[no-untyped-def]
    df = "FROM base\nUSER 1001\nWORKDIR /w3/w4\n"
    for builder, expected in (("buildkit", (1001, 1001)), ("buildah", (1001, 1001)), ("classic", (0, 0))):
        doc = build(df, ["/w3", "/w3/w4"], builder=builder)
        assert state(doc, "/w3")[:2] == expected, builder
        assert state(doc, "/w3/w4") == (*expected, "0755", "dir")


def test_workdir_owner_under_named_user_uses_primary_gid(build) -> None:  # type: ignore[no-untyped-def]
    doc = build("FROM base\nUSER default\nWORKDIR /w8\nUSER alice\nWORKDIR /w6\n", ["/w8", "/w6"])
    assert state(doc, "/w8") == (1001, 0, "0755", "dir")
    assert state(doc, "/w6") == (2000, 2000, "0755", "dir")


def test_created_parent_inherits_setgid_except_on_buildah(build) -> None:  # type: ignore[no-untyped-def]
    df = "FROM base\nRUN mkdir -p /e1 && chown 1001:0 /e1 && chmod 2775 /e1\nCOPY --chown=1001:0 f.txt /e1/n1/n2/f\n"
    files = {"f.txt": ("x", 0o640)}
    assert state(build(df, ["/e1/n1"], files=files), "/e1/n1") == (1001, 0, "2755", "dir")
    assert state(build(df, ["/e1/n1"], files=files, builder="classic"), "/e1/n1") == (1001, 0, "2755", "dir")
    assert state(build(df, ["/e1/n1"], files=files, builder="buildah"), "/e1/n1") == (1001, 0, "0755", "dir")


def test_setuid_from_context_kept_by_buildkit_only(build) -> None:  # type: ignore[no-untyped-def]
    df = "FROM base\nCOPY fsuid /sbits/\n"
    files = {"fsuid": ("x", 0o4755)}
    assert state(build(df, ["/sbits/fsuid"], files=files), "/sbits/fsuid")[2] == "4755"
    assert state(build(df, ["/sbits/fsuid"], files=files, builder="buildah"), "/sbits/fsuid")[2] == "0755"


def test_symlink_replaced_by_directory_fails_on_buildkit(build) -> None:  # type: ignore[no-untyped-def]
    df = "FROM base\nRUN mkdir -p /opt/real && ln -s /opt/real /opt/app-root\nCOPY root/ /\n"
    files = {"root/opt/app-root/f.txt": ("x", 0o640)}
    dirs = {"root": 0o750, "root/opt": 0o750, "root/opt/app-root": 0o750}
    doc = build(df, ["/opt/app-root"], files=files, dirs=dirs)
    assert doc["build_fails"] is not None and doc["build_fails"]["line"] == 8
    doc = build(df, ["/opt/app-root", "/opt/real"], files=files, dirs=dirs, builder="buildah")
    assert doc["build_fails"] is None
    assert state(doc, "/opt/app-root") == (0, 0, "0750", "dir")
    assert state(doc, "/opt/real") == (0, 0, "0755", "dir")


def test_volume_freezes_run_changes_on_legacy_builders(build) -> None:  # type: ignore[no-untyped-def]
    df = (
        "FROM base\nRUN mkdir -p /opt/app-root && chown 1001:0 /opt/app-root && chmod 2775 /opt/app-root\n"
        "VOLUME /opt/app-root\nRUN chown 0:0 /opt/app-root && chmod 0700 /opt/app-root && touch /opt/app-root/x\n"
    )
    kept = build(df, ["/opt/app-root", "/opt/app-root/x"])
    assert state(kept, "/opt/app-root") == (0, 0, "0700", "dir")
    assert state(kept, "/opt/app-root/x")[3] == "file"
    for builder in ("buildah", "classic"):
        frozen = build(df, ["/opt/app-root", "/opt/app-root/x"], builder=builder)
        assert state(frozen, "/opt/app-root") == (1001, 0, "2775", "dir"), builder
        assert state(frozen, "/opt/app-root/x")[3] is None, builder


def test_volume_creates_missing_dir_on_legacy_builders_only(build) -> None:  # type: ignore[no-untyped-def]
    df = "FROM base\nVOLUME /vol2\n"
    assert state(build(df, ["/vol2"]), "/vol2")[3] is None
    assert state(build(df, ["/vol2"], builder="buildah"), "/vol2") == (0, 0, "0755", "dir")


def test_chmod_flag_fails_on_classic(build) -> None:  # type: ignore[no-untyped-def]
    df = "FROM base\nCOPY --chmod=0664 f /m1/f\n"
    files = {"f": ("x", 0o640)}
    assert state(build(df, ["/m1/f"], files=files), "/m1/f") == (0, 0, "0664", "file")
    assert build(df, ["/m1/f"], files=files, builder="classic")["build_fails"]["line"] == 7


def test_chown_name_only_classic_needs_same_named_group(build) -> None:  # type: ignore[no-untyped-def]
    df = "FROM base\nCOPY --chown=default f /c/f\n"
    files = {"f": ("x", 0o640)}
    assert state(build(df, ["/c/f"], files=files), "/c/f") == (1001, 0, "0640", "file")
    assert "gid" in build(df, ["/c/f"], files=files, builder="classic")["build_fails"]["message"]


def test_classic_chowns_only_last_created_level_for_dir_source(build) -> None:  # type: ignore[no-untyped-def]
    df = "FROM base\nCOPY --chown=1001:0 d /s1/s2/\n"
    files = {"d/g": ("x", 0o640)}
    dirs = {"d": 0o700}
    bk = build(df, ["/s1", "/s1/s2"], files=files, dirs=dirs)
    assert state(bk, "/s1")[:2] == (1001, 0) and state(bk, "/s1/s2")[:2] == (1001, 0)
    cl = build(df, ["/s1", "/s1/s2"], files=files, dirs=dirs, builder="classic")
    assert state(cl, "/s1")[:2] == (0, 0) and state(cl, "/s1/s2")[:2] == (1001, 0)


def test_motivating_case_explained(build) -> None:  # type: ignore[no-untyped-def]
    df = (
        "FROM base\nRUN mkdir -p /opt/app-root/src && chown -R 1001:0 /opt/app-root && chmod -R 775 /opt/app-root\n"
        "USER 0\nCOPY root/ /\nUSER 1001\n"
    )
    files = {"root/opt/app-root/f.txt": ("x", 0o644)}
    dirs = {"root": 0o755, "root/opt": 0o755, "root/opt/app-root": 0o755}
    doc = build(df, ["/opt/app-root", "/opt/app-root/src"], files=files, dirs=dirs)
    assert state(doc, "/opt/app-root") == (0, 0, "0755", "dir")
    assert state(doc, "/opt/app-root/src") == (1001, 0, "0775", "dir")
    hist = next(p for p in doc["paths"] if p["path"] == "/opt/app-root")["history"]
    assert [h["line"] for h in hist] == [7, 7, 7, 9]
    assert hist[-1]["instruction"] == "COPY root/ /"


def test_cache_mount_owner_and_mode_by_builder() -> None:
    """docs/BUILDERS.md rule 14: buildah applies umask 022 to mode= and keeps what a cache's first mount made it;
    BuildKit gives each uid/gid/mode its own cache, and whether mode= keeps group and other write depends on its
    daemon's umask (not known: a verdict that turns on it rests on an assumption)."""
    from venvlint.model.access import Identity, Tri
    from venvlint.model.fs import Knowledge
    from venvlint.model.mount import RunMount, as_built, mount_access, parse_mount

    app = Identity(1000, 1000, name="app")
    m777 = parse_mount("type=cache,target=/c,mode=0777", "/")
    assert m777 is not None
    on_buildah = as_built(m777, "buildah", 5)
    assert (on_buildah.uid, on_buildah.gid, on_buildah.mode, on_buildah.maybe) == (0, 0, 0o755, 0)
    assert mount_access(on_buildah, app).result is Tri.NO
    assert all(p.known for p in mount_access(on_buildah, app).premises)
    on_buildkit = as_built(m777, "buildkit", 5)
    assert (on_buildkit.mode, on_buildkit.maybe) == (0o755, 0o022)
    verdict = mount_access(on_buildkit, app)
    assert verdict.result is Tri.NO and [p.knowledge for p in verdict.premises] == [Knowledge.ASSUMED]
    made: dict[str, RunMount] = {}
    first = as_built(m777, "buildah", 5, made)
    mine = parse_mount("type=cache,target=/c,uid=1000,gid=1000", "/")
    assert mine is not None
    later = as_built(mine, "buildah", 9, made)
    assert (later.uid, later.gid, later.mode, later.line) == (0, 0, 0o755, first.line)
    assert mount_access(as_built(mine, "buildkit", 9), app).result is Tri.YES
