/*
 * Case table of the hostile-server suite (hostile.c), after the client cases
 * of the Autobahn|Testsuite, categories 1-10 (12/13, compression, do not
 * apply: we offer no extensions).
 *
 * script: what the server sends right after the 101, as tokens separated by
 * blanks (the test builds unmasked frames with minimal lengths from them):
 *     t:P text, FIN           T:P text, no FIN
 *     b:P binary, FIN         B:P binary, no FIN
 *     c:P continuation, FIN   C:P continuation, no FIN
 *     p:P ping                P:P pong            x:P close (raw payload)
 *     r:P raw bytes as they are (bad frames: RSV bits, opcodes, lengths)
 * P is hex ("48656c6c6f"), "#N" (N bytes 'a'..'z' repeated) or "=text"
 * ('_' stands for a blank).  For HX_PATH / HX_ECHO cases script is the
 * server path instead.  wsserver takes request targets of up to 2047
 * characters, so scripts of more than 1000 bytes always go to the peer.
 *
 * expect: the messages the program must see, in order, same payload syntax:
 *     t:P / b:P   a whole UTF-8 / binary message (any number of *_FRAGMENT
 *                 pieces, then the *_MESSAGE piece; the bytes concatenated)
 *     T:P / B:P   HX_CLOSE: *_FRAGMENT pieces adding up to exactly P, no end;
 *                 HX_FAIL: *_FRAGMENT pieces whose bytes are a prefix of P
 *                 may come before the error (a client may pass on what it
 *                 validated so far)
 *     N*tok       tok N times
 *
 * kind (what has to happen after the messages):
 *     HX_MSGS   the test appends a close 1000 to the script; the next Receive
 *               gives WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE, QueryCloseStatus
 *               1000 and no reason, Close(1000) succeeds.  Every ping in the
 *               script is answered by a pong with the same payload (checked
 *               by the in-process peer).
 *     HX_CLOSE  the script ends in a close: CLOSE_BUFFER_TYPE, QueryCloseStatus
 *               gives code and reason; Close succeeds.
 *     HX_FAIL   the client fails the connection: Receive returns
 *               ERROR_WINHTTP_INVALID_SERVER_RESPONSE (again on a second
 *               call), Send and Close fail, and the close frame we sent
 *               carries code (1002 protocol error, 1007 invalid payload data;
 *               checked by the in-process peer).
 *     HX_PATH   open script as the path, receive the messages, Close(1000)
 *               succeeds and the server's answer is 1000.
 *     HX_ECHO   open script as the path, send each expected message and
 *               receive it back, then as HX_PATH.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef HOSTILE_CASES_H
#define HOSTILE_CASES_H

/* the table leaves trailing fields out */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif

enum hx_kind { HX_MSGS, HX_CLOSE, HX_FAIL, HX_PATH, HX_ECHO };

#define HF_PEER      0x01  /* too large for a /send/ URL: every mode uses the in-process peer */
#define HF_CHOP1     0x02  /* peer writes one byte per send() in every mode (Autobahn "octet-wise chops") */
#define HF_CHOP997   0x04  /* peer writes 997-byte pieces in every mode */
#define HF_NO_WIRE   0x08  /* no extra wire run (HX_PATH/HX_ECHO never have one) */
#define HF_SLOW      0x10  /* long-running: 60 s watchdog */

struct hcase
{
    const char *id;
    const char *what;
    const char *script;
    const char *expect;
    enum hx_kind kind;
    unsigned code;          /* HX_CLOSE: status the program must see; HX_FAIL: close code we must send */
    const char *reason;     /* HX_CLOSE: reason the program must see (payload syntax), NULL: none */
    unsigned flags;
};

#define HELLO "=Hello"
#define KOSME "cebae1bdb9cf83cebcceb5"

