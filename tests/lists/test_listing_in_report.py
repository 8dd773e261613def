"""The subject's own credit report lists its listings (issue 3 §7: "its listings"), and a responsible
person's report carries its organization's listing (Henan 第三十五条) — in JSON and in the HTML page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from xinyong.core.db import transaction
from xinyong.reports import html
from xinyong.reports import service as reports_service
from xinyong.subjects import service as subjects_service

from .helpers import World, at, profile, subject_actor


def _report(w: World, subject_id: int, day: str) -> dict[str, Any]:
    with transaction(w.factory) as db:
        subject = subjects_service.get(db_session=db, subject_id=subject_id)
        assert subject is not None
        report = reports_service.issue(
            db_session=db, profile=w.profile, now=at(day), actor=subject_actor(subject_id), subject=subject
        )
        return dict(report.content)


def test_henan_report_shows_own_and_organizations_listing(session_factory: sessionmaker[Session]) -> None:
    w = World(session_factory, profile("henan"))
    c = w.subject(at("2026-04-01"))
    p = w.subject(at("2026-04-01"), kind="natural_person", name="孙某")
    w.link(at("2026-04-01"), c, p, "legal_representative")
    r = w.record(at("2026-04-01"), c)
    lid = w.listed(at("2026-04-20"), c, [r], ground="health_safety")
    own = _report(w, c, "2026-04-21")["listings"]
    assert [(x["id"], x["list"], x["state"], x["ground"], x["via_organization"]) for x in own] == [
        (lid, "severe", "listed", "health_safety", False)
    ]
    assert own[0]["name"] and own[0]["cite"].startswith("河南")
    person = _report(w, p, "2026-04-21")
    assert [(x["id"], x["via_organization"]) for x in person["listings"]] == [(lid, True)]
    assert "所负责单位被列入" in html.render(person, "0" * 64)
    w.remove(at("2026-05-10"), lid)
    after = _report(w, c, "2026-05-11")["listings"]
    assert [(x["state"], x["reason"], x["ended_on"]) for x in after] == [("removed", "repair", "2026-05-10")]
