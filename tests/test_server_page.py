"""The query page (/) in real headless Chromium, driven by Selenium: a named query shows a results table
(not raw JSON), a SPARQL syntax error shows the server's message. Screenshots go to the test's tmp dir
(and to $PROBKG_SCREENSHOTS when set).

Needs Debian's ``chromium`` and ``chromium-driver``; skipped when they are missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_server import load_fixture

from probkg.server.app import background, create_app

pytestmark = [pytest.mark.server, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.skip("chromium and chromium-driver are not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1400"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Iterator[str]:
    from probkg.graph.store import OxigraphStore

    store = load_fixture(OxigraphStore(tmp_path_factory.mktemp("ox") / "s"))
    with background(create_app(store, workers=2)) as url:
        yield url
    store.close()


def _shot(driver, tmp_path: Path, name: str) -> Path:
    target = Path(os.environ.get("PROBKG_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def test_named_query_shows_a_table(browser, base, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    driver.get(base + "/")
    wait = WebDriverWait(driver, 20)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#catalogue fieldset")))
    fieldset = None
    for fs in driver.find_elements(By.CSS_SELECTOR, "#catalogue fieldset"):
        if fs.find_element(By.TAG_NAME, "legend").text.startswith("owners-by-size:"):
            fieldset = fs
            break
    assert fieldset is not None
    fieldset.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    table = WebDriverWait(fieldset, 20).until(lambda fs: fs.find_elements(By.CSS_SELECTOR, "table.results"))[
        0
    ]
    headers = [th.text for th in table.find_elements(By.TAG_NAME, "th")]
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert headers
    assert rows
    assert '"bindings"' not in fieldset.text  # a table, not raw JSON
    driver.execute_script("arguments[0].scrollIntoView()", table)
    assert _shot(driver, tmp_path, "page-named-query").stat().st_size > 0


def test_typed_query_table_and_syntax_error(browser, base, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    driver.get(base + "/")
    box = driver.find_element(By.ID, "query")
    form = driver.find_element(By.ID, "sparql-form")
    out = driver.find_element(By.ID, "sparql-out")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    table = WebDriverWait(driver, 20).until(lambda d: out.find_elements(By.CSS_SELECTOR, "table.results"))[0]
    assert [th.text for th in table.find_elements(By.TAG_NAME, "th")] == ["provider", "label"]
    box.clear()
    box.send_keys("SELECT ?x WHERE { ?x ")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = WebDriverWait(driver, 20).until(lambda d: out.find_elements(By.CSS_SELECTOR, ".error"))[0]
    assert "400" in error.text
    assert "syntax error" in error.text.lower()
    assert _shot(driver, tmp_path, "page-syntax-error").stat().st_size > 0
