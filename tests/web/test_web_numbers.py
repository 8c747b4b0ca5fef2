"""web.numbers.parse_number: numbers typed the Swedish (and English) way."""

import pytest

from web.numbers import NumberError, format_number_input, parse_number

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,5", 1.5),
        ("1.5", 1.5),
        ("1 234,5", 1234.5),
        (f"1{NBSP}234,5", 1234.5),  # what Babel itself prints
        (f"1{NNBSP}234", 1234),
        (f"1{THIN}234{THIN}567", 1234567),
        ("1 234 567", 1234567),
        ("120", 120),
        ("  18 000  ", 18000),
        ("0,15", 0.15),
        (",5", 0.5),
        ("+5", 5),
        ("-5", -5),
        ("\u22125", -5),  # Unicode minus: read as negative (the field then says so)
        ("\u20133,5", -3.5),  # en dash
        ("1.234", 1.234),  # a single point is a decimal point in Swedish (documented)
        ("1,234", 1.234),
        ("6000,0", 6000),  # whole numbers come back as int
    ],
)
def test_swedish_numbers(text, value):
    got = parse_number(text, "sv")
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_is_none(text):
    assert parse_number(text, "sv") is None


@pytest.mark.parametrize(
    "text",
    [
        "1.234,5",  # mixed separators: ambiguous
        "1,234.5",
        "1.234.567",  # several decimal separators
        "1,2,3",
        "12 34",  # groups of three only
        "1  234",
        "1e5",
        "nan",
        "inf",
        "tolv",
        "5,",
        "-",
        "12 kg",
        "١٢",  # non-ASCII digits
        "1" * 41,  # too long
        "2" * 14,  # too large
    ],
)
def test_rejected(text):
    with pytest.raises(NumberError):
        parse_number(text, "sv")


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234.5", 1234.5), ("1.5", 1.5), ("1,500", 1500), ("1 500", 1500), ("\u22122", -2)],
)
def test_english_numbers(text, value):
    assert parse_number(text, "en") == value


@pytest.mark.parametrize("text", ["1,5", "1.234,5", "1,23"])
def test_english_rejects_decimal_comma(text):
    with pytest.raises(NumberError):
        parse_number(text, "en")


@pytest.mark.parametrize(
    ("value", "sv", "en"),
    [
        (18000, f"18{NBSP}000", "18,000"),
        (0.85, "0,85", "0.85"),
        (1234.5, f"1{NBSP}234,5", "1,234.5"),
        (None, "", ""),
        (float("nan"), "", ""),
    ],
)
def test_format_round_trips(value, sv, en):
    assert format_number_input(value, "sv") == sv
    assert format_number_input(value, "en") == en
    if value is not None and value == value:
        assert parse_number(sv, "sv") == value
        assert parse_number(en, "en") == value


def test_format_without_grouping_for_years():
    assert format_number_input(2021, "sv", group=False) == "2021"
