import type { PropsWithChildren } from "@kitajs/html";
import type { Identity } from "../../src/aws/identities";
import { RECIPIENT_WORDS, statusInWords, verifiedSenders, zoneLabel, type FieldError } from "../../src/features/campaigns/forms";
import type { CampaignStatus, CampaignView, RecipientStatus } from "../../src/features/campaigns/model";
import { formatInZone } from "../../src/lib/zones";

/** One colour per meaning, as everywhere (UI.md): draft gray, scheduled violet, running blue, paused amber, done green. */
const CAMPAIGN_TONE: Record<CampaignStatus, string> = {
  draft: "bg-slate-100 text-slate-700 ring-slate-200",
  scheduled: "bg-violet-50 text-violet-800 ring-violet-200",
  running: "bg-sky-50 text-sky-800 ring-sky-200",
  paused: "bg-amber-50 text-amber-800 ring-amber-200",
  sent: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  cancelled: "bg-slate-100 text-slate-600 ring-slate-200",
};

const RECIPIENT_TONE: Record<RecipientStatus, string> = {
  queued: "bg-slate-100 text-slate-700 ring-slate-200",
  sending: "bg-sky-50 text-sky-800 ring-sky-200",
  sent: "bg-sky-50 text-sky-800 ring-sky-200",
  delivered: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  opened: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  clicked: "bg-emerald-100 text-emerald-900 ring-emerald-300",
  bounced: "bg-red-50 text-red-800 ring-red-200",
  complained: "bg-orange-50 text-orange-800 ring-orange-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  unknown: "bg-amber-50 text-amber-800 ring-amber-200",
  suppressed: "bg-slate-100 text-slate-700 ring-slate-200",
  cancelled: "bg-slate-100 text-slate-600 ring-slate-200",
};

const BADGE = "inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";

export function CampaignBadge({ campaign, zone, now }: { campaign: Pick<CampaignView, "status" | "scheduledAt" | "holdUntil">; zone: string; now: Date }) {
  return (
    <span class={`${BADGE} ${CAMPAIGN_TONE[campaign.status]}`} data-status={campaign.status} data-testid="campaign-status" safe>
      {statusInWords(campaign, zone, now)}
    </span>
  );
}

export function RecipientBadge({ status }: { status: RecipientStatus }) {
  return (
    <span class={`${BADGE} ${RECIPIENT_TONE[status]}`} data-status={status} safe>
      {RECIPIENT_WORDS[status]}
    </span>
  );
}

/** A moment in the person's zone, the full timestamp (UTC) on hover. */
export function ZonedTime({ at, zone, now }: { at: Date; zone: string; now?: Date }) {
  const iso = at.toISOString();
  const shown = formatInZone(at, zone, { withZone: false });
  const year = now ? formatInZone(now, zone, { withZone: false }).match(/ (\d{4}),/)?.[1] : undefined;
  return (
    <time datetime={iso} title={`${formatInZone(at, zone)} · ${iso.replace("T", " ").replace(/\.\d+Z$/, " UTC")}`} class="whitespace-nowrap" safe>
      {year ? shown.replace(` ${year},`, ",") : shown}
    </time>
  );
}

/**
 * How far a campaign has got, as a bar. An SVG like the AWS page's quota bar: its width is an
 * attribute, which the page's CSP allows where an inline style would not; the campaign page's island
 * moves it.
 */
export function ProgressBar({ percent, label, testid }: { percent: number; label: string; testid?: string }) {
  const share = Math.min(100, Math.max(0, percent));
  return (
    <svg role="progressbar" aria-label={label} aria-valuemin="0" aria-valuemax="100" aria-valuenow={String(share)} x-bind:aria-valuenow="percent" class="block h-3 w-full" data-testid={testid}>
      <rect width="100%" height="100%" rx="6" class="fill-slate-200" />
      <rect width={`${share}%`} x-bind:width="barWidth" height="100%" rx="6" class="fill-sky-600" />
    </svg>
  );
}

/** A titled box for one subject. */
export function Card({ title, id, children, testid }: PropsWithChildren<{ title: string; id: string; testid?: string }>) {
  return (
    <section id={id} class="mb-6 min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby={`${id}-title`} data-testid={testid}>
      <h2 id={`${id}-title`} class="mb-4 text-lg font-medium" safe>
        {title}
      </h2>
      {children}
    </section>
  );
}

/** The form-wide problems (those with no field of their own), above the fields. */
export function FormProblem({ errors }: { errors: FieldError[] }) {
  const general = errors.filter((e) => !e.field);
  if (general.length === 0) return "";
  return (
    <div role="alert" class="mb-4 rounded border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800" data-testid="form-error">
      {general.map((e) => (
        <p safe>{e.message}</p>
      ))}
    </div>
  );
}

