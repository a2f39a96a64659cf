#!/usr/bin/env node
// A `solc` executable for py-solc-x, backed by solc-js (WebAssembly).
// It answers the only two calls py-solc-x makes: `--version` and
// `--standard-json` (JSON on stdin, JSON on stdout). solc-js's own CLI prints a
// banner before its JSON, so py-solc-x cannot drive it directly.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..", "..");
const solc = require(path.join(root, "node_modules", "solc"));

// Imports resolve against the project first, then node_modules, so source
// keys stay short and portable ("@openzeppelin/contracts/...").
function findImports(importPath) {
  for (const base of [root, path.join(root, "node_modules")]) {
    const candidate = path.resolve(base, importPath);
    if (candidate.startsWith(root) && fs.existsSync(candidate)) {
      return { contents: fs.readFileSync(candidate, "utf8") };
    }
  }
  return { error: `File not found: ${importPath}` };
}

const args = process.argv.slice(2);
if (args.includes("--version")) {
  process.stdout.write(
    "solc, the solidity compiler commandline interface\nVersion: " + solc.version() + "\n",
  );
} else if (args.includes("--standard-json")) {
  const input = fs.readFileSync(0, "utf8");
  process.stdout.write(solc.compile(input, { import: findImports }));
} else {
  process.stderr.write("usage: solc.js --version | --standard-json < input.json\n");
  process.exit(2);
}
