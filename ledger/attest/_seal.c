/* Commitments of many score records in one call: the hot loop of issuance in C.
 *
 * For each record (a list of (name, canonical text) pairs in schema order) and its salts,
 * the commitment is the root of an OpenZeppelin StandardMerkleTree whose leaves are
 * keccak256(keccak256(abi.encode(string name, string value, bytes32 salt))), exactly as
 * ledger.attest.records computes it in Python (docs/records.md): leaves sorted, the tree
 * laid out as the OZ library lays it, every pair hashed in ascending order. The Python
 * path stays the reference; tests/attest/test_fast_seal.py holds the two equal.
 *
 * batch_tree builds a batch's tree over its records' commitments the same way (the tree
 * whose nodes a batch stores). Both hash without the GIL, so threads hash at once.
 *
 * Keccak-256 is the original Keccak padding (0x01 ... 0x80), not NIST SHA3-256.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_seal.h"

#define RATE 136
#define MAX_FIELDS 32

static const uint64_t ROUND_CONSTANTS[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

/* Lane (x, y) is a{x + 5y}; rho's rotations and pi's moves are written out in keccak_f. */
static inline uint64_t rotl(uint64_t v, int n) { return n ? (v << n) | (v >> (64 - n)) : v; }

static void keccak_f(uint64_t s[25]) {
    /* one round written out lane by lane, so the state stays in registers */
    uint64_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5], a6 = s[6], a7 = s[7], a8 = s[8], a9 = s[9], a10 = s[10], a11 = s[11], a12 = s[12], a13 = s[13], a14 = s[14], a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18], a19 = s[19], a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
    uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    uint64_t b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23, b24;
    for (int round = 0; round < 24; round++) {
        c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
        c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
        c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
        c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
        c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
        d0 = c4 ^ rotl(c1, 1);
        d1 = c0 ^ rotl(c2, 1);
        d2 = c1 ^ rotl(c3, 1);
        d3 = c2 ^ rotl(c4, 1);
        d4 = c3 ^ rotl(c0, 1);
        b0 = rotl(a0 ^ d0, 0);
        b16 = rotl(a5 ^ d0, 36);
        b7 = rotl(a10 ^ d0, 3);
        b23 = rotl(a15 ^ d0, 41);
        b14 = rotl(a20 ^ d0, 18);
        b10 = rotl(a1 ^ d1, 1);
        b1 = rotl(a6 ^ d1, 44);
        b17 = rotl(a11 ^ d1, 10);
        b8 = rotl(a16 ^ d1, 45);
        b24 = rotl(a21 ^ d1, 2);
        b20 = rotl(a2 ^ d2, 62);
        b11 = rotl(a7 ^ d2, 6);
        b2 = rotl(a12 ^ d2, 43);
        b18 = rotl(a17 ^ d2, 15);
        b9 = rotl(a22 ^ d2, 61);
        b5 = rotl(a3 ^ d3, 28);
        b21 = rotl(a8 ^ d3, 55);
        b12 = rotl(a13 ^ d3, 25);
        b3 = rotl(a18 ^ d3, 21);
        b19 = rotl(a23 ^ d3, 56);
        b15 = rotl(a4 ^ d4, 27);
        b6 = rotl(a9 ^ d4, 20);
        b22 = rotl(a14 ^ d4, 39);
        b13 = rotl(a19 ^ d4, 8);
        b4 = rotl(a24 ^ d4, 14);
        a0 = b0 ^ (~b1 & b2);
        a1 = b1 ^ (~b2 & b3);
        a2 = b2 ^ (~b3 & b4);
        a3 = b3 ^ (~b4 & b0);
        a4 = b4 ^ (~b0 & b1);
        a5 = b5 ^ (~b6 & b7);
        a6 = b6 ^ (~b7 & b8);
        a7 = b7 ^ (~b8 & b9);
        a8 = b8 ^ (~b9 & b5);
        a9 = b9 ^ (~b5 & b6);
        a10 = b10 ^ (~b11 & b12);
        a11 = b11 ^ (~b12 & b13);
        a12 = b12 ^ (~b13 & b14);
        a13 = b13 ^ (~b14 & b10);
        a14 = b14 ^ (~b10 & b11);
        a15 = b15 ^ (~b16 & b17);
        a16 = b16 ^ (~b17 & b18);
        a17 = b17 ^ (~b18 & b19);
        a18 = b18 ^ (~b19 & b15);
        a19 = b19 ^ (~b15 & b16);
        a20 = b20 ^ (~b21 & b22);
        a21 = b21 ^ (~b22 & b23);
        a22 = b22 ^ (~b23 & b24);
        a23 = b23 ^ (~b24 & b20);
        a24 = b24 ^ (~b20 & b21);
        a0 ^= ROUND_CONSTANTS[round];
    }
    s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3; s[4] = a4; s[5] = a5; s[6] = a6; s[7] = a7; s[8] = a8; s[9] = a9; s[10] = a10; s[11] = a11; s[12] = a12; s[13] = a13; s[14] = a14; s[15] = a15; s[16] = a16; s[17] = a17; s[18] = a18; s[19] = a19; s[20] = a20; s[21] = a21; s[22] = a22; s[23] = a23; s[24] = a24;
}

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void keccak256(const uint8_t *msg, size_t len, uint8_t out[32]) {
    uint64_t a[25] = {0};
    uint8_t block[RATE];
    while (len >= RATE) {
        for (int i = 0; i < RATE / 8; i++) a[i] ^= load64(msg + 8 * i);
        keccak_f(a);
        msg += RATE;
        len -= RATE;
    }
    memset(block, 0, RATE);
    memcpy(block, msg, len);
    block[len] ^= 0x01;
    block[RATE - 1] ^= 0x80;
    for (int i = 0; i < RATE / 8; i++) a[i] ^= load64(block + 8 * i);
    keccak_f(a);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[8 * i + j] = (uint8_t)(a[i] >> (8 * j));
}

