"""Routing, where the mutation run (docs/mutation-testing.md) found rules no other unit test
pinned down."""

from __future__ import annotations

from datetime import timedelta

import pytest

from routing.promise import PromiseTerms


@pytest.mark.parametrize(
    "terms, message",
    [
        ({"delivery_speed_kmh": 0.0}, "delivery_speed_kmh must be > 0, got 0.0"),
        ({"delivery_speed_kmh": float("nan")}, "delivery_speed_kmh must be > 0, got nan"),
        ({"express_lead_days": -1}, "express_lead_days must be >= 0, got -1"),
        ({"transfer_lead": timedelta(microseconds=-1)}, "transfer_lead must be >= 0, got -1 day, 23:59:59.999999"),
    ],
)
def test_promise_terms_that_promise_nothing_sensible_are_refused(terms, message):
    with pytest.raises(ValueError) as caught:
        PromiseTerms(**terms)
    assert str(caught.value) == message


def test_the_smallest_sensible_promise_terms_are_accepted():
    # a slow courier, express the same day, transfers arriving at once: odd, but promises can be made
    terms = PromiseTerms(delivery_speed_kmh=0.5, express_lead_days=0, transfer_lead=timedelta(0))
    assert (terms.delivery_speed_kmh, terms.express_lead_days, terms.transfer_lead) == (0.5, 0, timedelta(0))
