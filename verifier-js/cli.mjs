#!/usr/bin/env node
// credence-verify: verify a disclosure, or make one from a record file.
//   credence-verify verify FILE --rpc URL [--json]     exit 0 valid, 1 not valid, 2 bad input
//   credence-verify disclose RECORD_FILE --fields score,grade [--out FILE]
import { readFileSync, writeFileSync } from "node:fs";
import { DisclosureError, disclose, verifyDisclosure } from "./index.mjs";

function option(args, name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function readJson(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    fail(`${file}: no such file`);
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // refused by the reader, naming the field
  }
}

async function main(argv) {
  const [command, file, ...rest] = argv;
  if (command === "verify" && file) {
    const rpc = option(rest, "--rpc") ?? process.env.CREDENCE_RPC_URL ?? "http://127.0.0.1:8545";
    let result;
    try {
      result = await verifyDisclosure(readJson(file), { rpc });
    } catch (err) {
      fail(`--rpc: ${rpc}: ${err.shortMessage ?? err.message}`);
    }
    if (rest.includes("--json")) {
      process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    } else {
      process.stdout.write(`${result.status}: ${result.reasons.join("; ")}\n`);
      for (const [name, value] of Object.entries(result.disclosed ?? {})) {
        process.stdout.write(`  ${name} = ${value}\n`);
      }
    }
    process.exit(result.status === "invalid_disclosure" ? 2 : result.valid ? 0 : 1);
  }
  if (command === "disclose" && file) {
    const fields = (option(rest, "--fields") ?? "score,grade").split(",").filter(Boolean);
    let out;
    try {
      out = JSON.stringify(disclose(readJson(file), fields), null, 2) + "\n";
    } catch (err) {
      if (err instanceof DisclosureError) fail(err.message);
      throw err;
    }
    const target = option(rest, "--out");
    if (target) writeFileSync(target, out);
    else process.stdout.write(out);
    return;
  }
  fail("usage: credence-verify verify FILE --rpc URL [--json] | disclose RECORD_FILE --fields a,b [--out FILE]");
}

await main(process.argv.slice(2));