static const struct hcase static_cases[] =
{
    /* 1 Framing: every length class, text and binary */
    { "1.1.1", "text, 0 bytes", "t:", "t:", HX_MSGS },
    { "1.1.2", "text, 125 bytes", "t:#125", "t:#125", HX_MSGS },
    { "1.1.3", "text, 126 bytes (16-bit length)", "t:#126", "t:#126", HX_MSGS },
    { "1.1.4", "text, 127 bytes", "t:#127", "t:#127", HX_MSGS },
    { "1.1.5", "text, 128 bytes", "t:#128", "t:#128", HX_MSGS },
    { "1.1.6", "text, 65535 bytes", "t:#65535", "t:#65535", HX_MSGS, 0, NULL, HF_PEER },
    { "1.1.7", "text, 65536 bytes (64-bit length)", "t:#65536", "t:#65536", HX_MSGS, 0, NULL, HF_PEER },
    { "1.1.8", "text, 65536 bytes in 997-byte chops", "t:#65536", "t:#65536", HX_MSGS, 0, NULL, HF_PEER | HF_CHOP997 },
    { "1.2.1", "binary, 0 bytes", "b:", "b:", HX_MSGS },
    { "1.2.2", "binary, 125 bytes", "b:#125", "b:#125", HX_MSGS },
    { "1.2.3", "binary, 126 bytes", "b:#126", "b:#126", HX_MSGS },
    { "1.2.4", "binary, 127 bytes", "b:#127", "b:#127", HX_MSGS },
    { "1.2.5", "binary, 128 bytes", "b:#128", "b:#128", HX_MSGS },
    { "1.2.6", "binary, 65535 bytes", "b:#65535", "b:#65535", HX_MSGS, 0, NULL, HF_PEER },
    { "1.2.7", "binary, 65536 bytes", "b:#65536", "b:#65536", HX_MSGS, 0, NULL, HF_PEER },
    { "1.2.8", "binary, 65536 bytes in 997-byte chops", "b:#65536", "b:#65536", HX_MSGS, 0, NULL, HF_PEER | HF_CHOP997 },
    { "1.2.9", "binary, all byte values", "b:000102037f8081feff", "b:000102037f8081feff", HX_MSGS },
    { "1.2.10", "binary, 16000 bytes", "b:#16000", "b:#16000", HX_MSGS },
    { "1.3.1", "echo: 0-byte text", "/echo", "t:", HX_ECHO },
    { "1.3.2", "echo: 125-byte binary", "/echo", "b:#125", HX_ECHO },
    { "1.3.3", "echo: 126-byte binary", "/echo", "b:#126", HX_ECHO },
    { "1.3.4", "echo: 127/128-byte text", "/echo", "t:#127 t:#128", HX_ECHO },
    { "1.3.5", "echo: 65535-byte binary", "/echo", "b:#65535", HX_ECHO },
    { "1.3.6", "echo: 65536-byte binary", "/echo", "b:#65536", HX_ECHO },
    { "1.3.7", "echo: 65537-byte text", "/echo", "t:#65537", HX_ECHO },
    { "1.3.8", "echo: 1 MiB binary", "/echo", "b:#1048576", HX_ECHO },
    { "1.3.9", "echo: all classes in a row on one connection", "/echo", "b: t:#1 b:#125 t:#126 b:#65535 t:#65536 b:#70000", HX_ECHO },

    /* 2 Pings and pongs */
    { "2.1", "ping, no payload", "p:", "", HX_MSGS },
    { "2.2", "ping, small text payload", "p:=Hello,_world!", "", HX_MSGS },
    { "2.3", "ping, small binary payload", "p:0000fffe8081", "", HX_MSGS },
    { "2.4", "ping, 125-byte payload", "p:#125", "", HX_MSGS },
    { "2.5", "ping, 126-byte payload", "p:#126", "", HX_FAIL, 1002 },
    { "2.6", "ping, 125 bytes, octet-wise chops", "p:#125", "", HX_MSGS, 0, NULL, HF_PEER | HF_CHOP1 },
    { "2.7", "unsolicited pong, no payload", "P:", "", HX_MSGS },
    { "2.8", "unsolicited pong with payload", "P:=unsolicited_pong", "", HX_MSGS },
    { "2.9", "unsolicited pong, then ping", "P:=unsolicited_pong p:=ping_payload", "", HX_MSGS },
    { "2.10", "10 pings", "p:=p0 p:=p1 p:=p2 p:=p3 p:=p4 p:=p5 p:=p6 p:=p7 p:=p8 p:=p9", "", HX_MSGS },
    { "2.11", "10 pings, octet-wise chops", "p:=p0 p:=p1 p:=p2 p:=p3 p:=p4 p:=p5 p:=p6 p:=p7 p:=p8 p:=p9", "", HX_MSGS, 0, NULL, HF_PEER | HF_CHOP1 },
    { "2.12", "/ping/: 125-byte ping answered with the same payload", "/ping/"
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
      "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
      "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c", "t:=pong_ok", HX_PATH },
    { "2.13", "/ping/: empty ping", "/ping", "t:=pong_ok", HX_PATH },
    { "2.14", "ping between two fragments", "T:=ab p:=x c:=cd", "t:=abcd", HX_MSGS },
    { "2.15", "pong between two fragments", "T:=ab P:=x c:=cd", "t:=abcd", HX_MSGS },
    { "2.16", "ping and data message in one write", "p:=xyz t:" HELLO " p:=zz", "t:" HELLO, HX_MSGS },

    /* 3 Reserved bits */
    { "3.1", "RSV=1 text", "r:c1 r:05 r:" HELLO, "", HX_FAIL, 1002 },
    { "3.2", "RSV=2 text after a valid text", "t:" HELLO " r:a105 r:" HELLO " p:", "t:" HELLO, HX_FAIL, 1002 },
    { "3.3", "RSV=3 text after a valid text", "t:" HELLO " r:e105 r:" HELLO " p:", "t:" HELLO, HX_FAIL, 1002 },
    { "3.4", "RSV=4 text after a valid text, octet-wise", "t:" HELLO " r:9105 r:" HELLO " p:", "t:" HELLO, HX_FAIL, 1002, NULL, HF_PEER | HF_CHOP1 },
    { "3.5", "RSV=5 binary", "r:d2 r:03 r:ff00ff", "", HX_FAIL, 1002 },
    { "3.6", "RSV=6 ping", "r:e9 r:05 r:" HELLO, "", HX_FAIL, 1002 },
    { "3.7", "RSV=7 close", "r:f8 r:02 r:03e8", "", HX_FAIL, 1002 },
    { "3.8", "RSV=1 on a continuation", "T:=ab r:c002 r:=cd", "T:=ab", HX_FAIL, 1002 },

    /* 4 Reserved opcodes */
    { "4.1.1", "opcode 3, empty", "r:8300", "", HX_FAIL, 1002 },
    { "4.1.2", "opcode 4 with payload", "r:8405 r:" HELLO, "", HX_FAIL, 1002 },
    { "4.1.3", "text, opcode 5, ping", "t:" HELLO " r:8500 p:", "t:" HELLO, HX_FAIL, 1002 },
    { "4.1.4", "text, opcode 6 with payload, ping", "t:" HELLO " r:8605 r:" HELLO " p:", "t:" HELLO, HX_FAIL, 1002 },
    { "4.1.5", "text, opcode 7 with payload, ping, octet-wise", "t:" HELLO " r:8705 r:" HELLO " p:", "t:" HELLO, HX_FAIL, 1002, NULL, HF_PEER | HF_CHOP1 },
    { "4.2.1", "opcode 11, empty", "r:8b00", "", HX_FAIL, 1002 },
    { "4.2.2", "opcode 12 with payload", "r:8c05 r:" HELLO, "", HX_FAIL, 1002 },
    { "4.2.3", "text, opcode 13, ping", "t:" HELLO " r:8d00 p:", "t:" HELLO, HX_FAIL, 1002 },
    { "4.2.4", "text, opcode 14 with payload, ping", "t:" HELLO " r:8e05 r:" HELLO " p:", "t:" HELLO, HX_FAIL, 1002 },
    { "4.2.5", "text, opcode 15 with payload, ping, octet-wise", "t:" HELLO " r:8f05 r:" HELLO " p:", "t:" HELLO, HX_FAIL, 1002, NULL, HF_PEER | HF_CHOP1 },
    { "4.3.1", "opcode 3 without FIN inside a fragmented text", "T:=ab r:0300 c:=cd", "T:=ab", HX_FAIL, 1002 },

    /* 5 Fragmentation */
    { "5.1", "ping in 2 fragments", "r:0902 r:=ab r:8002 r:=cd", "", HX_FAIL, 1002 },
    { "5.2", "pong in 2 fragments", "r:0a02 r:=ab r:8002 r:=cd", "", HX_FAIL, 1002 },
    { "5.3", "text in 2 fragments", "T:=fragment1 c:=fragment2", "t:=fragment1fragment2", HX_MSGS },
    { "5.4", "text in 2 fragments, frame-wise chops", "T:=fragment1 c:=fragment2", "t:=fragment1fragment2", HX_MSGS, 0, NULL, HF_PEER | HF_CHOP997 },
    { "5.5", "text in 2 fragments, octet-wise chops", "T:=fragment1 c:=fragment2", "t:=fragment1fragment2", HX_MSGS, 0, NULL, HF_PEER | HF_CHOP1 },
    { "5.6", "text in 2 fragments, ping in between", "T:=fragment1 p:=ping c:=fragment2", "t:=fragment1fragment2", HX_MSGS },
    { "5.7", "same, frame-wise chops", "T:=fragment1 p:=ping c:=fragment2", "t:=fragment1fragment2", HX_MSGS, 0, NULL, HF_PEER | HF_CHOP997 },
    { "5.8", "same, octet-wise chops", "T:=fragment1 p:=ping c:=fragment2", "t:=fragment1fragment2", HX_MSGS, 0, NULL, HF_PEER | HF_CHOP1 },
    { "5.9", "continuation FIN=1 with nothing to continue", "c:=fragment t:" HELLO, "", HX_FAIL, 1002 },
    { "5.10", "same, frame-wise chops", "c:=fragment t:" HELLO, "", HX_FAIL, 1002, NULL, HF_PEER | HF_CHOP997 },
    { "5.11", "same, octet-wise chops", "c:=fragment t:" HELLO, "", HX_FAIL, 1002, NULL, HF_PEER | HF_CHOP1 },
    { "5.12", "continuation FIN=0 with nothing to continue", "C:=fragment t:" HELLO, "", HX_FAIL, 1002 },
    { "5.13", "same, frame-wise chops", "C:=fragment t:" HELLO, "", HX_FAIL, 1002, NULL, HF_PEER | HF_CHOP997 },
    { "5.14", "same, octet-wise chops", "C:=fragment t:" HELLO, "", HX_FAIL, 1002, NULL, HF_PEER | HF_CHOP1 },
    { "5.15", "2 fragments, then continuation FIN=0 with nothing to continue",
      "T:=fragment1 c:=fragment2 C:=fragment3 t:=fragment4", "t:=fragment1fragment2", HX_FAIL, 1002 },
    { "5.16", "continuation FIN=0, text FIN=0, continuation FIN=1, twice",
      "C:=fragment1 T:=fragment2 c:=fragment3 C:=fragment1 T:=fragment2 c:=fragment3", "", HX_FAIL, 1002 },
    { "5.17", "continuation FIN=1, text FIN=0, continuation FIN=1, twice",
      "c:=fragment1 T:=fragment2 c:=fragment3 c:=fragment1 T:=fragment2 c:=fragment3", "", HX_FAIL, 1002 },
    { "5.18", "text FIN=0, then a new text frame", "T:=fragment1 t:=fragment2", "T:=fragment1", HX_FAIL, 1002 },
    { "5.19", "text in 5 fragments, pings between",
      "T:=fragment1 C:=fragment2 p:=pong1 C:=fragment3 C:=fragment4 p:=pong2 c:=fragment5",
      "t:=fragment1fragment2fragment3fragment4fragment5", HX_MSGS },
    { "5.20", "same, frame-wise chops",
      "T:=fragment1 C:=fragment2 p:=pong1 C:=fragment3 C:=fragment4 p:=pong2 c:=fragment5",
      "t:=fragment1fragment2fragment3fragment4fragment5", HX_MSGS, 0, NULL, HF_PEER | HF_CHOP997 },
    { "5.21", "empty fragments only", "T: C: c:", "t:", HX_MSGS },
    { "5.22", "empty fragments in the middle", "T:=ab C: C: c:=cd", "t:=abcd", HX_MSGS },
    { "5.23", "empty final fragment", "B:=abcd c:", "b:=abcd", HX_MSGS },
    { "5.24", "binary in 3 fragments", "B:0001 C:0203 c:0405", "b:000102030405", HX_MSGS },
    { "5.25", "binary frame inside a fragmented text", "T:=ab b:=cd", "T:=ab", HX_FAIL, 1002 },
    { "5.26", "text frame inside a fragmented binary", "B:=ab t:=cd", "B:=ab", HX_FAIL, 1002 },
    { "5.27", "close frame between fragments", "T:=ab x:03e8 c:=cd", "T:=ab", HX_CLOSE, 1000 },
    { "5.28", "close frame in 2 fragments", "r:0802 r:03e8 r:8000", "", HX_FAIL, 1002 },
    { "5.29", "ping FIN=0 between data fragments", "T:=ab r:0900 c:=cd", "T:=ab", HX_FAIL, 1002 },
    { "5.30", "two messages back to back, each fragmented", "T:=ab c:=cd B:=ef c:=gh", "t:=abcd b:=efgh", HX_MSGS },

    /* 6.1-6.4 UTF-8 in frames (6.5-6.23 and the splits are generated from utf8_seqs below) */
    { "6.1.1", "empty text frame", "t:", "t:", HX_MSGS },
    { "6.1.2", "3 empty text fragments", "T: C: c:", "t:", HX_MSGS },
    { "6.1.3", "empty, non-empty, empty fragments", "T: C:=middle_frame_payload c:", "t:=middle_frame_payload", HX_MSGS },
    { "6.2.1", "valid UTF-8 in one frame", "t:48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121",
      "t:48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121", HX_MSGS },
    { "6.2.2", "valid UTF-8 in 2 fragments split on a code point boundary",
      "T:48656c6c6f2dc2b540c39fc3b6c3a4 c:c3bcc3a0c3a12d5554462d382121",
      "t:48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121", HX_MSGS },
    { "6.2.3", "valid UTF-8, one byte per frame",
      "T:48 C:65 C:6c C:6c C:6f C:2d C:c2 C:b5 C:40 C:c3 C:9f C:c3 C:b6 c:21", "t:48656c6c6f2dc2b540c39fc3b621", HX_MSGS },
    { "6.2.4", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5, one byte per frame",
      "T:ce C:ba C:e1 C:bd C:b9 C:cf C:83 C:ce C:bc C:ce c:b5", "t:" KOSME, HX_MSGS },
    { "6.3.1", "invalid UTF-8 (surrogate) in one frame", "t:" KOSME "eda080656469746564", "T:" KOSME "eda080656469746564", HX_FAIL, 1007 },
    { "6.3.2", "same, one byte per frame",
      "T:ce C:ba C:e1 C:bd C:b9 C:cf C:83 C:ce C:bc C:ce C:b5 C:ed C:a0 C:80 C:65 C:64 C:69 C:74 C:65 c:64",
      "T:" KOSME "eda080656469746564", HX_FAIL, 1007 },
    { "6.3.3", "same, octet-wise chops", "t:" KOSME "eda080656469746564", "T:" KOSME "eda080656469746564", HX_FAIL, 1007, NULL, HF_PEER | HF_CHOP1 },
    { "6.4.1", "fail fast: invalid code point in the middle fragment",
      "T:" KOSME " C:f4908080 c:656469746564", "T:" KOSME "f4908080656469746564", HX_FAIL, 1007 },
    { "6.4.2", "fail fast: invalid sequence split over fragments",
      "T:" KOSME "f4 C:90 c:8080656469746564", "T:" KOSME "f4908080656469746564", HX_FAIL, 1007 },
    { "6.4.3", "fail fast: the message never ends", "T:" KOSME " C:f4908080", "T:" KOSME "f4908080", HX_FAIL, 1007 },
    { "6.4.4", "fail fast: the message never ends, octet-wise", "T:" KOSME " C:f4908080", "T:" KOSME "f4908080", HX_FAIL, 1007, NULL, HF_PEER | HF_CHOP1 },
    { "6.4.5", "code point cut by the end of the message", "T:" KOSME " c:e1bd", "T:" KOSME "e1bd", HX_FAIL, 1007 },
    { "6.4.6", "invalid UTF-8 in a binary message is fine", "b:" KOSME "eda080ff", "b:" KOSME "eda080ff", HX_MSGS },

    /* 7 Close handling */
    { "7.1.1", "text, then close", "t:" HELLO " x:03e8", "t:" HELLO, HX_CLOSE, 1000 },
    { "7.1.2", "two close frames", "x:03e8 x:03e8", "", HX_CLOSE, 1000 },
    { "7.1.3", "ping after close", "x:03e8 p:" HELLO, "", HX_CLOSE, 1000 },
    { "7.1.4", "text after close", "x:03e8 t:" HELLO, "", HX_CLOSE, 1000 },
    { "7.1.5", "text fragment, close, continuation", "T:=fragment1 x:03e8 c:=fragment2", "T:=fragment1", HX_CLOSE, 1000 },
    { "7.1.6", "large text, ping, close", "t:#10240 p:=ping x:03e8", "t:#10240", HX_CLOSE, 1000 },
    { "7.3.1", "close, empty payload", "x:", "", HX_CLOSE, 1005 },
    { "7.3.2", "close, 1-byte payload", "x:03", "", HX_FAIL, 1002 },
    { "7.3.3", "close, code only", "x:03e8", "", HX_CLOSE, 1000 },
    { "7.3.4", "close, code and reason", "x:03e848656c6c6f20576f726c6421", "", HX_CLOSE, 1000, "=Hello_World!" },
    { "7.3.5", "close, 123-byte reason", "r:887d03e8 r:#123", "", HX_CLOSE, 1000, "#123" },
    { "7.3.6", "close, 124-byte reason (126-byte control frame)", "r:887e007e03e8 r:#124", "", HX_FAIL, 1002 },
    { "7.5.1", "close reason not UTF-8", "x:03e8" KOSME "eda080656469746564", "", HX_FAIL, 1007 },
    { "7.5.2", "close reason cut inside a code point", "x:03e8cebae1", "", HX_FAIL, 1007 },
    { "7.5.3", "close reason valid multi-byte UTF-8", "x:03e8" KOSME, "", HX_CLOSE, 1000, KOSME },
    { "7.7.1", "close code 1000", "x:03e8", "", HX_CLOSE, 1000 },
    { "7.7.2", "close code 1001", "x:03e9", "", HX_CLOSE, 1001 },
    { "7.7.3", "close code 1002", "x:03ea", "", HX_CLOSE, 1002 },
    { "7.7.4", "close code 1003", "x:03eb", "", HX_CLOSE, 1003 },
    { "7.7.5", "close code 1007", "x:03ef", "", HX_CLOSE, 1007 },
    { "7.7.6", "close code 1008", "x:03f0", "", HX_CLOSE, 1008 },
    { "7.7.7", "close code 1009", "x:03f1", "", HX_CLOSE, 1009 },
    { "7.7.8", "close code 1010", "x:03f2", "", HX_CLOSE, 1010 },
    { "7.7.9", "close code 1011", "x:03f3", "", HX_CLOSE, 1011 },
    { "7.7.10", "close code 3000", "x:0bb8", "", HX_CLOSE, 3000 },
    { "7.7.11", "close code 3999", "x:0f9f", "", HX_CLOSE, 3999 },
    { "7.7.12", "close code 4000", "x:0fa0", "", HX_CLOSE, 4000 },
    { "7.7.13", "close code 4999", "x:1387", "", HX_CLOSE, 4999 },
    { "7.7.14", "close code 1000 with a reason, via /close/", "/close/1000/bye", "", HX_CLOSE, 1000, "=bye" },
    { "7.9.1", "close code 0", "x:0000", "", HX_FAIL, 1002 },
    { "7.9.2", "close code 999", "x:03e7", "", HX_FAIL, 1002 },
    { "7.9.3", "close code 1004", "x:03ec", "", HX_FAIL, 1002 },
    { "7.9.4", "close code 1005", "x:03ed", "", HX_FAIL, 1002 },
    { "7.9.5", "close code 1006", "x:03ee", "", HX_FAIL, 1002 },
    { "7.9.6", "close code 1015", "x:03f7", "", HX_FAIL, 1002 },
    { "7.9.7", "close code 1016", "x:03f8", "", HX_FAIL, 1002 },
    { "7.9.8", "close code 1100", "x:044c", "", HX_FAIL, 1002 },
    { "7.9.9", "close code 2000", "x:07d0", "", HX_FAIL, 1002 },
    { "7.9.10", "close code 2999", "x:0bb7", "", HX_FAIL, 1002 },
    { "7.13.1", "close code 5000", "x:1388", "", HX_FAIL, 1002 },
    { "7.13.2", "close code 65535", "x:ffff", "", HX_FAIL, 1002 },
    { "7.13.3", "close code 65535 with a reason", "x:ffff48656c6c6f", "", HX_FAIL, 1002 },

    /* 9 Limits: large messages through /echo (client to server and back) */
    { "9.1.1", "echo: text 64 KiB", "/echo", "t:#65536", HX_ECHO },
    { "9.1.2", "echo: text 256 KiB", "/echo", "t:#262144", HX_ECHO },
    { "9.1.3", "echo: text 1 MiB", "/echo", "t:#1048576", HX_ECHO },
    { "9.1.4", "echo: text 4 MiB", "/echo", "t:#4194304", HX_ECHO, 0, NULL, HF_SLOW },
    { "9.1.5", "echo: text 8 MiB", "/echo", "t:#8388608", HX_ECHO, 0, NULL, HF_SLOW },
    { "9.1.6", "echo: text 16 MiB", "/echo", "t:#16777216", HX_ECHO, 0, NULL, HF_SLOW },
    { "9.2.1", "echo: binary 64 KiB", "/echo", "b:#65536", HX_ECHO },
    { "9.2.2", "echo: binary 256 KiB", "/echo", "b:#262144", HX_ECHO },
    { "9.2.3", "echo: binary 1 MiB", "/echo", "b:#1048576", HX_ECHO },
    { "9.2.4", "echo: binary 4 MiB", "/echo", "b:#4194304", HX_ECHO, 0, NULL, HF_SLOW },
    { "9.2.5", "echo: binary 8 MiB", "/echo", "b:#8388608", HX_ECHO, 0, NULL, HF_SLOW },
    { "9.2.6", "echo: binary 16 MiB", "/echo", "b:#16777216", HX_ECHO, 0, NULL, HF_SLOW },
    { "9.3.1", "echo: text 1 MiB in 64-byte frames", "/echo-frag/64", "t:#1048576", HX_ECHO, 0, NULL, HF_SLOW },
    { "9.3.2", "echo: text 1 MiB in 256-byte frames", "/echo-frag/256", "t:#1048576", HX_ECHO },
    { "9.3.3", "echo: text 1 MiB in 1 KiB frames", "/echo-frag/1024", "t:#1048576", HX_ECHO },
    { "9.3.4", "echo: text 1 MiB in 4 KiB frames", "/echo-frag/4096", "t:#1048576", HX_ECHO },
    { "9.3.5", "echo: text 1 MiB in 16 KiB frames", "/echo-frag/16384", "t:#1048576", HX_ECHO },
    { "9.3.6", "echo: text 1 MiB in 64 KiB frames", "/echo-frag/65536", "t:#1048576", HX_ECHO },
    { "9.3.7", "echo: text 1 MiB in 256 KiB frames", "/echo-frag/262144", "t:#1048576", HX_ECHO },
    { "9.3.8", "echo: text 1 MiB in one frame", "/echo-frag/1048576", "t:#1048576", HX_ECHO },
    { "9.4.1", "echo: binary 1 MiB in 64-byte frames", "/echo-frag/64", "b:#1048576", HX_ECHO, 0, NULL, HF_SLOW },
    { "9.4.2", "echo: binary 1 MiB in 1 KiB frames", "/echo-frag/1024", "b:#1048576", HX_ECHO },
    { "9.4.3", "echo: binary 1 MiB in 64 KiB frames", "/echo-frag/65536", "b:#1048576", HX_ECHO },
    { "9.4.4", "echo: binary 4 MiB in 1 MiB frames", "/echo-frag/1048576", "b:#4194304", HX_ECHO, 0, NULL, HF_SLOW },
    { "9.7", "echo: 1000 text messages of 16 bytes", "/echo", "1000*t:#16", HX_ECHO, 0, NULL, HF_SLOW },
    { "9.8", "echo: 1000 binary messages of 16 bytes", "/echo", "1000*b:#16", HX_ECHO, 0, NULL, HF_SLOW },

    /* 10 Miscellaneous framing */
    { "10.1", "16-bit length for 5 bytes (not minimal)", "r:817e0005 r:" HELLO, "", HX_FAIL, 1002 },
    { "10.2", "64-bit length for 5 bytes (not minimal)", "r:817f0000000000000005 r:" HELLO, "", HX_FAIL, 1002 },
    { "10.3", "64-bit length for 200 bytes (not minimal)", "r:827f00000000000000c8 r:#200", "", HX_FAIL, 1002 },
    { "10.4", "64-bit length with the top bit set", "r:827f8000000000000001 r:00", "", HX_FAIL, 1002 },
    { "10.5", "64-bit length 0xffffffffffffffff", "r:827fffffffffffffffff r:00", "", HX_FAIL, 1002 },
    { "10.6", "masked server frame", "r:818501020304 r:4967686f6e", "", HX_FAIL, 1002 },
    { "10.7", "masked server ping", "r:898001020304", "", HX_FAIL, 1002 },
    { "10.8", "16-bit length of exactly 126 (minimal)", "r:827e007e r:#126", "b:#126", HX_MSGS },
    { "10.9", "64-bit length of exactly 65536 (minimal)", "r:827f0000000000010000 r:#65536", "b:#65536", HX_MSGS, 0, NULL, HF_PEER },
    { "10.10", "non-minimal 16-bit length on a ping", "r:897e0001 r:00", "", HX_FAIL, 1002 },
    { "10.11", "many small frames in one write", "t:=a t:=b t:=c b:=d t:=e b:=f t:=g t:=h", "t:=a t:=b t:=c b:=d t:=e b:=f t:=g t:=h", HX_MSGS },
};

