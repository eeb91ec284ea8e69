import { describe, expect, test } from "bun:test";
import { canonicalTimeZone, commonTimeZones, formatInZone, isTimeZone, utcToZonedInput, zonedToUtc, zoneOffsetLabel } from "../../src/lib/zones";

const iso = (local: string, zone: string) => zonedToUtc(local, zone)?.toISOString() ?? null;

describe("zone names", () => {
  test("IANA names and UTC are zones; offsets, unknown names and odd text are not", () => {
    for (const name of ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"]) {
      expect(isTimeZone(name)).toBe(true);
    }
    for (const name of ["", "Mars/Olympus", "+05:30", "-04:00", "Europe/Paris\n", " Europe/Paris", "../etc/passwd", "Europe//Paris", "a".repeat(65), "Europe/Paris; drop"]) {
      expect(isTimeZone(name)).toBe(false);
    }
  });

  test("a name is kept in its IANA spelling, whatever case or older name the browser used", () => {
    expect(canonicalTimeZone("europe/paris")).toBe("Europe/Paris");
    expect(canonicalTimeZone("Asia/Calcutta")).toBe("Asia/Kolkata");
    expect(canonicalTimeZone("Europe/Kiev")).toBe("Europe/Kyiv");
    expect(canonicalTimeZone("America/Godthab")).toBe("America/Nuuk");
    expect(canonicalTimeZone("Etc/UTC")).toBe("UTC");
    expect(canonicalTimeZone("utc")).toBe("UTC");
    expect(canonicalTimeZone("Asia/Kolkata")).toBe("Asia/Kolkata");
    expect(canonicalTimeZone("Nowhere/Else")).toBeNull();
  });

  test("the zone list holds every zone once, by its kept name, sorted, with UTC", () => {
    const zones = commonTimeZones();
    expect(zones.length).toBeGreaterThan(300);
    expect(zones).toContain("UTC");
    expect(zones).toContain("Europe/Paris");
    expect(zones).toContain("Asia/Kolkata");
    expect(zones).not.toContain("Asia/Calcutta");
    expect(new Set(zones).size).toBe(zones.length);
    expect([...zones].sort()).toEqual(zones);
    expect(zones.filter((zone) => canonicalTimeZone(zone) !== zone)).toEqual([]);
  });
});

describe("wall-clock time in a zone to an instant", () => {
  test("Europe/Paris is an hour ahead in winter and two in summer", () => {
    expect(iso("2026-12-02T09:30", "Europe/Paris")).toBe("2026-12-02T08:30:00.000Z");
    expect(iso("2026-07-01T09:30", "Europe/Paris")).toBe("2026-07-01T07:30:00.000Z");
    expect(iso("2026-12-02T09:30:15", "Europe/Paris")).toBe("2026-12-02T08:30:15.000Z");
  });

  test("a time skipped when Paris springs forward is read an hour later", () => {
    // 29 March 2026: 02:00 CET becomes 03:00 CEST, so 02:00–02:59 never shows on a clock there.
    expect(iso("2026-03-29T02:30", "Europe/Paris")).toBe("2026-03-29T01:30:00.000Z");
    expect(utcToZonedInput(zonedToUtc("2026-03-29T02:30", "Europe/Paris")!, "Europe/Paris")).toBe("2026-03-29T03:30");
    expect(iso("2026-03-29T02:00", "Europe/Paris")).toBe("2026-03-29T01:00:00.000Z");
    expect(iso("2026-03-29T01:59", "Europe/Paris")).toBe("2026-03-29T00:59:00.000Z");
    expect(iso("2026-03-29T03:00", "Europe/Paris")).toBe("2026-03-29T01:00:00.000Z");
  });

  test("a time that happens twice when Paris falls back is the first of the two", () => {
    // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:00–02:59 happens at +02:00 and again at +01:00.
    expect(iso("2026-10-25T02:30", "Europe/Paris")).toBe("2026-10-25T00:30:00.000Z");
    expect(iso("2026-10-25T01:59", "Europe/Paris")).toBe("2026-10-24T23:59:00.000Z");
    expect(iso("2026-10-25T03:00", "Europe/Paris")).toBe("2026-10-25T02:00:00.000Z");
  });

  test("New York's gap and overlap resolve the same way", () => {
    // 8 March 2026 at 02:00 EST clocks go to 03:00 EDT; 1 November 2026 at 02:00 EDT back to 01:00 EST.
    expect(iso("2026-03-08T02:30", "America/New_York")).toBe("2026-03-08T07:30:00.000Z");
    expect(utcToZonedInput(new Date("2026-03-08T07:30:00Z"), "America/New_York")).toBe("2026-03-08T03:30");
    expect(iso("2026-11-01T01:30", "America/New_York")).toBe("2026-11-01T05:30:00.000Z");
    expect(iso("2026-11-01T00:59", "America/New_York")).toBe("2026-11-01T04:59:00.000Z");
    expect(iso("2026-11-01T02:00", "America/New_York")).toBe("2026-11-01T07:00:00.000Z");
    expect(iso("2026-12-02T09:30", "America/New_York")).toBe("2026-12-02T14:30:00.000Z");
  });

  test("half-hour and quarter-hour offsets: Asia/Kolkata (+05:30) and Pacific/Chatham (+12:45, +13:45 in its summer)", () => {
    expect(iso("2026-12-02T09:30", "Asia/Kolkata")).toBe("2026-12-02T04:00:00.000Z");
    expect(iso("2026-12-02T02:00", "Asia/Kolkata")).toBe("2026-12-01T20:30:00.000Z");
    expect(iso("2026-07-01T12:00", "Pacific/Chatham")).toBe("2026-06-30T23:15:00.000Z");
    expect(iso("2026-12-02T09:30", "Pacific/Chatham")).toBe("2026-12-01T19:45:00.000Z");
    // Chatham springs forward at 02:45 on 27 September 2026 and falls back at 03:45 on 5 April 2026.
    expect(iso("2026-09-27T03:00", "Pacific/Chatham")).toBe("2026-09-26T14:15:00.000Z");
    expect(utcToZonedInput(zonedToUtc("2026-09-27T03:00", "Pacific/Chatham")!, "Pacific/Chatham")).toBe("2026-09-27T04:00");
    expect(iso("2026-04-05T03:00", "Pacific/Chatham")).toBe("2026-04-04T13:15:00.000Z");
  });

  test("UTC is read as it is", () => {
    expect(iso("2026-12-02T09:30", "UTC")).toBe("2026-12-02T09:30:00.000Z");
  });

  test("what is not a datetime-local value, or names no zone, gives null", () => {
    for (const local of ["", "tomorrow", "2026-12-02", "2026-12-02 09:30", "2026-12-02T09:30Z", "2026-12-02T09:30+01:00", "2026-13-01T09:30", "2026-02-30T09:30", "2026-04-31T09:30", "2026-12-02T24:00", "2026-12-02T09:60", "0999-12-02T09:30", "+2026-12-02T09:30"]) {
      expect(zonedToUtc(local, "Europe/Paris")).toBeNull();
    }
    expect(zonedToUtc("2026-12-02T09:30", "Nowhere/Else")).toBeNull();
    expect(zonedToUtc("2026-12-02T09:30", "")).toBeNull();
  });

  test("every hour of a year survives a round trip through the input in each zone", () => {
    for (const zone of ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Australia/Lord_Howe", "UTC"]) {
      const broken: string[] = [];
      for (let at = Date.UTC(2026, 0, 1); at < Date.UTC(2027, 0, 1); at += 3600_000) {
        const local = utcToZonedInput(new Date(at), zone);
        const back = zonedToUtc(local, zone)!.getTime();
        // Only the second pass through a fall-back hour reads differently: as its first pass.
        if (back !== at && !(back < at && utcToZonedInput(new Date(back), zone) === local)) broken.push(`${zone} ${new Date(at).toISOString()}`);
      }
      expect(broken).toEqual([]);
    }
  });

  test("every wall-clock time of a year that exists reads back the same", () => {
    for (const zone of ["Europe/Paris", "America/New_York", "Pacific/Chatham"]) {
      const shifted: string[] = [];
      for (let wall = Date.UTC(2026, 0, 1); wall < Date.UTC(2027, 0, 1); wall += 30 * 60_000) {
        const local = new Date(wall).toISOString().slice(0, 16);
        const again = utcToZonedInput(zonedToUtc(local, zone)!, zone);
        if (again !== local) shifted.push(`${local} → ${again}`);
      }
      // Only the skipped hour of the spring-forward night moves, by that hour.
      expect(shifted.length).toBe(2);
      for (const pair of shifted) {
        const [from, to] = pair.split(" → ") as [string, string];
        expect(Date.parse(`${to}Z`) - Date.parse(`${from}Z`)).toBe(3600_000);
      }
    }
  });
});

