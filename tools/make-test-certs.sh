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
openssl req -newkey rsa:2048 -nodes -subj "/CN=winhttp-ws test client" -addext "extendedKeyUsage=clientAuth" \
    -keyout client.key -out client.csr 2>/dev/null
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in client.csr -out client.pem -days 3 -notext 2>/dev/null
openssl pkcs12 -export -in client.pem -inkey client.key -passout pass: -out client.pfx \
    -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 2>/dev/null
