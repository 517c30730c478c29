"""What installed Python libraries write when the container runs: one row per library, measured.

Each row says which installed distributions bring the library (`brought_by`, from their `Requires-Dist`), where it
writes (`places`), when (`when`), what happens when it cannot (`on_failure`, with the measured message), and which
variable moves it (`fix_variable`). A new library is one row; `library-cache-not-writable` (VL024) reads the table.

`places` are tried in order; the library fails only when none of them can be written (numba's locators), and a
place whose variables are all unset and that has no default is skipped. Each place is a chain of alternatives, the
first whose variable is set deciding (Hugging Face: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else ...):
- `$NAME` or `$NAME/sub`: the variable's value (made absolute as the library does: `~` expanded, relative to the
  working directory);
- `~/sub`: below the HOME of whoever runs the container;
- `@site`: the site-packages of the environment the library is installed in (numba's `__pycache__` beside the
  sources: whoever can write site-packages owns what an install as that user put there).
Measured as docs/MEASUREMENTS.md "Libraries that write at run time (issue 21)" says: the version and the source of
each row are in the row.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from enum import Enum
from typing import NamedTuple


class When(str, Enum):
    USE = "use"  # the first call into the library (a module it loads lazily compiles with a cache)
    DOWNLOAD = "download"  # the first download (a model, a dataset, an encoding) not already in the cache


class OnFailure(str, Enum):
    RAISES = "raises"  # the call fails with an exception
    FALLS_BACK = "falls-back"  # the library warns and goes on with a temporary directory


class LibraryWrite(NamedTuple):
    key: str
    library: str  # as users name it
    brought_by: frozenset[str]  # normalized distribution names (`.dist-info` spelling) whose install brings it
    what: str  # what it keeps there
    places: tuple[tuple[str, ...], ...]
    when: When
    on_failure: OnFailure
    failure: str  # what happens, as measured (the message)
    fix_variable: str  # the variable that moves every place of the row
    fix_path: str  # a directory any user can create (below /tmp, 1777 in every image venvlint knows)
    measured: str  # the version the row was measured or read with
    source: str  # how: "measured" (docs/MEASUREMENTS.md), or the source file read
    # Other rows whose writes this one takes over when its variable is set (sentence-transformers passes
    # SENTENCE_TRANSFORMERS_HOME to the hub as the cache directory of every model it loads).
    covers: tuple[str, ...] = ()
    # Words of a RUN that downloads with the library at build time (its API or CLI, as written), and a directory
    # outside root's HOME to download into instead, which every user can read (the row's variable moves both).
    build_markers: tuple[str, ...] = ()
    shared_path: str = ""
    # Variables that move the place in some versions only (TRANSFORMERS_CACHE moved the hub's cache for transformers
    # 4, not 5): where the image sets one, where the library writes depends on a version venvlint does not know.
    moved_in_some_versions: tuple[str, ...] = ()


# The distributions whose Requires-Dist names huggingface_hub (read from their wheels: transformers 5.25.0,
# datasets 5.2.0, tokenizers, diffusers 0.42.1, accelerate 1.16.0, peft 0.21.2, timm 1.0.31, sentence-transformers
# 6.3.0).
_HF_HUB_USERS = frozenset({"huggingface_hub", "transformers", "datasets", "tokenizers", "diffusers", "accelerate",
                           "peft", "timm", "sentence_transformers"})  # fmt: skip
_HF_DATASETS = ("$HF_DATASETS_CACHE", "$HF_HOME/datasets", "$XDG_CACHE_HOME/huggingface/datasets",
                "~/.cache/huggingface/datasets")  # fmt: skip
# How a RUN downloads through the hub, as written: the Python API (transformers, diffusers and sentence-transformers
# load through it) and the CLI.
_HF_DOWNLOADS = ("from_pretrained(", "snapshot_download(", "hf_hub_download(", "huggingface-cli download",
                 "hf download", "SentenceTransformer(", "CrossEncoder(")  # fmt: skip
_HF_HUB = ("$HF_HUB_CACHE", "$HUGGINGFACE_HUB_CACHE", "$HF_HOME/hub", "$XDG_CACHE_HOME/huggingface/hub",
           "~/.cache/huggingface/hub")  # fmt: skip

LIBRARY_WRITES: tuple[LibraryWrite, ...] = (
    LibraryWrite(
        key="huggingface-hub",
        library="the Hugging Face hub",
        brought_by=_HF_HUB_USERS,
        what="its download cache (models, tokenizers, configurations)",
        places=(_HF_HUB,),
        when=When.DOWNLOAD,
        on_failure=OnFailure.RAISES,
        failure="`PermissionError: [Errno 13] Permission denied: '/.cache'` (transformers: `OSError: PermissionError "
        "at /.cache when downloading ...`); `TRANSFORMERS_CACHE` no longer moves it (transformers 5)",
        fix_variable="HF_HOME",
        fix_path="/tmp/huggingface",
        measured="huggingface_hub 2.4.0, transformers 5.25.0",
        source="measured (a local HF_ENDPOINT); read: huggingface_hub/constants.py",
        build_markers=_HF_DOWNLOADS,
        shared_path="/opt/huggingface",
        moved_in_some_versions=("TRANSFORMERS_CACHE", "PYTORCH_TRANSFORMERS_CACHE", "PYTORCH_PRETRAINED_BERT_CACHE"),
    ),
    LibraryWrite(
        key="sentence-transformers",
        library="sentence-transformers",
        brought_by=frozenset({"sentence_transformers"}),
        what="the models it loads",
        places=(("$SENTENCE_TRANSFORMERS_HOME", *_HF_HUB),),
        when=When.DOWNLOAD,
        on_failure=OnFailure.RAISES,
        failure="the hub's `PermissionError` (models go to `SENTENCE_TRANSFORMERS_HOME` when set, else the hub cache)",
        fix_variable="HF_HOME",
        fix_path="/tmp/huggingface",
        measured="sentence-transformers 6.3.0",
        source="read: sentence_transformers/base/model.py (cache_folder)",
        covers=("huggingface-hub",),
    ),
    LibraryWrite(
        key="datasets",
        library="Hugging Face datasets",
        brought_by=frozenset({"datasets"}),
        what="its dataset cache (`load_dataset`)",
        places=(_HF_DATASETS,),
        when=When.DOWNLOAD,
        on_failure=OnFailure.RAISES,
        failure="`PermissionError` when `load_dataset` creates its cache",
        fix_variable="HF_HOME",
        fix_path="/tmp/huggingface",
        measured="datasets 5.2.0",
        source="measured (the path, datasets.config); read: datasets/config.py",
    ),
    LibraryWrite(
        key="numba-librosa",
        library="librosa (numba `cache=True`)",
        brought_by=frozenset({"librosa"}),
        what="the machine code numba compiles for librosa's functions",
        places=(("$NUMBA_CACHE_DIR",), ("@site",), ("$XDG_CACHE_HOME/numba", "~/.cache/numba")),
        when=When.USE,
        on_failure=OnFailure.RAISES,
        failure="`RuntimeError: cannot cache function '__o_fold': no locator available for file "
        "'.../site-packages/librosa/core/notation.py'` at the first call into librosa",
        fix_variable="NUMBA_CACHE_DIR",
        fix_path="/tmp/numba-cache",
        measured="librosa 0.11.0, numba 0.68.1",
        source="measured; read: numba/core/caching.py (the locators, in order)",
    ),
    LibraryWrite(
        key="matplotlib",
        library="matplotlib",
        brought_by=frozenset({"matplotlib", "seaborn"}),
        what="its configuration and font cache",
        places=(("$MPLCONFIGDIR", "$XDG_CONFIG_HOME/matplotlib", "~/.config/matplotlib"),),
        when=When.USE,
        on_failure=OnFailure.FALLS_BACK,
        failure="`Matplotlib created a temporary cache directory at /tmp/matplotlib-... because there was an issue "
        "with the default path (<HOME>/.config/matplotlib)`: the font cache is built again at every start",
        fix_variable="MPLCONFIGDIR",
        fix_path="/tmp/matplotlib",
        measured="matplotlib 3.11.2",
        source="measured",
    ),
    LibraryWrite(
        key="torch-hub",
        library="torch.hub",
        brought_by=frozenset({"torchvision", "torchaudio", "timm"}),
        what="the weights `torch.hub` and torchvision download",
        places=(("$TORCH_HOME/hub", "$XDG_CACHE_HOME/torch/hub", "~/.cache/torch/hub"),),
        when=When.DOWNLOAD,
        on_failure=OnFailure.RAISES,
        failure="`PermissionError` from `os.makedirs` of `<hub>/checkpoints` in `load_state_dict_from_url`",
        fix_variable="TORCH_HOME",
        fix_path="/tmp/torch",
        measured="torch 2.x (not installed here: too large)",
        source="read: torch/hub.py (_get_torch_home, get_dir, load_state_dict_from_url)",
    ),
    LibraryWrite(
        key="tiktoken",
        library="tiktoken",
        brought_by=frozenset({"tiktoken"}),
        what="the encodings it downloads",
        # Without either variable it uses $TMPDIR/data-gym-cache and ignores a failure to write it: no place.
        places=(("$TIKTOKEN_CACHE_DIR", "$DATA_GYM_CACHE_DIR"),),
        when=When.DOWNLOAD,
        on_failure=OnFailure.RAISES,
        failure="`PermissionError` from `os.makedirs` when the variable names a directory it cannot write",
        fix_variable="TIKTOKEN_CACHE_DIR",
        fix_path="/tmp/tiktoken",
        measured="tiktoken 0.14.0",
        source="read: tiktoken/load.py (read_file_cached)",
    ),
)


class Place(NamedTuple):
    """Where a row's place is for one container: the path, and the variable that chose it ("" = the default)."""

    path: str
    variable: str


