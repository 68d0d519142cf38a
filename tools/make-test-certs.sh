#!/bin/sh
# make-test-certs.sh DIR: throw-away test PKI for the wss tests, made at test
# time (nothing is committed):
#   ca.pem             private CA (the tests trust it for their run)
#   good.pem/.key      leaf for localhost, 127.0.0.1 and ::1, signed by the CA
#   expired.pem/.key   same names, signed by the CA, validity in 2020
#   wronghost.pem/.key leaf for other.invalid only, signed by the CA
#   untrusted.pem/.key self-signed leaf for localhost (an unknown CA)
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"

cat > ca.cnf <<'CNF'
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
CNF
: > index.txt
echo 1000 > serial

openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=winhttp-ws test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.pem 2>/dev/null

# leaf NAME SAN [startdate enddate]
leaf() {
    name=$1 san=$2
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$3" -addext "subjectAltName=$san" \
        -addext "extendedKeyUsage=serverAuth" -keyout "$name.key" -out "$name.csr" 2>/dev/null
    if [ $# -gt 3 ]; then
        openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in "$name.csr" -out "$name.pem" \
            -startdate "$4" -enddate "$5" -notext 2>/dev/null
    else
        openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in "$name.csr" -out "$name.pem" \
            -days 3 -notext 2>/dev/null
    fi
}

leaf good "DNS:localhost,IP:127.0.0.1,IP:::1" localhost
leaf expired "DNS:localhost,IP:127.0.0.1,IP:::1" localhost 20200101000000Z 20200201000000Z
leaf wronghost "DNS:other.invalid" other.invalid
openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout untrusted.key -out untrusted.pem 2>/dev/null

# client.pem/.key/.pfx: a client certificate (clientAuth) signed by the CA,
# for the server that requires one (tests/server/clientcert_py.py); the PFX
# (no password) is what a Windows test imports.
# Wine 8's Schannel signs with a wrong key when one of the private key's
# numbers is shorter than its full size (a leading zero byte; about one key
# in twenty): the server then refuses the certificate.  Such keys are drawn
# again (bounded), so the test is about WinHTTP, not about that bug.
full_length_key() {
    openssl rsa -in "$1" -text -noout 2>/dev/null | /usr/bin/python3 -c '
import re, sys
full = {"privateExponent": 256, "prime1": 128, "prime2": 128, "exponent1": 128, "exponent2": 128, "coefficient": 128}
for part in re.split(r"\n(?=\w)", sys.stdin.read()):
    name = part.split(":")[0]
    if name in full:
        value = bytes.fromhex("".join(re.findall(r"[0-9a-f]{2}", part.split(":", 1)[1]))).lstrip(b"\0")
        if len(value) < full[name]:
            sys.exit(1)
'
}
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    openssl genrsa -out client.key 2048 2>/dev/null
    full_length_key client.key && break
done
openssl req -new -key client.key -subj "/CN=winhttp-ws test client" -addext "extendedKeyUsage=clientAuth" \
    -out client.csr 2>/dev/null
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in client.csr -out client.pem -days 3 -notext 2>/dev/null
openssl pkcs12 -export -in client.pem -inkey client.key -passout pass: -out client.pfx \
    -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 2>/dev/null
