/* What sealing hands back per record besides its commitment, for many records in one
 * call: the sealed JSON (what SealedRecord.to_json writes) and the salts by field name.
 *
 * The issuing path stores each record's sealed JSON (its fields, the salt of each and the
 * commitment, about 1 KB); built in Python it was a fifth of a request's time under the
 * GIL. Here the hashing pass writes it, without the GIL, from what it already has: each
 * record's (name, canonical text) pairs in schema order, the salts, the commitment. A field's JSON value follows
 * from its canonical text by its form (the field's row in ledger.attest.fields): a number
 * is the text itself, a string is the text quoted, a list is the text split at its
 * separator, each item quoted. Strings are escaped as orjson escapes them (", \ and
 * control characters; everything else as UTF-8), so the output is byte for byte
 * orjson.dumps(SealedRecord.to_dict()); tests/attest/test_fast_seal.py holds the two equal.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_seal.h"

static int reserve(buffer_t *b, size_t more) {
    if (b->len + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->len + more) cap *= 2;
    char *grown = PyMem_RawRealloc(b->data, cap);
    if (grown == NULL) return -1;
    b->data = grown;
    b->cap = cap;
    return 0;
}

static int put(buffer_t *b, const char *s, size_t n) {
    if (reserve(b, n)) return -1;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

#define PUT_LITERAL(b, s) put((b), (s), sizeof(s) - 1)

static const char HEX[] = "0123456789abcdef";

/* "0x" and the lowercase hex of 32 bytes, quoted */
static int put_hex32(buffer_t *b, const uint8_t *bytes) {
    if (reserve(b, 68)) return -1;
    char *p = b->data + b->len;
    *p++ = '"';
    *p++ = '0';
    *p++ = 'x';
    for (int i = 0; i < 32; i++) {
        *p++ = HEX[bytes[i] >> 4];
        *p++ = HEX[bytes[i] & 15];
    }
    *p++ = '"';
    b->len += 68;
    return 0;
}

/* A JSON string of n UTF-8 bytes, escaped as orjson escapes. */
static int put_string(buffer_t *b, const char *s, size_t n) {
    if (reserve(b, 6 * n + 2)) return -1;
    char *p = b->data + b->len;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c >= 0x20) {
            *p++ = (char)c;
        } else {
            *p++ = '\\';
            switch (c) {
                case '\b': *p++ = 'b'; break;
                case '\t': *p++ = 't'; break;
                case '\n': *p++ = 'n'; break;
                case '\f': *p++ = 'f'; break;
                case '\r': *p++ = 'r'; break;
                default:
                    memcpy(p, "u00", 3);
                    p += 3;
                    *p++ = HEX[c >> 4];
                    *p++ = HEX[c & 15];
            }
        }
    }
    *p++ = '"';
    b->len = (size_t)(p - b->data);
    return 0;
}

/* A field's value by its form: "number", "string", or "list" and a one-character separator. */
static int put_value(buffer_t *b, const char *form, const char *text, size_t n) {
    if (form[0] == 'n') return put(b, text, n);
    if (form[0] == 's') return put_string(b, text, n);
    char sep = form[4];
    if (PUT_LITERAL(b, "[")) return -1;
    size_t start = 0;
    for (size_t i = 0; n && i <= n; i++) {
        if (i < n && text[i] != sep) continue;
        if (start && PUT_LITERAL(b, ",")) return -1;
        if (put_string(b, text + start, i - start)) return -1;
        start = i + 1;
    }
    return PUT_LITERAL(b, "]");
}

const char *form_of(PyObject *forms, PyObject *name) {
    PyObject *form = PyDict_GetItemWithError(forms, name);
    if (form == NULL) {
        if (!PyErr_Occurred()) PyErr_Format(PyExc_ValueError, "no JSON form for field %R", name);
        return NULL;
    }
    const char *text = PyUnicode_Check(form) ? PyUnicode_AsUTF8(form) : NULL;
    if (text == NULL || (strcmp(text, "number") && strcmp(text, "string") &&
                         !(strncmp(text, "list", 4) == 0 && text[4] && !text[5]))) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "unknown JSON form %R", form);
        return NULL;
    }
    return text;
}

