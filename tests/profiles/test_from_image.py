from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
import yaml
from venvlint.errors import InputError
from venvlint.profiles.from_image import read_image


def _layer(entries: list[tuple[str, str, int, int, int]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, kind, uid, gid, mode in entries:
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE if kind == "dir" else tarfile.REGTYPE
            info.uid, info.gid, info.mode = uid, gid, mode
            tf.addfile(info)
    return buf.getvalue()


def _archive(path: Path, layers: list[bytes], config: dict[str, object]) -> None:
    with tarfile.open(path, "w") as tf:

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))

        add("config.json", json.dumps({"config": config}).encode())
        for i, data in enumerate(layers):
            add(f"l{i}.tar", data)
        manifest = [
            {"Config": "config.json", "RepoTags": ["corp/base:1"], "Layers": [f"l{i}.tar" for i in range(len(layers))]}
        ]
        add("manifest.json", json.dumps(manifest).encode())


def test_layers_whiteouts_and_opaque_dirs(tmp_path: Path) -> None:
    first = _layer([("opt/", "dir", 0, 0, 0o755), ("opt/venv/", "dir", 1001, 0, 0o775), ("opt/venv/pyvenv.cfg", "file", 1001, 0, 0o664),
                    ("opt/old/", "dir", 0, 0, 0o755), ("opt/old/f", "file", 0, 0, 0o644), ("srv/", "dir", 0, 0, 0o755),
                    ("srv/a", "file", 0, 0, 0o644)])  # fmt: skip
    second = _layer([("opt/.wh.old", "file", 0, 0, 0o644), ("srv/.wh..wh..opq", "file", 0, 0, 0o644),
                     ("srv/b", "file", 0, 0, 0o644)])  # fmt: skip
    archive = tmp_path / "img.tar"
    _archive(archive, [first, second], {"User": "1001", "WorkingDir": "/opt/venv", "Env": ["HOME=/opt/venv"]})
    image = read_image(str(archive))
    assert "/opt/old" not in image.entries and "/opt/old/f" not in image.entries
    assert "/srv/a" not in image.entries and "/srv/b" in image.entries
    e = image.entries["/opt/venv"]
    assert (e.uid, e.gid, e.mode) == (1001, 0, 0o775)
    assert image.tags == ["corp/base:1"] and image.config["User"] == "1001"

    from venvlint.profiles.from_image import profile_yaml

    doc = yaml.safe_load(profile_yaml(image, "corp", "test"))["profiles"][0]
    assert doc["venvs"] == ["/opt/venv"] and doc["paths"]["/opt/venv"] == {"owner": "1001:0", "mode": "0775"}
    assert doc["env"] == {"HOME": "/opt/venv"} and doc["match"] == ["corp/base:1"]


def test_not_an_image(tmp_path: Path) -> None:
    f = tmp_path / "x.tar"
    with tarfile.open(f, "w"):
        pass
    with pytest.raises(InputError, match="neither a docker-archive"):
        read_image(str(f))


@pytest.mark.parametrize(
    "manifest",
    [b"{not json", b"{}", b"[]", b"[1]", b'[{"Config": 7, "Layers": []}]', b'[{"Config": "missing.json"}]',
     b"[" * 100_000 + b"]" * 100_000],
    ids=["invalid-json", "object", "empty-list", "number", "config-not-a-name", "config-missing", "deep-nesting"],
)  # fmt: skip
def test_malformed_archives_are_input_errors(tmp_path: Path, manifest: bytes) -> None:
    f = tmp_path / "bad.tar"
    with tarfile.open(f, "w") as tf:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tf.addfile(info, io.BytesIO(manifest))
    with pytest.raises(InputError, match=r"bad\.tar"):
        read_image(str(f))