def place(chain: tuple[str, ...], env: Mapping[str, str], home: str | None, site: str | None, cwd: str = "/"
          ) -> Place | None:  # fmt: skip
    """The first alternative of `chain` that applies in `env` (the container's variables, only those set): None
    when none does, or when it needs a HOME or site-packages that is not known."""
    for alt in chain:
        if alt.startswith("$"):
            name, _, sub = alt[1:].partition("/")
            value = env.get(name)
            if not value:  # the libraries read an empty value as unset (os.getenv(...) or default) or as ""
                continue
            if value.startswith("~"):
                if home is None:
                    return None
                value = home + value[1:]
            return Place(posixpath.normpath(posixpath.join(cwd, value, sub)), name)
        if alt.startswith("~/"):
            return Place(posixpath.normpath(posixpath.join(home, alt[2:])), "") if home else None
        if alt == "@site":
            return Place(site, "") if site else None
    return None


def variables(row: LibraryWrite) -> tuple[str, ...]:
    """Every variable the row's places read, in order."""
    names = (alt[1:].partition("/")[0] for chain in row.places for alt in chain if alt.startswith("$"))
    return tuple(dict.fromkeys(names))


# nltk loads data only from its search path, and downloads into the first directory of it that exists and is
# writable, else into ~/nltk_data (measured, nltk 3.10.4: nltk.data.path, Downloader.default_download_dir;
# docs/MEASUREMENTS.md). Its directories outside any environment, in that order:
NLTK_SYSTEM_DIRS = (
    "/usr/share/nltk_data",
    "/usr/local/share/nltk_data",
    "/usr/lib/nltk_data",
    "/usr/local/lib/nltk_data",
)


def nltk_search_path(env: Mapping[str, str], home: str | None, prefix: str | None) -> list[str]:
    """nltk's search path for one user: NLTK_DATA's entries, `home`/nltk_data (left out when `home` is None: not
    known), the environment's own directories below `prefix` (sys.prefix of a venv; None: left out), the system
    ones."""
    out = [p for p in env.get("NLTK_DATA", "").split(":") if p.startswith("/")]
    if home:
        out.append(posixpath.join(home, "nltk_data"))
    if prefix:
        out += [posixpath.join(prefix, sub) for sub in ("nltk_data", "share/nltk_data", "lib/nltk_data")]
    return [posixpath.normpath(p) for p in (*out, *NLTK_SYSTEM_DIRS)]
