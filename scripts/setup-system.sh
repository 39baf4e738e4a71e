#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing.
#   fonts-noto-cjk        Chinese text in PDFs and charts
#   libharfbuzz-subset0   WeasyPrint embeds font subsets ~5x faster with it
#   poppler-utils         pdftotext/pdffonts/pdftoppm for the tests and the README picture
#   libreoffice-calc-nogui  real-client round trip of the checklist workbook
#   postgresql            the shared-deployment backend, tested for real
#   chromium chromium-driver  the web app's browser tests (Selenium drives Debian's Chromium)
set -euo pipefail
packages=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils libreoffice-calc-nogui postgresql chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "安装系统软件包：${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
