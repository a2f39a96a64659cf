/* Shared between the sources of the _seal module (see _seal.c and _seal_json.c). */
#ifndef CREDENCE_SEAL_H
#define CREDENCE_SEAL_H

#include <Python.h>
#include <stdint.h>

/* One field as the hashing pass reads it: pointers into the str objects' UTF-8 buffers,
 * which live as long as the records list the caller passed (held for the whole call);
 * ``form`` is its JSON form (see _seal_json.c), or NULL when no JSON is written. */
typedef struct {
    const char *name, *value, *form;
    size_t nlen, vlen;
} field_t;

/* A growable byte buffer (raw allocator: grown without the GIL). */
typedef struct {
    char *data;
    size_t len, cap;
} buffer_t;

/* The form of field ``name`` in ``forms`` (with the GIL), or NULL with an exception set. */
const char *form_of(PyObject *forms, PyObject *name);

/* Append one record's sealed JSON (no GIL needed); 0, or -1 when out of memory. */
int write_sealed_json(buffer_t *b, const field_t *fields, int count, const uint8_t *salts,
                      const uint8_t *commitment);

/* The texts of ``count`` records written one after another, record r ending at ends[r]
 * (with the GIL): a list of str, or NULL with an exception set. */
PyObject *texts_of(const buffer_t *b, const size_t *ends, Py_ssize_t count);

PyObject *salt_maps(PyObject *self, PyObject *args);

#endif
