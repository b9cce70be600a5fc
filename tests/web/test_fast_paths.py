"""The fast layer's route patterns match exactly the paths the Flask rules match."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule

from web.fast_paths import rule_pattern

RULES = ["/oai", "/iiif/image/<image_id>/<region>/<size>/<rotation>/<quality_format>",
         "/iiif/<string:item_id>/manifest"]
PATHS = ["/oai", "/oai/", "/oaix", "/OAI", "/iiif/image/a~p0001/full/max/0/default.jpg",
         "/iiif/image/a~p0001/full/max/0/default.jpg/", "/iiif/image//full/max/0/default.jpg",
         "/iiif/image/a/b/c/d", "/iiif/image/a/b/c/d/e/f", "/iiif/image/a.b/0,0,1,1/^!9,9/!90/x.y",
         "/iiif/x/manifest", "/iiif/x/y/manifest", "/iiif//manifest", "/iiif/x/manifestx"]


@pytest.mark.parametrize("rule", RULES)
def test_a_rule_pattern_matches_what_werkzeug_matches_with_the_same_arguments(rule):
    adapter = Map([Rule(rule, endpoint="e")]).bind("")
    pattern = rule_pattern(rule)
    for path in PATHS:
        try:
            expected = adapter.match(path)[1]
        except NotFound:
            expected = None
        found = pattern.fullmatch(path)
        assert (found.groupdict() if found else None) == expected, path


@pytest.mark.parametrize("rule", ["/iiif/<int:n>", "/iiif/<string(length=2):a>", "/x/<path:p>"])
def test_rules_with_other_converters_are_refused(rule):
    with pytest.raises(ValueError, match="plain string variables"):
        rule_pattern(rule)
