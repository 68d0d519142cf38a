/*
 * Synchronous WebSocket API conformance: WinHttpWebSocketCompleteUpgrade,
 * Send, Receive, Shutdown, Close and QueryCloseStatus against the scripted
 * test server (tests/server) and the python3-websockets / node ws servers.
 * Expectations are Windows' behaviour (see WEBSOCKET_FACTS.md); where
 * Windows' answer is unknown the test states our decision (docs/DECISIONS.md).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>
#include <stdio.h>

#include "wine/test.h"
#include "ws_helpers.h"

static WCHAR server_host[64];
static INTERNET_PORT server_port;

/* Opens an upgrade request to host:port/path and receives the response;
 * returns the request handle or NULL. */
static HINTERNET open_upgrade_request(struct ws_handles *c, const WCHAR *host, INTERNET_PORT port, const char *path,
                                      BOOL set_option)
{
    WCHAR pathW[512];
    BOOL ret;

    MultiByteToWideChar(CP_UTF8, 0, path, -1, pathW, ARRAY_SIZE(pathW));
    memset(c, 0, sizeof(*c));
    c->session = WinHttpOpen(L"winhttp-ws conformance", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(c->session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    c->connect = WinHttpConnect(c->session, host, port, 0);
    ok(c->connect != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    c->request = WinHttpOpenRequest(c->connect, L"GET", pathW, NULL, NULL, NULL, 0);
    ok(c->request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (set_option)
    {
        ret = WinHttpSetOption(c->request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
        ok(ret, "WinHttpSetOption(UPGRADE_TO_WEB_SOCKET) failed: %lu\n", GetLastError());
    }
    ret = WinHttpSendRequest(c->request, NULL, 0, NULL, 0, 0, 0);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ret = WinHttpReceiveResponse(c->request, NULL);
    ok(ret, "WinHttpReceiveResponse failed: %lu\n", GetLastError());
    return ret ? c->request : NULL;
}

/* A websocket to path on the scripted server; the request handle is closed
 * at once (as Microsoft's sample does). */
static HINTERNET open_ws_at(struct ws_handles *c, const WCHAR *host, INTERNET_PORT port, const char *path)
{
    HINTERNET ws;

    if (!open_upgrade_request(c, host, port, path, TRUE)) return NULL;
    SetLastError(0xdeadbeef);
    ws = WinHttpWebSocketCompleteUpgrade(c->request, 0x1234);
    ok(ws != NULL, "%s: WinHttpWebSocketCompleteUpgrade failed: %lu\n", path, GetLastError());
    if (ws) ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    WinHttpCloseHandle(c->request);
    c->request = NULL;
    return ws;
}

static HINTERNET open_ws(struct ws_handles *c, const char *path)
{
    return open_ws_at(c, server_host, server_port, path);
}

static DWORD receive_all(HINTERNET ws, BYTE *buf, DWORD size, DWORD *total, WINHTTP_WEB_SOCKET_BUFFER_TYPE *type)
{
    DWORD err, len;
    int i;

    *total = 0;
    for (i = 0; i < 100000; i++)
    {
        err = WinHttpWebSocketReceive(ws, buf + *total, size - *total, &len, type);
        if (err) return err;
        *total += len;
        if (*type != WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE && *type != WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE)
            return ERROR_SUCCESS;
        if (*total == size) return ERROR_INSUFFICIENT_BUFFER;
    }
    return ERROR_TIMEOUT;
}

static void test_parameters(void)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE buf[128];
    USHORT status;
    DWORD err, len;
    HINTERNET ws, session;
    struct ws_handles c;

    /* Invalid handles and wrong handle types. */
    err = WinHttpWebSocketSend(NULL, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, buf, 1);
    ok(err == ERROR_INVALID_HANDLE, "got %lu\n", err);
    session = WinHttpOpen(NULL, WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    err = WinHttpWebSocketSend(session, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, buf, 1);
    ok(err == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", err);
    err = WinHttpWebSocketReceive(session, buf, sizeof(buf), &len, &type);
    ok(err == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", err);
    err = WinHttpWebSocketClose(session, 1000, NULL, 0);
    ok(err == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", err);
    err = WinHttpWebSocketShutdown(session, 1000, NULL, 0);
    ok(err == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", err);
    err = WinHttpWebSocketQueryCloseStatus(session, &status, NULL, 0, &len);
    ok(err == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", err);
    SetLastError(0xdeadbeef);
    ok(!WinHttpWebSocketCompleteUpgrade(session, 0), "CompleteUpgrade on a session succeeded\n");
    ok(GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    ok(!WinHttpWebSocketCompleteUpgrade(NULL, 0), "CompleteUpgrade on NULL succeeded\n");
    ok(GetLastError() == ERROR_INVALID_HANDLE, "got %lu\n", GetLastError());
    WinHttpCloseHandle(session);

    if (!(ws = open_ws(&c, "/echo"))) return;

    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, NULL, 1);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE, buf, 1);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketSend(ws, 5, buf, 1);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketReceive(ws, NULL, 0, NULL, NULL);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketReceive(ws, buf, 0, NULL, NULL);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketReceive(ws, NULL, 1, NULL, NULL);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketShutdown(ws, 1000, NULL, 1);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketShutdown(ws, 1000, buf, 124);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketClose(ws, 1000, NULL, 1);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketClose(ws, 1000, buf, 128);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    /* Our decision: codes that may not be sent are refused before anything leaves. */
    err = WinHttpWebSocketClose(ws, 1006, NULL, 0);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketShutdown(ws, 999, NULL, 0);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);

    err = WinHttpWebSocketQueryCloseStatus(ws, NULL, NULL, 0, &len);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketQueryCloseStatus(ws, &status, NULL, 0, NULL);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketQueryCloseStatus(ws, &status, buf, sizeof(buf), NULL);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    err = WinHttpWebSocketQueryCloseStatus(ws, &status, NULL, 1, &len);
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);
    status = 0xdead;
    len = sizeof(buf) + 1;
    err = WinHttpWebSocketQueryCloseStatus(ws, &status, buf, sizeof(buf), &len);
    ok(err == ERROR_INVALID_OPERATION, "got %lu\n", err);
    ok(status == 0xdead, "status changed to %u\n", status);
    ok(len == sizeof(buf) + 1, "len changed to %lu\n", len);

    /* WinHttpQueryHeaders does not take websocket handles. */
    len = sizeof(buf);
    SetLastError(0xdeadbeef);
    ok(!WinHttpQueryHeaders(ws, WINHTTP_QUERY_STATUS_CODE, NULL, buf, &len, NULL), "QueryHeaders succeeded\n");
    ok(GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", GetLastError());

    err = WinHttpWebSocketClose(ws, 1000, NULL, 0);
    ok(!err, "Close failed: %lu\n", err);
    WinHttpCloseHandle(ws);
    ws_close_handles(&c);
}

static void test_options(void)
{
    DWORD value, size, err;
    HINTERNET ws;
    struct ws_handles c;

    if (!(ws = open_ws(&c, "/echo"))) return;

    value = 10000;
    SetLastError(0xdeadbeef);
    ok(!WinHttpSetOption(ws, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, &value, sizeof(value)), "accepted 10000\n");
    ok(GetLastError() == ERROR_INVALID_PARAMETER, "got %lu\n", GetLastError());
    value = 20000;
    SetLastError(0xdeadbeef);
    ok(!WinHttpSetOption(ws, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, &value, 2), "accepted size 2\n");
    ok(GetLastError() == ERROR_INVALID_PARAMETER, "got %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    ok(WinHttpSetOption(ws, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, &value, sizeof(value)), "failed\n");
    ok(GetLastError() == ERROR_SUCCESS, "got %lu\n", GetLastError());
    size = sizeof(value);
    SetLastError(0xdeadbeef);
    ok(!WinHttpQueryOption(ws, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, &value, &size), "query succeeded\n");
    ok(GetLastError() == ERROR_INVALID_PARAMETER, "got %lu\n", GetLastError());

    size = sizeof(value);
    SetLastError(0xdeadbeef);
    ok(!WinHttpQueryOption(ws, WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE, &value, &size), "query succeeded\n");
    ok(GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    ok(!WinHttpSetOption(ws, WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE, &value, sizeof(value)), "set succeeded\n");
    ok(GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", GetLastError());

    /* The close timeout defaults to 10 s (Microsoft's WinHttpWebSocketClose page). */
    size = sizeof(value);
    ok(WinHttpQueryOption(ws, WINHTTP_OPTION_WEB_SOCKET_CLOSE_TIMEOUT, &value, &size), "failed %lu\n", GetLastError());
    ok(value == 10000, "got %lu\n", value);
    value = 500;
    ok(WinHttpSetOption(ws, WINHTTP_OPTION_WEB_SOCKET_CLOSE_TIMEOUT, &value, sizeof(value)), "failed %lu\n", GetLastError());

    {
        DWORD_PTR context = 0;
        size = sizeof(context);
        ok(WinHttpQueryOption(ws, WINHTTP_OPTION_CONTEXT_VALUE, &context, &size), "failed %lu\n", GetLastError());
        ok(context == 0x1234, "context %#Ix\n", context);
    }

    err = WinHttpWebSocketClose(ws, 1000, NULL, 0);
    ok(!err, "Close failed: %lu\n", err);
    WinHttpCloseHandle(ws);
    ws_close_handles(&c);
}

static void test_upgrade_failures(void)
{
    static const struct
    {
        const char *path;
        BOOL set_option;
        DWORD error;
    }
    tests[] =
    {
        /* our decisions where Windows' code is not documented: see docs/DECISIONS.md */
        { "/echo", FALSE, ERROR_WINHTTP_INCORRECT_HANDLE_STATE },
        { "/handshake/status-200", TRUE, ERROR_WINHTTP_INVALID_SERVER_RESPONSE },
        { "/handshake/status-404", TRUE, ERROR_WINHTTP_INVALID_SERVER_RESPONSE },
        { "/handshake/bad-accept", TRUE, ERROR_WINHTTP_INVALID_SERVER_RESPONSE },
        { "/handshake/no-accept", TRUE, ERROR_WINHTTP_INVALID_SERVER_RESPONSE },
        { "/handshake/no-upgrade-header", TRUE, ERROR_WINHTTP_INVALID_SERVER_RESPONSE },
        { "/handshake/upgrade-not-websocket", TRUE, ERROR_WINHTTP_INVALID_SERVER_RESPONSE },
        { "/handshake/no-connection-upgrade", TRUE, ERROR_WINHTTP_INVALID_SERVER_RESPONSE },
        { "/handshake/extension", TRUE, ERROR_WINHTTP_INVALID_SERVER_RESPONSE },
        { "/handshake/protocol", TRUE, ERROR_WINHTTP_INVALID_SERVER_RESPONSE },
    };
    unsigned int i;
    HINTERNET ws;
    struct ws_handles c;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s", tests[i].path);
        if (open_upgrade_request(&c, server_host, server_port, tests[i].path, tests[i].set_option))
        {
            SetLastError(0xdeadbeef);
            ws = WinHttpWebSocketCompleteUpgrade(c.request, 0);
            ok(!ws, "CompleteUpgrade succeeded\n");
            ok(GetLastError() == tests[i].error, "got %lu, expected %lu\n", GetLastError(), tests[i].error);
            if (ws) WinHttpCloseHandle(ws);
        }
        ws_close_handles(&c);
        winetest_pop_context();
    }
}

static void test_upgrade_keeps_request(void)
{
    WCHAR value[64];
    DWORD size, err;
    HINTERNET ws, ws2;
    struct ws_handles c;

    if (!open_upgrade_request(&c, server_host, server_port, "/echo", TRUE)) return;
    ws = WinHttpWebSocketCompleteUpgrade(c.request, 0);
    ok(ws != NULL, "CompleteUpgrade failed: %lu\n", GetLastError());
    /* The request still answers for its response after the upgrade. */
    size = sizeof(value);
    ok(WinHttpQueryHeaders(c.request, WINHTTP_QUERY_UPGRADE, NULL, value, &size, NULL), "failed %lu\n", GetLastError());
    ok(!lstrcmpiW(value, L"websocket"), "got %s\n", wine_dbgstr_w(value));
    /* The connection was handed over: a second upgrade from the same response fails. */
    SetLastError(0xdeadbeef);
    ws2 = WinHttpWebSocketCompleteUpgrade(c.request, 0);
    ok(!ws2, "second CompleteUpgrade succeeded\n");
    ok(GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "got %lu\n", GetLastError());
    /* Closing every other handle leaves the websocket working. */
    ws_close_handles(&c);
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)"still here", 10);
    ok(!err, "Send failed: %lu\n", err);
    {
        WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
        BYTE buf[64];
        DWORD len;
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(!err && len == 10 && !memcmp(buf, "still here", 10), "err %lu len %lu\n", err, len);
    }
    ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
    WinHttpCloseHandle(ws);
}

static void test_echo(const char *what, HINTERNET ws)
{
    static const struct
    {
        WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
        DWORD len;
    }
    messages[] =
    {
        { WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, 1 },
        { WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, 5 },
        { WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, 0 },
        { WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, 0 },
        { WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, 125 },
        { WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, 126 },
        { WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, 65535 },
        { WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, 65536 },
        { WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, 70000 },
        { WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, 1 << 20 },
    };
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    DWORD err, total, i, j;
    BYTE *out = HeapAlloc(GetProcessHeap(), 0, (1 << 20) + 1), *in = HeapAlloc(GetProcessHeap(), 0, (1 << 20) + 1);

    for (i = 0; i < ARRAY_SIZE(messages); i++)
    {
        winetest_push_context("%s message %lu", what, i);
        for (j = 0; j < messages[i].len; j++) out[j] = 'a' + (j * 7 + i) % 26;
        err = WinHttpWebSocketSend(ws, messages[i].type, messages[i].len ? out : NULL, messages[i].len);
        ok(!err, "Send failed: %lu\n", err);
        err = receive_all(ws, in, (1 << 20) + 1, &total, &type);
        ok(!err, "Receive failed: %lu\n", err);
        ok(type == messages[i].type, "type %d\n", type);
        ok(total == messages[i].len, "got %lu bytes, expected %lu\n", total, messages[i].len);
        ok(!memcmp(in, out, messages[i].len), "data differs\n");
        winetest_pop_context();
    }
    HeapFree(GetProcessHeap(), 0, out);
    HeapFree(GetProcessHeap(), 0, in);
}

static void test_echo_servers(void)
{
    static const char *const vars[] = { "WSTEST_PY_SERVER", "WSTEST_NODE_SERVER" };
    WCHAR host[64];
    INTERNET_PORT port;
    HINTERNET ws;
    struct ws_handles c;
    unsigned int i;
    USHORT status;
    DWORD len;

    if ((ws = open_ws(&c, "/echo")))
    {
        test_echo("wsserver", ws);
        ok(!WinHttpWebSocketClose(ws, 1000, (void *)"bye", 3), "Close failed\n");
        ok(!WinHttpWebSocketQueryCloseStatus(ws, &status, NULL, 0, &len) || len, "QueryCloseStatus failed\n");
        ok(status == 1000, "status %u\n", status);
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
    for (i = 0; i < ARRAY_SIZE(vars); i++)
    {
        if (!ws_parse_server(ws_server_env(vars[i]), host, ARRAY_SIZE(host), &port))
        {
            skip("%s not set: that interop server is not available\n", vars[i]);
            continue;
        }
        if (!(ws = open_ws_at(&c, host, port, "/"))) continue;
        test_echo(vars[i], ws);
        ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "%s: Close failed\n", vars[i]);
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
}

static void test_fragments(void)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE buf[300], out[256];
    DWORD err, len, i;
    HINTERNET ws;
    struct ws_handles c;

    if (!(ws = open_ws(&c, "/frames"))) return;
    /* What goes on the wire: first fragment carries the opcode, the rest are continuations. */
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE, (void *)"12345678", 8);
    ok(!err, "Send failed: %lu\n", err);
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE, (void *)"x", 1);
    ok(err == ERROR_INVALID_PARAMETER, "mixing types: got %lu\n", err);
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)"x", 1);
    ok(err == ERROR_INVALID_PARAMETER, "mixing types: got %lu\n", err);
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE, (void *)"abc", 3);
    ok(!err, "Send failed: %lu\n", err);
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, NULL, 0);
    ok(!err, "Send failed: %lu\n", err);
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)"hi", 2);
    ok(!err, "Send failed: %lu\n", err);
    {
        static const char *const expect[] =
        {
            "fin=0 rsv=0 op=2 mask=1 len=8",
            "fin=0 rsv=0 op=0 mask=1 len=3",
            "fin=1 rsv=0 op=0 mask=1 len=0",
            "fin=1 rsv=0 op=1 mask=1 len=2",
        };
        for (i = 0; i < ARRAY_SIZE(expect); i++)
        {
            memset(buf, 0, sizeof(buf));
            err = WinHttpWebSocketReceive(ws, buf, sizeof(buf) - 1, &len, &type);
            ok(!err, "Receive failed: %lu\n", err);
            ok(type == WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, "type %d\n", type);
            ok(!strcmp((char *)buf, expect[i]), "frame %lu: got %s\n", i, buf);
        }
    }
    ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
    WinHttpCloseHandle(ws);
    ws_close_handles(&c);

    /* A message larger than the buffer comes back in pieces. */
    if (!(ws = open_ws(&c, "/echo"))) return;
    for (i = 0; i < sizeof(out); i++) out[i] = (BYTE)i;
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, out, sizeof(out));
    ok(!err, "Send failed: %lu\n", err);
    err = WinHttpWebSocketReceive(ws, buf, 128, &len, &type);
    ok(!err, "Receive failed: %lu\n", err);
    ok(len == 128, "got %lu\n", len);
    ok(type == WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE, "type %d\n", type);
    err = WinHttpWebSocketReceive(ws, buf + 128, 128, &len, &type);
    ok(!err, "Receive failed: %lu\n", err);
    ok(len == 128, "got %lu\n", len);
    ok(type == WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, "type %d\n", type);
    ok(!memcmp(buf, out, sizeof(out)), "data differs\n");

    /* Fragments sent are reassembled by the echo server into one message. */
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE, (void *)"Gr\xc3", 3);
    ok(!err, "Send failed: %lu\n", err);
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)"\xbc\xc3\x9f" "e", 4);
    ok(!err, "Send failed: %lu\n", err);
    err = receive_all(ws, buf, sizeof(buf), &len, &type);
    ok(!err && len == 7 && !memcmp(buf, "Gr\xc3\xbc\xc3\x9f" "e", 7), "err %lu len %lu\n", err, len);
    ok(type == WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, "type %d\n", type);
    ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
    WinHttpCloseHandle(ws);
    ws_close_handles(&c);

    /* Server fragments, one byte each, come back as fragments then the message. */
    if (!(ws = open_ws(&c, "/echo-frag/1"))) return;
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)"abc", 3);
    ok(!err, "Send failed: %lu\n", err);
    for (i = 0; i < 3; i++)
    {
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(!err && len == 1 && buf[0] == "abc"[i], "piece %lu: err %lu len %lu\n", i, err, len);
        ok(type == (i < 2 ? WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE : WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE),
           "piece %lu: type %d\n", i, type);
    }
    ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
    WinHttpCloseHandle(ws);
    ws_close_handles(&c);
}

