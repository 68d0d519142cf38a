#!/usr/bin/python3
"""Reference WebSocket echo server built on python3-websockets (10.x asyncio API).

Usage: echo_py.py PORTFILE [--max-seconds N] [--tls CERT KEY] [--bind ADDR]

Listens on 127.0.0.1 (or ADDR) on an ephemeral port, writes the port to
PORTFILE (tmp file + rename) and prints it, echoes text as text and binary as
binary on every path, and exits after N seconds (default 900) or on
SIGTERM/SIGINT. No compression, no keepalive pings, messages up to 256 MiB.
"""
import argparse
import asyncio
import os
import signal
import ssl
import sys

import websockets


async def echo(ws, path=None):
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


async def main(args):
    ctx = None
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
    stop = asyncio.get_running_loop().create_future()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    async with websockets.serve(echo, args.bind, 0, ssl=ctx, compression=None,
                                ping_interval=None, max_size=256 << 20,
                                max_queue=64) as server:
        port = server.sockets[0].getsockname()[1]
        write_port_file(args.portfile, port)
        print(port, flush=True)
        try:
            await asyncio.wait_for(stop, timeout=args.max_seconds)
        except asyncio.TimeoutError:
            print("echo_py: max time reached, exiting", file=sys.stderr)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("portfile")
    p.add_argument("--max-seconds", type=float, default=900)
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--bind", default="127.0.0.1")
    asyncio.run(main(p.parse_args()))