def test_an_image_from_standard_input(tmp_path: Path) -> None:
    """`podman save IMG | venvlint profile -`: the same profile as from the file."""
    import subprocess
    import sys

    archive = tmp_path / "img.tar"
    _archive(archive, [_layer([("opt/", "dir", 0, 0, 0o755), ("opt/venv/", "dir", 1001, 0, 0o775)])], {"User": "1001"})
    from_file = subprocess.run([sys.executable, "-m", "venvlint", "profile", str(archive), "--name", "p"],
                               capture_output=True, text=True, timeout=120)  # fmt: skip
    with archive.open("rb") as fh:
        from_stdin = subprocess.run([sys.executable, "-m", "venvlint", "profile", "-", "--name", "p"], stdin=fh,
                                    capture_output=True, text=True, timeout=120)  # fmt: skip
    assert from_file.returncode == from_stdin.returncode == 0, from_stdin.stderr
    strip = [line for line in from_stdin.stdout.splitlines() if "source:" not in line]
    assert strip == [line for line in from_file.stdout.splitlines() if "source:" not in line]
    assert "venvlint profile standard input" in from_stdin.stdout


def test_a_file_that_is_not_an_archive_is_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    f = tmp_path / "notes.txt"
    f.write_text("hello\n")
    r = subprocess.run([sys.executable, "-m", "venvlint", "profile", str(f)], capture_output=True, text=True,
                       timeout=120)  # fmt: skip
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "not an image archive" in r.stderr, r.stderr


def _zstd_image(tmp_path: Path) -> Path:
    zstandard = pytest.importorskip("zstandard")
    layer = _layer([("opt/", "dir", 0, 0, 0o755), ("opt/venv/", "dir", 1001, 0, 0o775)])
    archive = tmp_path / "img.tar"
    _archive(archive, [zstandard.ZstdCompressor().compress(layer)], {"User": "1001"})
    return archive


def test_zstd_layers_are_read(tmp_path: Path) -> None:
    image = read_image(str(_zstd_image(tmp_path)))
    e = image.entries["/opt/venv"]
    assert (e.uid, e.gid, e.mode) == (1001, 0, 0o775)


def test_zstd_layers_without_a_decompressor_are_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    archive = _zstd_image(tmp_path)
    monkeypatch.setitem(sys.modules, "zstandard", None)  # as on a Python without either decompressor
    monkeypatch.setitem(sys.modules, "compression", None)
    with pytest.raises(InputError, match=r"layer l0\.tar is zstd-compressed, which this Python cannot read") as err:
        read_image(str(archive))
    assert "\n" not in str(err.value)


def test_a_profiles_file_in_error_is_said_once_per_run(tmp_path: Path) -> None:
    """Before, each Dockerfile parsed the bad file again and printed the same error: 30 files, 30 errors."""
    import subprocess
    import sys

    bad = tmp_path / "bad.yaml"
    bad.write_text("profiles:\n- name: corp\n  match: [corp/base]\n  paths:\n    /: {owner: nobody}\n")
    files = []
    for i in range(3):
        df = tmp_path / f"D{i}.Dockerfile"
        df.write_text("FROM corp/base:1\nRUN true\n")
        files.append(str(df))
    r = subprocess.run([sys.executable, "-m", "venvlint", "--profiles", str(bad), *files], capture_output=True,
                       text=True, timeout=120)  # fmt: skip
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "owner must be 'uid:gid'" in r.stderr, r.stderr


