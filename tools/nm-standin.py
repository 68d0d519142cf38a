#!/usr/bin/python3
"""A D-Bus system bus that plays NetworkManager, for tools/test-dhcp.sh.

Usage: nm-standin.py SOCKET DIR IFACE[,IFACE...] [MAX_SECONDS]

Wine's dhcpcsvc.dll asks its mountmgr.sys for DHCP options, and mountmgr
asks NetworkManager over the system D-Bus (GetDeviceByIpIface, then the
device's Dhcp4Config, then that object's Options, whose "wpad" entry is
option 252).  This program is that bus and that NetworkManager at once: it
listens on the Unix socket SOCKET, speaks just enough of the D-Bus wire
protocol for libdbus (EXTERNAL authentication, Hello, method calls and their
replies), and answers:

  GetDeviceByIpIface(IFACE)      a device for each IFACE listed; any other
                                 interface: UnknownDevice
  the device's Dhcp4Config       its DHCP4Config object
  that object's Options          {"ip_address": ...} and, for the first
                                 IFACE only, when the file DIR/wpad exists,
                                 "wpad": its content
                                 (read at each call, unchanged); when that
                                 content is "stall", no answer at all (the
                                 caller waits for libdbus's 25 s), and a
                                 file "<count>-stall" in DIR

Every other call (UDisks, which mountmgr asks at start, AddMatch...) gets an
error or an empty reply.  For each GetDeviceByIpIface an empty file named
"<count>-device-<iface>" is made in DIR, so a test can see which interfaces
were asked about.  Returns once SOCKET listens, leaving the server in the
background (its pid in DIR/pid); it exits after MAX_SECONDS (default 600) or
when killed.
"""
import os
import socket
import struct
import sys
import threading
import time

NM = "org.freedesktop.NetworkManager"
DEVICE_PATH = "/org/freedesktop/NetworkManager/Devices/%d"
DHCP4_PATH = "/org/freedesktop/NetworkManager/DHCP4Config/%d"
ALIGN = {"y": 1, "b": 4, "n": 2, "q": 2, "i": 4, "u": 4, "x": 8, "t": 8, "d": 8,
         "s": 4, "o": 4, "g": 1, "v": 1, "a": 4, "(": 8, "{": 8, "h": 4}


def type_end(sig, i):
    """The end of the complete type that starts at sig[i]."""
    c = sig[i]
    if c == "a":
        return type_end(sig, i + 1)
    if c in "({":
        close = ")" if c == "(" else "}"
        i += 1
        while sig[i] != close:
            i = type_end(sig, i)
        return i + 1
    return i + 1


def split_types(sig):
    types, i = [], 0
    while i < len(sig):
        j = type_end(sig, i)
        types.append(sig[i:j])
        i = j
    return types


class Writer:
    def __init__(self):
        self.buf = bytearray()

    def pad(self, n):
        while len(self.buf) % n:
            self.buf.append(0)

    def put(self, t, v):
        c = t[0]
        self.pad(ALIGN[c])
        if c == "y":
            self.buf.append(v)
        elif c in "bu":
            self.buf += struct.pack("<I", v)
        elif c == "i":
            self.buf += struct.pack("<i", v)
        elif c in "so":
            data = v.encode()
            self.buf += struct.pack("<I", len(data)) + data + b"\0"
        elif c == "g":
            data = v.encode()
            self.buf += bytes([len(data)]) + data + b"\0"
        elif c == "v":
            self.put("g", v[0])
            self.put(v[0], v[1])
        elif c == "a":
            at = len(self.buf)
            self.buf += b"\0\0\0\0"
            self.pad(ALIGN[t[1]])
            start = len(self.buf)
            for item in v:
                self.put(t[1:], item)
            self.buf[at:at + 4] = struct.pack("<I", len(self.buf) - start)
        elif c in "({":
            for sub, item in zip(split_types(t[1:-1]), v):
                self.put(sub, item)
        else:
            raise ValueError(t)


class Reader:
    def __init__(self, buf, pos=0):
        self.buf, self.pos = buf, pos

    def align(self, n):
        self.pos += -self.pos % n

    def get(self, t):
        c = t[0]
        self.align(ALIGN[c])
        if c == "y":
            self.pos += 1
            return self.buf[self.pos - 1]
        if c in "bu":
            self.pos += 4
            return struct.unpack_from("<I", self.buf, self.pos - 4)[0]
        if c == "i":
            self.pos += 4
            return struct.unpack_from("<i", self.buf, self.pos - 4)[0]
        if c in "so":
            n = self.get("u")
            self.pos += n + 1
            return bytes(self.buf[self.pos - n - 1:self.pos - 1]).decode()
        if c == "g":
            n = self.get("y")
            self.pos += n + 1
            return bytes(self.buf[self.pos - n - 1:self.pos - 1]).decode()
        if c == "v":
            sig = self.get("g")
            return (sig, self.get(sig))
        if c == "a":
            n = self.get("u")
            self.align(ALIGN[t[1]])
            end, items = self.pos + n, []
            while self.pos < end:
                items.append(self.get(t[1:]))
            return items
        if c in "({":
            return [self.get(sub) for sub in split_types(t[1:-1])]
        raise ValueError(t)


def message(kind, serial, fields, sig="", args=()):
    body = Writer()
    for t, v in zip(split_types(sig), args):
        body.put(t, v)
    if sig:
        fields = fields + [(8, ("g", sig))]
    head = Writer()
    head.buf += b"l" + bytes([kind, 0, 1]) + struct.pack("<II", len(body.buf), serial)
    head.put("a(yv)", fields)
    head.pad(8)
    return bytes(head.buf + body.buf)


