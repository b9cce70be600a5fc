"""The portal's sign-in, sign-out and account pages over HTTP (both databases): outcomes in
the reader's language, CSRF, the `next` target, the rate limit across two workers, sessions
ended everywhere, and the readers images they open."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from lxml import html

from store.write.readers import disable_reader, set_password
from tests.web.accounts_helpers import add, csrf, sign_in
from web.app import create_app
from web.context import context_of

pytestmark = pytest.mark.usefixtures("light_argon2")


@pytest.fixture
def second_app(settings_overrides):
    """Another app (another worker or node) over the same database and secret."""
    app = create_app(settings_overrides)
    yield app
    context_of(app).store.dispose()


def text_of(response) -> str:
    return " ".join(html.fromstring(response.get_data(as_text=True)).xpath("//main")[0]
                    .text_content().split())


def test_a_reader_signs_in_and_the_header_shows_who_with_a_sign_out_form(app, client):
    add(app)
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = html.fromstring(client.get("/").get_data(as_text=True))
    assert page.xpath("string(//nav[@class='reader']/a)") == "Bạn đọc: lan"
    form = page.xpath("//nav[@class='reader']/form")[0]
    assert form.get("action") == "/logout" and form.get("method") == "post"
    assert form.xpath("input[@name='csrf_token']/@value")


def test_the_session_cookie_is_secure_under_an_https_base_url(settings_overrides):
    app = create_app(settings_overrides | {"base_url": "https://thuvien.example.vn",
                                           "trusted_hosts": "localhost"})
    add(app)
    response = sign_in(app.test_client())
    assert response.status_code == 303 and "Secure" in response.headers["Set-Cookie"]
    context_of(app).store.dispose()


@pytest.mark.parametrize("login, password", [("lan", "sai mật khẩu"), ("nobody", "mật khẩu dài"),
                                             ("lan\u202e", "mật khẩu dài"), ("", "")])
def test_wrong_or_unknown_logins_get_one_and_the_same_message(app, client, login, password):
    add(app)
    response = sign_in(client, login, password)
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in text_of(response)
    assert "Bạn đọc:" not in response.get_data(as_text=True)


def test_an_expired_reader_is_told_the_last_day_and_whom_to_ask(settings_overrides):
    app = create_app(settings_overrides | {"library_contact": "quầy thủ thư, 0225 3842 123"})
    client = app.test_client()
    add(app, "cu", "mật khẩu cũ", date.today() - timedelta(days=1))
    ended = (date.today() - timedelta(days=1))
    response = sign_in(client, "cu", "mật khẩu cũ")
    assert response.status_code == 403
    assert (f"Tài khoản của bạn đã hết hạn từ sau ngày {ended:%d/%m/%Y}. Để gia hạn hoặc mở "
            "lại tài khoản, hãy liên hệ: quầy thủ thư, 0225 3842 123.") in text_of(response)
    client.get("/?lang=en")
    english = sign_in(client, "cu", "mật khẩu cũ")
    assert f"valid until {ended.day} {ended:%B %Y} and has expired" in text_of(english)
    assert "ask: quầy thủ thư, 0225 3842 123." in text_of(english)
    context_of(app).store.dispose()


def test_a_disabled_reader_is_told_so_and_gets_no_session(app, client):
    add(app, "khoa", "mật khẩu khoá")
    with context_of(app).store.session() as s:
        disable_reader(s, "khoa")
    response = sign_in(client, "khoa", "mật khẩu khoá")
    assert response.status_code == 403
    assert "Tài khoản của bạn đã bị khoá." in text_of(response)
    assert "hãy hỏi thủ thư" in text_of(response)
    assert client.get("/account").status_code == 303


@pytest.mark.parametrize("token", [None, "", "forged-token", "IjEyMyI.ZzZz.abc"])
def test_a_form_without_its_csrf_token_is_refused_with_a_clear_page(app, client, token):
    add(app)
    csrf(client)
    form = {"login": "lan", "password": "mật khẩu dài"}
    if token is not None:
        form["csrf_token"] = token
    response = client.post("/login", data=form)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "Biểu mẫu không còn hợp lệ" in text_of(response)
    assert "Traceback" not in response.get_data(as_text=True)
    assert client.post("/logout").status_code == 400


def test_a_token_of_another_browser_is_refused(app, client):
    add(app)
    other = app.test_client()
    response = client.post("/login", data={"csrf_token": csrf(other), "login": "lan",
                                           "password": "mật khẩu dài"})
    assert response.status_code == 400


def test_oai_pmh_posts_need_no_csrf_token(client):
    response = client.post("/oai", data={"verb": "Identify"})
    assert response.status_code == 200 and b"<Identify>" in response.data


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "https://evil.example/", "http:/evil.example",
    "/%2F%2Fevil.example", "/%252F%252Fevil.example", "%2F%2Fevil.example", "/%5Cevil.example",
    "/\t/evil.example", "/items/x\r\nSet-Cookie: a=b", "/\x00", "javascript:alert(1)",
    "/%09/evil.example", "\\\\evil.example", " //evil.example", "/" + "a" * 3000,
    "/%0d%0aSet-Cookie:%20a=b", "/\uff0f\uff0fevil.example", "/\u2028//evil.example",
    "/items/thư"])
def test_next_targets_off_this_site_send_the_reader_home(app, client, target):
    add(app)
    response = sign_in(client, next_=target)
    assert response.status_code == 303 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/items/sach-1", "/search?q=l%E1%BB%8Bch+s%E1%BB%AD&page=2",
                                    "/account"])
def test_next_paths_of_this_site_are_followed(app, client, target):
    add(app)
    response = sign_in(client, next_=target)
    assert response.status_code == 303 and response.headers["Location"] == target


def test_the_headers_sign_in_link_returns_to_the_page_it_was_on(app, client):
    add(app)
    url = "/search?q=l%E1%BB%8Bch+s%E1%BB%AD&page=1"
    link = html.fromstring(client.get(url).data).xpath("//nav[@class='reader']/a/@href")[0]
    login_page = html.fromstring(client.get(link).data)
    target = login_page.xpath("string(//input[@name='next']/@value)")
    assert target == url
    assert sign_in(client, next_=target).headers["Location"] == url


def test_the_login_page_keeps_next_and_sign_out_ends_the_session(app, client):
    add(app)
    page = html.fromstring(client.get("/login?next=/items/sach-1").get_data(as_text=True))
    assert page.xpath("string(//form[@action='/login']/input[@name='next']/@value)") \
        == "/items/sach-1"
    sign_in(client)
    assert client.get("/account").status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    assert out.status_code == 303
    assert client.get("/account").status_code == 303


def test_ten_failures_then_429_across_two_workers_over_one_database(app, client, second_app):
    add(app)
    other = second_app.test_client()
    for attempt in range(10):
        worker = client if attempt % 2 else other
        assert sign_in(worker, "lan", f"đoán {attempt}").status_code == 401
    for worker in (client, other):
        refused = sign_in(worker, "lan", "mật khẩu dài")  # even the right password waits
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
        assert "Có quá nhiều lần đăng nhập sai. Hãy thử lại sau 15 phút." in text_of(refused)


def test_the_limit_per_client_address_holds_for_other_logins(app, client):
    add(app)
    for attempt in range(10):
        sign_in(client, f"ai{attempt}", "đoán", REMOTE_ADDR="203.0.113.5")
    assert sign_in(client, "lan", "mật khẩu dài", REMOTE_ADDR="203.0.113.5").status_code == 429
    assert sign_in(client, "lan", "mật khẩu dài", REMOTE_ADDR="203.0.113.6").status_code == 303


def test_forwarded_addresses_count_only_behind_trusted_proxies(settings_overrides):
    for hops, limited_by_header in ((0, False), (1, True)):
        app = create_app(settings_overrides | {"trusted_proxies": hops})
        client = app.test_client()
        if hops == 0:
            add(app)
        for attempt in range(10):  # each through the proxy from a new forged address
            sign_in(client, f"x{hops}{attempt}", "đoán", REMOTE_ADDR="10.0.0.1",
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
        # without trusted proxies the proxy's own address is the client: it is limited
        again = sign_in(client, "lan", "mật khẩu dài", REMOTE_ADDR="10.0.0.1",
                        HTTP_X_FORWARDED_FOR="198.51.100.200")
        assert (again.status_code == 429) is not limited_by_header
        context_of(app).store.dispose()


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
        app, client, second_app):
    add(app)
    sign_in(client)
    elsewhere = second_app.test_client()
    sign_in(elsewhere)
    wrong = client.post("/account", data={"csrf_token": csrf(client, "/account"),
                                          "current": "không phải", "new": "mật khẩu mới 2027",
                                          "again": "mật khẩu mới 2027"})
    assert wrong.status_code == 403 and "Mật khẩu hiện tại không đúng." in text_of(wrong)
    mismatch = client.post("/account", data={"csrf_token": csrf(client, "/account"),
                                             "current": "mật khẩu dài", "new": "mật khẩu mới 1",
                                             "again": "mật khẩu mới 2"})
    assert mismatch.status_code == 400
    done = client.post("/account", data={"csrf_token": csrf(client, "/account"),
                                         "current": "mật khẩu dài", "new": "mật khẩu mới 2027",
                                         "again": "mật khẩu mới 2027"})
    assert done.status_code == 200 and "Đã đổi mật khẩu." in text_of(done)
    assert client.get("/account").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/account").status_code == 303  # the other one is signed out
    assert sign_in(app.test_client(), "lan", "mật khẩu mới 2027").status_code == 303


def test_the_account_page_says_until_when_the_account_is_valid(app, client):
    add(app, "lan", "mật khẩu dài", date(2027, 6, 30), name="Nguyễn Thị Lan")
    # the account must be valid today for the page: the test's date is before 2027-06-30
    if date.today() > date(2027, 6, 30):
        pytest.skip("the fixed date has passed")
    sign_in(client)
    page = client.get("/account")
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "Tài khoản có giá trị đến hết ngày 30/06/2027." in text_of(page)
    assert "Nguyễn Thị Lan (lan)" in text_of(page)


@pytest.mark.parametrize("end", ["disable", "reset", "expire"])
def test_sessions_end_on_every_worker_when_the_account_changes(app, client, second_app, end):
    add(app)
    sign_in(client)
    other = second_app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)  # the same browser, node 2
    assert other.get("/account").status_code == 200
    with context_of(app).store.session() as s:
        if end == "disable":
            disable_reader(s, "lan")
        elif end == "reset":
            set_password(s, "lan", "mật khẩu được cấp lại")
        else:
            from store.write.readers import extend_reader
            extend_reader(s, "lan", date.today() - timedelta(days=1))
    assert other.get("/account").status_code == 303
    assert client.get("/account").status_code == 303


@pytest.mark.parametrize("cookie", ["", "garbage", "eyJyZWFkZXIiOlsibGFuIiwxXX0.Zz.abc",
                                    "eyJyZWFkZXIiOlsibGFuIiwxXX0"])
def test_forged_or_tampered_session_cookies_are_anonymous(app, client, cookie):
    add(app)
    client.set_cookie("session", cookie)
    assert client.get("/account").status_code == 303


def test_a_session_signed_with_another_secret_is_anonymous(app, client, settings_overrides):
    add(app)
    stranger = create_app(settings_overrides | {"secret_key": "another-secret"})
    thief = stranger.test_client()
    sign_in(thief)
    client.set_cookie("session", thief.get_cookie("session").value)
    assert client.get("/account").status_code == 303
    context_of(stranger).store.dispose()
