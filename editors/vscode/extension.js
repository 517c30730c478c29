// A minimal VS Code client for `venvlint lsp` (untested here: no Node.js on the machine it was written on).
// It starts the command from the `venvlint.command` setting over stdio for Dockerfiles (language id `dockerfile`)
// and lets the server ask for the `.venvlint.yaml` watchers it needs (dynamic registration).
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("venvlint").get("command", ["venvlint", "lsp"]);
  const serverOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "dockerfile" }],
  };
  client = new LanguageClient("venvlint", "venvlint", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
