"""The reality suite's real Debian images (tests/reality/images), pushed to a real registry, read back by
venvlint: the profile from the registry is the profile of the saved archive, and every recorded reality case is
judged the same when its bases come from the registry instead of profiles.yaml (the judgement of 99 real builds).

The archives are built by the reality suite (tests/reality, which runs first); without them these tests skip, and
fail under CI=true.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from venvlint.lint import LintOptions
from venvlint.registry.settings import RegistrySettings

from tests.reality import agree, images
from tests.reality.cases import all_cases, prepare_context
from tests.reality.record import subject_of

from .blobs import ImageBlobs, upload_image
from .harness import RegistryServer

OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
# What a registry-read profile adds or names differently from `venvlint profile ARCHIVE`.
PROVENANCE = {"name", "match", "source", "digest", "platform"}


def _from_archive(path: Path) -> ImageBlobs:
    """The image of a docker-archive as it would be pushed: its config as saved, its layers as plain tars."""
    with tarfile.open(path) as tf:

        def member(name: str) -> bytes:
            f = tf.extractfile(name)
            assert f is not None, name
            return f.read()

        manifest = json.loads(member("manifest.json"))[0]
        image = ImageBlobs(member(manifest["Config"]), [member(x) for x in manifest["Layers"]])
    image.layer_types = [OCI_LAYER_TAR] * len(image.layers)
    image.manifest = json.dumps(image.manifest_doc()).encode()
    return image


@pytest.fixture(scope="module")
def reality_registry(registry_available: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    missing = [n for n in images.ORDER if not images.archive(n).is_file()]
    if missing:
        reason = f"the reality images {missing} are not built (the reality suite builds them)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    server = RegistryServer(tmp_path_factory.mktemp("reality-registry"), "plain").start()
    try:
        for name in images.ORDER:
            upload_image(server, f"reality/{name}:1", _from_archive(images.archive(name)))
        yield server
    finally:
        server.stop()


def _recorded_profiles() -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(images.PROFILES.read_text())
    return {p["name"]: p for p in doc["profiles"]}


@pytest.mark.parametrize("name", images.ORDER)
def test_the_registry_gives_the_archives_profile(name: str, reality_registry: RegistryServer, tmp_path: Path) -> None:
    ref = f"{reality_registry.host}/reality/{name}:1"
    env = {**os.environ, "VENVLINT_OFFLINE": "0", "VENVLINT_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-m", "venvlint", "profile", ref], capture_output=True, text=True, env=env,
                       timeout=600, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    read = yaml.safe_load(r.stdout)["profiles"][0]
    saved = _recorded_profiles()[images.tag(name)]
    assert read["digest"].startswith("sha256:") and read["platform"] == "linux/amd64"
    assert {k: v for k, v in read.items() if k not in PROVENANCE} == {
        k: v for k, v in saved.items() if k not in PROVENANCE
    }


def test_every_reality_case_is_judged_the_same_from_the_registry(
    reality_registry: RegistryServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No profile file: the cases' `FROM localhost/reality/NAME:1` are read through a mirror of `localhost` (the
    test registry), and venvlint must still agree with every real build and run."""
    settings = RegistrySettings(mirrors=(("localhost", (reality_registry.host,)),), cache_dir=str(tmp_path / "cache"))
    written = agree.options_for

    def from_registry(subject: agree.Subject) -> LintOptions:
        options = written(subject)
        options.profile_files = ()
        options.registry = settings
        return options

    monkeypatch.setattr(agree, "options_for", from_registry)
    reality_registry.clear_requests()
    disagreements: list[str] = []
    judged = 0
    for case in all_cases():
        if not case.recorded:
            continue
        ctx = prepare_context(case, tmp_path / case.name)
        judgement = agree.judge(subject_of(case, ctx), case.recorded)
        disagreements += [f"{case.name}: {d}" for d in judgement.disagreements]
        judged += 1
    assert judged >= 80 and not disagreements, "\n".join(disagreements)
    # The bases really came from the registry, each read once (the run's profiles are shared).
    manifests = [p for _, p in reality_registry.requests() if "/manifests/" in p]
    assert manifests and len(manifests) == len(set(manifests)), manifests
    assert set(manifests) <= {f"/v2/reality/{n}/manifests/1" for n in images.ORDER}
