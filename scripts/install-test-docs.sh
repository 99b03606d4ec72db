#!/usr/bin/env bash
# Installs the Debian packages whose documentation the ingest tests read as real documents:
# libffi-dev (libffi's manual as texinfo HTML pages, each with a navigation header) and
# libtasn1-doc (libtasn1's manual as a PDF). Does nothing when the files are there. Needs root
# (or sudo) for apt-get.
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"
apt_install_files install-test-docs \
  /usr/share/doc/libffi8/html/The-Basics.html /usr/share/doc/libtasn1-doc/libtasn1.pdf \
  -- libffi-dev libtasn1-doc
