"""Issue 16: a Swedish negative number has a real minus sign (U+2212), not a hyphen."""

from farmcalc.i18n import format_number

MINUS = "\u2212"


def test_swedish_numbers_have_a_real_minus_sign():
    assert format_number(-176.2, "sv", "#,##0.0") == f"{MINUS}176,2"
    assert format_number(-1234.5, "sv", "#,##0.0") == f"{MINUS}1\u00a0234,5"
    assert format_number(176.2, "sv", "#,##0.0") == "176,2"
    assert "-" not in format_number(-0.5, "sv", "0.0")


def test_english_numbers_keep_their_own_sign():
    assert format_number(-176.2, "en", "#,##0.0") == "-176.2"


def test_page_filter_writes_the_minus_sign_in_swedish():
    from web import create_app
    from web.language import number

    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        assert number(-176.2, "#,##0.0") == f"{MINUS}176,2"


def test_a_share_that_is_not_zero_is_never_shown_as_0_percent():
    from web import create_app
    from web.services.farm_report import percent

    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        assert percent(0.3) == "under 1\u00a0%"
        assert percent(0.0) == "0\u00a0%"
        assert percent(0.6) == "1\u00a0%"
        assert percent(42.4) == "42\u00a0%"
