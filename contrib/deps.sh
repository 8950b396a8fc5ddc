#!/bin/sh
# Install the Debian 12 packages vortex needs to build, test and fuzz.
# Idempotent: installs only what is missing. Run as root (or via sudo).
set -eu
PKGS="build-essential autoconf automake pkg-config clang libclang-rt-14-dev
libssl-dev libgcrypt20-dev heimdal-multidev libetpan-dev liblmdb-dev libconfuse-dev
libmilter-dev miltertest libisal-dev libgf-complete-dev unzip postfix dovecot-imapd"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