def test_a_users_profile_of_a_private_image_needs_no_public_source(tmp_path: Path) -> None:
    """A private base has no public Dockerfile to cite: the profile file itself is the source."""
    import subprocess
    import sys

    corp = tmp_path / "corp.yaml"
    corp.write_text("profiles:\n- name: corp\n  match: [corp/base]\n  user: '1001'\n  passwd_complete: true\n"
                    "  passwd: ['root:0:0:/root:/bin/sh', 'app:1001:0:/home/app:/bin/sh']\n"
                    "  paths:\n    /: {owner: '0:0', mode: '0755'}\n    /opt: {owner: '0:0', mode: '0755'}\n")  # fmt: skip
    (tmp_path / "Dockerfile").write_text('FROM corp/base:1\nRUN ["/bin/mkdir", "/opt/x"]\n')
    r = subprocess.run([sys.executable, "-m", "venvlint", "--profiles", str(corp), "Dockerfile", "-f", "json"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode in (0, 1), r.stderr  # linted, not refused (exit 2 before: "has no `source`")
    said = " ".join(a["message"] for a in __import__("json").loads(r.stdout)["assumptions"])
    assert "corp/base:1 is not known" not in said, said
    from venvlint.profiles.catalog import load_profiles

    prof = load_profiles([str(corp)]).find("corp/base:1")
    assert prof is not None and prof.source == f"the profile file {corp}"


def _oci_layout(root: Path, layer: bytes) -> None:
    """An OCI image layout: index.json → manifest → config and one layer, blobs named by their sha256."""
    import hashlib

    def blob(data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        (root / "blobs" / "sha256" / digest).write_bytes(data)
        return f"sha256:{digest}"

    config = blob(json.dumps({"config": {"User": "1001"}}).encode())
    manifest = blob(json.dumps({"config": {"digest": config}, "layers": [{"digest": blob(layer)}]}).encode())
    (root / "index.json").write_text(json.dumps({"manifests": [{"digest": manifest}]}))
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')


def test_an_oci_layout_directory_and_a_tar_of_it_made_with_dot_names(tmp_path: Path) -> None:
    """`skopeo copy ... oci:DIR` leaves a directory; `tar cf x.tar -C DIR .` names its members `./index.json`."""
    layer = _layer([("opt/", "dir", 0, 0, 0o755), ("opt/venv/", "dir", 1001, 0, 0o775)])
    layout = tmp_path / "layout"
    _oci_layout(layout, layer)
    tarred = tmp_path / "layout.tar"
    with tarfile.open(tarred, "w") as tf:
        tf.add(layout, arcname=".")
    for source in (layout, tarred):
        image = read_image(str(source))
        e = image.entries["/opt/venv"]
        assert (e.uid, e.gid, e.mode) == (1001, 0, 0o775) and image.config["User"] == "1001"


def test_a_blob_path_cannot_leave_the_layout_directory(tmp_path: Path) -> None:
    layout = tmp_path / "layout"
    layout.mkdir()
    (tmp_path / "secret.json").write_text("{}")
    (layout / "index.json").write_text(json.dumps({"manifests": [{"digest": "sha256:../../../secret.json"}]}))
    with pytest.raises(InputError, match="missing from the layout"):
        read_image(str(layout))


def test_a_profiles_file_is_parsed_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a large profile made by `venvlint profile`, parsing it costs about a second: it is parsed once, before
    the forked workers of `--jobs 2` start, which inherit it (a guard: each worker parsing it again would pass the
    other tests)."""
    from venvlint import lint_command
    from venvlint.parallel import can_fork
    from venvlint.profiles import catalog

    if not can_fork():
        pytest.skip("no fork on this platform: the workers are not used")
    prof = tmp_path / "corp.yaml"
    prof.write_text("profiles:\n- name: corp\n  source: test\n  match: [corp/base]\n  user: '1001'\n")
    files = []
    for i in range(2 * lint_command.FILES_PER_WORKER):
        df = tmp_path / f"D{i}.Dockerfile"
        df.write_text("FROM corp/base:1\nRUN true\n")
        files.append(str(df))
    log = tmp_path / "parsed.log"  # appended to by every process that parses (workers are forked)
    real = catalog._load_file

    def counting(path: str, *args: object, **kwargs: object) -> object:
        with log.open("a") as fh:
            fh.write(path + "\n")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(catalog, "_load_file", counting)
    monkeypatch.setattr(catalog, "_SETS", {})
    out = tmp_path / "o.json"
    request = lint_command.LintRequest(dockerfiles=files, profiles=[str(prof)], jobs=2, fmt="json", output=str(out))
    assert lint_command.run_lint(request) == 0
    assert log.read_text().splitlines().count(str(prof)) == 1
