"""The Content-Security-Policy in a real browser: Chromium refuses on cpom's pages what the policy forbids, and the
journeys hear of it (tests/browser/conftest.py fails the journey during which the browser refused something)."""

from journeys import log_in


def test_the_browser_refuses_inline_code_and_styles_set_by_a_script_and_the_journeys_hear_it(
    browser, reading_server, policy_violations
):
    page = log_in(browser, reading_server, "asso")
    page.evaluate(
        """() => {
            document.body.setAttribute("style", "background: red");
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
        }"""
    )
    assert page.evaluate("window.inlineRan") is None
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    found = "\n".join(policy_violations.collected())
    assert "inline style violates the following Content Security Policy directive 'style-src 'self''" in found
    assert "inline script violates the following Content Security Policy directive 'script-src 'self''" in found
    assert f"{reading_server.url}/ : " in found
    policy_violations.start()  # heard: this journey caused them on purpose
    page.close()


def test_a_contract_page_opens_under_the_policy_with_its_styles_and_scripts(browser, reading_server):
    page = log_in(browser, reading_server, "asso")
    page.get_by_role("link", name="CPOM-PDL-2027-044-01").click()
    # The DSFR's style sheet applied (its own font) and its script ran (it marks the page as started).
    assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.evaluate("document.documentElement.dataset.frJs") == "true"
    page.close()
