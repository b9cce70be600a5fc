"""Every route family, fast paths included: a Host the server does not answer to gets 400
(absolute URLs are built from it), and every answer says X-Content-Type-Options: nosniff."""

from __future__ import annotations

import pytest

from tests.web.test_hostile_input import populated  # noqa: F401 - a fixture
from web.app import create_app

ROUTES = ["/", "/search?q=sach", "/items/open-1", "/static/style.css", "/healthz",
          "/oai?verb=Identify", "/oai?verb=ListRecords&metadataPrefix=oai_dc",
          "/iiif/open-1/manifest", "/iiif/collection/top",
          "/iiif/image/open-1~p0001/info.json", "/iiif/image/open-1~p0001/full/max/0/default.jpg",
          "/iiif/image/closed-1~p0001/info.json", "/iiif/image/nope~p0001/info.json",
          "/no-such-page"]


@pytest.mark.parametrize("url", ROUTES)
def test_a_forged_host_is_refused_on_every_route(client, populated, url):  # noqa: F811
    response = client.get(url, base_url="http://evil.example")
    assert response.status_code == 400
    assert b"evil.example" not in response.data


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:5000", "[::1]:5000", "LOCALHOST:5001"])
def test_loopback_names_are_answered_by_default(client, populated, host):  # noqa: F811
    response = client.get("/oai?verb=Identify", base_url=f"http://{host}")
    assert response.status_code == 200
    assert f"http://{host}/oai".lower().encode() in response.data.lower()


def test_with_a_base_url_only_its_host_is_answered(settings_overrides, populated):  # noqa: F811
    app = create_app({**settings_overrides, "base_url": "https://thuvien.example.org/so"})
    client = app.test_client()
    assert client.get("/oai?verb=Identify", base_url="https://thuvien.example.org"
                      ).status_code == 200
    assert client.get("/oai?verb=Identify").status_code == 400  # localhost


def test_trusted_hosts_with_a_leading_dot_admit_subdomains(settings_overrides):
    app = create_app({**settings_overrides, "trusted_hosts": ".example.org, node-1"})
    client = app.test_client()
    for host, status in (("a.example.org", 200), ("example.org", 200), ("node-1:8000", 200),
                         ("badexample.org", 400), ("localhost", 400)):
        assert client.get("/healthz", base_url=f"http://{host}").status_code == status, host


@pytest.mark.parametrize("url", ROUTES)
def test_every_answer_forbids_content_sniffing(client, populated, url):  # noqa: F811
    response = client.get(url)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", response.status_code
