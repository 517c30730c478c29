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
