"""An upload that would delete stored animals is refused, then replaced only when confirmed.

Issue 9, section 2, as a user meets it: a new account uploads the example
workbook, then the same workbook without its sheet "Djur". The job page says
nothing was saved and lists what would go; pressing the button without
ticking the box changes nothing; ticking it imports the same file and says
what was removed.
"""

from __future__ import annotations

import io

import openpyxl
from browserkit import axe_violations, describe_violations, require_browser, sign_up, sv
from browserkit import unique_email as new_email

require_browser()
from playwright.sync_api import expect  # noqa: E402

from farmcalc.excel import write_template  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _example(without: str | None = None) -> bytes:
    buf = io.BytesIO()
    write_template(buf, example=True)
    if without is None:
        return buf.getvalue()
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    del wb[without]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(page, server, name: str, data: bytes) -> None:
    page.goto(server("/import/"))
    main = page.get_by_role("main")
    main.get_by_label(sv("Workbook (.xlsx)")).set_input_files(
        {"name": name, "mimeType": XLSX, "buffer": data}
    )
    main.get_by_role("button", name=sv("Upload and import")).click()
    page.wait_for_url("**/import/jobs/*")


def test_a_missing_sheet_is_refused_then_replaced_on_confirmation(live_server, new_page, shot):
    page = new_page(live_server)
    sign_up(page, live_server, name="Ida Importör", email=new_email())
    main = page.get_by_role("main")
    _upload(page, live_server, "exempel.xlsx", _example())
    expect(main).to_contain_text(sv("The workbook is imported and every farm is calculated."))

    _upload(page, live_server, "exempel-utan-djur.xlsx", _example(without="Djur"))
    expect(page.get_by_role("alert")).to_contain_text(
        sv("The workbook would remove stored data. Nothing was saved.")
    )
    removals = main.get_by_role("list").filter(has_text="EX-000002")
    expect(removals).to_contain_text("mjölkkor 207 st., kvigor 165 st., kalvar 82 st.")
    expect(main.get_by_role("heading", level=3)).to_have_text(
        sv('Sheet "{sheet}"').format(sheet="Djur") + ": " + sv("the workbook has no such sheet")
    )
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, "refused")

    # the button alone does nothing
    button = main.get_by_role("button", name=sv("Replace and import"))
    button.click()
    expect(main).to_contain_text(
        sv(
            "Tick the box to confirm that the rows listed are to be removed; nothing has "
            "been changed."
        )
    )
    shot(page, "not-ticked")

    # ticked: the same file is imported, the animals removed, and the page says so
    main.get_by_label(sv("Replace: remove the stored rows listed above")).check()
    main.get_by_role("button", name=sv("Replace and import")).click()
    expect(main).to_contain_text(sv("The workbook is imported and every farm is calculated."))
    expect(main.get_by_role("heading", name=sv("Removed"))).to_be_visible()
    expect(main).to_contain_text("EX-000002")
    expect(main.get_by_role("button", name=sv("Replace and import"))).to_have_count(0)
    shot(page, "replaced")
