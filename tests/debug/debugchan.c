/*
 * Exercises the winhttp debug channel: a traced call (WinHttpOpen), a
 * warning path (an unknown option), and a FIXME (an unimplemented export).
 * tools/test-debug-channel.sh runs it under several WINEDEBUG settings and
 * checks which lines reach stderr.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>
#include <stdio.h>

int main(void)
{
    HINTERNET session = WinHttpOpen(L"debugchan", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    DWORD version;

    WinHttpGetProxySettingsVersion(session, &version);   /* not implemented: a FIXME */
    WinHttpCloseHandle(session);
    printf("debugchan done\n");
    return session ? 0 : 1;
}