describe("showing an instant in a zone", () => {
  test("the input value is the zone's wall clock, midnight as 00", () => {
    expect(utcToZonedInput(new Date("2026-12-02T08:30:59Z"), "Europe/Paris")).toBe("2026-12-02T09:30");
    expect(utcToZonedInput(new Date("2026-12-01T23:00:00Z"), "Europe/Paris")).toBe("2026-12-02T00:00");
    expect(utcToZonedInput(new Date("2026-12-01T19:45:00Z"), "Pacific/Chatham")).toBe("2026-12-02T09:30");
  });

  test("a readable 24-hour date, day before month, with the zone unless asked not to", () => {
    expect(formatInZone(new Date("2026-12-02T08:30:00Z"), "Europe/Paris")).toBe("Wed 2 Dec 2026, 09:30 (Europe/Paris)");
    expect(formatInZone(new Date("2026-12-02T08:30:00Z"), "Europe/Paris", { withZone: false })).toBe("Wed 2 Dec 2026, 09:30");
    expect(formatInZone(new Date("2026-12-01T23:00:00Z"), "Europe/Paris", { withZone: false })).toBe("Wed 2 Dec 2026, 00:00");
    expect(formatInZone(new Date("2026-12-02T14:30:00Z"), "America/New_York")).toBe("Wed 2 Dec 2026, 09:30 (America/New_York)");
    expect(formatInZone(new Date("2026-12-02T04:00:00Z"), "Asia/Kolkata")).toBe("Wed 2 Dec 2026, 09:30 (Asia/Kolkata)");
  });

  test("the offset label follows the season and keeps odd minutes", () => {
    expect(zoneOffsetLabel("Europe/Paris", new Date("2026-12-02T08:30:00Z"))).toBe("UTC+01:00");
    expect(zoneOffsetLabel("Europe/Paris", new Date("2026-07-01T08:30:00Z"))).toBe("UTC+02:00");
    expect(zoneOffsetLabel("America/New_York", new Date("2026-12-02T08:30:00Z"))).toBe("UTC-05:00");
    expect(zoneOffsetLabel("Asia/Kolkata", new Date("2026-12-02T08:30:00Z"))).toBe("UTC+05:30");
    expect(zoneOffsetLabel("Pacific/Chatham", new Date("2026-07-01T08:30:00Z"))).toBe("UTC+12:45");
    expect(zoneOffsetLabel("Pacific/Chatham", new Date("2026-12-02T08:30:00Z"))).toBe("UTC+13:45");
    expect(zoneOffsetLabel("UTC", new Date("2026-12-02T08:30:00Z"))).toBe("UTC+00:00");
  });
});
