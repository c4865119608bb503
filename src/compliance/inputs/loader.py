"""Reading untrusted YAML/JSON files safely and turning every failure into a located Chinese error."""

from __future__ import annotations

import functools
import json
import re
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import yaml
from pydantic import BaseModel

from compliance.inputs.syntax_zh import GENERAL, json_problem_zh, reader_problem_zh, yaml_problem_zh
from compliance.inputs.text import escape_illegal, escape_unsafe, size_text

try:
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


DUPLICATE_KEY = "字段"
"""First word of the duplicate-key message; :func:`key_path` gives the field's path for a Chinese label."""


class YamlLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that refuses duplicate keys and leaves impossible dates (2025-13-40) as text."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, yaml.Node] = {}
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{DUPLICATE_KEY}「{key}」重复填写（第{seen[key].start_mark.line + 1}行已填写）",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

M = TypeVar("M", bound=BaseModel)
MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
CHUNK = 1024 * 1024


@dataclass
class Problem:
    """One located input error."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    path: str = ""
    key: str = ""
    given: Any = None
    expected: str = ""
    code: str = ""
    level: str = "error"

    def format(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field_part = f" 字段 {self.path}:" if self.path else ""
        return escape_unsafe(f"{where}:{field_part} {self.message}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "key": self.key,
            "message": self.message,
            "given": given_text(self.given),
            "expected": self.expected,
            "code": self.code,
            "level": self.level,
        }


@dataclass
class InputError(Exception):
    """Raised for any unreadable, malformed or invalid input file; carries one or more problems."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(p.format() for p in self.problems)


def given_text(value: Any) -> Any:
    """A value as given in an input file, shortened for an error message."""
    if value is None or isinstance(value, (int, float, bool)):
        return value
    text = escape_illegal(value if isinstance(value, str) else str(value))
    return text if len(text) <= 200 else text[:200] + "…"


