// Test oracle: builds a tree with @openzeppelin/merkle-tree and prints what Python must match.
// stdin:  {"kind": "standard" | "simple", "encoding": [...], "values": [...],
//          "sortLeaves": true, "multiproof": [value indices]}
// stdout: {"root", "dump", "proofs" (per value index), "multiproof" (+ "leafHashes"), "render"}
// or, given {"encoding", "verify": [{"root", "value", "proof"}]}: {"verified": [bool]}
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(path.join(root, "package.json"));
const { StandardMerkleTree, SimpleMerkleTree } = require("@openzeppelin/merkle-tree");

const input = JSON.parse(readFileSync(0, "utf8"));
if (input.verify) {
  // {"verify": [{"root", "value", "proof"}], "encoding"}: StandardMerkleTree.verify for each
  const results = input.verify.map(({ root, value, proof }) =>
    StandardMerkleTree.verify(root, input.encoding, value, proof),
  );
  process.stdout.write(JSON.stringify({ verified: results }));
  process.exit(0);
}
const options = { sortLeaves: input.sortLeaves ?? true };
const tree =
  (input.kind ?? "standard") === "simple"
    ? SimpleMerkleTree.of(input.values, options)
    : StandardMerkleTree.of(input.values, input.encoding, options);

const proofs = input.values.map((_, i) => tree.getProof(i));
const multiproof = tree.getMultiProof(input.multiproof ?? []);
multiproof.leafHashes = multiproof.leaves.map((v) => tree.leafHash(v));
process.stdout.write(
  JSON.stringify({ root: tree.root, dump: tree.dump(), proofs, multiproof, render: tree.render() }),
);
