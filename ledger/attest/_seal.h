/* Shared between the sources of the _seal module (see _seal.c and _seal_json.c). */
#ifndef CREDENCE_SEAL_H
#define CREDENCE_SEAL_H

#include <Python.h>

PyObject *sealed_json(PyObject *self, PyObject *args);
PyObject *salt_maps(PyObject *self, PyObject *args);

#endif
