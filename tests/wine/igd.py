#!/usr/bin/python3
"""A stand-in UPnP Internet Gateway Device for Wine's hnetcfg tests.

Usage: igd.py [--http ADDR:PORT] [--ready FILE] [--max-seconds N]

Run by tools/winetests.sh (--module hnetcfg) inside the tests' private
network namespace, where the only interface is "lo".  Wine's hnetcfg.dll
(dlls/hnetcfg/port.c, IUPnPNAT) finds a gateway by multicasting an SSDP
M-SEARCH to 239.255.255.250:1900 from an unbound UDP socket and waiting two
seconds for an answer, then talks to it with winhttp: a GET of the device
description named by the answer's LOCATION, then SOAP POSTs to the
WANIPConnection control URL.  What the namespace needs for the M-SEARCH to
arrive (the script sets it up): a route for 239.0.0.0/8 through "lo" with
source 127.0.0.1 (without a route sendto fails with "network unreachable";
without the source the datagram leaves from 0.0.0.0, which cannot be
answered).  The kernel loops the datagram back to this process, which has
joined the group on 127.0.0.1 (IP_MULTICAST_LOOP, on by default).

What it implements, per UPnP Device Architecture 1.0 and the IGD:1
WANIPConnection:1 service template:

  SSDP      an M-SEARCH (MAN "ssdp:discover", ST ssdp:all, upnp:rootdevice,
            the device or WANIPConnection service type, or our uuid) is
            answered at once (MX allows up to MX seconds; hnetcfg waits 2),
            by unicast to the sender, with LOCATION
            http://ADDR:PORT/rootDesc.xml; anything else is ignored, as the
            spec says.
  HTTP      GET /rootDesc.xml: the InternetGatewayDevice:1 description
            (WANDevice:1 > WANConnectionDevice:1 > WANIPConnection:1, control
            URL /ctl/IPConn).  Other paths: 404.  The answers' framing
            (keep-alive, miniupnpd's "Connection: close", chunked, HTTP/1.0
            to the close) changes with each M-SEARCH answered: see STYLES.
  SOAP      POST /ctl/IPConn, dispatched on the SOAPACTION header, as real
            gateways (miniupnpd) do; the body's action element must be the
            same action in the service's namespace, and the Content-Type
            text/xml (else 415), else fault 401 Invalid Action:
    GetExternalIPAddress        NewExternalIPAddress 192.0.2.1
    GetGenericPortMappingEntry  the entry at NewPortMappingIndex, or
                                713 SpecifiedArrayIndexInvalid
    GetSpecificPortMappingEntry the entry for (NewRemoteHost,
                                NewExternalPort, NewProtocol), or
                                714 NoSuchEntryInArray
    AddPortMapping              adds, or updates the entry of the same
                                client; 718 ConflictInMappingEntry for
                                another client's; 716 for external port 0
                                (WildCardNotPermittedInExtPort); 725
                                OnlyPermanentLeasesSupported for a lease
                                other than 0; 726 RemoteHostOnlySupports
                                Wildcard for a remote host other than ""
    DeletePortMapping           removes, or 714 NoSuchEntryInArray
  Missing or malformed arguments (ports not 1-65535, protocol not TCP or UDP,
  client not a dotted IPv4 address, enabled not a boolean): 402 Invalid Args.
  Other actions: 401 Invalid Action.  Faults are HTTP 500 with a SOAP
  Fault whose detail is a UPnPError (errorCode, errorDescription).

The gateway starts with two mappings of its own (a TCP and a UDP one), so
that the tests' enumeration sees entries it did not add.  Every request is
logged to stderr (method, path, headers, action, answer) for comparing one
winhttp.dll's requests with another's.  The process exits on SIGTERM/SIGINT
or after --max-seconds; it writes FILE once both sockets are bound.
"""
import argparse
import asyncio
import ipaddress
import os
import signal
import socket
import struct
import sys
import xml.etree.ElementTree as ET

SSDP_GROUP = "239.255.255.250"
SSDP_PORT = 1900
UUID = "uuid:9f0865b3-f5da-4ad5-85b7-7404637fdf37"
DEVICE_TYPE = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
SERVICE_TYPE = "urn:schemas-upnp-org:service:WANIPConnection:1"
CONTROL_PATH = "/ctl/IPConn"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
EXTERNAL_IP = "192.0.2.1"
SERVER = "Linux UPnP/1.0 winhttp-ws-igd/1.0"