/** The slot under a field for its errors; public/islands/app.js also fills it when htmx reports one. */
export function FieldMessage({ field, errors }: { field: string; errors: FieldError[] }) {
  const message: string = errors
    .filter((e) => e.field === field)
    .map((e) => e.message)
    .join(" ");
  return (
    <p id={`field-${field}-error`} class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite" safe>
      {message}
    </p>
  );
}

/** A period's end as a date input shows it: a day as given, an instant as its day in the person's zone. */
function dayOf(value: string, zone: string): string {
  if (!value || /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return "";
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** The From and To days of a filter form (events, audit log), their errors under them, the hint in #field-dates-hint. */
export function DayRangeFields({ from, to, zone, errors, labelClass }: { from: string; to: string; zone: string; errors: FieldError[]; labelClass: string }) {
  const invalid = (field: string) => (errors.some((e) => e.field === field) ? "true" : undefined);
  return (
    <>
      <div class="min-w-0">
        <label for="field-from" class={labelClass}>
          From
        </label>
        <input id="field-from" name="from" type="date" value={dayOf(from, zone)} class={INPUT} aria-invalid={invalid("from")} aria-describedby="field-dates-hint field-from-error" />
        <FieldMessage field="from" errors={errors} />
      </div>
      <div class="min-w-0">
        <label for="field-to" class={labelClass}>
          To
        </label>
        <input id="field-to" name="to" type="date" value={dayOf(to, zone)} class={INPUT} aria-invalid={invalid("to")} aria-describedby="field-dates-hint field-to-error" />
        <FieldMessage field="to" errors={errors} />
      </div>
    </>
  );
}

export function describedBy(field: string, hint = false): string {
  return hint ? `field-${field}-hint field-${field}-error` : `field-${field}-error`;
}

export const INPUT = "block w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500 aria-[invalid=true]:border-red-400";
export const LABEL = "mb-1 block text-sm font-medium text-slate-700";
export const HINT = "mt-1 text-xs text-slate-500";

/** A labelled text input with its hint and error. */
export function TextField(props: { name: string; label: string; value: string; errors: FieldError[]; hint?: string; type?: string; required?: boolean; maxlength?: number; placeholder?: string; autocomplete?: string }) {
  const invalid = props.errors.some((e) => e.field === props.name);
  return (
    <div class="mb-5">
      <label for={`field-${props.name}`} class={LABEL}>
        <span safe>{props.label}</span>
        {props.required ? <span class="text-red-700" aria-hidden="true"> *</span> : ""}
      </label>
      <input
        id={`field-${props.name}`}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        maxlength={props.maxlength}
        placeholder={props.placeholder}
        autocomplete={props.autocomplete ?? "off"}
        aria-invalid={invalid ? "true" : undefined}
        autofocus={invalid}
        aria-describedby={describedBy(props.name, Boolean(props.hint))}
        class={INPUT}
      />
      {props.hint ? (
        <p id={`field-${props.name}-hint`} class={HINT} safe>
          {props.hint}
        </p>
      ) : (
        ""
      )}
      <FieldMessage field={props.name} errors={props.errors} />
    </div>
  );
}

/**
 * Who the mail is from: a pick of the verified identities when SES lists them (a verified domain
 * asks for the part before the @, in a field shown only while that domain is picked), else a plain
 * address field; and an optional sender name.
 */
export function SenderFields({ values, identities, errors }: { values: { fromName: string; fromAddress: string; fromLocal: string }; identities: Identity[] | null; errors: FieldError[] }) {
  const senders = identities ? verifiedSenders(identities) : null;
  const choices = senders && senders.addresses.length + senders.domains.length > 0 ? senders : null;
  const current = values.fromAddress.trim().toLowerCase();
  // A saved sender that is not (or no longer) verified stays selectable, so editing changes nothing by surprise.
  const unlisted = choices && current && !current.startsWith("@") && !choices.addresses.includes(current) ? current : null;
  const invalid = (field: string) => (errors.some((e) => e.field === field) ? "true" : undefined);
  return (
    <fieldset class="mb-5 min-w-0">
      <legend class={LABEL}>
        From<span class="text-red-700" aria-hidden="true"> *</span>
      </legend>
      <div class="grid gap-3 sm:grid-cols-2">
        <div class="min-w-0">
          <label for="field-fromName" class="mb-1 block text-xs text-slate-600">
            Sender name (optional)
          </label>
          <input id="field-fromName" name="fromName" value={values.fromName} maxlength="100" autocomplete="off" placeholder="Acme News" class={INPUT} aria-describedby="field-fromName-error" />
          <FieldMessage field="fromName" errors={errors} />
        </div>
        <div class="group min-w-0">
          <label for="field-fromAddress" class="mb-1 block text-xs text-slate-600">
            Address
          </label>
          {choices ? (
            <select id="field-fromAddress" name="fromAddress" required class={INPUT} aria-invalid={invalid("fromAddress")} autofocus={Boolean(invalid("fromAddress"))} aria-describedby={describedBy("fromAddress", true)} data-testid="from-select">
              <option value="" selected={!current}>
                Choose a verified sender
              </option>
              {unlisted ? (
                <option value={unlisted} selected safe>
                  {`${unlisted} (not verified)`}
                </option>
              ) : (
                ""
              )}
              {choices.addresses.map((a) => (
                <option value={a} selected={a === current} safe>
                  {a}
                </option>
              ))}
              {choices.domains.map((d) => (
                <option value={`@${d}`} selected={current === `@${d}`} safe>
                  {`An address at ${d}`}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="field-fromAddress"
              name="fromAddress"
              type="email"
              required
              value={values.fromAddress}
              maxlength="254"
              placeholder="news@example.com"
              class={INPUT}
              aria-invalid={invalid("fromAddress")}
              autofocus={Boolean(invalid("fromAddress"))}
              aria-describedby={describedBy("fromAddress", true)}
            />
          )}
          <p id="field-fromAddress-hint" class={HINT}>
            {choices ? "Addresses and domains SES has verified for this workspace's keys." : "An address or domain verified in SES (Settings → AWS lists them once keys are connected)."}
          </p>
          <FieldMessage field="fromAddress" errors={errors} />
          {choices && choices.domains.length ? (
            // Shown while a domain is picked (a pure-CSS switch: no script needed).
            <div class="mt-3 hidden group-has-[option[value^='@']:checked]:block">
              <label for="field-fromLocal" class="mb-1 block text-xs text-slate-600">
                Part before the @
              </label>
              <input id="field-fromLocal" name="fromLocal" value={values.fromLocal} maxlength="64" placeholder="news" autocomplete="off" class={INPUT} aria-invalid={invalid("fromLocal")} autofocus={Boolean(invalid("fromLocal"))} aria-describedby="field-fromLocal-error" />
              <FieldMessage field="fromLocal" errors={errors} />
            </div>
          ) : (
            ""
          )}
        </div>
      </div>
    </fieldset>
  );
}

/** Send when launched, or at a wall-clock time in the person's zone, named beside the field. */
export function ScheduleFields({ when, sendAt, zone, now, errors, nowLabel }: { when: "now" | "later"; sendAt: string; zone: string; now: Date; errors: FieldError[]; nowLabel: string }) {
  const invalid = errors.some((e) => e.field === "sendAt");
  return (
    <fieldset class="mb-5 min-w-0">
      <legend class={LABEL}>When</legend>
      <div class="space-y-2 text-sm">
        <label class="flex items-center gap-2">
          <input type="radio" name="when" value="now" checked={when === "now"} class="h-4 w-4" />
          <span safe>{nowLabel}</span>
        </label>
        <label class="flex items-center gap-2">
          <input type="radio" name="when" value="later" checked={when === "later"} class="h-4 w-4" data-testid="schedule-later" />
          At a time I choose
        </label>
      </div>
      <div class="mt-3 ml-6">
        <label for="field-sendAt" class="mb-1 block text-xs text-slate-600">
          Date and time
        </label>
        <div class="flex flex-wrap items-center gap-2">
          <input
            id="field-sendAt"
            name="sendAt"
            type="datetime-local"
            value={sendAt}
            class={`${INPUT} w-auto max-w-full`}
            aria-invalid={invalid ? "true" : undefined}
            autofocus={invalid}
            aria-describedby={describedBy("sendAt", true)}
          />
          <span class="text-sm text-slate-600" data-testid="zone-label" safe>
            {zoneLabel(zone, now)}
          </span>
        </div>
        <p id="field-sendAt-hint" class={HINT}>
          Read in your time zone, which you can change in{" "}
          <a href="/settings" class="underline">
            Settings
          </a>
          .
        </p>
        <FieldMessage field="sendAt" errors={errors} />
      </div>
    </fieldset>
  );
}

/** A notice with a tone: what happened and what to do. */
export function Notice({ tone, children, testid }: PropsWithChildren<{ tone: "amber" | "red" | "sky" | "green"; testid?: string }>) {
  const tones = {
    amber: "border-amber-300 bg-amber-50 text-amber-900",
    red: "border-red-300 bg-red-50 text-red-800",
    sky: "border-sky-300 bg-sky-50 text-sky-900",
    green: "border-emerald-300 bg-emerald-50 text-emerald-800",
  };
  return (
    <div class={`mb-4 rounded border px-4 py-3 text-sm ${tones[tone]}`} data-testid={testid}>
      {children}
    </div>
  );
}

export const LINK_BUTTON = "inline-flex items-center justify-center rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2";
export const SECONDARY_LINK = "inline-flex items-center justify-center rounded border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2";

/** One labelled fact of a campaign (its sender, its lists…) in a definition list. */
export function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div class="min-w-0">
      <dt class="text-slate-500" safe>
        {label}
      </dt>
      <dd class="break-words" safe>
        {value}
      </dd>
    </div>
  );
}
