"""Rebuilding an interview another machine added, from the objects a remote holds.

The interview event carries X-FOLLOWUP-DATA (company, role, times, contacts, outcomes,
dismissed steps): enough to insert the interview and plan it here; then what other
clients did to its objects (completions first, since they move later steps, then moved
times) is applied as a pull would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from followup.core.model import COMPLETED, NEEDS_ACTION, Interview
from followup.store import ItemRow, parse_moment
from followup.sync import objects as obj
from followup.sync.host import Host, Report
from followup.sync.state import SyncState
from followup.sync.storage import Target

if TYPE_CHECKING:
    import icalendar


Found = tuple[Target, str, str, "icalendar.cal.Component"]  # target, href, etag, component


def rebuild(host: Host, state: SyncState, remote: str, targets: list[Target], report: Report,
            interview_uid: str, objects: list[Found]) -> dict[str, ItemRow] | None:
    """Insert the interview unless it is here already, apply what the objects say; returns
    the interview's items by UID, or None when its interview event is missing."""
    known_ids = {r["uid"]: i for i, r in host.store.interview_summaries().items()}
    interview_id = known_ids.get(interview_uid)
    if interview_id is None:
        head = next((c for _, _, _, c in objects
                     if str(c["UID"]) == f"followup-{interview_uid}-interview"), None)
        doc = obj.read_data(head) if head is not None else None
        if doc is None:
            why = (f"not its interview event with {obj.DATA}" if head is None or obj.DATA not in head
                   else f"its interview event's {obj.DATA} cannot be read (another app changed it)")
            report.notes.append(
                f"interview {interview_uid}: its objects were found but {why}; not rebuilt")
            return None
        interview, outcomes = obj.interview_from_data(interview_uid, doc)
        if host.store.find_interview(interview.company, interview.role, interview.start):
            return None
        # Interviews are rebuilt by start, so an earlier round is here already.
        interview = dataclasses.replace(interview, round_of=known_ids.get(doc.get("round_of") or ""))
        stored = host.store.insert_interview(interview, host.now)
        assert stored.id is not None
        interview_id = stored.id
        if any(c.removed for c in interview.contacts):
            host.store.update_interview(dataclasses.replace(interview, id=interview_id))
        for outcome in outcomes:
            host.store.add_outcome(interview_id, outcome)
        host.replan(host.store.interview(interview_id))
        replan_earlier_rounds(host, host.store.interview(interview_id))
        rows = {r.key: r for r in host.store.items(interview_id, light=True)}
        present = {str(c["UID"]) for _, _, _, c in objects}
        dismissed = [rows[key] for key in doc.get("dismissed", []) if key in rows]
        for item in dismissed:
            host.store.set_dismissed(item.id)
            for uid in (item.uid, item.uid + "-event"):
                for target in targets:  # deleted there: never recreate
                    if uid not in present:
                        state.mark_gone(remote, target.name, uid)
        if dismissed:  # a dismissed step is cancelled, and the steps after it move
            host.replan(host.store.interview(interview_id))
        report.pulled += 1
    rows = {r.uid: r for r in host.store.items(interview_id, light=True)}
    moved = False
    for _, _, _, comp in objects:  # completions first: they move later steps
        row = rows.get(str(comp["UID"]))
        if row is not None and row.kind == "task" and comp.name == "VTODO" and obj.is_done(comp) \
                and row.status != COMPLETED:
            when = obj.decoded(comp, "COMPLETED")
            when = when if isinstance(when, dt.datetime) else host.now
            host.store.set_completed(row.id, obj.aware(when, row.tz))
            moved = True
    if moved:
        host.replan(host.store.interview(interview_id))
        rows = {r.uid: r for r in host.store.items(interview_id, light=True)}
    moved = False
    for _, _, _, comp in objects:
        uid = str(comp["UID"])
        row = rows.get(uid.removesuffix("-event"))
        if row is None or row.kind != "task" or row.status != NEEDS_ACTION:
            continue
        if comp.name == "VTODO" or uid.endswith("-event"):
            due = obj.as_due(obj.moved_time(comp), row)
            if due is not None and obj.instant(due) != obj.instant(parse_moment(row.due)):
                host.store.set_override(row.id, due)
                moved = True
    if moved:
        host.replan(host.store.interview(interview_id))
        rows = {r.uid: r for r in host.store.items(interview_id, light=True)}
    return rows


def replan_earlier_rounds(host: Host, interview: Interview) -> None:
    """An answer in a later round closes the earlier rounds' chase: plan them again."""
    earlier = interview.round_of
    while earlier is not None:
        previous = host.store.interview(earlier)
        host.replan(previous)
        earlier = previous.round_of


def by_start(entry: tuple[str, list[Found]]) -> tuple[str, str]:
    """Interviews rebuilt in the order they happen, so their numbers follow their dates."""
    uid, objects = entry
    starts = [obj.instant(obj.decoded(c, "DTSTART")) for _, _, _, c in objects
              if str(c["UID"]) == f"followup-{uid}-interview"]
    start = starts[0] if starts and isinstance(starts[0], dt.datetime) else None
    return (start.isoformat() if start else "~", uid)
