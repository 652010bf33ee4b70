"""The sync engine: decides what to push and what to pull; storages only move bytes.

A remote has one or two *targets* (a storage plus the component types it holds): a vdir
folder or a CalDAV collection that takes both VTODO and VEVENT, or separate task and event
collections.  A remote holds what the ``full`` profile holds: a VTODO per task, a VEVENT per
event (interview, decision date) and per call slot.

One ``sync`` is: pull (``changes()`` per target, multiget what changed, then one store
transaction applying check-offs, re-openings, moved times, deletions and interviews added
on another machine), then push (create with If-None-Match, update with If-Match only when
the item's sequence moved since the last push, delete what no longer exists).  An update
patches the server's copy: our properties and our alarm are replaced, everything other
clients added stays (CALENDAR_RULES.md, rule 18).  A 412 fetches the server's copy, applies
its changes as a pull would (a completion is never lost), and retries.  Push results are
recorded as they land, so a run that dies half-way is continued by the next one; a create
that finds its object already there (a previous run's PUT landed) adopts it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from followup.core.model import COMPLETED, NEEDS_ACTION
from followup.core.render import CALENDAR_NAME, assemble, calendar_header, event_uid, in_profile, interview_data
from followup.store import ItemRow, parse_moment
from followup.sync import objects as obj
from followup.sync.host import Host, Report
from followup.sync.rebuild import Found, by_start, rebuild, replan_earlier_rounds
from followup.sync.state import ObjectRow, SyncState
from followup.sync.storage import (
    Listing,
    NotFoundError,
    PreconditionFailed,
    StorageError,
    Target,
    href_for_uid,
)

if TYPE_CHECKING:
    import icalendar

__all__ = ["Host", "Report", "Engine"]  # Host and Report re-exported from sync.host

UTC = dt.timezone.utc
RETRIES = 3
BATCH = 50  # push results recorded per store transaction


# -- the engine ----------------------------------------------------------------------------


@dataclass
class _Want:
    uid: str  # the component's UID
    item: ItemRow  # light: without the cached renders
    component: str  # VTODO | VEVENT
    data: str | None = None  # X-FOLLOWUP-DATA, for the interview event

    @property
    def data_hash(self) -> str | None:
        return hashlib.sha256(self.data.encode()).hexdigest()[:16] if self.data else None


class Engine:
    """Syncs one remote's targets with the store of ``service`` (a followup Service)."""

    def __init__(self, host: Host, remote: str, targets: list[Target], *,
                 before_write: Callable[[str, str], None] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.host = host
        self.store = host.store
        self.remote = remote
        self.targets = targets
        self.state = SyncState(self.store.db)
        self.report = Report(remote)
        self.before_write = before_write
        self.progress = progress  # (writes done, writes planned) while pushing
        self._pending: list[Callable[[], None]] = []
        self._headers: dict[tuple[str, ...], icalendar.Calendar] = {}

    # -- entry points ----------------------------------------------------------------

    def sync(self, pull: bool = True, push: bool = True) -> Report:
        """Run both ways; a StorageError ends the run after recording what landed."""
        try:
            if pull:
                self.pull()
            if push:
                for _ in range(RETRIES):
                    revision = self.store.revision()
                    self.push()
                    if self.store.revision() == revision:
                        break
        except StorageError as exc:
            self.report.errors.append(str(exc))
        finally:
            self._flush()
        return self.report

    # -- pull --------------------------------------------------------------------------

    def pull(self) -> None:
        fetched: list[tuple[Target, str, str, bytes]] = []
        deletions: list[tuple[Target, str]] = []
        tokens: dict[str, str | None] = {}
        for target in self.targets:
            token = self.state.token(self.remote, target.name)
            new_token, listed, deleted = target.storage.changes(token)
            changed: list[Listing] = listed or []
            tokens[target.name] = new_token
            if token is not None and new_token == token and not changed and not deleted:
                continue  # nothing happened there since the last sync
            known = self.state.objects(self.remote, target.name)
            # A "sync:" token is RFC 6578 incremental; anything else lists the whole target.
            full = not (token and token.startswith("sync:") and (new_token or "").startswith("sync:"))
            gone = set(deleted)
            if full:
                gone |= set(known) - {x.href for x in changed}
            want = [x.href for x in changed
                    if x.href not in gone and (x.href not in known or known[x.href].etag != x.etag)]
            got = target.storage.get(want) if want else {}
            gone |= {h for h in want if h not in got} & set(known)
            fetched += [(target, href, etag, data) for href, (data, etag) in got.items()]
            deletions += [(target, href) for href in sorted(gone) if href in known]
        with self.host.change(push=False):
            self._apply_pull(fetched, deletions)
            for name, token in tokens.items():
                self.state.set_token(self.remote, name, token)

    def _items(self) -> dict[str, ItemRow]:
        return {row.uid: row for row in self.store.items(light=True)}

    def _apply_pull(self, fetched: list[tuple[Target, str, str, bytes]],
                    deletions: list[tuple[Target, str]]) -> None:
        items = self._items()
        objects = {t.name: self.state.objects(self.remote, t.name) for t in self.targets}
        strangers: dict[str, list[Found]] = {}
        for target, href, etag, data in fetched:
            comp = obj.component_of(data)
            known = objects[target.name].get(href)
            uid = str(comp["UID"]) if comp is not None else None
            row = items.get(uid.removesuffix("-event")) if uid else None
            if row is not None and self.store.find_item(str(row.id)) is None:
                continue  # its plan let it go during this pull (an outcome taken back)
            if comp is None or uid is None or (row is None and "X-FOLLOWUP-INTERVIEW" not in comp):
                self.state.put(ObjectRow(self.remote, target.name, href, etag, uid, 0))
                continue
            if row is None:
                owner = str(comp["X-FOLLOWUP-INTERVIEW"])
                if not self.store.was_removed(owner):  # `followup rm`: never rebuilt
                    strangers.setdefault(owner, []).append((target, href, etag, comp))
                continue
            previous = known.pushed if known is not None and known.ours else None
            if self._reconcile(row, uid, obj.parse(previous), comp):
                self.report.pulled += 1
            self._remember(target, href, etag, uid, comp, known)
        for interview_uid, found in sorted(strangers.items(), key=by_start):
            self._rebuild(interview_uid, found)
        for target, href in deletions:
            known = objects[target.name].get(href)
            self.state.drop(self.remote, target.name, href)
            if known is None or not known.ours or not known.uid:
                continue
            self.state.mark_gone(self.remote, target.name, known.uid)
            row = items.get(known.uid.removesuffix("-event"))
            if row is not None:
                row = self.store.find_item(str(row.id))
            if row is not None and not row.dismissed:
                self.store.set_dismissed(row.id)
                self._replan(row)
                self.report.pulled += 1

    def _remember(self, target: Target, href: str, etag: str, uid: str,
                  comp: icalendar.cal.Component, known: ObjectRow | None) -> None:
        text = obj.text(comp)
        if known is not None and known.ours:
            row = dataclasses.replace(known, etag=etag, server=text)
        else:  # adopted: the server's copy stands for what we pushed; update unless equal
            row = ObjectRow(self.remote, target.name, href, etag, uid, 1, -1, None, text, None)
        self.state.put(row)

    def _replan(self, row: ItemRow) -> None:
        self.host.replan(self.store.interview(row.interview_id))

    def _reconcile(self, row: ItemRow, uid: str, previous: icalendar.cal.Component | None,
                   server: icalendar.cal.Component) -> bool:
        """Apply what another client changed in ``server`` since ``previous``; True if any.

        Without ``previous`` (an object adopted rather than pushed) only a completion counts:
        a completion on either side is never lost.
        """
        changed = False
        task_form = server.name == "VTODO"
        if row.kind == "task" and task_form:
            s_done, p_done = obj.is_done(server), obj.is_done(previous)
            if s_done and (previous is None or not p_done) and row.status != COMPLETED:
                when = obj.decoded(server, "COMPLETED")
                when = when if isinstance(when, dt.datetime) else self.host.now
                when = min(obj.aware(when, row.tz), self.host.now)
                self.host.done([row.uid], when)
                changed = True
            elif previous is not None and p_done and not s_done and row.status == COMPLETED \
                    and not obj.is_cancelled(server):
                self.host.undo([row.uid])
                changed = True
        if previous is None:
            return changed
        if obj.is_cancelled(server) and not obj.is_cancelled(previous) and not row.dismissed \
                and row.status != COMPLETED:
            self.store.set_dismissed(row.id)
            self._replan(row)
            return True
        if row.kind == "task" and (task_form or uid.endswith("-event")):
            moved = obj.moved_time(server)
            current = self.store.item_by_ref(str(row.id))
            if moved is not None and moved != obj.moved_time(previous) and current.status == NEEDS_ACTION:
                due = obj.as_due(moved, current)
                if due is not None and obj.instant(due) != obj.instant(parse_moment(current.due)):
                    self.store.set_override(row.id, due)
                    self._replan(row)
                    changed = True
        elif row.key == "interview" and server.name == "VEVENT":
            changed = self._merge_data(row, obj.read_data(previous), obj.read_data(server)) or changed
        if row.kind == "event" and obj.moved_time(server) != obj.moved_time(previous):
            self.report.notes.append(f"{uid} was moved in another app; its time follows the "
                                     "interview: change that with `followup edit`")
        return changed

    def _merge_data(self, row: ItemRow, before: dict[str, Any] | None,
                    after: dict[str, Any] | None) -> bool:
        """Outcomes and dismissals another machine recorded (carried on the interview event)."""
        if not after or after == before:
            return False
        interview = self.store.interview(row.interview_id)
        have = {o.kind for o in self.store.outcomes(row.interview_id)}
        _, outcomes = obj.interview_from_data(interview.uid, after)
        changed = False
        if before is not None:  # taken back there (`outcome --clear` or `--replace`)
            _, previously = obj.interview_from_data(interview.uid, before)
            for kind in {o.kind for o in previously} - {o.kind for o in outcomes}:
                if kind in have:
                    self.store.remove_outcome(row.interview_id, kind)
                    changed = True
        for outcome in outcomes:
            if outcome.kind not in have:
                self.store.add_outcome(row.interview_id, outcome)
                changed = True
        dismissed = set(after.get("dismissed", [])) - set((before or {}).get("dismissed", []))
        for item in self.store.items(row.interview_id, light=True):
            if item.key in dismissed and not item.dismissed:
                self.store.set_dismissed(item.id)
                changed = True
        if changed:
            self._replan(row)
            replan_earlier_rounds(self.host, interview)
        return changed

    def _rebuild(self, interview_uid: str, objects: list[Found]) -> None:
        """An interview added on another machine: rebuilt, then its objects remembered."""
        rows = rebuild(self.host, self.state, self.remote, self.targets, self.report,
                       interview_uid, objects)
        if rows is None:
            return
        for target, href, etag, comp in objects:
            uid = str(comp["UID"])
            if uid.removesuffix("-event") in rows:
                self._remember(target, href, etag, uid, comp, None)
            else:  # a step this machine does not plan: not ours to update or delete
                self.state.put(ObjectRow(self.remote, target.name, href, etag, uid, 0))

    # -- push ----------------------------------------------------------------------------

    def _wants(self) -> dict[str, list[_Want]]:
        out: dict[str, list[_Want]] = {t.name: [] for t in self.targets}
        by_component: dict[str, str] = {}
        for target in self.targets:
            for comp in sorted(target.components):
                by_component.setdefault(comp, target.name)
        data: dict[int, str] = {}
        for row in self.store.items(light=True):
            want_todo, want_event = in_profile("full", row.kind, row.start is not None
                                               and row.kind == "task")
            if want_todo and "VTODO" in by_component:
                out[by_component["VTODO"]].append(_Want(row.uid, row, "VTODO"))
            if want_event and "VEVENT" in by_component:
                want = _Want(event_uid(row.uid, row.kind), row, "VEVENT")
                if row.key == "interview":
                    if row.interview_id not in data:
                        data[row.interview_id] = self._data(row.interview_id)
                    want.data = data[row.interview_id]
                out[by_component["VEVENT"]].append(want)
        return out

    def _data(self, interview_id: int) -> str:
        dismissed = [r.key for r in self.store.items(interview_id, light=True) if r.dismissed]
        interview = self.store.interview(interview_id)
        earlier = interview.round_of
        return interview_data(interview, self.store.outcomes(interview_id), dismissed,
                              self.store.interview_uid(earlier) if earlier is not None else None)

    def push(self) -> None:
        self._flush()
        with self.store.snapshot():
            wants = self._wants()
            plans: list[tuple[str, Target, _Want | None, ObjectRow | None]] = []
            for target in self.targets:
                objects = self.state.objects(self.remote, target.name)
                by_uid = {r.uid: r for r in objects.values() if r.ours}
                gone = self.state.gone(self.remote, target.name)
                wanted = set()
                for want in wants[target.name]:
                    wanted.add(want.uid)
                    known = by_uid.get(want.uid)
                    if known is None:
                        if want.uid not in gone:
                            plans.append(("create", target, want, None))
                    elif known.sequence != want.item.sequence or known.data_hash != want.data_hash:
                        plans.append(("update", target, want, known))
                for uid, known in sorted(by_uid.items()):
                    if uid not in wanted:
                        plans.append(("delete", target, None, known))
        for done, (action, target, planned, row) in enumerate(plans, 1):
            if self.progress is not None:
                self.progress(done - 1, len(plans))
            if action == "create" and planned is not None:
                self._create(target, planned)
            elif action == "update" and planned is not None and row is not None:
                self._update(target, planned, row)
            elif row is not None:
                self._delete(target, row)
            if len(self._pending) >= BATCH:
                self._flush()
        if self.progress is not None and plans:
            self.progress(len(plans), len(plans))

    def _ours_text(self, want: _Want) -> str:
        """Our render of the object: the cached text, plus X-FOLLOWUP-DATA on an interview."""
        row = self.store.item_by_ref(str(want.item.id))
        text = row.vtodo if want.component == "VTODO" else row.vevent
        assert text is not None
        if want.data is None:
            return str(text)
        comp = obj.parse(text)
        assert comp is not None
        comp.pop(obj.DATA, None)
        import icalendar

        comp.add(obj.DATA, icalendar.vText(want.data))
        return obj.text(comp)

    def _ours(self, want: _Want) -> icalendar.cal.Component:
        comp = obj.parse(self._ours_text(want))
        assert comp is not None
        return comp

    def _bytes(self, comp: icalendar.cal.Component | str, item: ItemRow) -> bytes:
        """A calendar object: the component and a VTIMEZONE for each zone it uses."""
        tzids = {item.tz}
        if not isinstance(comp, str):  # a patched copy may hold zones other clients used
            for prop in comp.property_items(recursive=True, sorted=False):
                tzid = getattr(prop[1], "params", {}).get("TZID") if len(prop) > 1 else None
                if tzid:
                    try:
                        ZoneInfo(str(tzid))
                    except Exception:  # noqa: BLE001 - a foreign zone name: leave it as it is
                        continue
                    tzids.add(str(tzid))
            comp = obj.text(comp)
        key = tuple(sorted(tzids))
        header = self._headers.get(key)
        if header is None:
            header = self._headers[key] = calendar_header(CALENDAR_NAME, tzids)
        return assemble(header, [comp])

    def _write(self, kind: str, href: str) -> None:
        if self.before_write is not None:
            self.before_write(kind, href)

    def _create(self, target: Target, want: _Want) -> None:
        ours = self._ours_text(want)
        self._write("create", want.uid)
        try:
            href, etag = target.storage.create(want.uid, self._bytes(ours, want.item))
        except PreconditionFailed as exc:
            self._adopt(target, want, exc.href)
            return
        self.report.created += 1
        self._record(ObjectRow(self.remote, target.name, href, etag, want.uid, 1,
                               want.item.sequence, want.data_hash, ours, None))

    def _adopt(self, target: Target, want: _Want, href: str | None) -> None:
        """Our object is there already (a previous run's PUT landed): take it over."""
        candidates = [href] if href else []
        if not candidates:
            mine = {h for h, r in self.state.objects(self.remote, target.name).items() if r.ours}
            listing = [x.href for x in target.storage.list() if x.href not in mine]
            candidates = [h for h in listing if h.rsplit("/", 1)[-1] == href_for_uid(want.uid)]
            candidates += [h for h in listing if h not in candidates]
        for found_href, (data, etag) in target.storage.get(candidates).items():
            comp = obj.component_of(data)
            if comp is not None and str(comp["UID"]) == want.uid:
                self._flush()
                with self.host.change(push=False):
                    self._reconcile(want.item, want.uid, None, comp)
                    self._remember(target, found_href, etag, want.uid, comp, None)
                known = self.state.objects(self.remote, target.name)[found_href]
                self._update(target, dataclasses.replace(want, item=self._fresh(want)), known)
                return
        raise StorageError(f"remote '{self.remote}': cannot create {want.uid}: the server "
                           "refuses it as a duplicate but holds no object with that UID")

    def _fresh(self, want: _Want) -> ItemRow:
        return self.store.item_by_ref(str(want.item.id))

    def _update(self, target: Target, want: _Want, known: ObjectRow) -> None:
        for attempt in range(RETRIES + 1):
            ours = self._ours(want)
            base, previous = obj.parse(known.base), obj.parse(known.pushed)
            new = obj.patch(base, ours, previous) if base is not None else ours
            if base is not None and obj.signature(new) == obj.signature(base):
                # nothing another client would see changes: remember, do not write
                self._record(dataclasses.replace(known, sequence=want.item.sequence,
                                                 data_hash=want.data_hash, pushed=obj.text(ours)))
                return
            self._write("update", known.href)
            try:
                etag = target.storage.update(known.href, self._bytes(new, want.item), known.etag)
            except PreconditionFailed:
                if attempt == RETRIES:
                    raise
                self.report.conflicts += 1
                merged = self._refetch(target, want, known)
                if merged is None:
                    return
                known, want = merged
                continue
            except NotFoundError:
                self._deleted_there(target, known)
                return
            self.report.updated += 1
            text = obj.text(new)
            mine = obj.text(ours)
            self._record(ObjectRow(self.remote, target.name, known.href, etag, want.uid, 1,
                                   want.item.sequence, want.data_hash, mine,
                                   None if text == mine else text))
            return

    def _refetch(self, target: Target, want: _Want,
                 known: ObjectRow) -> tuple[ObjectRow, _Want] | None:
        """After a 412: apply the server's copy as a pull would, then try again."""
        self._flush()
        got = target.storage.get([known.href])
        if known.href not in got:
            self._deleted_there(target, known)
            return None
        data, etag = got[known.href]
        comp = obj.component_of(data)
        with self.host.change(push=False):
            if comp is not None:
                if self._reconcile(self._fresh(want), want.uid, obj.parse(known.pushed), comp):
                    self.report.pulled += 1
                self._remember(target, known.href, etag, want.uid, comp, known)
        if comp is None:
            raise StorageError(f"remote '{self.remote}': {known.href} no longer holds a "
                               "calendar object we can read")
        fresh = self._fresh(want)
        data_now = self._data(fresh.interview_id) if want.data is not None else None
        return (self.state.objects(self.remote, target.name)[known.href],
                dataclasses.replace(want, item=fresh, data=data_now))

    def _deleted_there(self, target: Target, known: ObjectRow) -> None:
        self._flush()
        with self.host.change(push=False):
            self.state.drop(self.remote, target.name, known.href)
            if known.uid:
                self.state.mark_gone(self.remote, target.name, known.uid)
                row = self._items().get(known.uid.removesuffix("-event"))
                if row is not None and not row.dismissed:
                    self.store.set_dismissed(row.id)
                    self.host.replan(self.store.interview(row.interview_id))
                    self.report.pulled += 1

    def _delete(self, target: Target, known: ObjectRow) -> None:
        etag = known.etag
        for attempt in range(RETRIES + 1):
            self._write("delete", known.href)
            try:
                target.storage.delete(known.href, etag)
                self.report.deleted += 1
                break
            except NotFoundError:
                break
            except PreconditionFailed:
                if attempt == RETRIES:
                    raise
                got = target.storage.get([known.href])
                if known.href not in got:
                    break
                etag = got[known.href][1]
        self._pending.append(lambda: self.state.drop(self.remote, target.name, known.href))

    # -- recording -------------------------------------------------------------------

    def _record(self, row: ObjectRow) -> None:
        self._pending.append(lambda: self.state.put(row))

    def _flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        with self.store.transaction():
            for write in pending:
                write()
