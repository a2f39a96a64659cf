// The docs/disclosure.md worked example by hand with ethers (no Credence code, no merkle-tree
// helper): node worked_example.mjs DISCLOSURE_FILE -> {"<field>": {"inner", "leaf", "steps"}}
import { readFileSync } from "node:fs";
import { AbiCoder, concat, keccak256 } from "ethers";

const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = {};
for (const { name, value, salt, proof } of doc.fields) {
  const inner = keccak256(AbiCoder.defaultAbiCoder().encode(["string", "string", "bytes32"], [name, value, salt]));
  const leaf = keccak256(inner);
  const steps = [];
  let node = leaf;
  for (const p of proof) {
    node = keccak256(node < p ? concat([node, p]) : concat([p, node]));
    steps.push(node);
  }
  out[name] = { inner, leaf, steps };
}
process.stdout.write(JSON.stringify(out));