DESCRIPTION = """<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
<specVersion><major>1</major><minor>0</minor></specVersion>
<device>
<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
<friendlyName>winhttp-ws stand-in gateway</friendlyName>
<manufacturer>winhttp-ws</manufacturer>
<modelName>igd.py</modelName>
<UDN>{uuid}</UDN>
<serviceList>
<service>
<serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
<serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId>
<controlURL>/ctl/L3F</controlURL>
<eventSubURL>/evt/L3F</eventSubURL>
<SCPDURL>/L3F.xml</SCPDURL>
</service>
</serviceList>
<deviceList>
<device>
<deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
<friendlyName>WANDevice</friendlyName>
<manufacturer>winhttp-ws</manufacturer>
<modelName>igd.py</modelName>
<UDN>{uuid}-wan</UDN>
<deviceList>
<device>
<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
<friendlyName>WANConnectionDevice</friendlyName>
<manufacturer>winhttp-ws</manufacturer>
<modelName>igd.py</modelName>
<UDN>{uuid}-wanconn</UDN>
<serviceList>
<service>
<serviceType>{service}</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
<controlURL>{control}</controlURL>
<eventSubURL>/evt/IPConn</eventSubURL>
<SCPDURL>/WANIPCn.xml</SCPDURL>
</service>
</serviceList>
</device>
</deviceList>
</device>
</deviceList>
</device>
</root>
"""

ERRORS = {401: "Invalid Action", 402: "Invalid Args", 713: "SpecifiedArrayIndexInvalid",
          714: "NoSuchEntryInArray", 716: "WildCardNotPermittedInExtPort",
          718: "ConflictInMappingEntry", 725: "OnlyPermanentLeasesSupported",
          726: "RemoteHostOnlySupportsWildcard"}


