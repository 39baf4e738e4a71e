"""The web app in a real browser: Debian's Chromium driven by Selenium, against the app
served by a real uvicorn on a loopback port. Screenshots go to the test's folder, and to
``$COMPLIANCE_SCREENSHOTS`` when it is set."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import conftest_web
import pytest
import uvicorn
from conftest_web import PASSWORD, broken_copy, config, run

from compliance.web.app import create_app

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver"),
]
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)

programme = conftest_web.programme


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(programme):
    app = create_app(config(programme))
    port = _free_port()
    served = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not served.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert served.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.implicitly_wait(10)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _shot(driver, tmp_path: Path, name: str) -> Path:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, min(max(height, 800) + 40, 5000))
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))
    if os.environ.get("COMPLIANCE_SCREENSHOTS"):
        folder = Path(os.environ["COMPLIANCE_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, folder / path.name)
    driver.set_window_size(1400, 1000)
    return path


def _login(driver, base: str, name: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/login")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login").click()
    # The click returns before the browser has followed the redirect: wait for the next page.
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(lambda d: not d.current_url.endswith("/login"))


def test_an_inspector_uploads_sees_the_score_and_a_located_error(server, browser, programme, tmp_path):
    from selenium.webdriver.common.by import By

    fresh, broken_of = programme.units[2], programme.units[3]
    _login(browser, server, "考评员", PASSWORD["考评人员"])
    assert "考评总览" in browser.find_element(By.TAG_NAME, "h1").text
    _shot(browser, tmp_path, "01-overview")

    # A clean workbook through the page's file input: stored, with its score.
    workbook = programme.spare[fresh, "2020H1", "考评"]
    browser.get(server + "/upload")
    browser.find_element(By.ID, "files").send_keys(str(workbook))
    browser.find_element(By.ID, "upload").click()
    assert "已存入 1 份评估" in browser.find_element(By.ID, "stored-message").text
    shown = browser.find_element(By.CSS_SELECTOR, "#stored td.score").text
    expected = json.loads(run("score", str(workbook), "--json").stdout)["final"]
    assert float(shown) == expected
    _shot(browser, tmp_path, "02-upload-stored")

    # A broken one, together with a clean one: the error with its cell, nothing stored.
    broken, cell = broken_copy(programme.spare[broken_of, "2020H1", "考评"], tmp_path / "填错的检查表.xlsx")
    clean = programme.spare[broken_of, "2020H1", "自评"]
    browser.get(server + "/upload")
    browser.find_element(By.ID, "files").send_keys(f"{broken}\n{clean}")
    browser.find_element(By.ID, "upload").click()
    assert "未存入任何评估" in browser.find_element(By.ID, "refused").text
    located = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.findings tr.error td.where")]
    assert located == [cell]
    _shot(browser, tmp_path, "03-upload-error")

    # The ranking, and the unit page now led by the uploaded round.
    browser.get(server + "/rounds/2019H2")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#ranking tbody tr")) == len(programme.units)
    _shot(browser, tmp_path, "04-ranking")
    browser.get(server + f"/units/{fresh}")
    assert "2020年上半年 考评结果" in browser.find_element(By.CSS_SELECTOR, "#summary h2").text
    assert float(browser.find_element(By.ID, "final").text) == expected
    _shot(browser, tmp_path, "05-unit")


def test_a_squad_sees_its_own_unit_and_is_refused_the_others(server, browser, programme, tmp_path):
    from selenium.webdriver.common.by import By

    _login(browser, server, "本队", PASSWORD["中队"])
    assert browser.current_url.endswith(f"/units/{programme.own}")
    assert browser.find_elements(By.ID, "rectification")
    _shot(browser, tmp_path, "06-squad-own-unit")
    browser.get(server + f"/units/{programme.other}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "无权访问"
    assert programme.other not in browser.page_source.split("<main>", 1)[1]
    browser.get(server + "/rounds/2019H2")
    assert browser.find_element(By.TAG_NAME, "h1").text == "无权访问"
