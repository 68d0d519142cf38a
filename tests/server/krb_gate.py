#!/usr/bin/python3
"""An HTTP server that wants Negotiate and accepts Kerberos tickets only.

Usage: krb_gate.py PORTFILE [--backend HOST:PORT] [--max-seconds N]

The acceptor is MIT Kerberos' GSSAPI (python3-gssapi), with the service key
from the keytab KRB5_KTNAME names (tools/test-kerberos.sh makes the realm,
HTTP/localhost and its keytab for the run).  The HTTP framing and the
websocket relay are ntlm_gate.py's.  A request on a connection not yet
authenticated gets 401 with a bare "WWW-Authenticate: Negotiate" unless its
Authorization: Negotiate token completes a GSSAPI context (Kerberos needs
one leg; a token that does not, NTLM's or a bad ticket, gets the bare 401
again).  Then the connection is authenticated (as IIS takes it): the
answer is 200 with the mutual-authentication token in WWW-Authenticate and
the body "kerberos ok <client principal>\n"; a websocket upgrade is passed
to the backend, the first path segment removed (/krb/echo goes on as
/echo).  Exits after N seconds (default 600) or on SIGTERM.
"""
import argparse
import base64
import os
import signal
import socket
import sys
import threading

import gssapi

from ntlm_gate import header, read_request, respond, upgrade


def accept(token):
    """(principal, mutual token) for a token that completes a context, else None."""
    try:
        ctx = gssapi.SecurityContext(usage="accept")
        out = ctx.step(base64.b64decode(token))
        if ctx.complete:
            return str(ctx.initiator_name), out
    except (gssapi.exceptions.GSSError, ValueError) as e:
        print("krb_gate: refused: %s" % e, file=sys.stderr, flush=True)
    return None


def serve(sock, backend):
    principal, buf = None, b""
    try:
        sock.settimeout(30)
        while True:
            lines, buf = read_request(sock, buf)
            if lines is None:
                return
            headers = []
            answer = (header(lines, "Authorization") or "").split()
            if principal is None and len(answer) == 2 and answer[0].lower() == "negotiate":
                done = accept(answer[1])
                if done:
                    principal = done[0]
                    if done[1]:
                        headers.append(("WWW-Authenticate", "Negotiate " + base64.b64encode(done[1]).decode()))
            if principal is None:
                respond(sock, "401 Unauthorized", [("WWW-Authenticate", "Negotiate")], b"unauthorized")
                continue
            if (header(lines, "Upgrade") or "").lower() == "websocket" and backend:
                sock.settimeout(None)
                upgrade(sock, lines, buf, backend)
                return
            respond(sock, "200 OK", headers + [("Content-Type", "text/plain")],
                    ("kerberos ok %s\n" % principal).encode())
    except OSError:
        pass
    finally:
        sock.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("portfile")
    parser.add_argument("--backend")
    parser.add_argument("--max-seconds", type=int, default=600)
    args = parser.parse_args()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(0))
    signal.alarm(args.max_seconds)
    with open(args.portfile + ".tmp", "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.rename(args.portfile + ".tmp", args.portfile)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, args.backend), daemon=True).start()


if __name__ == "__main__":
    main()
