#!/bin/sh
# The Debian/Ubuntu packages the pipeline and its tests need. Installs the missing ones when
# running as root or with password-less sudo; otherwise prints the exact command and fails.
set -eu

# Pango renders the PDFs; libharfbuzz-subset0 lets WeasyPrint subset the embedded fonts in C (without
# it, fontTools: ~0.5 s more per leaflet from our small subsets, ~11 s from a whole CJK font); gettext's msgcat/msgmerge/msgfmt write and check catalogs;
# poppler-utils and qpdf let people (and tests) inspect the PDFs. fonts-noto-core has the leaflet fonts
# for Latin with Vietnamese diacritics, Thai, and most other scripts of Taiwan's new immigrants (Noto Sans,
# Noto Sans Thai, Noto Sans Myanmar, Noto Sans Khmer, …; regular and bold).
PACKAGES="gettext fontconfig fonts-noto-cjk fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils qpdf"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "Not a Debian/Ubuntu system: install the equivalents of: $PACKAGES" >&2
    exit 1
fi

missing=""
for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing="$missing $package"
done
# A Debian python3 needs python3-venv to create .venv; other Pythons (pyenv, python.org) bring venv.
python3 -c "import ensurepip, venv" 2>/dev/null || missing="$missing python3-venv"
# The browser tests: Debian's Chromium (Playwright drives /usr/bin/chromium; no browser is downloaded),
# a Java runtime for the Nu Html Checker, and npm to install that checker (vnu-jar) from package-lock.json.
# Checked by command rather than by package, as the tests call them.
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

[ -z "$missing" ] && exit 0

command="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo "
else
    echo "Missing system packages:$missing" >&2
    echo "Install them with:" >&2
    echo "    sudo apt-get update && sudo $command" >&2
    exit 1
fi
echo "Installing system packages:$missing"
${sudo}env DEBIAN_FRONTEND=noninteractive apt-get update -qq
${sudo}env DEBIAN_FRONTEND=noninteractive $command