static void put_word(uint8_t *p, size_t n) {
    memset(p, 0, 32);
    for (int i = 31; i >= 24 && n; i--, n >>= 8) p[i] = (uint8_t)(n & 0xff);
}

static size_t padded(size_t n) { return (n + 31) / 32 * 32; }

/* abi.encode(string name, string value, bytes32 salt) into buf; returns its length */
static size_t abi_encode(const char *name, size_t nlen, const char *value, size_t vlen,
                         const uint8_t *salt, uint8_t *buf) {
    size_t pos = 0;
    put_word(buf, 0x60);
    put_word(buf + 32, 0x60 + 32 + padded(nlen));
    memcpy(buf + 64, salt, 32);
    pos = 96;
    put_word(buf + pos, nlen);
    memset(buf + pos + 32, 0, padded(nlen));
    memcpy(buf + pos + 32, name, nlen);
    pos += 32 + padded(nlen);
    put_word(buf + pos, vlen);
    memset(buf + pos + 32, 0, padded(vlen));
    memcpy(buf + pos + 32, value, vlen);
    return pos + 32 + padded(vlen);
}

static int compare32(const void *a, const void *b) { return memcmp(a, b, 32); }

static void hash_pair(const uint8_t *a, const uint8_t *b, uint8_t out[32]) {
    uint8_t both[64];
    if (memcmp(a, b, 32) < 0) {
        memcpy(both, a, 32);
        memcpy(both + 32, b, 32);
    } else {
        memcpy(both, b, 32);
        memcpy(both + 32, a, 32);
    }
    keccak256(both, 64, out);
}

/* The OZ tree root over n sorted leaves: nodes[n-1..2n-2] are the leaves reversed, and
 * node i is the sorted-pair hash of nodes 2i+1 and 2i+2. */
static void merkle_root(uint8_t (*leaves)[32], int n, uint8_t out[32]) {
    uint8_t nodes[2 * MAX_FIELDS - 1][32];
    qsort(leaves, (size_t)n, 32, compare32);
    for (int k = 0; k < n; k++) memcpy(nodes[2 * n - 2 - k], leaves[k], 32);
    for (int i = n - 2; i >= 0; i--) hash_pair(nodes[2 * i + 1], nodes[2 * i + 2], nodes[i]);
    memcpy(out, nodes[0], 32);
}

/* Every commitment, without the GIL: reads only the gathered fields and salts; with
 * ``json``, each record's sealed JSON is appended to it, record r ending at ends[r].
 * Returns 0, or -1 when out of memory. */