int write_sealed_json(buffer_t *b, const field_t *fields, int count, const uint8_t *salts,
                      const uint8_t *commitment) {
    if (PUT_LITERAL(b, "{\"fields\":{")) return -1;
    for (int f = 0; f < count; f++) {
        const field_t *x = fields + f;
        if ((f && PUT_LITERAL(b, ",")) || put_string(b, x->name, x->nlen) ||
            PUT_LITERAL(b, ":") || put_value(b, x->form, x->value, x->vlen))
            return -1;
    }
    if (PUT_LITERAL(b, "},\"salts\":{")) return -1;
    for (int f = 0; f < count; f++) {
        if ((f && PUT_LITERAL(b, ",")) || put_string(b, fields[f].name, fields[f].nlen) ||
            PUT_LITERAL(b, ":") || put_hex32(b, salts + 32 * f))
            return -1;
    }
    if (PUT_LITERAL(b, "},\"commitment\":") || put_hex32(b, commitment)) return -1;
    return PUT_LITERAL(b, "}");
}

PyObject *texts_of(const buffer_t *b, const size_t *ends, Py_ssize_t count) {
    PyObject *texts = PyList_New(count);
    if (texts == NULL) return NULL;
    size_t start = 0;
    for (Py_ssize_t r = 0; r < count; r++) {
        const char *text = b->data + start;
        size_t len = ends[r] - start, ascii = 1;
        for (size_t i = 0; i < len && ascii; i++) ascii = (unsigned char)text[i] < 0x80;
        PyObject *item;
        if (ascii) {  /* the usual case: a compact ASCII str filled in place */
            item = PyUnicode_New((Py_ssize_t)len, 127);
            if (item != NULL) memcpy(PyUnicode_1BYTE_DATA(item), text, len);
        } else {
            item = PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "strict");
        }
        if (item == NULL) {
            Py_DECREF(texts);
            return NULL;
        }
        PyList_SET_ITEM(texts, r, item);
        start = ends[r];
    }
    return texts;
}

/* salt_maps(records, salts) -> each record's {name: 32-byte salt}, the salts taken in
 * order as for commitments (what SealedRecord.salts holds; built in Python it was a
 * loop of slices and stores per field). */
PyObject *salt_maps(PyObject *self, PyObject *args) {
    PyObject *records;
    Py_buffer salts;
    if (!PyArg_ParseTuple(args, "O!y*", &PyList_Type, &records, &salts)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(records), used = 0;
    PyObject *result = NULL;
    for (Py_ssize_t r = 0; r < count; r++) {
        PyObject *fields = PyList_GET_ITEM(records, r);
        if (!PyList_Check(fields)) goto shape;
        for (Py_ssize_t f = 0; f < PyList_GET_SIZE(fields); f++, used++) {
            PyObject *pair = PyList_GET_ITEM(fields, f);
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
                !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0)))
                goto shape;
        }
    }
    if (salts.len != 32 * used) {
        PyErr_SetString(PyExc_ValueError, "salts: expected 32 bytes per field");
        goto done;
    }
    result = PyList_New(count);
    if (result == NULL) goto done;
    const char *salt = salts.buf;
    for (Py_ssize_t r = 0; r < count; r++) {
        PyObject *fields = PyList_GET_ITEM(records, r), *map = PyDict_New();
        if (map == NULL) goto fail;
        PyList_SET_ITEM(result, r, map);
        for (Py_ssize_t f = 0; f < PyList_GET_SIZE(fields); f++, salt += 32) {
            PyObject *value = PyBytes_FromStringAndSize(salt, 32);
            if (value == NULL) goto fail;
            PyObject *name = PyTuple_GET_ITEM(PyList_GET_ITEM(fields, f), 0);
            int stored = PyDict_SetItem(map, name, value);
            Py_DECREF(value);
            if (stored) goto fail;
        }
    }
    goto done;
shape:
    PyErr_SetString(PyExc_ValueError, "records: expected lists of (name, text) pairs");
    goto done;
fail:
    Py_CLEAR(result);
done:
    PyBuffer_Release(&salts);
    return result;
}