class Fault(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def log(*words):
    print(*words, file=sys.stderr, flush=True)


# --- the WANIPConnection state and actions ---------------------------------
# Each mapping: (remote host, external port, protocol) -> the rest, in the
# order added (GetGenericPortMappingEntry indexes that order).
mappings = {
    ("", 6881, "TCP"): {"port": 6881, "client": "192.168.1.20", "enabled": True, "descr": "seed tcp"},
    ("", 6881, "UDP"): {"port": 6881, "client": "192.168.1.20", "enabled": True, "descr": "seed udp"},
}


def arg(args, name):
    if name not in args:
        raise Fault(402)
    return args[name]


def port_arg(args, name, zero_error=402):
    text = arg(args, name)
    if not text.isdigit() or int(text) > 65535:
        raise Fault(402)
    if int(text) == 0:
        raise Fault(zero_error)
    return int(text)


def protocol_arg(args):
    proto = arg(args, "NewProtocol")
    if proto not in ("TCP", "UDP"):
        raise Fault(402)
    return proto


def bool_arg(args, name):
    text = arg(args, name).lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise Fault(402)


def key_args(args):
    return (arg(args, "NewRemoteHost"), port_arg(args, "NewExternalPort"), protocol_arg(args))


def entry_out(m):
    return [("NewInternalPort", str(m["port"])), ("NewInternalClient", m["client"]),
            ("NewEnabled", "1" if m["enabled"] else "0"),
            ("NewPortMappingDescription", m["descr"]), ("NewLeaseDuration", "0")]


def get_external_ip(args):
    return [("NewExternalIPAddress", EXTERNAL_IP)]


def get_generic_entry(args):
    index = arg(args, "NewPortMappingIndex")
    if not index.isdigit() or int(index) > 65535:
        raise Fault(402)
    if int(index) >= len(mappings):
        raise Fault(713)
    key, m = list(mappings.items())[int(index)]
    return [("NewRemoteHost", key[0]), ("NewExternalPort", str(key[1])),
            ("NewProtocol", key[2])] + entry_out(m)


def get_specific_entry(args):
    key = key_args(args)
    if key not in mappings:
        raise Fault(714)
    return entry_out(mappings[key])


def add_mapping(args):
    remote = arg(args, "NewRemoteHost")
    external = port_arg(args, "NewExternalPort", 716)
    proto = protocol_arg(args)
    internal = port_arg(args, "NewInternalPort")
    client = arg(args, "NewInternalClient")
    try:
        if not isinstance(ipaddress.ip_address(client), ipaddress.IPv4Address):
            raise Fault(402)
    except ValueError:
        raise Fault(402)
    enabled = bool_arg(args, "NewEnabled")
    descr = arg(args, "NewPortMappingDescription")
    lease = arg(args, "NewLeaseDuration")
    if not lease.isdigit():
        raise Fault(402)
    if remote != "":
        raise Fault(726)
    if int(lease) != 0:
        raise Fault(725)
    old = mappings.get((remote, external, proto))
    if old and old["client"] != client:
        raise Fault(718)
    mappings[(remote, external, proto)] = {"port": internal, "client": client,
                                           "enabled": enabled, "descr": descr}
    return []


def delete_mapping(args):
    key = key_args(args)
    if key not in mappings:
        raise Fault(714)
    del mappings[key]
    return []


ACTIONS = {"GetExternalIPAddress": get_external_ip,
           "GetGenericPortMappingEntry": get_generic_entry,
           "GetSpecificPortMappingEntry": get_specific_entry,
           "AddPortMapping": add_mapping,
           "DeletePortMapping": delete_mapping}


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def envelope(inner):
    return ('<?xml version="1.0"?>\r\n'
            '<s:Envelope xmlns:s="%s" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">'
            '<s:Body>%s</s:Body></s:Envelope>\r\n' % (SOAP_ENV, inner)).encode()


def soap(headers, body):
    """The answer to a control POST: (status, reason, body)."""
    if not headers.get("content-type", "").lower().startswith("text/xml"):
        return 415, "Unsupported Media Type", b""
    try:
        soapaction = headers.get("soapaction", "").strip('"')
        service, _, action = soapaction.partition("#")
        try:
            envelope_el = ET.fromstring(body)
        except ET.ParseError:
            raise Fault(401)
        body_el = envelope_el.find("{%s}Body" % SOAP_ENV)
        call = list(body_el)[0] if body_el is not None and len(body_el) else None
        if (service != SERVICE_TYPE or action not in ACTIONS or call is None
                or call.tag != "{%s}%s" % (SERVICE_TYPE, action)):
            raise Fault(401)
        # Arguments are unqualified elements; an empty one is "".
        args = {el.tag: (el.text or "").strip() for el in call}
        out = ACTIONS[action](args)
        log("  action %s %s -> ok %s" % (action, args, out))
        inner = '<u:%sResponse xmlns:u="%s">%s</u:%sResponse>' % (
            action, SERVICE_TYPE,
            "".join("<%s>%s</%s>" % (k, xml_escape(v), k) for k, v in out), action)
        return 200, "OK", envelope(inner)
    except Fault as f:
        log("  action %s -> fault %d %s" % (soapaction, f.code, ERRORS[f.code]))
        inner = ('<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>'
                 '<detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0">'
                 '<errorCode>%d</errorCode><errorDescription>%s</errorDescription>'
                 '</UPnPError></detail></s:Fault>' % (f.code, ERRORS[f.code]))
        return 500, "Internal Server Error", envelope(inner)


# --- HTTP -------------------------------------------------------------------
# How the answers are framed, as gateways of different makes do; the style
# changes with each M-SEARCH answered (one per run of the tests: hnetcfg
# searches once per process), so "--runs 4" meets them all:
#   keep-alive  HTTP/1.1, Content-Length, the connection kept
#   close       HTTP/1.1, Content-Length, "Connection: close" and closed after
#               every answer (miniupnpd's way)
#   chunked     HTTP/1.1, chunks of 100 bytes, the connection kept
#   http10      HTTP/1.0, no Content-Length: the body ends when the
#               connection closes
STYLES = ["keep-alive", "close", "chunked", "http10"]
style = STYLES[0]


def frame(status, reason, head, out, client_closes):
    """The head and body to send, and whether to close after them."""
    close = client_closes or style in ("close", "http10")
    head = ["HTTP/1.%d %d %s" % (style != "http10", status, reason), "Server: " + SERVER, "EXT:"] + head
    if style == "chunked":
        head.append("Transfer-Encoding: chunked")
        out = b"".join(b"%x\r\n%s\r\n" % (len(out[i:i + 100]), out[i:i + 100])
                       for i in range(0, len(out), 100)) + b"0\r\n\r\n"
    elif style != "http10":
        head.append("Content-Length: %d" % len(out))
    if close and style != "http10":
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode(), out, close

async def serve_http(reader, writer):
    log("http: connection from %s:%d" % writer.get_extra_info("peername"))
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            log("http: %r" % lines[0])
            method, _, rest = lines[0].partition(" ")
            path = rest.rsplit(" ", 1)[0]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    log("  header %r" % line)
                    headers[k.strip().lower()] = v.strip()
            length = headers.get("content-length", "0")
            body = await reader.readexactly(int(length)) if length.isdigit() and int(length) else b""
            ctype = ["Content-Type: text/xml; charset=\"utf-8\""]
            if method == "GET" and path == "/rootDesc.xml":
                status, reason = 200, "OK"
                out = DESCRIPTION.format(uuid=UUID, service=SERVICE_TYPE, control=CONTROL_PATH).encode()
            elif method == "POST" and path == CONTROL_PATH:
                status, reason, out = soap(headers, body)
                ctype = ctype if out else []
            else:
                status, reason, out, ctype = 404, "Not Found", b"", []
            log("  -> %d, %d bytes" % (status, len(out)))
            answer, out, close = frame(status, reason, ctype, out,
                                       headers.get("connection", "").lower() == "close")
            writer.write(answer + out)
            await writer.drain()
            if close:
                return
    finally:
        writer.close()


# --- SSDP -------------------------------------------------------------------
class Ssdp(asyncio.DatagramProtocol):
    def __init__(self, location):
        self.location = location
        self.answered = 0

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        lines = data.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().upper()] = v.strip()
        st = headers.get("ST", "")
        wanted = (lines[0] == "M-SEARCH * HTTP/1.1" and headers.get("MAN") == '"ssdp:discover"'
                  and headers.get("HOST") == "%s:%d" % (SSDP_GROUP, SSDP_PORT)
                  and st in ("ssdp:all", "upnp:rootdevice", DEVICE_TYPE, SERVICE_TYPE, UUID))
        if not wanted:
            log("ssdp: %r from %s:%d: ignored" % (lines[0], addr[0], addr[1]))
            return
        global style
        style = STYLES[self.answered % len(STYLES)]
        self.answered += 1
        log("ssdp: %r from %s:%d: answered; HTTP answers now in the style %s"
            % (lines[0], addr[0], addr[1], style))
        usn = UUID if st == UUID else "%s::%s" % (UUID, "upnp:rootdevice" if st == "ssdp:all" else st)
        answer = ["HTTP/1.1 200 OK", "CACHE-CONTROL: max-age=120", "EXT:",
                  "LOCATION: " + self.location, "SERVER: " + SERVER,
                  "ST: " + ("upnp:rootdevice" if st == "ssdp:all" else st), "USN: " + usn]
        self.transport.sendto(("\r\n".join(answer) + "\r\n\r\n").encode(), addr)