def _os_problem(name: str, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError([Problem(name, "文件不存在")])
    if isinstance(exc, PermissionError):
        return InputError([Problem(name, "没有读取权限")])
    return InputError([Problem(name, f"无法读取文件：{exc.strerror or exc}")])


def check_regular(path: Path | str, max_bytes: int | None = MAX_BYTES) -> int:
    """The size of ``path``; refuses, by ``os.stat`` alone, anything but a regular file within ``max_bytes``.

    A FIFO, a device (/dev/zero) or a directory is never opened, so reading one can neither block nor run forever.
    """
    name = str(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _os_problem(name, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError([Problem(name, "不是普通文件（这是一个目录）")])
    if not stat.S_ISREG(info.st_mode):
        raise InputError([Problem(name, "不是普通文件（可能是管道、设备或套接字），请提供普通文件")])
    if max_bytes is not None and info.st_size > max_bytes:
        raise InputError([Problem(name, too_large(info.st_size, max_bytes))])
    return info.st_size


def too_large(size: int, max_bytes: int) -> str:
    return f"文件过大（{size_text(size)}），上限为{size_text(max_bytes)}"


def read_capped(handle: BinaryIO, name: str, max_bytes: int = MAX_BYTES) -> bytes:
    """At most ``max_bytes`` from a byte stream, read in chunks; a longer stream is refused."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = handle.read(min(CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise InputError([Problem(name, f"内容过大，超过上限{size_text(max_bytes)}")])


def read_bytes(path: Path | str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (checked before and while reading)."""
    name = str(path)
    check_regular(path, max_bytes)
    try:
        with open(path, "rb") as handle:
            return read_capped(handle, name, max_bytes)
    except OSError as exc:
        raise _os_problem(name, exc) from None


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file, refusing anything but a regular file, absurd sizes and binary data."""
    return decode(read_bytes(path, max_bytes), str(path))


def decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:8192]:
        raise InputError([Problem(name, "不是文本文件（含二进制内容），应为 UTF-8 编码的 YAML 或 JSON")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(name, "文件不是 UTF-8 编码（请另存为 UTF-8）", line=line)]) from None


def _reject_aliases(text: str, name: str) -> None:
    """Reject aliases ('billion laughs' bombs) and deep nesting from the event stream, before any tree is built.

    Only needed with a libyaml whose composer recurses without a nesting limit (see :func:`_nesting_limited`).
    """
    depth = 0
    for event in yaml.parse(text, Loader=YamlLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError([_too_deep(name, event.start_mark)])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            raise InputError([_alias(name, event.start_mark)])


def _too_deep(name: str, mark: Any = None) -> Problem:
    where = {"line": mark.line + 1, "column": mark.column + 1} if mark is not None else {}
    return Problem(name, f"嵌套层级过深（超过{MAX_DEPTH}层）", **where)


def _alias(name: str, mark: Any) -> Problem:
    return Problem(name, "不支持 YAML 锚点/别名（&/*），请直接写出内容", line=mark.line + 1, column=mark.column + 1)


@functools.lru_cache(maxsize=1)
def _nesting_limited() -> bool:
    """Whether the YAML parser refuses deep nesting itself (libyaml 0.2.6 stops at 1000 levels), so that its
    recursive composer can be given untrusted text; otherwise events are checked first (a few hundred
    thousand levels would crash the process)."""
    try:
        yaml.compose("[" * 1100 + "]" * 1100, Loader=_Base)
    except yaml.YAMLError as exc:
        return "nesting" in str(exc)
    except RecursionError:
        return True
    return False


def _check_tree(root: yaml.Node, name: str) -> None:
    """Refuse aliases (a node reached twice: the composer shares aliased nodes, a 'billion laughs' bomb is
    small until constructed) and collections nested deeper than :data:`MAX_DEPTH`; iterative."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise InputError([_alias(name, node.start_mark)])  # located at the anchor; the caller finds the alias
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            continue
        if depth > MAX_DEPTH:
            raise InputError([_too_deep(name, node.start_mark)])
        stack.extend((child, depth + 1) for child in children)


_COMPOSED: dict[str, yaml.Node | None] = {}
"""The node tree of the last YAML text parsed, kept for locating its errors without parsing it again."""


def composed(text: str) -> yaml.Node | None:
    """The node tree of ``text`` (for line and column of errors): the one :func:`parse_yaml` built when it
    parsed this text last, else composed now; ``None`` when it is not YAML."""
    node = _COMPOSED.get(text, False)  # one lookup: another thread may be replacing the entry
    if node is not False:
        return node
    try:
        return yaml.compose(text, Loader=YamlLoader) if _nesting_limited() else None
    except (yaml.YAMLError, RecursionError):
        return None


def _check_depth(data: Any, name: str) -> None:
    # Only containers are walked; a non-empty container at depth d puts its values at depth d + 1.
    stack: list[tuple[Any, int]] = [(data, 0)] if isinstance(data, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        values = node.values() if isinstance(node, dict) else node
        if values and depth + 1 > MAX_DEPTH:
            raise InputError([Problem(name, f"嵌套层级过深（超过{MAX_DEPTH}层）")])
        stack.extend((v, depth + 1) for v in values if isinstance(v, (dict, list)))


def key_path(node: yaml.Node, line: int, column: int, path: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    """The path of the mapping key written at (``line``, ``column``) in a composed tree (``()`` if none)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*path, key.value if isinstance(key, yaml.ScalarNode) else "?")
            if key.start_mark.line == line and key.start_mark.column == column:
                return here
            found = key_path(value, line, column, here)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = key_path(item, line, column, (*path, index))
            if found:
                return found
    return ()


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML once with the safe (C when available) loader: compose the node tree, refuse aliases and deep
    nesting on it, construct the data from it and keep it for :func:`composed`; errors carry line and column."""
    node = None
    try:
        if not _nesting_limited():
            _reject_aliases(text, name)
        loader = YamlLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                try:
                    _check_tree(node, name)
                except InputError:
                    _reject_aliases(text, name)  # the first alias or too deep collection, where it is written
                    raise
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if str(exc.problem).startswith("exceeded maximum nesting depth"):
            raise InputError([_too_deep(name, mark)]) from None
        message = f"YAML 格式错误：{yaml_problem_zh(exc)}"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        path = ""
        if str(exc.problem).startswith(DUPLICATE_KEY) and mark is not None and node is not None:
            path = ".".join(str(p) for p in key_path(node, mark.line, mark.column))
        raise InputError([Problem(name, message, line=line, column=column, path=path)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (control characters …)
        start = text.rfind("\n", 0, exc.position) + 1
        raise InputError([Problem(name, f"YAML 格式错误：{reader_problem_zh(exc)}", line=text.count("\n", 0, start) + 1,
                                  column=exc.position - start + 1)]) from None
    except yaml.YAMLError:
        raise InputError([Problem(name, f"YAML 格式错误：{GENERAL}")]) from None
    except RecursionError:
        raise InputError([Problem(name, f"嵌套层级过深（超过{MAX_DEPTH}层）")]) from None
    except (ValueError, TypeError) as exc:
        raise InputError([Problem(name, f"YAML 内容无法解析：{exc}")]) from None
    _COMPOSED.clear()
    _COMPOSED[text] = node
    return data


class _DuplicateKey(Exception):
    """A key written twice in one JSON object (``args[0]``)."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return data


def parse_json(text: str, name: str) -> Any:
    """JSON data; a key written twice in one object is an error (JSON would silently keep the last value)."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs)
    except _DuplicateKey as exc:
        written = [m.start() for m in re.finditer(re.escape(json.dumps(exc.args[0], ensure_ascii=False)) + r"\s*:", text)]
        line = text.count("\n", 0, written[1]) + 1 if len(written) == 2 else None  # else: which one is unclear
        raise InputError([Problem(name, f"JSON 格式错误：{DUPLICATE_KEY}「{exc.args[0][:60]}」重复填写", line=line)]) from None
    except json.JSONDecodeError as exc:
        raise InputError([Problem(name, f"JSON 格式错误：{json_problem_zh(exc.msg)}", line=exc.lineno,
                                  column=exc.colno)]) from None
    except RecursionError:
        raise InputError([Problem(name, f"嵌套层级过深（超过{MAX_DEPTH}层）")]) from None
    _check_depth(data, name)
    return data


def parse_text(text: str, name: str) -> Any:
    if name.lower().endswith(".json"):
        return parse_json(text, name)
    return parse_yaml(text, name)


def load_file(path: Path, max_bytes: int = MAX_BYTES) -> tuple[Any, str]:
    """Return (data, text) of a YAML or JSON file."""
    text = read_text(path, max_bytes)
    return parse_text(text, str(path)), text