/* 6.5-6.23: the UTF-8 samples of the Autobahn|Testsuite (after Markus Kuhn's
 * UTF-8 decoder stress test).  Each becomes one text message, and every
 * sequence of 2..16 bytes is also sent split into two fragments at every
 * byte position (ids "6.x.y/k": split after byte k). */
static const struct
{
    const char *id;
    const char *hex;
    int valid;
}
utf8_seqs[] =
{
    { "6.5.1", KOSME, 1 },
    { "6.5.2", "f48fbfbf", 1 },
    { "6.5.3", "656469746564", 1 },
    { "6.5.4", "c2a2e282acf0a4ada2", 1 },
    { "6.5.5", "e282ac", 1 },
    { "6.6.1", "ce", 0 },
    { "6.6.2", "ceba", 1 },
    { "6.6.3", "cebae1", 0 },
    { "6.6.4", "cebae1bd", 0 },
    { "6.6.5", "cebae1bdb9", 1 },
    { "6.6.6", "cebae1bdb9cf", 0 },
    { "6.6.7", "cebae1bdb9cf83", 1 },
    { "6.6.8", "cebae1bdb9cf83ce", 0 },
    { "6.6.9", "cebae1bdb9cf83cebc", 1 },
    { "6.6.10", "cebae1bdb9cf83cebcce", 0 },
    { "6.6.11", KOSME, 1 },
    { "6.7.1", "00", 1 },
    { "6.7.2", "c280", 1 },
    { "6.7.3", "e0a080", 1 },
    { "6.7.4", "f0908080", 1 },
    { "6.8.1", "f888808080", 0 },
    { "6.8.2", "fc8480808080", 0 },
    { "6.9.1", "7f", 1 },
    { "6.9.2", "dfbf", 1 },
    { "6.9.3", "efbfbf", 1 },
    { "6.9.4", "f48fbfbf", 1 },
    { "6.10.1", "f7bfbfbf", 0 },
    { "6.10.2", "fbbfbfbfbf", 0 },
    { "6.10.3", "fdbfbfbfbfbf", 0 },
    { "6.11.1", "ed9fbf", 1 },
    { "6.11.2", "ee8080", 1 },
    { "6.11.3", "efbfbd", 1 },
    { "6.11.4", "f48fbfbf", 1 },
    { "6.11.5", "f4908080", 0 },
    { "6.12.1", "80", 0 },
    { "6.12.2", "bf", 0 },
    { "6.12.3", "80bf", 0 },
    { "6.12.4", "80bf80", 0 },
    { "6.12.5", "80bf80bf", 0 },
    { "6.12.6", "80bf80bf80", 0 },
    { "6.12.7", "80bf80bf80bf", 0 },
    { "6.12.8", "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf", 0 },
    { "6.13.1", "c020c120c220c320c420c520c620c720c820c920ca20cb20cc20cd20ce20cf20"
                "d020d120d220d320d420d520d620d720d820d920da20db20dc20dd20de20", 0 },
    { "6.13.2", "e020e120e220e320e420e520e620e720e820e920ea20eb20ec20ed20ee20", 0 },
    { "6.13.3", "f020f120f220f320f420f520f620", 0 },
    { "6.13.4", "f820f920fa20", 0 },
    { "6.13.5", "fc20", 0 },
    { "6.14.1", "c0", 0 },
    { "6.14.2", "e080", 0 },
    { "6.14.3", "f08080", 0 },
    { "6.14.4", "f8808080", 0 },
    { "6.14.5", "fc80808080", 0 },
    { "6.14.6", "df", 0 },
    { "6.14.7", "efbf", 0 },
    { "6.14.8", "f7bfbf", 0 },
    { "6.14.9", "fbbfbfbf", 0 },
    { "6.14.10", "fdbfbfbfbf", 0 },
    { "6.15.1", "c0e080f08080f8808080fc80808080dfefbff7bfbffbbfbfbffdbfbfbfbf", 0 },
    { "6.16.1", "fe", 0 },
    { "6.16.2", "ff", 0 },
    { "6.16.3", "fefeffff", 0 },
    { "6.17.1", "c0af", 0 },
    { "6.17.2", "e080af", 0 },
    { "6.17.3", "f08080af", 0 },
    { "6.17.4", "f8808080af", 0 },
    { "6.17.5", "fc80808080af", 0 },
    { "6.18.1", "c1bf", 0 },
    { "6.18.2", "e09fbf", 0 },
    { "6.18.3", "f08fbfbf", 0 },
    { "6.18.4", "f887bfbfbf", 0 },
    { "6.18.5", "fc83bfbfbfbf", 0 },
    { "6.19.1", "c080", 0 },
    { "6.19.2", "e08080", 0 },
    { "6.19.3", "f0808080", 0 },
    { "6.19.4", "f880808080", 0 },
    { "6.19.5", "fc8080808080", 0 },
    { "6.20.1", "eda080", 0 },
    { "6.20.2", "edadbf", 0 },
    { "6.20.3", "edae80", 0 },
    { "6.20.4", "edafbf", 0 },
    { "6.20.5", "edb080", 0 },
    { "6.20.6", "edbe80", 0 },
    { "6.20.7", "edbfbf", 0 },
    { "6.21.1", "eda080edb080", 0 },
    { "6.21.2", "eda080edbfbf", 0 },
    { "6.21.3", "edadbfedb080", 0 },
    { "6.21.4", "edadbfedbfbf", 0 },
    { "6.21.5", "edae80edb080", 0 },
    { "6.21.6", "edae80edbfbf", 0 },
    { "6.21.7", "edafbfedb080", 0 },
    { "6.21.8", "edafbfedbfbf", 0 },
    { "6.22.1", "efbfbe", 1 },
    { "6.22.2", "efbfbf", 1 },
    { "6.22.3", "f09fbfbe", 1 },
    { "6.22.4", "f09fbfbf", 1 },
    { "6.22.5", "f0afbfbe", 1 },
    { "6.22.6", "f0afbfbf", 1 },
    { "6.22.7", "f0bfbfbe", 1 },
    { "6.22.8", "f0bfbfbf", 1 },
    { "6.22.9", "f18fbfbe", 1 },
    { "6.22.10", "f18fbfbf", 1 },
    { "6.22.11", "f19fbfbe", 1 },
    { "6.22.12", "f19fbfbf", 1 },
    { "6.22.13", "f1afbfbe", 1 },
    { "6.22.14", "f1afbfbf", 1 },
    { "6.22.15", "f1bfbfbe", 1 },
    { "6.22.16", "f1bfbfbf", 1 },
    { "6.22.17", "f28fbfbe", 1 },
    { "6.22.18", "f28fbfbf", 1 },
    { "6.22.19", "f29fbfbe", 1 },
    { "6.22.20", "f29fbfbf", 1 },
    { "6.22.21", "f2afbfbe", 1 },
    { "6.22.22", "f2afbfbf", 1 },
    { "6.22.23", "f2bfbfbe", 1 },
    { "6.22.24", "f2bfbfbf", 1 },
    { "6.22.25", "f38fbfbe", 1 },
    { "6.22.26", "f38fbfbf", 1 },
    { "6.22.27", "f39fbfbe", 1 },
    { "6.22.28", "f39fbfbf", 1 },
    { "6.22.29", "f3afbfbe", 1 },
    { "6.22.30", "f3afbfbf", 1 },
    { "6.22.31", "f3bfbfbe", 1 },
    { "6.22.32", "f3bfbfbf", 1 },
    { "6.22.33", "f48fbfbe", 1 },
    { "6.22.34", "f48fbfbf", 1 },
    { "6.23.1", "efbfb9", 1 },
    { "6.23.2", "efbfba", 1 },
    { "6.23.3", "efbfbb", 1 },
    { "6.23.4", "efbfbc", 1 },
    { "6.23.5", "efbfbd", 1 },
    { "6.23.6", "efbfbe", 1 },
    { "6.23.7", "efbfbf", 1 },
};

#endif /* HOSTILE_CASES_H */