class Connection(threading.Thread):
    count = 0
    lock = threading.Lock()

    def __init__(self, sock, folder, ifaces, unique):
        super().__init__(daemon=True)
        self.sock, self.folder, self.ifaces, self.unique = sock, folder, ifaces, unique
        self.serial = 0
        self.data = b""

    def recv_more(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.data += chunk

    def line(self):
        while b"\r\n" not in self.data:
            self.recv_more()
        line, self.data = self.data.split(b"\r\n", 1)
        return line.decode("ascii", "replace")

    def authenticate(self):
        while not self.data:
            self.recv_more()
        if self.data[0:1] == b"\0":
            self.data = self.data[1:]
        while True:
            words = self.line().split()
            if not words:
                continue
            if words[0] == "AUTH" and len(words) >= 3 and words[1] == "EXTERNAL":
                self.sock.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")
            elif words[0] == "AUTH" and len(words) == 2 and words[1] == "EXTERNAL":
                self.sock.sendall(b"DATA\r\n")
            elif words[0] == "DATA":
                self.sock.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")
            elif words[0] == "AUTH":
                self.sock.sendall(b"REJECTED EXTERNAL\r\n")
            elif words[0] == "BEGIN":
                return
            else:
                self.sock.sendall(b"ERROR\r\n")

    def read_message(self):
        while len(self.data) < 16:
            self.recv_more()
        if self.data[0:1] != b"l":
            raise EOFError   # big-endian peers: libdbus on x86 never is one
        body_len, _, fields_len = struct.unpack_from("<III", self.data, 4)
        total = 16 + fields_len + (-(16 + fields_len) % 8) + body_len
        while len(self.data) < total:
            self.recv_more()
        raw, self.data = self.data[:total], self.data[total:]
        reader = Reader(raw, 12)
        fields = dict((code, value[1]) for code, value in reader.get("a(yv)"))
        reader.align(8)
        args = []
        if fields.get(8):
            args = [reader.get(t) for t in split_types(fields[8])]
        return raw[1], raw[2], struct.unpack_from("<I", raw, 8)[0], fields, args

    def send(self, kind, reply_to, sender, sig="", args=(), error=None):
        self.serial += 1
        fields = [(5, ("u", reply_to)), (6, ("s", self.unique)), (7, ("s", sender))]
        if error:
            fields.append((4, ("s", error)))
        self.sock.sendall(message(kind, self.serial, fields, sig, args))

    def record(self, what):
        with Connection.lock:
            Connection.count += 1
            open(os.path.join(self.folder, "%d-%s" % (Connection.count, what)), "w").close()

    def options(self, n):
        opts = [("ip_address", ("s", "192.0.2.%d" % (n + 2)))]
        if n:
            return opts
        try:
            with open(os.path.join(self.folder, "wpad"), "rb") as f:
                opts.append(("wpad", ("s", f.read().decode("utf-8", "replace"))))
        except FileNotFoundError:
            pass
        return opts

    def answer(self, path, interface, member, dest, args):
        """(signature, args) of the reply, the error's name, or None: no reply."""
        if dest == "org.freedesktop.DBus":
            if member == "Hello":
                return "s", [self.unique]
            if member in ("AddMatch", "RemoveMatch"):
                return "", []
            if member == "NameHasOwner":
                return "b", [0]
            return "org.freedesktop.DBus.Error.UnknownMethod"
        if dest != NM:
            return "org.freedesktop.DBus.Error.ServiceUnknown"
        if member == "GetDeviceByIpIface" and args:
            self.record("device-" + args[0])
            if args[0] in self.ifaces:
                return "o", [DEVICE_PATH % self.ifaces.index(args[0])]
            return "org.freedesktop.NetworkManager.UnknownDevice"
        if interface == "org.freedesktop.DBus.Properties" and member == "Get" and len(args) == 2:
            devices = [DEVICE_PATH % n for n in range(len(self.ifaces))]
            configs = [DHCP4_PATH % n for n in range(len(self.ifaces))]
            if path in devices and args[1] == "Dhcp4Config":
                return "v", [("o", configs[devices.index(path)])]
            if path in configs and args[1] == "Options":
                opts = self.options(configs.index(path))
                if ("wpad", ("s", "stall")) in opts:
                    self.record("stall")
                    return None
                return "v", [("a{sv}", opts)]
        return "org.freedesktop.DBus.Error.UnknownMethod"

    def run(self):
        try:
            self.authenticate()
            while True:
                kind, flags, serial, fields, args = self.read_message()
                if kind != 1 or flags & 1:   # only method calls that want a reply
                    continue
                result = self.answer(fields.get(1), fields.get(2), fields.get(3), fields.get(6), args)
                if result is None:
                    continue
                sender = "org.freedesktop.DBus" if fields.get(6) == "org.freedesktop.DBus" else ":1.0"
                if isinstance(result, str):
                    self.send(3, serial, sender, "s", ["no such thing here"], error=result)
                else:
                    self.send(2, serial, sender, result[0], result[1])
        except (EOFError, OSError):
            pass
        finally:
            self.sock.close()


def main():
    path, folder, ifaces = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    deadline = time.time() + (float(sys.argv[4]) if len(sys.argv) > 4 else 600)
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o666)
    server.listen(16)
    if os.fork():
        return
    with open(os.path.join(folder, "pid"), "w") as f:
        f.write("%d\n" % os.getpid())
    peers = 0
    while time.time() < deadline:
        server.settimeout(max(0.1, deadline - time.time()))
        try:
            sock, _ = server.accept()
        except socket.timeout:
            break
        peers += 1
        sock.settimeout(None)
        Connection(sock, folder, ifaces, ":1.%d" % peers).start()


if __name__ == "__main__":
    main()
