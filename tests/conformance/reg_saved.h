/*
 * Registry values a test changes and puts back: save_value before the change,
 * restore_value after (a value that was absent is deleted again); set_value
 * and set_string write (and check) one value, delete_value removes one.
 * Include after test.h (the writes are checked with ok()).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef REG_SAVED_H
#define REG_SAVED_H

struct saved_value
{
    HKEY root;
    const WCHAR *path, *name;
    BOOL present;
    DWORD type, size;
    BYTE data[4096];
};

static inline void save_value(struct saved_value *v, HKEY root, const WCHAR *path, const WCHAR *name)
{
    HKEY key;

    v->root = root;
    v->path = path;
    v->name = name;
    v->present = FALSE;
    v->size = sizeof(v->data);
    if (RegOpenKeyExW(root, path, 0, KEY_READ, &key)) return;
    v->present = !RegQueryValueExW(key, name, NULL, &v->type, v->data, &v->size);
    RegCloseKey(key);
}

static inline void set_value(HKEY root, const WCHAR *path, const WCHAR *name, DWORD type, const void *data, DWORD size)
{
    HKEY key;
    LONG err;

    err = RegCreateKeyExW(root, path, 0, NULL, 0, KEY_WRITE, NULL, &key, NULL);
    ok(!err, "RegCreateKeyExW %s: %ld\n", wine_dbgstr_w(path), err);
    if (err) return;
    if (data) err = RegSetValueExW(key, name, 0, type, data, size);
    else
    {
        err = RegDeleteValueW(key, name);
        if (err == ERROR_FILE_NOT_FOUND) err = 0;
    }
    ok(!err, "setting %s: %ld\n", wine_dbgstr_w(name), err);
    RegCloseKey(key);
}

static inline void delete_value(HKEY root, const WCHAR *path, const WCHAR *name)
{
    set_value(root, path, name, 0, NULL, 0);
}

static inline void restore_value(const struct saved_value *v)
{
    if (v->present) set_value(v->root, v->path, v->name, v->type, v->data, v->size);
    else delete_value(v->root, v->path, v->name);
}

static inline void set_string(HKEY root, const WCHAR *path, const WCHAR *name, const WCHAR *str)
{
    set_value(root, path, name, REG_SZ, str, (wcslen(str) + 1) * sizeof(WCHAR));
}

#endif /* REG_SAVED_H */
