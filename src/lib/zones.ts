/**
 * Time zones by IANA name ("Europe/Paris"), with nothing but Intl: checking a name, turning the
 * wall-clock time a person typed into an instant and back, and showing an instant in a zone.
 * Functions that show an instant expect a zone that passed isTimeZone (Intl throws a RangeError for
 * others); zonedToUtc answers null instead.
 */

const DAY_MS = 24 * 3600_000;

/** IANA names are words joined by "/"; this keeps out the offsets ("+05:30") Intl also accepts. */
const NAME_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const NAME_MAX = 64;

/**
 * Names Chromium and Node report (ICU keeps the CLDR spelling of a zone as its id) for zones IANA
 * has since renamed; browsers send these, and the zone list offers the current names.
 */
const RENAMED: Record<string, string> = {
  "Africa/Asmera": "Africa/Asmara",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca",
  "America/Coral_Harbour": "America/Atikokan",
  "America/Cordoba": "America/Argentina/Cordoba",
  "America/Godthab": "America/Nuuk",
  "America/Indianapolis": "America/Indiana/Indianapolis",
  "America/Jujuy": "America/Argentina/Jujuy",
  "America/Louisville": "America/Kentucky/Louisville",
  "America/Mendoza": "America/Argentina/Mendoza",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "Europe/Kiev": "Europe/Kyiv",
  "Pacific/Enderbury": "Pacific/Kanton",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk",
  "Etc/UTC": "UTC",
  "Etc/UCT": "UTC",
  "Etc/Universal": "UTC",
  "Etc/Zulu": "UTC",
  UCT: "UTC",
  Universal: "UTC",
  Zulu: "UTC",
};

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

/** Year to second, 24-hour, in `zone`; throws a RangeError for a zone Intl does not know. */
function partsFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormatters.set(zone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(at: number, zone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of partsFormatter(zone).formatToParts(at)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year!,
    month: fields.month!,
    day: fields.day!,
    // Some engines still write midnight as 24 even with h23.
    hour: fields.hour! % 24,
    minute: fields.minute!,
    second: fields.second!,
  };
}

/** The wall clock read as if it were UTC, in milliseconds (setUTCFullYear: Date.UTC maps years 0–99 to 19xx). */
function wallMs(w: WallClock): number {
  const d = new Date(Date.UTC(2000, w.month - 1, w.day, w.hour, w.minute, w.second));
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  return d.getTime();
}

/** How far `zone`'s clocks are ahead of UTC at the instant `at`, in milliseconds. */
function offsetMs(at: number, zone: string): number {
  const whole = Math.floor(at / 1000) * 1000;
  return wallMs(wallClock(whole, zone)) - whole;
}

/**
 * The zone's name as Sesame keeps it ("europe/paris" → "Europe/Paris", "Asia/Calcutta" →
 * "Asia/Kolkata"), or null when it is not an IANA zone Intl knows (or "UTC").
 */
export function canonicalTimeZone(name: string): string | null {
  if (typeof name !== "string" || name.length > NAME_MAX || !NAME_SHAPE.test(name)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  const renamed = RENAMED[resolved];
  if (renamed && isKnown(renamed)) return renamed;
  return resolved;
}

function isKnown(zone: string): boolean {
  try {
    partsFormatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** A valid IANA zone name per Intl ("Europe/Paris", "UTC"); offsets like "+05:30" are not zones. */
export function isTimeZone(name: string): boolean {
  return canonicalTimeZone(name) !== null;
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

/**
 * The instant a wall-clock time in `zone` names, from what an `<input type="datetime-local">`
 * sends ("2026-12-02T09:30", seconds optional, years 1000 to 9999); null when it is not such a
 * time or the zone is unknown.
 * A time skipped when clocks go forward is read as that many minutes later (02:30 on a spring-forward
 * night is 03:30, as calendars do); a time that happens twice when clocks go back is the first one.
 */
export function zonedToUtc(local: string, zone: string): Date | null {
  const m = typeof local === "string" ? LOCAL_INPUT.exec(local.trim()) : null;
  if (!m || !isKnown(zone)) return null;
  const wall: WallClock = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +(m[6] ?? 0) };
  if (wall.year < 1000 || wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.hour > 23 || wall.minute > 59 || wall.second > 59) return null;
  const target = wallMs(wall);
  // Day-of-month past the month's end (31 April) rolls over in Date: refuse it instead.
  if (new Date(target).getUTCDate() !== wall.day) return null;

  // Two passes converge on the offset in force at that wall time, when there is exactly one.
  const first = target - offsetMs(target, zone);
  const second = target - offsetMs(first, zone);
  // The offsets a day either side are those before and after any change near this time; each
  // gives a reading, and a reading counts when the zone really shows `wall` at it.
  const before = target - offsetMs(target - DAY_MS, zone);
  const after = target - offsetMs(target + DAY_MS, zone);
  const readings = [second, before, after].filter((at) => wallMs(wallClock(at, zone)) === target);
  if (readings.length > 0) return new Date(Math.min(...readings));
  // In the gap: read with the offset from before the change, which lands as far past it as the
  // time was into the gap.
  return new Date(before);
}

/** "2026-12-02T09:30": the instant as a wall-clock time in `zone`, for a datetime-local input's value. */
export function utcToZonedInput(date: Date, zone: string): string {
  const w = wallClock(date.getTime(), zone);
  const pad = (n: number, size = 2) => String(n).padStart(size, "0");
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

const readableFormatters = new Map<string, Intl.DateTimeFormat>();

/** "Wed 2 Dec 2026, 09:30 (Europe/Paris)": the instant as read in `zone`, 24-hour, day before month. */
export function formatInZone(date: Date, zone: string, options: { withZone?: boolean } = {}): string {
  let formatter = readableFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      hourCycle: "h23",
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    });
    readableFormatters.set(zone, formatter);
  }
  // Put together from parts: engines differ on the comma after the weekday.
  const p: Record<string, string> = {};
  for (const part of formatter.formatToParts(date)) if (part.type !== "literal") p[part.type] = part.value;
  const text = `${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour === "24" ? "00" : p.hour}:${p.minute}`;
  return options.withZone === false ? text : `${text} (${zone})`;
}

/** "UTC+01:00", "UTC-04:00", "UTC+05:45": the zone's offset from UTC at the instant `at`. */
export function zoneOffsetLabel(zone: string, at: Date): string {
  const offset = offsetMs(at.getTime(), zone);
  const sign = offset < 0 ? "-" : "+";
  const seconds = Math.abs(offset) / 1000;
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  // Before standard time (local mean time, 1911 in Paris) offsets had seconds.
  const ss = seconds % 60 ? `:${String(seconds % 60).padStart(2, "0")}` : "";
  return `UTC${sign}${hh}:${mm}${ss}`;
}

let zoneList: string[] | null = null;

/** Every zone Intl knows by its IANA name, and "UTC", sorted: the choices a person picks from. */
export function commonTimeZones(): string[] {
  zoneList ??= [...new Set([...Intl.supportedValuesOf("timeZone").map((zone) => RENAMED[zone] ?? zone), "UTC"])].sort();
  return [...zoneList];
}
