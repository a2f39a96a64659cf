/* The API guard's nesting check (api/guard.py) in one pass over the body.
 *
 * Python's JSON decoder recurses once per array or object, so a body nested deep enough
 * exhausts the stack before any validation runs; the guard refuses such bodies unparsed.
 * This scanner tracks whether it is inside a string (a backslash escapes the next byte,
 * so an escaped quote does not end it) and counts brackets outside strings, stopping at
 * the first that passes the limit. On invalid JSON it can only count deeper than a parser
 * would get before its first error, never shallower. The GIL is released: a 32 MiB body
 * takes tens of milliseconds, during which other requests run.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *nests_deeper(PyObject *self, PyObject *args) {
    Py_buffer body;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "y*n", &body, &limit)) return NULL;
    const unsigned char *p = body.buf;
    const Py_ssize_t n = body.len;
    int deeper = 0;
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t depth = 0;
    int in_string = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const unsigned char c = p[i];
        if (in_string) {
            if (c == '\\') i++;
            else if (c == '"') in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) {
                deeper = 1;
                break;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&body);
    return PyBool_FromLong(deeper);
}

static PyMethodDef METHODS[] = {
    {"nests_deeper", nests_deeper, METH_VARARGS,
     "nests_deeper(body: bytes, limit: int) -> bool: arrays and objects outside strings "
     "nest deeper than limit."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_depth", NULL, -1, METHODS};

PyMODINIT_FUNC PyInit__depth(void) { return PyModule_Create(&MODULE); }