static int hash_records(const field_t *fields, const int *counts, Py_ssize_t count,
                        const uint8_t *salt, uint8_t *out, buffer_t *json, size_t *ends) {
    uint8_t *buf = NULL;
    size_t cap = 0;
    for (Py_ssize_t r = 0; r < count; r++) {
        int n = counts[r];
        const field_t *first = fields;
        const uint8_t *first_salt = salt;
        uint8_t leaves[MAX_FIELDS][32];
        for (int f = 0; f < n; f++, fields++, salt += 32) {
            size_t need = 160 + padded(fields->nlen) + padded(fields->vlen);
            if (need > cap) {
                uint8_t *grown = realloc(buf, need);
                if (grown == NULL) {
                    free(buf);
                    return -1;
                }
                buf = grown;
                cap = need;
            }
            size_t len = abi_encode(fields->name, fields->nlen, fields->value, fields->vlen,
                                    salt, buf);
            uint8_t inner[32];
            keccak256(buf, len, inner);
            keccak256(inner, 32, leaves[f]);
        }
        merkle_root(leaves, n, out + 32 * r);
        if (json != NULL) {
            if (write_sealed_json(json, first, n, first_salt, out + 32 * r)) {
                free(buf);
                return -1;
            }
            ends[r] = json->len;
        }
    }
    free(buf);
    return 0;
}

static PyObject *commitments(PyObject *self, PyObject *args) {
    PyObject *records, *forms = NULL;
    Py_buffer salts;
    if (!PyArg_ParseTuple(args, "O!y*|O!", &PyList_Type, &records, &salts, &PyDict_Type, &forms))
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(records);
    PyObject *result = NULL;
    field_t *fields = NULL;
    buffer_t json = {NULL, 0, 0};
    size_t *ends = forms ? PyMem_Malloc(sizeof(size_t) * (size_t)(count ? count : 1)) : NULL;
    int *counts = PyMem_Malloc(sizeof(int) * (size_t)(count ? count : 1));
    Py_ssize_t total = 0, used = 0;
    if (counts == NULL || (forms && ends == NULL)) {
        PyErr_NoMemory();
        goto fail;
    }
    /* 1. With the GIL: check the shape and count the fields. */
    for (Py_ssize_t r = 0; r < count; r++) {
        PyObject *list = PyList_GET_ITEM(records, r);
        if (!PyList_Check(list) || PyList_GET_SIZE(list) < 1 ||
            PyList_GET_SIZE(list) > MAX_FIELDS) {
            PyErr_Format(PyExc_ValueError, "records[%zd]: expected a list of 1 to %d fields", r,
                         MAX_FIELDS);
            goto fail;
        }
        counts[r] = (int)PyList_GET_SIZE(list);
        total += counts[r];
    }
    if (salts.len < 32 * total) {
        PyErr_SetString(PyExc_ValueError, "salts: fewer than one per field");
        goto fail;
    }
    if (salts.len > 32 * total) {
        PyErr_SetString(PyExc_ValueError, "salts: more than one per field");
        goto fail;
    }
    /* 2. With the GIL: gather each field's UTF-8 text. */
    fields = PyMem_Malloc(sizeof(field_t) * (size_t)(total ? total : 1));
    if (fields == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t r = 0; r < count; r++) {
        PyObject *list = PyList_GET_ITEM(records, r);
        for (int f = 0; f < counts[r]; f++, used++) {
            PyObject *pair = PyList_GET_ITEM(list, f);
            Py_ssize_t nlen, vlen;
            const char *name, *value;
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
                (name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(pair, 0), &nlen)) == NULL ||
                (value = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(pair, 1), &vlen)) == NULL) {
                PyErr_Clear();
                PyErr_Format(PyExc_ValueError, "records[%zd][%d]: expected (name, text)", r, f);
                goto fail;
            }
            const char *form = NULL;
            if (forms && (form = form_of(forms, PyTuple_GET_ITEM(pair, 0))) == NULL) goto fail;
            fields[used] = (field_t){name, value, form, (size_t)nlen, (size_t)vlen};
        }
    }
    result = PyBytes_FromStringAndSize(NULL, count * 32);
    if (result == NULL) goto fail;
    /* 3. Without the GIL: the hashing, so that other threads run meanwhile (the service
     * seals a large request's shares on several threads at once). */
    int status;
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
    Py_BEGIN_ALLOW_THREADS
    status = hash_records(fields, counts, count, salts.buf, out, forms ? &json : NULL, ends);
    Py_END_ALLOW_THREADS
    if (status != 0) {
        PyErr_NoMemory();
        goto fail;
    }
    if (forms) { /* 4. With the GIL: the texts as str, returned with the commitments. */
        PyObject *texts = texts_of(&json, ends, count);
        if (texts == NULL) goto fail;
        PyObject *pair = PyTuple_Pack(2, result, texts);
        Py_DECREF(texts);
        if (pair == NULL) goto fail;
        Py_SETREF(result, pair);
    }
    PyMem_RawFree(json.data);
    PyMem_Free(ends);
    PyMem_Free(fields);
    PyMem_Free(counts);
    PyBuffer_Release(&salts);
    return result;
