#!/usr/bin/python3
"""An https server that requires a client certificate.

Usage: clientcert_py.py PORTFILE --tls CERT KEY --client-ca CA [--max-seconds N]

Listens on 127.0.0.1 on an ephemeral port (written to PORTFILE once bound).
TLS 1.2 at most, so the server's CertificateRequest travels in the clear
(what our DLL sees of it under Wine's Schannel, dlls/winhttp/tls.c); the
client must present a certificate signed by CA (ssl.CERT_REQUIRED), or the
handshake fails with the server's alert.  Every request is answered
200 with the body "client: <subject CN>\\n" and the connection is kept.
Used by tests/conformance/client_cert.c (tools/with-servers.sh starts it as
WSTEST_CLIENTCERT_SERVER).
"""
import argparse
import asyncio
import os
import signal
import ssl
import sys


def subject_cn(cert):
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return ""


async def serve(reader, writer):
    cn = subject_cn(writer.get_extra_info("peercert")).encode()
    try:
        for _ in range(1000):  # requests per connection, bounded
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            body = b"client: " + cn + b"\n"
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def main(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.tls[0], args.tls[1])
    ctx.load_verify_locations(args.client_ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=ctx)
    port = server.sockets[0].getsockname()[1]
    tmp = "%s.tmp" % args.portfile
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.portfile)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    try:
        await asyncio.wait_for(stop, timeout=args.max_seconds)
    except asyncio.TimeoutError:
        print("clientcert_py: max time reached, exiting", file=sys.stderr)
    server.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("portfile")
    p.add_argument("--tls", nargs=2, required=True)
    p.add_argument("--client-ca", required=True)
    p.add_argument("--max-seconds", type=float, default=900)
    asyncio.run(main(p.parse_args()))
