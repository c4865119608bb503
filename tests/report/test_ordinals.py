"""Chinese ordinals for report sections and items, beyond 99 (a pack with more than 99 rules)."""

from compliance.report.text import ordinal


def test_ordinals_beyond_ninety_nine_are_written_as_in_official_documents():
    cases = {1: "一", 10: "十", 15: "十五", 20: "二十", 99: "九十九", 100: "一百", 101: "一百零一", 110: "一百一十",
             120: "一百二十", 1000: "一千", 1001: "一千零一", 1010: "一千零一十", 9999: "九千九百九十九"}
    assert {n: ordinal(n) for n in cases} == cases


def test_every_ordinal_up_to_five_thousand_is_written_and_distinct():
    texts = [ordinal(n) for n in range(1, 5001)]
    assert len(set(texts)) == 5000 and ordinal(12345) == "12345"