fail:
    PyMem_RawFree(json.data);
    PyMem_Free(ends);
    PyMem_Free(fields);
    PyMem_Free(counts);
    Py_XDECREF(result);
    PyBuffer_Release(&salts);
    return NULL;
}

/* A batch's tree over n commitments, as ledger.merkle's MerkleTree.build of their
 * bytes32 leaves lays it out: leaves keccak256(keccak256(commitment)) sorted (ties in
 * input order, as the JS library's stable sort), node i the sorted-pair hash of nodes
 * 2i+1 and 2i+2, leaves at the end in reverse order. */
typedef struct {
    uint8_t hash[32];
    Py_ssize_t index;
} keyed_leaf;

static int compare_keyed(const void *a, const void *b) {
    const keyed_leaf *x = a, *y = b;
    int c = memcmp(x->hash, y->hash, 32);
    if (c) return c;
    return (x->index > y->index) - (x->index < y->index);
}

static PyObject *batch_tree(PyObject *self, PyObject *args) {
    Py_buffer values;
    if (!PyArg_ParseTuple(args, "y*", &values)) return NULL;
    Py_ssize_t n = values.len / 32;
    if (values.len % 32 || n < 1) {
        PyBuffer_Release(&values);
        PyErr_SetString(PyExc_ValueError, "commitments: expected one or more 32-byte values");
        return NULL;
    }
    keyed_leaf *leaves = PyMem_Malloc(sizeof(keyed_leaf) * (size_t)n);
    PyObject *nodes = PyBytes_FromStringAndSize(NULL, (2 * n - 1) * 32);
    PyObject *positions = PyList_New(n);
    if (leaves == NULL || nodes == NULL || positions == NULL) {
        PyMem_Free(leaves);
        Py_XDECREF(nodes);
        Py_XDECREF(positions);
        PyBuffer_Release(&values);
        return PyErr_Occurred() ? NULL : PyErr_NoMemory();
    }
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(nodes);
    const uint8_t *in = values.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < n; k++) {
        uint8_t inner[32];
        keccak256(in + 32 * k, 32, inner);
        keccak256(inner, 32, leaves[k].hash);
        leaves[k].index = k;
    }
    qsort(leaves, (size_t)n, sizeof(keyed_leaf), compare_keyed);
    for (Py_ssize_t k = 0; k < n; k++) memcpy(out + 32 * (2 * n - 2 - k), leaves[k].hash, 32);
    for (Py_ssize_t i = n - 2; i >= 0; i--)
        hash_pair(out + 32 * (2 * i + 1), out + 32 * (2 * i + 2), out + 32 * i);
    Py_END_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *position = PyLong_FromSsize_t(2 * n - 2 - k);
        if (position == NULL) {
            PyMem_Free(leaves);
            Py_DECREF(nodes);
            Py_DECREF(positions);
            PyBuffer_Release(&values);
            return NULL;
        }
        PyList_SET_ITEM(positions, leaves[k].index, position);
    }
    PyMem_Free(leaves);
    PyBuffer_Release(&values);
    return Py_BuildValue("(NN)", nodes, positions);
}

static PyObject *keccak(PyObject *self, PyObject *args) {
    Py_buffer data;
    uint8_t out[32];
    if (!PyArg_ParseTuple(args, "y*", &data)) return NULL;
    keccak256(data.buf, (size_t)data.len, out);
    PyBuffer_Release(&data);
    return PyBytes_FromStringAndSize((const char *)out, 32);
}

static PyObject *field_roots(PyObject *self, PyObject *args); /* verification, below */
static PyObject *hex32s(PyObject *self, PyObject *args);

