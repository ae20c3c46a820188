"""What the browser journeys share: signing in, and ticking a DSFR checkbox as a person does."""

from cpom.demo.loader import DEMO_PASSWORD


def log_in(browser, server, username, locale=None):
    """A new page of ``username``'s, on the home page, signed in.

    The first time on a server, through the sign-in form; the next times, in the session that sign-in opened, as a
    person's browser keeps its cookie (each sign-in costs a hash of the platform's password hasher on the server).
    """
    options = {"locale": locale} if locale else {}
    kept = server.sessions.get((username, locale))
    if kept is not None:
        page = browser.new_page(storage_state=kept, **options)
        page.goto(f"{server.url}/")
        return page
    page = browser.new_page(**options)
    page.goto(f"{server.url}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{server.url}/")
    server.sessions[(username, locale)] = page.context.storage_state()
    return page


def tick(page, label):
    """DSFR draws its own checkboxes: a person clicks the label, and so does the test."""
    page.locator("label.fr-label", has_text=label).click()
    assert page.get_by_label(label).is_checked()
