"""The table of what installed libraries write at run time (`venvlint.libraries`), and how a place is resolved."""

from __future__ import annotations

from venvlint.libraries import LIBRARY_WRITES, Place, place, variables

HUB = next(r for r in LIBRARY_WRITES if r.key == "huggingface-hub")
NUMBA = next(r for r in LIBRARY_WRITES if r.key == "numba-librosa")


def test_every_row_says_what_it_was_measured_with_and_moves_with_its_variable() -> None:
    keys = [r.key for r in LIBRARY_WRITES]
    assert len(keys) == len(set(keys))
    for row in LIBRARY_WRITES:
        assert row.measured and row.source and row.brought_by and row.places, row.key
        assert row.fix_variable in variables(row), row.key
        assert row.fix_path.startswith("/tmp/"), row.key
        assert all(c in keys for c in row.covers), row.key


def test_the_hub_cache_follows_its_variables_in_order() -> None:
    chain = HUB.places[0]
    assert place(chain, {}, "/home/app", None) == Place("/home/app/.cache/huggingface/hub", "")
    assert place(chain, {"XDG_CACHE_HOME": "/x"}, "/", None) == Place("/x/huggingface/hub", "XDG_CACHE_HOME")
    assert place(chain, {"XDG_CACHE_HOME": "/x", "HF_HOME": "/hf"}, "/", None) == Place("/hf/hub", "HF_HOME")
    assert place(chain, {"HF_HOME": "/hf", "HF_HUB_CACHE": "/c"}, "/", None) == Place("/c", "HF_HUB_CACHE")
    # an empty value is unset; `~` is the HOME of whoever runs it; a relative value is read from the directory
    assert place(chain, {"HF_HOME": ""}, "/", None) == Place("/.cache/huggingface/hub", "")
    assert place(chain, {"HF_HOME": "~/hf"}, "/home/app", None) == Place("/home/app/hf/hub", "HF_HOME")
    assert place(chain, {"HF_HOME": "hf"}, "/", None, cwd="/app") == Place("/app/hf/hub", "HF_HOME")
    assert place(chain, {}, None, None) is None  # HOME not known: not judged


def test_numba_tries_every_locator() -> None:
    assert [place(c, {}, "/", "/venv/lib/python3.12/site-packages") for c in NUMBA.places] == [
        None,
        Place("/venv/lib/python3.12/site-packages", ""),
        Place("/.cache/numba", ""),
    ]
