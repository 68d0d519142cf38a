/*
 * Replays a fuzz target's corpus once, as an ordinary winetest-style test:
 * the fuzz_*.c file is linked with this driver (and the winetest runner)
 * by gcc, so corpora are checked by "make check" even without clang.
 * Each corpus file is one ok(); a failing CHECK aborts, which the test
 * runner reports as a failure.  FUZZ_CORPUS in the environment overrides
 * the built-in corpus directory.
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_TEST(name) START_TEST(name)

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long size;

    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    /* exact-size allocation: reading past the input trips ASan */
    buf = malloc(size ? size : 1);
    if (size && fread(buf, 1, size, f) != (size_t)size) size = -1;
    fclose(f);
    if (size >= 0) LLVMFuzzerTestOneInput(buf, size);
    free(buf);
    return size >= 0;
}

REPLAY_TEST(FUZZ_NAME)
{
    const char *dir = getenv("FUZZ_CORPUS");
    struct dirent *de;
    unsigned count = 0;
    DIR *d;

    if (!dir) dir = CORPUS_DIR;
    d = opendir(dir);
    ok(d != NULL, "cannot open corpus %s\n", dir);
    if (!d) return;
    while ((de = readdir(d)))
    {
        char path[4096];

        if (de->d_name[0] == '.') continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        ok(replay_file(path), "cannot read %s\n", path);
        count++;
    }
    closedir(d);
    ok(count > 0, "empty corpus %s\n", dir);
    /* the empty input and tiny inputs are always worth a run */
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    LLVMFuzzerTestOneInput((const uint8_t *)"\x00\x00\x00\x81\x00", 5);
    trace("replayed %u inputs from %s\n", count, dir);
}
