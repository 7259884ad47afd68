#!/usr/bin/env bash
# Everything the tests need on a fresh Debian machine with Node >= 20.19: the real servers the
# integration tests start (InfluxDB, Alertmanager, ClamAV, Chromium, iproute2, nftables), the agent
# tests' tools (openssl for a test CA, systemd-analyze, ansible-lint, tinyproxy,
# prometheus-node-exporter as the bench baseline), the baseline probe's real daemons and
# cross-check (openssh-server, chrony, pamtester, auditd, aide; openscap-scanner + ssg-debian for
# bench/openscap-agreement.mjs), the portal prober's test internet (nsd as the authoritative name
# server, unbound as the resolver, nginx as the portals' web server) and npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
# One package per line, each named for what calls it (apt's --no-install-recommends skips
# Recommends, so a tool that is only Recommended must be named here itself).
PKGS="
influxdb
prometheus-alertmanager
clamav-daemon
clamav
clamdscan
chromium
iproute2
nftables
curl
openssl
systemd
prometheus-node-exporter
ansible-lint
tinyproxy
openscap-scanner
ssg-debian
openssh-server
openssh-client
chrony
pamtester
util-linux
auditd
aide
poppler-utils
libreoffice-writer-nogui
libreoffice-common
fonts-dejavu-core
fonts-liberation2
nsd
unbound
nginx
"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
# `npm ci` refuses this lockfile: npm omits the optional platform packages of rollup from it
# (seen with npm 11 and omit-lockfile-registry-resolved); `npm install` honours the locked versions.
npm install --no-audit --no-fund
