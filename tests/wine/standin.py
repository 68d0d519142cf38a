#!/usr/bin/python3
"""Local stand-ins for the hosts Wine's winhttp tests talk to.

Usage: standin.py --http ADDR:PORT [--http ...] [--tls ADDR:PORT CERT KEY ...]
                  [--ready FILE] [--max-seconds N]

Run by tools/winetests.sh inside a private network namespace whose hosts file
maps test.winehq.org and ws.ifelse.io to loopback addresses.  The server picks
the site by the Host header:

  test.winehq.org   /                      200, a small XHTML page (it starts
                                           "<!DOCTYPE html PUBLIC", as the real one)
                    /tests/hello.html      200, a small HTML page
                    /tests/redirect        302 to http://test.winehq.org/tests/hello.html
                    /tests/post.php        200, "key => value\\n" per form field
                                           (the body is application/x-www-form-urlencoded)
                    /tests/chunked         200, chunked, one line per chunk
                    /tests/redirecttest.php?[id=N&]max=M
                                           302 to the same page with id=N+1, until
                                           N reaches M: then 200
                    /tests/clientcert/     (https, TLS 1.2 or older) the server
                                           renegotiates and asks for a client
                                           certificate, as the real host's per-directory
                                           client authentication: without one the
                                           renegotiation fails; with one it must be
                                           valid for the stand-in's CA (no test's is):
                                           then 200
  ws.ifelse.io      / with a websocket upgrade: 101, a text message
                    "Request served by 4d896d95" (as the real host greets), then an
                    echo of every message with its type; ping -> pong;
                    close -> its status code back (no reason, as the real
                    host: Wine's test_websocket reads an empty reason) after ROUND_TRIP
                    (the real host is a round trip away: Wine's test_websocket
                    checks that the close status is not known yet right after
                    WinHttpWebSocketClose returns, notification.c:1203, which
                    loopback would answer first too often), then TCP close.

--tls-or-plain ADDR:PORT CERT KEY serves TLS, and answers a plain HTTP
request on that port with 400, as the real https port does (Wine's
test_secure_connection sends one first).  Its TLS is pyOpenSSL's (Debian's
python3-openssl) in a thread per connection, which can renegotiate (Python's
ssl cannot), bridged to the same HTTP code through a socket pair; TLS 1.0
to 1.3 (Wine's test_client_cert_authentication asks for TLS 1.1).  Without
pyOpenSSL it is Python's ssl and /tests/clientcert/ is 404.  Everything else gets 404.  HTTP/1.1 keep-alive unless the client sends
"Connection: close".  The process exits on SIGTERM/SIGINT or after
--max-seconds; it writes FILE once every listener is bound.
"""
import argparse
import asyncio
import base64
import hashlib
import os
import signal
import socket
import ssl
import struct
import sys
import select
import threading
import urllib.parse

try:
    from OpenSSL import SSL as OSSL
except ImportError:
    OSSL = None

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
HELLO = (b"<html>\n<head>\n<title>Hello</title>\n</head>\n"
         b"<body>\nHello, world!\n</body>\n</html>\n")
# Wine's tests check how the real home page starts (test_IWinHttpRequest).
ROOT = (b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n<title>Stand-in</title>\n</head>\n'
        b'<body>\nStand-in for test.winehq.org\n'
        # the real page is longer than 2014 bytes: test_secure_connection
        # expects more than that available at once
        + b'<p>' + b'filler ' * 320 + b'</p>\n'
        b'</body>\n</html>\n')
# The delay of the real ws.ifelse.io's answer to a close frame (seconds).
ROUND_TRIP = 0.05
CHUNKED_LINES = [b"line %d of the chunked test body\n" % i for i in range(1, 9)]


def response(status, reason, body=b"", headers=(), close=False):
    head = ["HTTP/1.1 %d %s" % (status, reason),
            "Server: winhttp-ws-standin",
            "Content-Length: %d" % len(body)]
    head += list(headers)
    # The real host names the connection's fate either way; Wine's
    # test_IWinHttpRequest reads the Connection header of the answer.
    head.append("Connection: close" if close else "Connection: keep-alive")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_head(reader):
    try:
        data = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = data.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return parts[0], parts[1], parts[2], headers


async def read_body(reader, headers):
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return body
            body += chunk[:-2]
    length = int(headers.get("content-length", "0") or "0")
    return await reader.readexactly(length) if length else b""


