"""A family's first visit on a cheap phone: the signed-in home, with nothing cached, is small."""
import re

from playwright.sync_api import expect

from conftest import DEMO_PASSWORD

from .conftest import check

BUDGET = 35 * 1024  # bytes on the wire, headers included

TRANSFERRED = """() => {
  const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
  return entries.map(e => ({name: e.name, bytes: e.transferSize}));
}"""


def test_a_cold_first_load_of_the_guardian_home_fits_the_budget(new_context):
    context = new_context()
    sign_in_page = context.request.get("/sign-in").text()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', sign_in_page).group(1)
    signed = context.request.post("/sign-in", form={"email": "parent@example.com", "password": DEMO_PASSWORD,
                                                    "csrf_token": token}, max_redirects=0)
    assert signed.status == 303
    page = context.new_page()  # nothing in its HTTP cache: the stylesheet and scripts come over the wire
    page.goto("/home")
    expect(page.get_by_role("heading", name=re.compile("Dana"), level=1)).to_be_visible()
    page.wait_for_load_state("load")
    entries = page.evaluate(TRANSFERRED)
    total = sum(e["bytes"] for e in entries)
    listing = "\n".join(f"  {e['bytes']:>6} {e['name']}" for e in entries)
    print(f"\ncold first load of /home: {total} bytes\n{listing}")
    assert any(e["name"].endswith(".css") and e["bytes"] for e in entries), "the stylesheet came from a cache"
    assert total <= BUDGET, f"{total} bytes transferred, over the {BUDGET} budget:\n{listing}"
    check(page)
