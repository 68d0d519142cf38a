/*
 * WebSocket close status codes (RFC 6455 7.4, IANA registry)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include "wsp.h"

int wsp_close_code_valid_on_wire(unsigned code)
{
    /* 1004 is reserved; 1005, 1006 and 1015 are pseudo codes that must
     * never appear in a frame; 1016-2999 are unassigned protocol codes;
     * 3000-4999 are for libraries/applications */
    if (code >= 1000 && code <= 1003) return 1;
    if (code >= 1007 && code <= 1014) return 1;
    return code >= 3000 && code <= 4999;
}

int wsp_close_code_sendable(unsigned code)
{
    /* 1012-1014 (service restart, try again later, bad gateway) describe
     * server conditions, so a client has no business sending them */
    if (code >= 1000 && code <= 1003) return 1;
    if (code >= 1007 && code <= 1011) return 1;
    return code >= 3000 && code <= 4999;
}
