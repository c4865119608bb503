"""What the YAML (libyaml) and JSON parsers' error texts mean, in Chinese: a person sees the line and column
and one of these, never the parser's English."""

from __future__ import annotations

import yaml

YAML_PROBLEMS = {
    "did not find expected key": "缩进或格式不正确，此处应为「键: 值」",
    "mapping values are not allowed": "此处不能出现「:」（缩进不对；值里有冒号时请给整个值加引号）",
    "did not find expected ',' or ']'": "方括号列表没有正确闭合（缺少「,」或「]」）",
    "did not find expected ',' or '}'": "花括号映射没有正确闭合（缺少「,」或「}」）",
    "found character '\\t' that cannot start any token": "含有制表符（Tab），YAML 只能用空格缩进",
    "found a tab character": "含有制表符（Tab），YAML 只能用空格缩进",
    "found character that cannot start any token": "此处的字符不能作为内容开头（常见原因：用 Tab 缩进，YAML 只能用空格）",
    "could not find expected ':'": "缺少「:」",
    "found unexpected ':'": "此处不能出现「:」（值里有冒号时请给整个值加引号）",
    "found unexpected end of stream": "文件意外结束（引号或括号没有闭合）",
    "did not find expected node content": "此处缺少内容（「- 」或「:」之后没有写值，或括号没有闭合）",
    "did not find expected <document start>": "文档格式不正确",
    "did not find expected '-' indicator": "列表项缩进不一致（应以「- 」开头并对齐）",
    "did not find expected comment or line break": "这一行的内容之后还有多余的字符（应换行）",
    "block sequence entries are not allowed": "此处不能开始列表项「- 」（缩进不对）",
    "expected <block end>": "缩进不一致",
    "expected a single document": "文件中有多个 YAML 文档（以「---」分隔），只能有一个",
    "found undefined alias": "使用了未定义的别名",
    "second occurrence": "同一个锚点（「&名称」）定义了两次",
    "found duplicate anchor": "同一个锚点（「&名称」）定义了两次",
    "expected alphabetic or numeric character": "「&」「*」之后应为字母或数字",
    "could not determine a constructor for the tag": "使用了不支持的标签（以「!」开头的写法），请删除标签或给值加引号",
    "found undefined tag handle": "使用了不支持的标签（以「!」开头的写法），请删除标签或给值加引号",
    "found unknown escape character": "双引号中有无法识别的转义（反斜杠「\\」之后的字符）；要写反斜杠本身请改用单引号",
    "control characters are not allowed": "含有控制字符，请删除",
    "invalid leading UTF-8 octet": "含有无效的 UTF-8 字符（请另存为 UTF-8）",
    "invalid trailing UTF-8 octet": "含有无效的 UTF-8 字符（请另存为 UTF-8）",
}
GENERAL = "格式不正确（请检查此处的缩进、冒号、引号和括号）"
"""For a parser text not listed in :data:`YAML_PROBLEMS`: the position is still given."""


def reader_problem_zh(exc: yaml.reader.ReaderError) -> str:
    """A character YAML does not allow (a control character, U+FFFE …), named by its code point."""
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return f"含有不能使用的字符（U+{code:04X}），请删除"


def yaml_problem_zh(exc: yaml.MarkedYAMLError) -> str:
    """The Chinese meaning of a YAML parser error (its ``problem``, else its ``context``)."""
    for text in (exc.problem, exc.context):
        for english, chinese in YAML_PROBLEMS.items():
            if text and text.startswith(english):
                return chinese
    if "quoted scalar" in str(exc.context or ""):
        return "引号没有闭合"
    if exc.problem and not exc.problem.isascii():  # already ours (e.g. a key written twice)
        return exc.problem
    return GENERAL


JSON_PROBLEMS = {
    "Expecting value": "此处缺少值（或多写了「,」）",
    "Expecting property name enclosed in double quotes": "此处应为用双引号括起的字段名（常见原因：最后一项后面多写了「,」）",
    "Expecting ':' delimiter": "字段名之后缺少「:」",
    "Expecting ',' delimiter": "两项之间缺少「,」（或括号没有闭合）",
    "Unterminated string": "引号没有闭合",
    "Invalid control character": "引号中有控制字符（如换行、Tab），请改写为 \\n、\\t 或删除",
    "Invalid \\uXXXX escape": "引号中有无效的 \\u 转义",
    "Invalid \\escape": "引号中有无法识别的转义（反斜杠「\\」之后的字符）",
    "Extra data": "内容结束后还有多余的字符（一个文件只能有一个 JSON 对象；多个单位请用 JSON Lines，每行一个）",
}


def json_problem_zh(message: str) -> str:
    """The Chinese meaning of a ``json.JSONDecodeError`` message (``exc.msg``)."""
    for english, chinese in JSON_PROBLEMS.items():
        if message.startswith(english):
            return chinese
    return GENERAL.replace("缩进、", "")
