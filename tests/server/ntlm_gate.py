#!/usr/bin/python3
"""An HTTP server that wants NTLM or Negotiate, for the tests' 401 handshakes.

Usage: ntlm_gate.py PORTFILE --backend HOST:PORT [--max-seconds N] [--tls CERT KEY]

Why our own: Debian 12 has no web server module that accepts NTLM without a
domain (mod_auth_ntlm_winbind is gone, mod_auth_gssapi needs a Kerberos KDC),
and squid, which does (tools/start-squid.sh), answers 401 only as an
accelerator, where it does not pass websocket upgrades on.  So this server
only frames HTTP: the NTLM and SPNEGO work is done by Samba's ntlm_auth, the
acceptor squid uses, run per connection as a squid helper and checking the
password it is given ("ntlmpass"; ntlm_auth's local check takes any user
name, "WSTEST\\ntlmuser" is what the tests send), no winbindd needed.

Paths: /ntlm/... offers NTLM, /negotiate/... offers Negotiate, /both/...
offers Negotiate then NTLM.  The authentication belongs to the connection
(as IIS does): once ntlm_auth says AF, a plain request gets 200 "ntlm ok\\n",
and a websocket upgrade is passed, Authorization and the first path segment
removed (/ntlm/echo goes on as /echo), to the backend
(wsserver) with the bytes relayed both ways.  A refusal (NA) is a 401 with
the bare challenges again.  With --tls it speaks HTTPS (the backend stays
plain).  Exits after N seconds (default 900) or SIGTERM.
"""
import argparse
import base64
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading

NTLM_AUTH = "/usr/bin/ntlm_auth"
IDENTITY = ["--username=ntlmuser", "--domain=WSTEST", "--password=ntlmpass"]
HELPERS = {"NTLM": "squid-2.5-ntlmssp", "Negotiate": "gss-spnego"}
OFFERS = {"ntlm": ["NTLM"], "negotiate": ["Negotiate"], "both": ["Negotiate", "NTLM"]}
MAX_HEAD = 65536


def read_head(sock, buf):
    """The request head (bytes) and what follows it, or (None, b"")."""
    while b"\r\n\r\n" not in buf:
        if len(buf) > MAX_HEAD:
            return None, b""
        data = sock.recv(65536)
        if not data:
            return None, b""
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def read_request(sock, buf):
    """The next request's head lines, its body read and dropped, and what
    follows it; (None, b"") at the end of the connection."""
    head, buf = read_head(sock, buf)
    if head is None:
        return None, b""
    lines = head.split("\r\n")
    length = int(header(lines, "Content-Length") or 0)
    while len(buf) < length:
        data = sock.recv(65536)
        if not data:
            return None, b""
        buf += data
    return lines, buf[length:]


def header(lines, name):
    for line in lines[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


class Helper:
    """One ntlm_auth in squid helper mode: a line in, a line out."""

    def __init__(self, scheme):
        self.proc = subprocess.Popen([NTLM_AUTH, "--helper-protocol=" + HELPERS[scheme]] + IDENTITY,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.started = False

    def step(self, token):
        self.proc.stdin.write(("KK " if self.started else "YR ") + token + "\n")
        self.proc.stdin.flush()
        self.started = True
        return self.proc.stdout.readline().split()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def opens_handshake(token):
    """An NTLM NEGOTIATE message or a SPNEGO NegTokenInit: a new handshake
    on this connection, as a server must take it even mid-way."""
    try:
        data = base64.b64decode(token)
    except ValueError:
        return False
    return data.startswith(b"NTLMSSP\0\x01\0\0\0") or data[:1] == b"\x60"


def respond(sock, status, headers, body=b""):
    text = "HTTP/1.1 %s\r\n" % status
    for name, value in headers:
        text += "%s: %s\r\n" % (name, value)
    text += "Content-Length: %d\r\n\r\n" % len(body)
    sock.sendall(text.encode("latin-1") + body)


def relay(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def upgrade(sock, lines, rest, backend):
    host, port = backend.rsplit(":", 1)
    back = socket.create_connection((host, int(port)), timeout=10)
    back.settimeout(None)
    kept = [line for line in lines if not line.lower().startswith("authorization:")]
    # "GET /ntlm/echo HTTP/1.1" goes on as "GET /echo HTTP/1.1"
    method, target, version = kept[0].split(" ")
    kept[0] = "%s /%s %s" % (method, target.lstrip("/").partition("/")[2], version)
    back.sendall(("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + rest)
    other = threading.Thread(target=relay, args=(back, sock), daemon=True)
    other.start()
    relay(sock, back)
    other.join(10)
    back.close()


def serve(sock, backend):
    helper, scheme, authenticated, buf = None, None, False, b""
    try:
        while True:
            lines, buf = read_request(sock, buf)
            if lines is None:
                return
            parts = lines[0].split(" ")
            area = parts[1].strip("/").split("/")[0] if len(parts) > 1 else ""
            offers = OFFERS.get(area)
            if offers is None:
                respond(sock, "404 Not Found", [])
                continue
            answer = (header(lines, "Authorization") or "").split()
            if not authenticated and len(answer) == 2 and answer[0] in offers:
                if helper is None or scheme != answer[0] or opens_handshake(answer[1]):
                    if helper:
                        helper.close()
                    helper, scheme = Helper(answer[0]), answer[0]
                reply = helper.step(answer[1])
                if reply and reply[0] == "TT":
                    respond(sock, "401 Unauthorized", [("WWW-Authenticate", "%s %s" % (scheme, reply[1]))])
                    continue
                helper.close()
                helper = None
                authenticated = bool(reply) and reply[0] == "AF"
            if not authenticated:
                respond(sock, "401 Unauthorized", [("WWW-Authenticate", o) for o in offers], b"unauthorized")
                continue
            if (header(lines, "Upgrade") or "").lower() == "websocket":
                upgrade(sock, lines, buf, backend)
                return
            respond(sock, "200 OK", [("Content-Type", "text/plain")], b"ntlm ok\n")
    except OSError:
        pass
    finally:
        if helper:
            helper.close()
        sock.close()


def start(conn, context, backend):
    """The TLS handshake first (on this connection's thread), then serve."""
    if context:
        try:
            conn.settimeout(10)
            conn = context.wrap_socket(conn, server_side=True)
            conn.settimeout(None)
        except (OSError, ssl.SSLError):
            conn.close()
            return
    serve(conn, backend)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("portfile")
    parser.add_argument("--backend", required=True)
    parser.add_argument("--max-seconds", type=int, default=900)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()
    if not os.access(NTLM_AUTH, os.X_OK):
        print("ntlm_gate: %s not installed (Debian's winbind)" % NTLM_AUTH, file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    signal.signal(signal.SIGALRM, lambda *a: os._exit(0))
    signal.alarm(args.max_seconds)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    context = None
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
    tmp = "%s.tmp.%d" % (args.portfile, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.rename(tmp, args.portfile)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=start, args=(conn, context, args.backend), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