/* A message larger than our largest single socket write (4 MiB) leaves as
 * one frame written in pieces; masking must run on across the pieces. */
static void test_large_message(void)
{
    static const DWORD size = 9 * 1024 * 1024 + 5;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE *out = malloc(size), *in = malloc(size);
    char frame[64], expect[64];
    struct ws_handles c;
    DWORD err, len, i;
    HINTERNET ws;

    if (!out || !in) return;
    for (i = 0; i < size; i++) out[i] = (BYTE)(i * 7 + (i >> 13));

    if ((ws = open_ws(&c, "/echo")))
    {
        err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, out, size);
        ok(!err, "Send of %lu bytes failed: %lu\n", size, err);
        err = receive_all(ws, in, size, &len, &type);
        ok(!err, "receiving the echo failed: %lu\n", err);
        ok(len == size, "echo of %lu bytes, expected %lu\n", len, size);
        ok(type == WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, "type %d\n", type);
        ok(len == size && !memcmp(in, out, size), "the echo differs\n");
        ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }

    if ((ws = open_ws(&c, "/frames")))
    {
        err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, out, size);
        ok(!err, "Send of %lu bytes failed: %lu\n", size, err);
        memset(frame, 0, sizeof(frame));
        err = WinHttpWebSocketReceive(ws, frame, sizeof(frame) - 1, &len, &type);
        ok(!err, "Receive failed: %lu\n", err);
        sprintf(expect, "fin=1 rsv=0 op=2 mask=1 len=%lu", size);
        ok(!strcmp(frame, expect), "the server saw %s, expected %s\n", frame, expect);
        ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
    free(out);
    free(in);
}

