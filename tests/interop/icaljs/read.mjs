// Read one .ics file with ical.js, the parser Thunderbird uses, and print as JSON the UTC
// instant ical.js computes for every timed DTSTART, DTEND, DUE, COMPLETED and RECURRENCE-ID.
//
// Usage: node read.mjs FILE...
// Prints, one line per file, {"ok": true, "values": [...], "warnings": []} or
// {"ok": false, "error": "..."}. Several files in one run save node's start-up per file.
// Each value: {uid, component, property, tzid, utc, zone} where zone tells how ical.js
// placed the time: "vtimezone" (the file's own VTIMEZONE), "utc" (a Z value or ical.js's
// built-in UTC/GMT/Z ids), "floating" (no TZID), "missing" (a TZID with no VTIMEZONE:
// ical.js then treats the time as floating, and `utc` is what its conversion gives).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const TIMED = new Set(["dtstart", "dtend", "due", "completed", "recurrence-id"]);

function isoUtc(time) {
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

function zoneKind(time, tzid) {
  if (time.zone === ICAL.Timezone.utcTimezone) return "utc";
  if (time.zone === ICAL.Timezone.localTimezone) return tzid ? "missing" : "floating";
  return "vtimezone";
}

function read(text) {
  const parsed = ICAL.parse(text);
  // ICAL.parse returns one jCal component, or a list of them when the text holds several.
  const roots = typeof parsed[0] === "string" ? [parsed] : parsed;
  if (roots.length === 0) throw new Error("no iCalendar component found");
  const values = [];
  for (const jcal of roots) {
    const root = new ICAL.Component(jcal);
    if (root.name !== "vcalendar") throw new Error(`top-level component is ${root.name}, not vcalendar`);
    // What Thunderbird does with an imported file: register its zones before reading times.
    for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
      ICAL.TimezoneService.register(vtimezone);
    }
    for (const component of root.getAllSubcomponents()) {
      if (component.name === "vtimezone") continue;
      const uid = component.getFirstPropertyValue("uid");
      for (const property of component.getAllProperties()) {
        if (!TIMED.has(property.name)) continue;
        const time = property.getFirstValue();
        if (!(time instanceof ICAL.Time) || time.isDate) continue;
        const tzid = property.getParameter("tzid") ?? null;
        values.push({
          uid: uid === null ? null : String(uid),
          component: component.name.toUpperCase(),
          property: property.name.toUpperCase(),
          tzid,
          utc: isoUtc(time),
          zone: zoneKind(time, tzid),
        });
      }
    }
  }
  return values;
}

for (const path of process.argv.slice(2)) {
  // Each file stands alone: no zone registered for one file may serve the next.
  ICAL.TimezoneService.reset();
  let result;
  try {
    result = { ok: true, values: read(readFileSync(path, "utf8")), warnings: [] };
  } catch (error) {
    result = { ok: false, error: `${error.name}: ${error.message}` };
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}
