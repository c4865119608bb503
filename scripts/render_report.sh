#!/usr/bin/env bash
# 目视检查：生成 fixtures 的报告，把督查报告、问题清单、一份检查提纲和一份整改通知书转成 PDF 和 PNG，并列出页数。
# 需要 LibreOffice 和 pdftoppm（Debian/Ubuntu：apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils）。
# 用法：scripts/render_report.sh [输出目录]   （默认 /tmp/compliance-render；已存在则先清空）
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/compliance-render}
COMPLIANCE=${COMPLIANCE:-compliance}
command -v soffice >/dev/null || { echo "未找到 soffice（LibreOffice）" >&2; exit 2; }
command -v pdftoppm >/dev/null || { echo "未找到 pdftoppm（poppler-utils）" >&2; exit 2; }
rm -rf "$OUT" && mkdir -p "$OUT/pdf" "$OUT/png"
"$COMPLIANCE" init-office -o "$OUT/office.yaml" --issuer 中共某某市直属机关工作委员会
"$COMPLIANCE" report fixtures -o "$OUT/report" --as-of 2025-11-20 --format docx,xlsx --office "$OUT/office.yaml"
docs=("$OUT/report/督查报告.docx" "$OUT/report/问题清单.xlsx" "$OUT/report/检查提纲/检查提纲_SZ-014_市水利局.docx"
      "$OUT/report/整改通知书/整改通知书_SZ-014_市水利局.docx")
soffice --headless "-env:UserInstallation=file://$OUT/lo-profile" --convert-to pdf --outdir "$OUT/pdf" "${docs[@]}" >/dev/null
for pdf in "$OUT"/pdf/*.pdf; do
  name=$(basename "$pdf" .pdf)
  pdftoppm -png -r 80 "$pdf" "$OUT/png/$name"
  echo "$name：$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')页"
done
echo "已生成：$OUT/pdf（PDF）和 $OUT/png（每页一张 PNG）" >&2