def winehq(method, target, body):
    url = urllib.parse.urlsplit(target)
    path = url.path
    if not path.startswith("/"):
        path = "/" + path
    query = urllib.parse.parse_qs(url.query)
    if path in ("/", "/tests/hello.html"):
        return response(200, "OK", b"" if method == "HEAD" else ROOT if path == "/" else HELLO,
                        ["Content-Type: text/html"])
    if path == "/tests/redirect":
        return response(302, "Found", b"", ["Location: http://test.winehq.org/tests/hello.html"])
    if path == "/tests/post.php":
        out = b""
        for pair in body.split(b"&"):
            if pair:
                k, _, v = pair.partition(b"=")
                out += urllib.parse.unquote_to_bytes(k) + b" => " + urllib.parse.unquote_to_bytes(v) + b"\n"
        return response(200, "OK", out, ["Content-Type: text/html"])
    if path == "/tests/redirecttest.php":
        limit = int(query.get("max", ["0"])[0])
        # the real page's form: ?id=N&max=M (Wine 10's
        # test_max_http_automatic_redirects checks the URL it stopped at)
        count = int(query.get("id", ["0"])[0])
        if count < limit:
            loc = "http://test.winehq.org/tests/redirecttest.php?id=%d&max=%d" % (count + 1, limit)
            return response(302, "Found", b"", ["Location: " + loc])
        return response(200, "OK", b"%d redirects\n" % count)
    return None


def ws_frame(opcode, payload):
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


async def ws_read_frame(reader):
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7f
    if n == 126:
        n = struct.unpack("!H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", await reader.readexactly(8))[0]
    mask = await reader.readexactly(4) if b1 & 0x80 else b"\0\0\0\0"
    data = bytearray(await reader.readexactly(n))
    for i in range(n):
        data[i] ^= mask[i & 3]
    return b0 & 0x80, b0 & 0x0f, bytes(data)


async def ws_echo(reader, writer, headers):
    key = headers.get("sec-websocket-key", "").encode()
    accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()
    writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
    # 26 bytes, as the real greeting with its 8-digit server id (winhttp.c:3611)
    writer.write(ws_frame(1, b"Request served by 4d896d95"))
    await writer.drain()
    message, mtype = b"", 0
    while True:
        fin, opcode, data = await ws_read_frame(reader)
        if opcode == 8:
            await asyncio.sleep(ROUND_TRIP)
            writer.write(ws_frame(8, data[:2]))
            await writer.drain()
            return
        if opcode == 9:
            writer.write(ws_frame(10, data))
        elif opcode in (1, 2, 0):
            if opcode:
                mtype = opcode
            message += data
            if fin:
                writer.write(ws_frame(mtype, message))
                message = b""
        await writer.drain()


async def serve(reader, writer, plain_on_tls=False):
    try:
        while True:
            head = await read_head(reader)
            if head is None:
                return
            method, target, version, headers = head
            if plain_on_tls:
                writer.write(response(400, "Bad Request", b"plain HTTP sent to the HTTPS port\n", close=True))
                await writer.drain()
                return
            host = headers.get("host", "").split(":")[0].lower()
            close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            if host == "ws.ifelse.io" and headers.get("upgrade", "").lower() == "websocket":
                await ws_echo(reader, writer, headers)
                return
            body = await read_body(reader, headers)
            reply = None
            if host == "test.winehq.org":
                path = urllib.parse.urlsplit(target).path
                if path == "/tests/chunked":
                    writer.write(b"HTTP/1.1 200 OK\r\nServer: winhttp-ws-standin\r\n"
                                 b"Transfer-Encoding: chunked\r\n\r\n")
                    for line in CHUNKED_LINES:
                        writer.write(b"%x\r\n%s\r\n" % (len(line), line))
                        await writer.drain()
                    writer.write(b"0\r\n\r\n")
                    await writer.drain()
                    if close:
                        return
                    continue
                reply = winehq(method, target, body)
            if reply is None:
                reply = response(404, "Not Found", b"not found\n")
            if close:
                reply = reply.replace(b"Connection: keep-alive\r\n", b"Connection: close\r\n", 1)
            writer.write(reply)
            await writer.drain()
            if close:
                return
    except (asyncio.IncompleteReadError, ConnectionError, ValueError, ssl.SSLError):
        return
    finally:
        writer.close()


CLIENTCERT_PATH = b"/tests/clientcert/"
BRIDGE_IDLE_SECONDS = 120
RENEGOTIATION_SECONDS = 10


def pyopenssl_context(cert, key):
    ctx = OSSL.Context(OSSL.TLS_SERVER_METHOD)
    ctx.set_min_proto_version(OSSL.TLS1_VERSION)
    ctx.set_cipher_list(b"DEFAULT:@SECLEVEL=0")  # TLS 1.0/1.1 ciphers
    ctx.use_certificate_chain_file(cert)
    ctx.use_privatekey_file(key)
    return ctx


def asks_clientcert(data):
    line = data.split(b"\r\n", 1)[0].split(b" ")
    return len(line) == 3 and line[1].split(b"?")[0] == CLIENTCERT_PATH


