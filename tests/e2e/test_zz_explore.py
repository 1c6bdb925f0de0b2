import pytest
from .conftest import sign_in, axe_violations, AXE
REC = """window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile + ':' + e.lineNumber, sample: e.sample}));"""
def test_csp(new_context):
    ctx = new_context()
    ctx.add_init_script(REC)
    page = ctx.new_page()
    msgs=[]
    page.on("console", lambda m: msgs.append((m.type, m.text)))
    page.on("pageerror", lambda e: msgs.append(("pageerror", str(e))))
    sign_in(page, "parent@example.com")
    page.goto("/account/")
    print("CSP before", page.evaluate("window.__cspViolations"))
    page.evaluate(AXE.read_text())
    print(page.evaluate("typeof axe"))
    r = page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id)")
    print("AXE", r)
    print("CSP after", page.evaluate("window.__cspViolations"))
    page.get_by_label("Current password").fill("wrong-password")
    page.get_by_label("New password", exact=True).fill("another-long-password")
    page.get_by_label("Repeat the new password").fill("another-long-password")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_timeout(1500)
    print(page.locator("#security").inner_text())
    print("AXE", page.evaluate("async () => (await axe.run(document)).violations.map(v => [v.id, v.nodes.map(n=>n.target)])"))
    print("CSP after", page.evaluate("window.__cspViolations"))
    print(msgs)