static void test_control_frames(void)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE buf[64];
    DWORD err, len;
    HINTERNET ws;
    struct ws_handles c;

    /* The server pings with "hello" and says whether our pong echoed it. */
    if ((ws = open_ws(&c, "/ping/68656c6c6f")))
    {
        memset(buf, 0, sizeof(buf));
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(!err, "Receive failed: %lu\n", err);
        ok(len == 7 && !memcmp(buf, "pong ok", 7), "got %s\n", buf);
        ok(type == WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, "type %d\n", type);
        ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
    /* An unsolicited pong, then a ping between two fragments: neither surfaces. */
    if ((ws = open_ws(&c, "/send/8a0001016189027071800162")))
    {
        err = receive_all(ws, buf, sizeof(buf), &len, &type);
        ok(!err, "Receive failed: %lu\n", err);
        ok(len == 2 && !memcmp(buf, "ab", 2), "got %lu bytes\n", len);
        ok(type == WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, "type %d\n", type);
        ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
    /* Frames the server sends right behind the 101 are not lost. */
    if ((ws = open_ws(&c, "/early")))
    {
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(!err && len == 5 && !memcmp(buf, "early", 5), "err %lu len %lu\n", err, len);
        ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
}

static void test_close_handshake(void)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE buf[64];
    char reason[8];
    USHORT status;
    DWORD err, len;
    HINTERNET ws;
    struct ws_handles c;

    /* The server closes first. */
    if ((ws = open_ws(&c, "/close/1001/going%20away")))
    {
        len = 0xdeadbeef;
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(!err, "Receive failed: %lu\n", err);
        ok(type == WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE, "type %d\n", type);
        ok(!len, "len %lu\n", len);
        err = WinHttpWebSocketQueryCloseStatus(ws, &status, NULL, 0, &len);
        ok(err == ERROR_INSUFFICIENT_BUFFER, "got %lu\n", err);
        ok(len == 10, "needed %lu\n", len);
        ok(status == 1001, "status %u\n", status);
        err = WinHttpWebSocketQueryCloseStatus(ws, &status, reason, sizeof(reason), &len);
        ok(err == ERROR_INSUFFICIENT_BUFFER, "got %lu\n", err);
        memset(buf, 0, sizeof(buf));
        err = WinHttpWebSocketQueryCloseStatus(ws, &status, buf, sizeof(buf), &len);
        ok(!err, "got %lu\n", err);
        ok(len == 10 && !memcmp(buf, "going away", 10), "len %lu reason %s\n", len, buf);
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(err == ERROR_INVALID_OPERATION, "Receive after close: got %lu\n", err);
        err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, buf, 1);
        ok(err == ERROR_INVALID_OPERATION, "Send after close: got %lu\n", err);
        err = WinHttpWebSocketClose(ws, 1000, NULL, 0);
        ok(!err, "Close failed: %lu\n", err);
        err = WinHttpWebSocketClose(ws, 1000, NULL, 0);
        ok(err == ERROR_INVALID_OPERATION, "second Close: got %lu\n", err);
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
    /* An empty close payload reports 1005. */
    if ((ws = open_ws(&c, "/close-empty")))
    {
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(!err && type == WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE, "err %lu type %d\n", err, type);
        err = WinHttpWebSocketQueryCloseStatus(ws, &status, buf, sizeof(buf), &len);
        ok(!err && status == WINHTTP_WEB_SOCKET_EMPTY_CLOSE_STATUS && !len, "err %lu status %u len %lu\n", err, status, len);
        ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
    /* Shutdown: no more sending, receiving goes on until the peer's close. */
    if ((ws = open_ws(&c, "/echo")))
    {
        err = WinHttpWebSocketShutdown(ws, 1000, (void *)"done", 4);
        ok(!err, "Shutdown failed: %lu\n", err);
        err = WinHttpWebSocketShutdown(ws, 1000, NULL, 0);
        ok(err == ERROR_INVALID_OPERATION, "second Shutdown: got %lu\n", err);
        err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, buf, 1);
        ok(err == ERROR_INVALID_OPERATION, "Send after Shutdown: got %lu\n", err);
        err = WinHttpWebSocketQueryCloseStatus(ws, &status, buf, sizeof(buf), &len);
        ok(err == ERROR_INVALID_OPERATION, "QueryCloseStatus before the peer's close: got %lu\n", err);
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(!err && type == WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE && !len, "err %lu type %d len %lu\n", err, type, len);
        memset(buf, 0, sizeof(buf));
        err = WinHttpWebSocketQueryCloseStatus(ws, &status, buf, sizeof(buf), &len);
        ok(!err && status == 1000 && len == 4 && !memcmp(buf, "done", 4), "err %lu status %u len %lu\n", err, status, len);
        err = WinHttpWebSocketClose(ws, 1000, (void *)"success2", 8);
        ok(!err, "Close after Shutdown failed: %lu\n", err);
        err = WinHttpWebSocketShutdown(ws, 1000, NULL, 0);
        ok(err == ERROR_INVALID_OPERATION, "Shutdown after Close: got %lu\n", err);
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
    /* Close waits for the echoed close and reports it. */
    if ((ws = open_ws(&c, "/echo")))
    {
        err = WinHttpWebSocketClose(ws, 4000, (void *)"custom", 6);
        ok(!err, "Close failed: %lu\n", err);
        memset(buf, 0, sizeof(buf));
        err = WinHttpWebSocketQueryCloseStatus(ws, &status, buf, sizeof(buf), &len);
        ok(!err && status == 4000 && len == 6 && !memcmp(buf, "custom", 6), "err %lu status %u len %lu\n", err, status, len);
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(err == ERROR_INVALID_OPERATION, "Receive after Close: got %lu\n", err);
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
    /* A server that never answers the close: Close gives up after the close timeout. */
    if ((ws = open_ws(&c, "/stall")))
    {
        DWORD timeout = 300, start;
        ok(WinHttpSetOption(ws, WINHTTP_OPTION_WEB_SOCKET_CLOSE_TIMEOUT, &timeout, sizeof(timeout)), "failed\n");
        start = GetTickCount();
        err = WinHttpWebSocketClose(ws, 1000, NULL, 0);
        ok(err == ERROR_WINHTTP_TIMEOUT, "got %lu\n", err);
        ok(GetTickCount() - start < 5000, "Close took %lu ms\n", GetTickCount() - start);
        WinHttpCloseHandle(ws);
        ws_close_handles(&c);
    }
}

static void test_bad_servers(void)
{
    static const struct
    {
        const char *path;
        DWORD error;
    }
    tests[] =
    {
        { "/send/82850102030461/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },   /* masked server frame */
        { "/send/c20161/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },           /* RSV1 */
        { "/send/830161/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },           /* reserved opcode 3 */
        { "/send/8b0161/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },           /* reserved opcode 0xb */
        { "/send/800161/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },           /* continuation, nothing open */
        { "/send/090161/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },           /* fragmented ping */
        { "/send/897e007e/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },         /* ping of 126 bytes */
        { "/send/827e0001/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },         /* non-minimal length */
        { "/send/880103/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },           /* 1-byte close payload */
        { "/send/880203ed/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },         /* close code 1005 on the wire */
        { "/send/8102c328/stall", ERROR_WINHTTP_INVALID_SERVER_RESPONSE },         /* invalid UTF-8 text */
        { "/send/8101/close", ERROR_WINHTTP_CONNECTION_ERROR },                    /* EOF inside a frame */
        { "/send//close", ERROR_WINHTTP_CONNECTION_ERROR },                        /* EOF without a close frame */
    };
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE buf[256];
    unsigned int i;
    DWORD err, len;
    HINTERNET ws;
    struct ws_handles c;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s", tests[i].path);
        if ((ws = open_ws(&c, tests[i].path)))
        {
            err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
            ok(err == tests[i].error, "got %lu, expected %lu\n", err, tests[i].error);
            /* The handle stays in a state where everything fails cleanly. */
            err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
            ok(err == tests[i].error, "second Receive: got %lu\n", err);
            err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, buf, 1);
            ok(err, "Send succeeded\n");
            err = WinHttpWebSocketClose(ws, 1000, NULL, 0);
            ok(err, "Close succeeded\n");
            WinHttpCloseHandle(ws);
        }
        ws_close_handles(&c);
        winetest_pop_context();
    }
}

struct receiver
{
    HINTERNET ws;
    HANDLE started;
    DWORD err, len;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE buf[64];
};

static DWORD WINAPI receiver_thread(void *arg)
{
    struct receiver *r = arg;
    SetEvent(r->started);
    r->err = WinHttpWebSocketReceive(r->ws, r->buf, sizeof(r->buf), &r->len, &r->type);
    return 0;
}

static void test_concurrency(void)
{
    struct receiver r;
    HANDLE thread;
    DWORD err;
    struct ws_handles c;

    memset(&r, 0, sizeof(r));
    if (!(r.ws = open_ws(&c, "/echo"))) return;
    r.started = CreateEventW(NULL, FALSE, FALSE, NULL);

    /* One thread receives while another sends on the same websocket. */
    thread = CreateThread(NULL, 0, receiver_thread, &r, 0, NULL);
    WaitForSingleObject(r.started, 5000);
    err = WinHttpWebSocketSend(r.ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)"ping pong", 9);
    ok(!err, "Send failed: %lu\n", err);
    ok(WaitForSingleObject(thread, 10000) == WAIT_OBJECT_0, "receiver did not finish\n");
    ok(!r.err && r.len == 9 && !memcmp(r.buf, "ping pong", 9), "err %lu len %lu\n", r.err, r.len);
    CloseHandle(thread);

    /* WinHttpCloseHandle while another thread is (about to be) blocked in
     * Receive: that Receive ends -- cancelled, or refused if the close came
     * first -- and never hangs. */
    r.err = 0xdeadbeef;
    thread = CreateThread(NULL, 0, receiver_thread, &r, 0, NULL);
    WaitForSingleObject(r.started, 5000);
    WinHttpCloseHandle(r.ws);
    ok(WaitForSingleObject(thread, 10000) == WAIT_OBJECT_0, "receiver did not finish\n");
    ok(r.err == ERROR_WINHTTP_OPERATION_CANCELLED || r.err == ERROR_INVALID_HANDLE, "got %lu\n", r.err);
    CloseHandle(thread);
    CloseHandle(r.started);
    ws_close_handles(&c);
}

START_TEST(websocket)
{
    if (!ws_parse_server(ws_server_env("WSTEST_SERVER"), server_host, ARRAY_SIZE(server_host), &server_port))
    {
        skip("WSTEST_SERVER not set: run under tools/with-servers.sh\n");
        return;
    }
    test_parameters();
    test_options();
    test_upgrade_failures();
    test_upgrade_keeps_request();
    test_echo_servers();
    test_fragments();
    test_large_message();
    test_control_frames();
    test_close_handshake();
    test_bad_servers();
    test_concurrency();
}
