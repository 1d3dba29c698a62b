#!/bin/sh
# Makes the throw-away TLS material the simulator suites use.
# usage: sh tests/sim/certs.sh OUTDIR
#
# Writes into OUTDIR (created if missing; keys are mode 0600):
#   ca.pem ca.key               test CA (RSA 2048) that signs the certs below
#   server.pem server.key       server cert, SAN IP:127.0.0.1, IP:::1,
#                               DNS:localhost (what the simulator serves)
#   wrong-ca.pem wrong-ca.key   an unrelated CA: verification against it
#                               must fail
#   expired.pem expired.key     signed by ca.pem, same SANs, expired in 2020
#   wronghost.pem wronghost.key signed by ca.pem, valid, but only for
#                               DNS:wrong-host.invalid
# Idempotent: when a complete, still-valid set exists it does nothing.  A
# new set is built in a scratch directory and moved in only when complete.
# Never commit the output; tests/sim/run.sh generates it under BUILD.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
files="ca.pem ca.key server.pem server.key wrong-ca.pem wrong-ca.key
expired.pem expired.key wronghost.pem wronghost.key"

complete() {
	[ -f "$out/.complete" ] || return 1
	for f in $files; do
		[ -s "$out/$f" ] || return 1
	done
	# Still valid for at least a day?
	openssl x509 -in "$out/server.pem" -noout -checkend 86400 \
		>/dev/null 2>&1 || return 1
	openssl x509 -in "$out/ca.pem" -noout -checkend 86400 \
		>/dev/null 2>&1 || return 1
}

complete && exit 0

mkdir -p "$out"
work=$(mktemp -d "$out/.new.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
umask 077

cat >"$work/ext.cnf" <<'EOF'
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost

[wronghost_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong-host.invalid
EOF

# A minimal "openssl ca" setup: the only tool in OpenSSL 3.0 that accepts
# explicit validity dates, which the expired certificate needs.
mkdir "$work/db"
: >"$work/db/index.txt"
echo 1000 >"$work/db/serial"
cat >"$work/ca.cnf" <<EOF
[ca]
default_ca = test_ca

[test_ca]
database = $work/db/index.txt
serial = $work/db/serial
new_certs_dir = $work/db
default_md = sha256
policy = any_policy
unique_subject = no
copy_extensions = none
email_in_dn = no

[any_policy]
commonName = supplied
EOF

key() {
	openssl genrsa -out "$work/$1" 2048 2>/dev/null
}

selfsigned_ca() { # NAME CN
	key "$1.key"
	openssl req -new -x509 -sha256 -days 3650 -key "$work/$1.key" \
		-subj "/O=vsphere-cpi-c tests/CN=$2" \
		-config "$work/ext.cnf" -extensions ca_ext \
		-out "$work/$1.pem"
}

leaf() { # NAME CN EXTENSIONS START END
	key "$1.key"
	openssl req -new -sha256 -key "$work/$1.key" \
		-subj "/O=vsphere-cpi-c tests/CN=$2" -out "$work/$1.csr"
	openssl ca -batch -notext -config "$work/ca.cnf" \
		-cert "$work/ca.pem" -keyfile "$work/ca.key" \
		-extfile "$work/ext.cnf" -extensions "$3" \
		-startdate "$4" -enddate "$5" \
		-in "$work/$1.csr" -out "$work/$1.pem" 2>/dev/null
	rm -f "$work/$1.csr"
}

now=$(date -u +%Y%m%d000000Z)
# Two years ahead; plain arithmetic on the year keeps this POSIX.
later=$(( $(date -u +%Y) + 2 ))$(date -u +%m%d%H%M%SZ)
case $later in *0229??????Z) later=$(echo "$later" | sed 's/0229/0228/');;
esac

selfsigned_ca ca "vsphere-cpi-c test CA"
selfsigned_ca wrong-ca "vsphere-cpi-c unrelated CA"
leaf server localhost server_ext "$now" "$later"
leaf expired localhost server_ext 20200101000000Z 20200102000000Z
leaf wronghost wrong-host.invalid wronghost_ext "$now" "$later"

# Sanity: the set must behave as the tests expect.
openssl verify -CAfile "$work/ca.pem" "$work/server.pem" >/dev/null
openssl verify -CAfile "$work/ca.pem" "$work/wronghost.pem" >/dev/null
if openssl verify -CAfile "$work/wrong-ca.pem" "$work/server.pem" \
	>/dev/null 2>&1; then
	echo "certs.sh: wrong-ca.pem verifies server.pem" >&2
	exit 1
fi
if openssl x509 -in "$work/expired.pem" -noout -checkend 0 \
	>/dev/null 2>&1; then
	echo "certs.sh: expired.pem is not expired" >&2
	exit 1
fi

chmod 0644 "$work"/*.pem
rm -f "$out/.complete"
for f in $files; do
	mv -f "$work/$f" "$out/$f"
done
: >"$out/.complete"
