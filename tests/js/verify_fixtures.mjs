// Runs the JavaScript verifier (verifier-js) on disclosure files: node verify_fixtures.mjs RPC FILE...
// stdout: {"<file name>": {"status", "field"}} (field only for invalid_disclosure).
import { readFileSync } from "node:fs";
import path from "node:path";
import { verifyDisclosure } from "../../verifier-js/index.mjs";

const [rpc, ...files] = process.argv.slice(2);
const out = {};
for (const file of files) {
  let doc;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    doc = undefined;
  }
  const result = await verifyDisclosure(doc, { rpc });
  out[path.basename(file, ".json")] = { status: result.status, field: result.field ?? null };
}
process.stdout.write(JSON.stringify(out));
