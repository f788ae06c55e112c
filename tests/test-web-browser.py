#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The web page in a real browser: Debian's headless Chromium, driven by
WebDriver (chromium-driver, python3-selenium), opens the page a real
suda-serverd serves, enters a name, sends a message a TCP IRC client
receives, and receives one back; at 390x844 (a phone, English) and at
1280x800 (dark, Korean).  Screenshots go to the build folder as
web-390.png and web-1280-dark.png.  TAP output."""

import importlib.util
import os
import re
import shutil
import socket
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("server_web", os.path.join(HERE, "test-server-web.py"))
server_web = importlib.util.module_from_spec(spec)
spec.loader.exec_module(server_web)
Daemon, expect, tap, results = server_web.Daemon, server_web.expect, server_web.tap, server_web.results

CHROMEDRIVER = "/usr/bin/chromedriver"
DEADLINE_S = 30


class IrcClient:
    """A TCP IRC client with blocking reads and a deadline."""

    def __init__(self, port, nick):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S)
        self.buffer = b""
        self.nick = nick
        self.send("NICK " + nick)
        self.send("USER %s 0 * :%s" % (nick, nick))
        self.wait_for(r" 001 ")
        self.send("JOIN #lobby")
        self.wait_for(r" 366 ")

    def send(self, line):
        self.sock.sendall((line + "\r\n").encode())

    def wait_for(self, pattern):
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                line = line.decode().rstrip("\r")
                if line.startswith("PING"):
                    self.send("PONG" + line[4:])
                if re.search(pattern, line):
                    return line
            data = self.sock.recv(4096)
            expect(data, "the server closed the connection")
            self.buffer += data
        raise AssertionError("no line matched %r" % pattern)

    def close(self):
        self.sock.close()


def browser(width, height, dark, language):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=%d,%d" % (width, height), "--lang=" + language,
                     "--hide-scrollbars"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
    return driver


def wait_until(driver, condition, what):
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, DEADLINE_S).until(lambda d: condition(d))
    except Exception:
        raise AssertionError("waited in vain for " + what)


def chat_in_browser(daemon, width, height, dark, language, nick, screenshot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    carol = IrcClient(daemon.irc_port, "carol_" + nick)
    carol.send("PRIVMSG #lobby :Welcome, %s! Say something." % nick)
    driver = browser(width, height, dark, language)
    try:
        driver.get("http://127.0.0.1:%d/" % daemon.web_port)
        field = wait_until(driver, lambda d: d.find_element(By.ID, "nick"), "the name field")
        join_text = driver.find_element(By.ID, "join-button").text
        expect(join_text == ("입장" if language == "ko" else "Join"), "Join reads %r" % join_text)
        field.clear()
        field.send_keys(nick + Keys.ENTER)
        # The history replayed on JOIN, then the room's members.
        wait_until(driver, lambda d: "Say something." in d.find_element(By.ID, "lines").text,
                   "the history replayed")
        wait_until(driver, lambda d: "carol_" + nick in d.find_element(By.ID, "member-list").text
                   or "carol_" + nick in d.find_element(By.ID, "members-toggle").text
                   or d.find_element(By.ID, "members-toggle").text.endswith("(3)"),
                   "the members")
        text = "안녕하세요, everyone! (%dpx)" % width
        box = driver.find_element(By.ID, "input")
        box.send_keys(text + Keys.ENTER)
        carol.wait_for(r"^(@\S+ )?:%s!\S+ PRIVMSG #lobby :%s$" % (nick, re.escape(text)))
        carol.send("PRIVMSG #lobby :Hi %s, good to see you \x02here\x02" % nick)
        wait_until(driver, lambda d: "good to see you here" in d.find_element(By.ID, "lines").text,
                   "the answer shown")
        box.send_keys("/me waves" + Keys.ENTER)
        carol.wait_for(r"PRIVMSG #lobby :\x01ACTION waves\x01")
        wait_until(driver, lambda d: "* %s" % nick in d.find_element(By.ID, "lines").text, "/me shown")
        # The live region speaks the last message, politely.
        live = driver.find_element(By.ID, "announcer")
        expect(live.get_attribute("aria-live") == "polite", "the announcer is polite")
        background = driver.execute_script(
            "return getComputedStyle(document.body).backgroundColor")
        expect((background == "rgb(36, 36, 36)") == dark, "background %s" % background)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        expect(overflow <= 0, "the page is %dpx wider than the window" % overflow)
        driver.save_screenshot(screenshot)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        expect(not errors, "console errors (CSP?): %r" % errors)
    finally:
        driver.quit()
        carol.close()


def main():
    if not (os.access(CHROMEDRIVER, os.X_OK) and shutil.which("chromium")):
        print("1..0 # SKIP chromium and chromium-driver are not installed")
        return 0
    out = os.environ.get("G_TEST_BUILDDIR", os.getcwd())
    with tempfile.TemporaryDirectory() as folder:
        daemon = Daemon(folder)
        try:
            tap("/web/browser/phone-390", chat_in_browser, daemon, 390, 844, False, "en-US",
                "mina", os.path.join(out, "web-390.png"))
            tap("/web/browser/desktop-1280-dark-korean", chat_in_browser, daemon, 1280, 800, True,
                "ko", "jun", os.path.join(out, "web-1280-dark.png"))
        finally:
            daemon.stop()
    print("1..%d" % len(results))
    for i, (status, name, why) in enumerate(results, 1):
        print("%s %d %s" % (status, i, name))
        if why:
            print("# " + why)
    return 0 if all(r[0] == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