def ssdp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((SSDP_GROUP, SSDP_PORT))
    # the group, joined on loopback: the namespace's only interface
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 struct.pack("4s4s", socket.inet_aton(SSDP_GROUP), socket.inet_aton("127.0.0.1")))
    return s


async def main(args):
    loop = asyncio.get_running_loop()
    host, port = args.http.rsplit(":", 1)
    server = await asyncio.start_server(serve_http, host, int(port))
    port = server.sockets[0].getsockname()[1]
    location = "http://%s:%d/rootDesc.xml" % (host, port)
    await loop.create_datagram_endpoint(lambda: Ssdp(location), sock=ssdp_socket())
    log("igd: description at %s" % location)
    if args.ready:
        tmp = "%s.tmp.%d" % (args.ready, os.getpid())
        with open(tmp, "w") as f:
            f.write("ready\n")
        os.rename(tmp, args.ready)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    try:
        await asyncio.wait_for(stop, timeout=args.max_seconds)
    except asyncio.TimeoutError:
        log("igd: --max-seconds reached")
    server.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description="A stand-in UPnP IGD for Wine's hnetcfg tests")
    p.add_argument("--http", default="127.0.0.1:0", help="where to serve HTTP (port 0: any)")
    p.add_argument("--ready")
    p.add_argument("--max-seconds", type=float, default=600)
    asyncio.run(main(p.parse_args()))
