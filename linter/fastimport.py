"""Load one module of a third-party package without running the package's `__init__`.

Two dependencies pay at import for things venvlint never uses: `dockerfile_parse/__init__` imports its whole
parser (with logging, about 15 ms) though venvlint needs only `dockerfile_parse.util.WordSplitter`, and
`tree_sitter_bash/__init__` imports importlib.resources (about 10 ms) for highlight queries. Together that is a
fifth of a cold start, so the one module needed is loaded from the package's folder directly. The module is not
registered in `sys.modules`, so an ordinary import elsewhere still gets the package as its authors built it; any
surprise in the layout falls back to that ordinary import.
"""

from __future__ import annotations

import importlib
import os
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec, PathFinder, SourceFileLoader
from types import ModuleType


def load_module(package: str, name: str) -> ModuleType:
    full = f"{package}.{name}"
    try:
        spec = PathFinder.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            source = os.path.join(folder, name + ".py")
            if os.path.isfile(source):
                return _exec(full, SourceFileLoader(full, source), source)
            for suffix in EXTENSION_SUFFIXES:
                binary = os.path.join(folder, name + suffix)
                if os.path.isfile(binary):
                    return _exec(full, ExtensionFileLoader(full, binary), binary)
    except (ImportError, OSError, SyntaxError):
        pass
    return importlib.import_module(full)


def _exec(full: str, loader: SourceFileLoader | ExtensionFileLoader, path: str) -> ModuleType:
    spec = ModuleSpec(full, loader, origin=path)
    module = loader.create_module(spec) or ModuleType(full)
    module.__spec__ = spec
    module.__file__ = path
    module.__loader__ = loader
    loader.exec_module(module)
    return module
