"""The user scenarios behind the rules: the failures users reported in public issue trackers, each with its
title and the threads it was collected from (owner/repository#number). A rule's SCENARIOS names them; its doc page
and `venvlint rule` show them."""

from __future__ import annotations

SCENARIOS: dict[str, tuple[str, tuple[str, ...]]] = {
    "S1": ('COPY of an overlay tree resets the venv root', ('astral-sh/uv#12200', 'opendatahub-io/notebooks#986')),
    "S2": ('Venv owned by root, runtime `uv run` re-syncs', ('astral-sh/uv-docker-example#82', 'CERTCC/Vultron#2713', 'astral-sh/uv#17617')),
    "S3": ('Cross-user uv lock in /tmp', ('astral-sh/uv#11324', 'astral-sh/uv#12665')),
    "S4": ('uv-managed interpreter lives under /root', ('astral-sh/uv#7758', 'astral-sh/uv#13309', 'ppy/osu-wiki#14765')),
    "S5": ('Interpreter symlink dangles after a multi-stage copy', ('astral-sh/uv#6782', 'astral-sh/uv-docker-example#33', 'astral-sh/uv-docker-example#41')),
    "S6": ('Venv relocated between stages', ('astral-sh/uv#13350', 'GeiserX/CashPilot#68', 'mlcommons/modelbench#1474')),
    "S7": ("HOME is `/nonexistent` or missing, so the cache dir can't be created", ('astral-sh/uv#17026', 'astral-sh/uv#10023', 'ppy/osu-wiki#14765')),
    "S8": ('Base image already non-root; the cache-mount example targets /root', ('astral-sh/uv#12710',)),
    "S9": ('Cache mount owned by root while USER is non-root', ('moby/buildkit#1237', 'astral-sh/uv#10047', 'astral-sh/uv#11617')),
    "S10": ('Cache dir hard-wired to one UID; arbitrary UID / HOME=/', ('maxdorninger/MediaManager#569', 'OpenShift-Fleet/rehor#52', 'oss-aspen/8Knot#856', 'itbench-hub/ITBench-SRE-Agent#1')),
    "S11": ('WORKDIR/COPY leave the app dir root-owned, so installing from source fails', ('pypa/pip#8196', 'mlcommons/endpoints#275', 'winebarrel/pistachio#406')),
    "S12": ('WORKDIR created as root by the classic builder', ('moby/moby#36677', 'moby/moby#20295', 'docker/docs#13574')),
    "S13": ('pip install into system site-packages as non-root / arbitrary uid', ('docker-library/python#414',)),
    "S14": ('Poetry without a venv as non-root', ('python-poetry/poetry#5928', 'python-poetry/poetry#2049', 'python-poetry/poetry#2996')),
    "S15": ('Tool shim under /root on PATH', ('nikolaik/docker-python-nodejs#19', 'python-poetry/poetry#8408')),
    "S16": ('pip cache dir not writable: warning, cache disabled', ('jupyter/docker-stacks#680', 'actions/runner#652', 'SickChill/sickchill#7450', 'beeware/briefcase-linux-appimage-template#13')),
    "S17": ('OpenShift arbitrary UID: group-0 model broken by mode or owner', ('sclorg/s2i-python-container#210', 'sclorg/s2i-python-container#344', 'jupyter-on-openshift/jupyter-notebooks#35')),
    "S18": ('`COPY --chown=app:app` under OpenShift resets group to non-0', ('atlanhq/application-sdk#2638',)),
    "S19": ('Install as root after fix-permissions', ('kubeflow/kubeflow#1722', 'kubeflow/kubeflow#1438')),
    "S20": ('Umask 022 with multiple UIDs sharing a venv', ('linagora/openrag#844', 'opendatahub-io/notebooks#3928', 'opendatahub-io/notebooks#3934')),
    "S21": ('`RUN chown -R` over the venv doubles the image', ('topoteretes/cognee#3753', 'topoteretes/cognee#4045', 'DataDog/dd-trace-py#10039', 'kortix-ai/suna#7309', 'basicallysource/sorter-v2#190', 'docling-project/docling-serve#119')),
    "S22": ('No passwd entry for the runtime UID breaks tools', ('linagora/openrag#489', 'user-cont/release-bot#48', 'sclorg/s2i-python-container#298')),
    "S23": ('Bind-mounted cache or venv with a foreign owner', ('langgenius/dify#42433', 'langgenius/dify-plugin-daemon#819', 'astral-sh/uv-docker-example#40')),
    "S24": ("`poetry run` as another user does not find root's environment", ('python-poetry/poetry#1265', 'python-discord/bot#2276')),
}  # fmt: skip
