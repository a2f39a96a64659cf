// Credence disclosure verifier, written from docs/disclosure.md alone (ethers and
// @openzeppelin/merkle-tree; nothing of Credence's own code), so a lender can check a
// customer's disclosure with standard tools. Exports:
//   readDisclosure(doc)          offline rules; throws DisclosureError {field, reason}
//   verifyDisclosure(doc, {rpc}) the verdict object (status, valid, reasons, ...)
//   readRecordFile(doc), disclose(recordFile, fields)   the customer's side
import { readFileSync } from "node:fs";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { Contract, JsonRpcProvider, keccak256 } from "ethers";

export const VERSION = 1;
export const LEAF_ENCODING = ["string", "string", "bytes32"];
const CHAIN_ID_MAX = 2 ** 53 - 1;
const MAX_FIELD_PROOF = 8;
const MAX_BATCH_PROOF = 32;
const HEX32 = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const GRADE = /^[A-Za-z0-9+-]{1,16}$/;
const REASON = /^[A-Za-z0-9_.-]{1,32}$/;
const STATUS = ["unknown", "valid", "revoked", "expired", "attester_suspended"];
const EXPLANATIONS = [
  "this attester anchored no such record (or the batch proof is wrong)",
  "issued by a registered attester, not revoked, not expired",
  "the attester revoked this record",
  "the record has expired",
  "the issuing attester is suspended; do not rely on its records now",
];
const REGISTRY_ABI = [
  "function statusOf(uint32 attesterId, bytes32 commitment) view returns (uint8)",
  "function statusOfBatchRecord(uint32 attesterId, bytes32 root, bytes32 commitment, bytes32[] proof) view returns (uint8)",
  "function getRecord(uint32 attesterId, bytes32 key) view returns ((uint32 attesterId, uint32 modelIndex, uint40 issuedAt, uint40 expiresAt, uint40 revokedAt, uint16 revocationReason, uint32 count))",
  "function getBatchLeafRevocation(uint32 attesterId, bytes32 root, bytes32 commitment) view returns ((uint40 revokedAt, uint16 reason))",
  "function getModel(bytes32 modelId) view returns ((uint32 index, uint32 attesterId, uint40 registeredAt, (uint16,uint16,uint16,uint16,uint32) metrics))",
];
export const REGISTRY_CODE_HASH = JSON.parse(
  readFileSync(new URL("./registry-code.json", import.meta.url), "utf8"),
).runtime_code_hash;

