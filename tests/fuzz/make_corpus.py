#!/usr/bin/env python3
# Writes the seed corpora for the fuzz targets into tests/fuzz/corpus/.
# Deterministic: running it again gives the same files.
#
# Copyright 2026 The winhttp WebSocket core authors

import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))


def frame(b0, payload=b"", length=None):
    """Unmasked server frame; length overrides the encoded length."""
    n = len(payload) if length is None else length
    if n < 126:
        hdr = bytes([b0, n])
    elif n < 65536:
        hdr = bytes([b0, 126]) + struct.pack(">H", n)
    else:
        hdr = bytes([b0, 127]) + struct.pack(">Q", n)
    return hdr + payload


def decoder_seeds():
    # 3 control bytes: chunk seed, max_data selector, limit selector
    s = {}
    s["text"] = frame(0x81, b"Hello")
    s["binary"] = frame(0x82, bytes(range(200)))
    s["empty"] = frame(0x81) + frame(0x82)
    s["fragments"] = frame(0x01, b"Hel") + frame(0x80, b"lo")
    s["interleaved_ping"] = frame(0x01, b"caf\xc3") + frame(0x89, b"ping") + frame(0x80, b"\xa9")
    s["pong"] = frame(0x8a, b"x" * 125)
    s["close"] = frame(0x88, b"\x03\xe8bye")
    s["close_empty"] = frame(0x88)
    s["close_then_more"] = frame(0x88, b"\x03\xe9") + frame(0x81, b"late")
    s["len16"] = frame(0x82, b"a" * 300)
    s["len64"] = frame(0x82, b"b" * 65536)
    s["utf8_split"] = frame(0x01, b"\xf0\x9f") + frame(0x00, b"\x98") + frame(0x80, b"\x80!")
    s["utf8_bad"] = frame(0x81, b"ab\xed\xa0\x80")
    s["utf8_truncated"] = frame(0x81, b"ab\xe2\x82")
    s["masked"] = bytes([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
    s["rsv"] = frame(0xc1, b"x")
    s["opcode"] = frame(0x83, b"x")
    s["ping_fragmented"] = frame(0x09, b"x")
    s["ping_long"] = bytes([0x89, 126, 0, 126]) + b"p" * 126
    s["nonminimal16"] = bytes([0x82, 126, 0, 5]) + b"abcde"
    s["nonminimal64"] = bytes([0x82, 127]) + struct.pack(">Q", 300) + b"a" * 300
    s["topbit"] = bytes([0x82, 127]) + struct.pack(">Q", 1 << 63)
    s["stray_continuation"] = frame(0x80, b"x")
    s["open_message"] = frame(0x01, b"x") + frame(0x82, b"y")
    s["close_1byte"] = frame(0x88, b"\x03")
    s["close_1005"] = frame(0x88, b"\x03\xed")
    s["close_badreason"] = frame(0x88, b"\x03\xe8\xff")
    s["too_big"] = frame(0x02, b"a" * 100) + frame(0x80, b"b" * 100)
    s["mixed"] = (frame(0x81, "héllo wörld".encode()) + frame(0x89) + frame(0x02, b"\x00" * 130)
                  + frame(0x8a, b"p") + frame(0x80, b"\xff" * 3) + frame(0x88, b"\x0f\xa0"))
    out = {}
    for i, (name, data) in enumerate(sorted(s.items())):
        ctl = bytes([(i * 37) & 0xff, [0x80, 1, 7, 0x13][i % 4], i % 4])
        out[name] = ctl + data
    return out


def utf8_seeds():
    s = {
        "ascii": b"hello world, plain ascii text of some length........",
        "two_byte": "é ñ ü ß".encode(),
        "three_byte": "€ 中文 ☃".encode(),
        "four_byte": "😀 🎉 𝄞".encode(),
        "max": b"\xf4\x8f\xbf\xbf",
        "min_each": b"\x00\xc2\x80\xe0\xa0\x80\xf0\x90\x80\x80",
        "edges": b"\x7f\xdf\xbf\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf",
        "overlong2": b"\xc0\xaf",
        "overlong3": b"\xe0\x80\xaf",
        "overlong4": b"\xf0\x80\x80\xaf",
        "surrogate_lo": b"\xed\xa0\x80",
        "surrogate_hi": b"\xed\xbf\xbf",
        "too_big": b"\xf4\x90\x80\x80",
        "f5": b"\xf5\x80\x80\x80",
        "ff": b"ab\xffcd",
        "lone_cont": b"\x80\xbf",
        "trunc2": b"abc\xc3",
        "trunc3": b"abc\xe2\x82",
        "trunc4": b"abc\xf0\x9f\x98",
        "interrupted": b"\xe2\x82a",
        "long_ascii_then_bad": b"x" * 70 + b"\xc3\x28",
        "long_mixed": ("a" * 17 + "é" + "b" * 9 + "€" + "c" * 31 + "😀").encode() * 3,
        "cesu": b"\xed\xa0\xbd\xed\xb8\x80",
        "kosme": "κόσμε".encode(),
        "empty": b"",
    }
    return {k: bytes([(i * 53) & 0xff]) + v for i, (k, v) in enumerate(sorted(s.items()))}


def http_seeds():
    acc = b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    base = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    s = {
        "ok": base + acc + b"\r\n",
        "ok_lf": (base + acc).replace(b"\r\n", b"\n") + b"\n",
        "ok_protocol": base + acc + b"Sec-WebSocket-Protocol: chat\r\n\r\n",
        "bad_protocol": base + acc + b"Sec-WebSocket-Protocol: other\r\n\r\n",
        "extensions": base + acc + b"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
        "no_accept": base + b"\r\n",
        "bad_accept": base + b"Sec-WebSocket-Accept: AAAA\r\n\r\n",
        "dup_accept": base + acc + acc + b"\r\n",
        "conn_list": b"HTTP/1.1 101 X\r\nupgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\n" + acc + b"\r\n",
        "status_200": b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "status_noreason": b"HTTP/1.0 404\r\n\r\n",
        "trimmed": b"HTTP/1.1 101 OK\r\nA:   spaced \t \r\nB:\r\n\r\nbody",
        "obs_fold": b"HTTP/1.1 101 OK\r\nA: b\r\n c\r\n\r\n",
        "no_colon": b"HTTP/1.1 101 OK\r\nNoColon\r\n\r\n",
        "space_colon": b"HTTP/1.1 101 OK\r\nA : b\r\n\r\n",
        "ctl": b"HTTP/1.1 101 OK\r\nA: b\x01c\r\n\r\n",
        "bare_cr": b"HTTP/1.1 101 OK\rA: b\r\n\r\n",
        "bad_version": b"HTTP/2 101 OK\r\n\r\n",
        "bad_status": b"HTTP/1.1 1O1 OK\r\n\r\n",
        "many_headers": b"HTTP/1.1 101 OK\r\n" + b"".join(b"H%d: v\r\n" % i for i in range(30)) + b"\r\n",
        "large": b"HTTP/1.1 101 OK\r\nBig: " + b"x" * 700 + b"\r\n\r\n",
        "incomplete": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: webs",
        "obs_text": b"HTTP/1.1 200 OK\r\nA: caf\xc3\xa9\r\n\r\n",
    }
    return {k: bytes([(i * 29) & 0xff]) + v for i, (k, v) in enumerate(sorted(s.items()))}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    for target, seeds in (("decoder", decoder_seeds()), ("utf8", utf8_seeds()), ("http", http_seeds())):
        d = os.path.join(root, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (target, len(seeds)))


if __name__ == "__main__":
    main()
