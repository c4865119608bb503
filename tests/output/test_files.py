"""Output file names made from unit names stay inside their folder on every system."""

from compliance.output.files import MAX_NAME_BYTES, safe_name


def test_path_traversal_and_separators_stay_in_the_folder():
    for hostile in ("../../etc/passwd", "/etc/passwd", "..", "a/../b", "..\\..\\x"):
        name = safe_name(hostile)
        assert "/" not in name and "\\" not in name and not name.startswith(".")


def test_device_names_get_a_prefix():
    assert safe_name("NUL") == "_NUL" and safe_name("com1.docx") == "_com1.docx" and safe_name("aux ") == "_aux"


def test_terminal_escapes_and_bidi_overrides_are_replaced():
    assert safe_name("\x1b[31m单位\u202e") == "_[31m单位_"


def test_long_names_fit_the_255_byte_limit():
    name = safe_name("单" * 300, limit=300)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES and name == "单" * (MAX_NAME_BYTES // 3)