export class DisclosureError extends Error {
  constructor(field, reason) {
    super(`${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

// -- the fields of a record, in tree order, with their canonical text (spec: "Fields") --

function integer(lo, hi) {
  return (text) => {
    if (!DECIMAL.test(text)) return "must be a decimal integer without sign or leading zeros";
    const n = BigInt(text);
    return n >= BigInt(lo) && n <= BigInt(hi) ? null : `must be between ${lo} and ${hi}`;
  };
}
const hex32 = (text) => (HEX32.test(text) ? null : "must be 0x followed by 64 hex digits");
function reasons(text) {
  const codes = text === "" ? [] : text.split(",");
  if (codes.length > 16) return "must have at most 16 codes";
  const bad = codes.find((c) => !REASON.test(c));
  return bad === undefined ? null : `code '${bad}' must be 1 to 32 letters, digits, '_', '.' or '-'`;
}
const DECISIONS = ["approve", "refer", "decline"];
const CONTROL = /[\x00-\x1f\x7f]/;
function reasonTexts(text) {
  const texts = text === "" ? [] : text.split("\n");
  if (texts.length > 16) return "must have at most 16 texts";
  for (const t of texts) {
    const length = [...t].length; // code points, as the spec counts
    if (length < 1 || length > 160) return "each text must be 1 to 160 characters";
    if (CONTROL.test(t)) return "texts must not contain control characters or line breaks";
  }
  return null;
}
// In a record file, numbers are JSON integers, reasons and reason_texts lists, the rest strings.
const str = (v) => (typeof v === "string" ? v : null);
const int = (v) => (Number.isInteger(v) ? String(v) : null);
const strings = (v) => Array.isArray(v) && v.every((c) => typeof c === "string");
const list = (v) => (strings(v) ? v.join(",") : null);
const lines = (v) => (strings(v) ? v.join("\n") : null);
const grade = (t) => (GRADE.test(t) ? null : "must be 1 to 16 letters, digits, '+' or '-'");
export const FIELDS = [
  ["subject", hex32, str],
  ["score", integer(0, 1000), int],
  ["grade", grade, str],
  ["model_id", hex32, str],
  ["issued_at", integer(0, 2n ** 64n - 1n), int],
  ["expires_at", integer(0, 2n ** 64n - 1n), int],
  ["attester", integer(0, 2 ** 32 - 1), int],
  ["pd_bps", integer(0, 10000), int],
  ["reasons", reasons, list],
  ["strategy", hex32, str],
  ["decision", (t) => (DECISIONS.includes(t) ? null : `must be one of ${DECISIONS.join(", ")}`), str],
  ["reason_texts", reasonTexts, lines],
];
const BY_NAME = Object.fromEntries(FIELDS.map(([name, check, text]) => [name, { check, text }]));

// -- reading a disclosure: every offline rule -------------------------------------------

function object(data, where, allowed, required) {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new DisclosureError(where, "must be a JSON object");
  }
  const prefix = where === "disclosure" || where === "record file" ? "" : `${where}.`;
  for (const key of Object.keys(data)) {
    if (!allowed.includes(key)) {
      throw new DisclosureError(`${prefix}${key}`, "is not a key of this object (extra keys are refused)");
    }
  }
  for (const key of required) {
    if (!(key in data)) throw new DisclosureError(`${prefix}${key}`, "is required");
  }
}

function checkHex32(field, value) {
  if (typeof value !== "string" || !HEX32.test(value)) {
    throw new DisclosureError(field, "must be 0x followed by 64 lowercase hex digits");
  }
  return value;
}

function checkProof(field, value, limit) {
  if (!Array.isArray(value) || value.length > limit) {
    throw new DisclosureError(field, `must be a list of at most ${limit} 0x-hex nodes`);
  }
  return value.map((node, i) => checkHex32(`${field}[${i}]`, node));
}

function checkHeader(data, where) {
  if (!Number.isInteger(data.version) || data.version !== VERSION) {
    throw new DisclosureError("version", `unknown version ${JSON.stringify(data.version)} (expected 1)`);
  }
  const chainId = data.chain_id;
  if (!Number.isInteger(chainId) || chainId < 1 || chainId > CHAIN_ID_MAX) {
    throw new DisclosureError("chain_id", `must be an integer from 1 to ${CHAIN_ID_MAX}`);
  }
  if (typeof data.registry !== "string" || !ADDRESS.test(data.registry)) {
    throw new DisclosureError("registry", "must be 0x followed by 40 lowercase hex digits");
  }
}

export function readDisclosure(data) {
  const keys = ["version", "chain_id", "registry", "commitment", "fields", "batch"];
  object(data, "disclosure", keys, keys.slice(0, -1));
  checkHeader(data);
  const commitment = checkHex32("commitment", data.commitment);
  if (!Array.isArray(data.fields) || data.fields.length === 0) {
    throw new DisclosureError("fields", "must be a non-empty list of shown fields");
  }
  if (data.fields.length > FIELDS.length) {
    throw new DisclosureError("fields", `a record has at most ${FIELDS.length} fields`);
  }
  const names = [];
  data.fields.forEach((item, i) => {
    const where = `fields[${i}]`;
    const keys = ["name", "value", "salt", "proof"];
    object(item, where, keys, keys);
    const { name, value } = item;
    if (typeof name !== "string") throw new DisclosureError(`${where}.name`, "must be a string");
    const spec = BY_NAME[name];
    if (spec === undefined) throw new DisclosureError(`${where}.${name}`, "is not a field of a score record");
    if (typeof value !== "string") throw new DisclosureError(`${where}.${name}`, "value must be a string");
    const problem = spec.check(value);
    if (problem) throw new DisclosureError(`${where}.${name}`, problem);
    const salt = checkHex32(`${where}.salt`, item.salt);
    const proof = checkProof(`${where}.proof`, item.proof, MAX_FIELD_PROOF);
    if (!StandardMerkleTree.verify(commitment, LEAF_ENCODING, [name, value, salt], proof)) {
      throw new DisclosureError(where, `${name}: value, salt or proof does not match the commitment`);
    }
    names.push(name);
  });
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) throw new DisclosureError(`fields[${i}].name`, `'${name}' is shown twice`);
  });
  if (!names.includes("attester")) {
    throw new DisclosureError("fields", "must show the attester field (whose record this is)");
  }
  if ("batch" in data) {
    object(data.batch, "batch", ["root", "proof"], ["root", "proof"]);
    checkHex32("batch.root", data.batch.root);
    checkProof("batch.proof", data.batch.proof, MAX_BATCH_PROOF);
  }
  return data;
}

// -- verifying against the chain ---------------------------------------------------------

export async function verifyDisclosure(data, { rpc, provider } = {}) {
  let d;
  try {
    d = readDisclosure(data);
  } catch (err) {
    if (!(err instanceof DisclosureError)) throw err;
    return { status: "invalid_disclosure", valid: false, reasons: [err.message], field: err.field };
  }
  const shown = Object.fromEntries(d.fields.map((f) => [f.name, f.value]));
  const attester = Number(shown.attester);
  const result = {
    status: "unknown",
    valid: false,
    reasons: [],
    chain_id: d.chain_id,
    registry: d.registry,
    commitment: d.commitment,
    attester_id: attester,
    batch_root: d.batch ? d.batch.root : null,
    disclosed: shown,
    issued_at: null,
    expires_at: null,
    revoked_at: null,
    revocation_reason: null,
  };
  const node = provider ?? new JsonRpcProvider(rpc, undefined, { staticNetwork: true });
  const chainId = Number(await node.send("eth_chainId", []));
  if (chainId !== d.chain_id) {
    result.status = "wrong_chain";
    result.reasons = [`chain_id: the disclosure names ${d.chain_id}, the node is ${chainId}`];
    return result;
  }
  if (keccak256(await node.getCode(d.registry)) !== REGISTRY_CODE_HASH) {
    result.status = "not_registry";
    result.reasons = [`registry: the code at ${d.registry} is not the Credence registry`];
    return result;
  }
  const registry = new Contract(d.registry, REGISTRY_ABI, node);
  const status = Number(
    d.batch
      ? await registry.statusOfBatchRecord(attester, d.batch.root, d.commitment, d.batch.proof)
      : await registry.statusOf(attester, d.commitment),
  );
  result.status = STATUS[status];
  result.valid = status === 1;
  result.reasons = [EXPLANATIONS[status]];
  if (status === 0) return result;
  const record = await registry.getRecord(attester, d.batch ? d.batch.root : d.commitment);
  result.issued_at = Number(record.issuedAt);
  result.expires_at = Number(record.expiresAt);
  if (record.revokedAt !== 0n) {
    result.revoked_at = Number(record.revokedAt);
    result.revocation_reason = Number(record.revocationReason);
  } else if (d.batch) {
    const leaf = await registry.getBatchLeafRevocation(attester, d.batch.root, d.commitment);
    if (leaf.revokedAt !== 0n) {
      result.revoked_at = Number(leaf.revokedAt);
      result.revocation_reason = Number(leaf.reason);
    }
  }
  const problems = [];
  if ("expires_at" in shown && BigInt(shown.expires_at) !== record.expiresAt) {
    problems.push(`expires_at: disclosed ${shown.expires_at}, on chain ${record.expiresAt}`);
  }
  if ("model_id" in shown) {
    const model = await registry.getModel(shown.model_id);
    if (model.index !== record.modelIndex) {
      problems.push(`model_id: disclosed ${shown.model_id} is not the model on chain`);
    }
  }
  if (problems.length) Object.assign(result, { status: "mismatch", valid: false, reasons: problems });
  return result;
}

// -- the customer's side: the record file and making a disclosure ------------------------

export function readRecordFile(data) {
  const keys = ["version", "chain_id", "registry", "fields", "salts", "commitment", "batch"];
  object(data, "record file", keys, keys.slice(0, -1));
  checkHeader(data);
  checkHex32("commitment", data.commitment);
  const values = recordValues(data);
  const tree = StandardMerkleTree.of(values, LEAF_ENCODING);
  if (tree.root !== data.commitment) {
    throw new DisclosureError("commitment", "does not match the record and its salts");
  }
  if ("batch" in data) {
    object(data.batch, "batch", ["root", "proof"], ["root", "proof"]);
    checkProof("batch.proof", data.batch.proof, MAX_BATCH_PROOF);
    if (!StandardMerkleTree.verify(checkHex32("batch.root", data.batch.root), ["bytes32"], [data.commitment], data.batch.proof)) {
      throw new DisclosureError("batch.proof", "does not prove the commitment under batch.root");
    }
  }
  return { ...data, tree, values };
}

function recordValues(data) {
  object(data.fields, "fields", FIELDS.map(([n]) => n), []);
  object(data.salts, "salts", Object.keys(data.fields), Object.keys(data.fields));
  const values = [];
  for (const [name, check, text] of FIELDS) {
    if (!(name in data.fields)) continue;
    const value = text(data.fields[name]);
    const problem = typeof value === "string" ? check(value) : "has the wrong type";
    if (problem) throw new DisclosureError(`fields.${name}`, problem);
    values.push([name, value, checkHex32(`salts.${name}`, data.salts[name])]);
  }
  return values;
}

export function disclose(recordFile, fields) {
  const held = recordFile.tree ? recordFile : readRecordFile(recordFile);
  const wanted = new Set(fields);
  if (wanted.size === 0) throw new DisclosureError("fields", "choose at least one field to show");
  for (const name of wanted) {
    if (!held.values.some(([n]) => n === name)) {
      const reason = name in BY_NAME ? "is not present in this record" : "is not a field of a record";
      throw new DisclosureError(name, reason);
    }
  }
  wanted.add("attester");
  const shown = [];
  held.values.forEach(([name, value, salt], i) => {
    if (wanted.has(name)) shown.push({ name, value, salt, proof: held.tree.getProof(i) });
  });
  const out = {
    version: VERSION,
    chain_id: held.chain_id,
    registry: held.registry,
    commitment: held.commitment,
    fields: shown,
  };
  if (held.batch) out.batch = { root: held.batch.root, proof: held.batch.proof };
  return out;
}