static PyMethodDef METHODS[] = {
    {"hex32s", hex32s, METH_VARARGS,
     "hex32s(nodes) -> 32 bytes per node, or None unless every node is a string of 0x and "
     "64 lowercase hex digits."},
    {"field_roots", field_roots, METH_VARARGS,
     "field_roots(items) -> 32 bytes per item: each item (name, text, salt, proof) with the "
     "proof's nodes concatenated; the root its field leaf's proof leads to."},
    {"commitments", commitments, METH_VARARGS,
     "commitments(records, salts[, forms]) -> 32 bytes per record: each record a list of "
     "(name, canonical text) in schema order, salts 32 bytes per field in the same order. "
     "With forms (each field name's JSON form), (those bytes, each record's sealed JSON "
     "as SealedRecord.to_json writes it: _seal_json.c)."},
    {"batch_tree", batch_tree, METH_VARARGS,
     "batch_tree(commitments) -> (nodes, positions): the tree over the bytes32 leaves of "
     "32-byte commitments, every node packed root first, and each leaf's node index."},
    {"salt_maps", salt_maps, METH_VARARGS,
     "salt_maps(records, salts) -> each record's {name: salt}, records and salts as for "
     "commitments (_seal_json.c)."},
    {"keccak", keccak, METH_VARARGS, "keccak(data) -> Keccak-256 digest (for tests)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_seal",
                                    "Score-record commitments in C.", -1, METHODS};

PyMODINIT_FUNC PyInit__seal(void) { return PyModule_Create(&MODULE); }

/* -- verification (issue 14): the field proofs of many disclosures in one call ---------- */

/* OZ processProof from the field leaf of (name, text, salt), for each item; the caller
 * compares each root with its disclosure's commitment. */
static PyObject *field_roots(PyObject *self, PyObject *args) {
    PyObject *items;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &items)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(items);
    PyObject *result = PyBytes_FromStringAndSize(NULL, count * 32);
    uint8_t *buf = NULL;
    size_t cap = 0;
    if (result == NULL) return NULL;
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        Py_ssize_t nlen, vlen;
        const char *name, *value;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 4 ||
            (name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(item, 0), &nlen)) == NULL ||
            (value = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(item, 1), &vlen)) == NULL ||
            !PyBytes_Check(PyTuple_GET_ITEM(item, 2)) ||
            PyBytes_GET_SIZE(PyTuple_GET_ITEM(item, 2)) != 32 ||
            !PyBytes_Check(PyTuple_GET_ITEM(item, 3)) ||
            PyBytes_GET_SIZE(PyTuple_GET_ITEM(item, 3)) % 32) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError,
                         "items[%zd]: expected (name, text, 32-byte salt, 32-byte nodes)", i);
            goto fail;
        }
        size_t need = 160 + padded((size_t)nlen) + padded((size_t)vlen);
        if (need > cap) {
            uint8_t *grown = realloc(buf, need);
            if (grown == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            buf = grown;
            cap = need;
        }
        const uint8_t *salt = (const uint8_t *)PyBytes_AS_STRING(PyTuple_GET_ITEM(item, 2));
        size_t len = abi_encode(name, (size_t)nlen, value, (size_t)vlen, salt, buf);
        uint8_t inner[32], node[32];
        keccak256(buf, len, inner);
        keccak256(inner, 32, node);
        PyObject *proof = PyTuple_GET_ITEM(item, 3);
        const uint8_t *sibling = (const uint8_t *)PyBytes_AS_STRING(proof);
        for (Py_ssize_t k = 0; k < PyBytes_GET_SIZE(proof) / 32; k++, sibling += 32)
            hash_pair(node, sibling, node);
        memcpy(out + 32 * i, node, 32);
    }
    free(buf);
    return result;
fail:
    free(buf);
    Py_DECREF(result);
    return NULL;
}

static inline int hex_digit(Py_UCS1 c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1; /* uppercase too: the format is lowercase */
}

/* The bytes of a list of 0x-prefixed lowercase 32-byte hex strings; None if any is not. */
static PyObject *hex32s(PyObject *self, PyObject *args) {
    PyObject *nodes;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &nodes)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(nodes);
    PyObject *result = PyBytes_FromStringAndSize(NULL, count * 32);
    if (result == NULL) return NULL;
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *node = PyList_GET_ITEM(nodes, i);
        if (!PyUnicode_Check(node) || PyUnicode_GET_LENGTH(node) != 66 ||
            PyUnicode_KIND(node) != PyUnicode_1BYTE_KIND)
            goto refuse;
        const Py_UCS1 *text = PyUnicode_1BYTE_DATA(node);
        if (text[0] != '0' || text[1] != 'x') goto refuse;
        for (int k = 0; k < 32; k++) {
            int hi = hex_digit(text[2 + 2 * k]), lo = hex_digit(text[3 + 2 * k]);
            if (hi < 0 || lo < 0) goto refuse;
            out[32 * i + k] = (uint8_t)(hi << 4 | lo);
        }
    }
    return result;
refuse:
    Py_DECREF(result);
    Py_RETURN_NONE;
}
