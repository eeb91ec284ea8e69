import { formatInZone, zoneOffsetLabel } from "../../src/lib/zones";

/**
 * The person's time zone as a select: their zone first when it is not among the common ones, a
 * "choose" option while they have none, the current time there as the hint.
 */
export function TimeZoneField({ current, zones, now, hint }: { current: string | null; zones: string[]; now: Date; hint: { set: string; unset: string } }) {
  const choices = current && !zones.includes(current) ? [current, ...zones] : zones;
  const words = current ? `${hint.set}It is now ${formatInZone(now, current, { withZone: false })} there (${zoneOffsetLabel(current, now)}).` : hint.unset;
  return (
    <div class="mb-4">
      <label for="field-timeZone" class="mb-1 block text-sm font-medium text-slate-700">
        Time zone
      </label>
      <select
        id="field-timeZone"
        name="timeZone"
        required
        aria-describedby="field-timeZone-hint field-timeZone-error"
        class="block w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500"
      >
        {current ? (
          ""
        ) : (
          <option value="" selected>
            Choose your time zone
          </option>
        )}
        {choices.map((zone) => (
          <option value={zone} selected={zone === current} safe>
            {zone}
          </option>
        ))}
      </select>
      <p id="field-timeZone-hint" class="mt-1 text-xs text-slate-500" safe>
        {words}
      </p>
      <p id="field-timeZone-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
    </div>
  );
}