def clientcert_renegotiation(conn, sock):
    """The request for /tests/clientcert/ came: renegotiate, now asking for a
    certificate the stand-in's CA signed (none of the tests' is)."""
    if conn.get_protocol_version_name() not in ("TLSv1", "TLSv1.1", "TLSv1.2"):
        conn.sendall(response(403, "Forbidden", b"client certificates need renegotiation (TLS 1.2 or older)\n"))
        return
    conn.set_verify(OSSL.VERIFY_PEER | OSSL.VERIFY_FAIL_IF_NO_PEER_CERT, lambda c, x509, err, depth, ok: bool(ok))
    # a client that does not renegotiate (it keeps the connection and waits)
    # is let go: the connection closes (socket.timeout is an OSError)
    sock.settimeout(RENEGOTIATION_SECONDS)
    conn.renegotiate()
    conn.do_handshake()  # the HelloRequest
    for _ in range(64):  # the client's handshake, bounded
        try:
            conn.recv(65536)
        except OSSL.WantReadError:
            continue
        if not conn.renegotiate_pending():
            break
    conn.sendall(response(200, "OK", b"client certificate accepted\n"))


def tls_bridge(sock, ctx, plain):
    """A thread per TLS connection: TLS on sock, plaintext to and from plain
    (the other end is served by serve()).  Ends when either side closes,
    after BRIDGE_IDLE_SECONDS of silence, or on a TLS error."""
    conn = OSSL.Connection(ctx, sock)
    conn.set_accept_state()
    try:
        sock.setblocking(True)
        conn.do_handshake()
        while True:
            ready = [sock] if conn.pending() else select.select([sock, plain], [], [], BRIDGE_IDLE_SECONDS)[0]
            if not ready:
                return
            if sock in ready:
                try:
                    data = conn.recv(65536)
                except OSSL.WantReadError:
                    continue
                if not data:
                    return
                if asks_clientcert(data):
                    clientcert_renegotiation(conn, sock)
                    return
                plain.sendall(data)
            if plain in ready:
                data = plain.recv(65536)
                if not data:
                    return
                conn.sendall(data)
    except (OSSL.Error, OSError):
        return
    finally:
        for s in (plain, sock):
            try:
                s.close()
            except OSError:
                pass


def peek_first_byte(sock):
    sock.settimeout(30)
    try:
        return sock.recv(1, socket.MSG_PEEK)
    except OSError:
        return b""
    finally:
        sock.setblocking(False)


async def dispatch(sock, ctx):
    """One connection to a --tls-or-plain port: TLS if it starts with a
    handshake record (0x16), plain HTTP otherwise."""
    loop = asyncio.get_running_loop()
    first = await loop.run_in_executor(None, peek_first_byte, sock)
    if not first:
        sock.close()
        return
    tls = first == b"\x16"
    reader = asyncio.StreamReader()
    protocol = asyncio.StreamReaderProtocol(reader, lambda r, w: serve(r, w, plain_on_tls=not tls))
    if tls and OSSL:
        # TLS in a thread (tls_bridge), HTTP here on the other end of a pair
        plain, inner = socket.socketpair()
        threading.Thread(target=tls_bridge, args=(sock, ctx, plain), daemon=True).start()
        sock, ctx = inner, None
    try:
        await loop.connect_accepted_socket(lambda: protocol, sock, ssl=ctx if tls else None)
    except (ConnectionError, ssl.SSLError, OSError):
        sock.close()


async def accept_tls_or_plain(lsock, ctx):
    loop = asyncio.get_running_loop()
    tasks = set()
    while True:
        sock, _ = await loop.sock_accept(lsock)
        task = asyncio.create_task(dispatch(sock, ctx))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


def addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def announce_ready(path):
    """Tells the starting script that every listener is bound: PATH appears
    whole (written aside, then renamed), or not at all."""
    if path:
        tmp = "%s.tmp.%d" % (path, os.getpid())
        with open(tmp, "w") as f:
            f.write("ready\n")
        os.rename(tmp, path)


async def run_until_stopped(max_seconds, name):
    """Returns on SIGTERM or SIGINT, or after max_seconds (saying so)."""
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    try:
        await asyncio.wait_for(stop, timeout=max_seconds)
    except asyncio.TimeoutError:
        print("%s: max time reached, exiting" % name, file=sys.stderr)


async def main(args):
    servers = []
    for a in args.http:
        servers.append(await asyncio.start_server(serve, *addr(a)))
    for a, cert, key in args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        servers.append(await asyncio.start_server(serve, *addr(a), ssl=ctx))
    acceptors = []
    for a, cert, key in args.tls_or_plain:
        if OSSL:
            ctx = pyopenssl_context(cert, key)
        else:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
        lsock = socket.create_server(addr(a), reuse_port=False)
        lsock.setblocking(False)
        acceptors.append(asyncio.create_task(accept_tls_or_plain(lsock, ctx)))
    announce_ready(args.ready)
    await run_until_stopped(args.max_seconds, "standin")
    for s in servers:
        s.close()
    for t in acceptors:
        t.cancel()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--http", action="append", default=[])
    p.add_argument("--tls", nargs=3, action="append", default=[])
    p.add_argument("--tls-or-plain", nargs=3, action="append", default=[])
    p.add_argument("--ready")
    p.add_argument("--max-seconds", type=float, default=900)
    asyncio.run(main(p.parse_args()))
