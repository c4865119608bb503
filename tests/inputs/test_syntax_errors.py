"""Every YAML or JSON syntax error a person can make reads in Chinese, with its line and column, and no parser
English."""

from __future__ import annotations

import re

import pytest

from compliance.inputs.loader import InputError, parse_json, parse_yaml

CASES = [
    ("unit: [\n", "此处缺少内容"),
    ("a: [1, 2\nb: 3\n", "方括号列表没有正确闭合"),
    ("unit:\n  - a\n  b: 1\n", ""),
    ("a: b\n  c: d\n", "此处不能出现「:」"),
    ('a: "x\n', "引号或括号没有闭合"),
    ("a: !!foo x\n", "不支持的标签"),
    ("a: &x 1\nb: &x 2\n", "锚点"),
    ('a: "\\q"\n', "无法识别的转义"),
    ("a:\n\tb: 1\n", "Tab"),
    ("a: b: c\n", "此处不能出现「:」"),
    ("a: {b\n", "花括号映射没有正确闭合"),
    ("a: 1\n---\nb: 2\n", "多个 YAML 文档"),
    ("a: *y\n", "未定义的别名"),
    ("x: 1\na: b\x07c\n", "不能使用的字符（U+0007）"),
    ("a: \ufffe\n", "U+FFFE"),
    ("- a\nb: c\n", ""),
    ("a: 'x'y\n", ""),
]


JSON_CASES = [
    ('{"unit": {"id": 1,}}', "多写了「,」"),
    ('{"unit" {"id": 1}}', "缺少「:」"),
    ('{"a": 1 "b": 2}', "缺少「,」"),
    ('{"a": "x', "引号没有闭合"),
    ('{"a": "\\q"}', "无法识别的转义"),
    ('{"a": "\\u12"}', "\\u"),
    ('{"a": 1} {"b": 2}', "JSON Lines"),
    ('{"a": "x\ty"}', "控制字符"),
    ("", "缺少值"),
    ("[1,]", "缺少值"),
]


@pytest.mark.parametrize(("parse", "text", "meaning"), [(parse_yaml, *case) for case in CASES]
                         + [(parse_json, *case) for case in JSON_CASES])
def test_a_syntax_error_is_located_and_explained_in_chinese(parse, text, meaning):
    kind = "YAML" if parse is parse_yaml else "JSON"
    with pytest.raises(InputError) as caught:
        parse(text, f"档案.{kind.lower()}")
    problem = caught.value.problems[0]
    assert problem.line is not None and problem.column is not None
    assert problem.message.startswith(f"{kind} 格式错误：") and meaning in problem.message
    plain = re.sub(r"U\+[0-9A-F]{4,6}", "", problem.message)  # a character named by its code point
    for word in ("JSON Lines", "JSON", "YAML", "Tab", "UTF"):
        plain = plain.replace(word, "")
    assert not re.search(r"[A-Za-z]{4,}", plain), problem.message
