"""`venvlint lsp`: a language server over stdio, built on pygls.

It is a consumer of lint results, as the reports are: `documents` lints an editor's buffer exactly as the command
line lints that file (the same config discovery and options, built by `lint_command`), `diagnostics` turns the
result into LSP diagnostics, `hover` shows `explain` for the path under the cursor, `actions` offers the proven
fixes and the pragma as code actions, and `server` wires them to the protocol (debounce, threads, crash isolation).

Nothing on the lint path imports this package: pygls is imported only when `venvlint lsp` runs.
"""
