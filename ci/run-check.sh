#!/usr/bin/env bash
# 在 CI 中校验并检查单位档案，写出 SARIF、JUnit 和 JSON 结果；GitHub Action 与 GitLab 模板都调用本脚本。
#
# 用法：ci/run-check.sh [档案路径…]
# 环境变量（均可不设）：
#   COMPLIANCE_PATHS     档案路径，空格分隔（默认 profiles/；命令行参数优先）
#   COMPLIANCE_OUT       结果目录（默认 compliance-results）
#   COMPLIANCE_FAIL_ON   --fail-on 的严重程度（默认 严重）
#   COMPLIANCE_AS_OF     检查日期 YYYY-MM-DD（默认今天）
#   COMPLIANCE_ARGS      追加给 compliance check 的参数，如 "--pack sanhui --skip-rule A1"
#   COMPLIANCE           compliance 命令（默认 compliance）
# 退出码：validate 与 check 中较大的一个（0 通过；1 有达到 --fail-on 的问题；2 档案有误；3 用法或配置错误）。
# 两步都会执行，结果文件总会写出，便于上传。
set -uo pipefail

if [ "$#" -gt 0 ]; then
  paths=("$@")
else
  read -r -a paths <<< "${COMPLIANCE_PATHS:-profiles/}"
fi
out="${COMPLIANCE_OUT:-compliance-results}"
fail_on="${COMPLIANCE_FAIL_ON:-严重}"
read -r -a cmd <<< "${COMPLIANCE:-compliance}"
read -r -a extra <<< "${COMPLIANCE_ARGS:-}"
as_of=()
if [ -n "${COMPLIANCE_AS_OF:-}" ]; then
  as_of=(--as-of "$COMPLIANCE_AS_OF")
fi

mkdir -p "$out"

echo "== 校验档案：${paths[*]}"
"${cmd[@]}" validate "${paths[@]}" "${as_of[@]}" --format sarif -o "$out/validate.sarif"
validate_rc=$?
"${cmd[@]}" validate "${paths[@]}" "${as_of[@]}" --format junit -o "$out/validate.xml" >/dev/null 2>&1

echo "== 检查档案（--fail-on ${fail_on}）"
"${cmd[@]}" check "${paths[@]}" "${as_of[@]}" --fail-on "$fail_on" "${extra[@]}" --format md -o "$out/问题清单.md" \
  -o sarif="$out/check.sarif" -o junit="$out/check.xml" -o json="$out/check.json"
check_rc=$?

rc=$(( validate_rc > check_rc ? validate_rc : check_rc ))
echo "== 结果在 $out/：validate 退出码 ${validate_rc}，check 退出码 ${check_rc}"
exit "$rc"
