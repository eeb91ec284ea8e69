import type { PropsWithChildren } from "@kitajs/html";
import type { StatusWord, Tone } from "./labels";

const TONES: Record<Tone, string> = {
  green: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  amber: "bg-amber-50 text-amber-800 ring-amber-200",
  red: "bg-red-50 text-red-800 ring-red-200",
  gray: "bg-slate-100 text-slate-700 ring-slate-200",
};

/** A titled box of the AWS page. */
export function Section({ title, id, children }: PropsWithChildren<{ title: string; id: string }>) {
  return (
    <section id={id} class="mb-8 min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="text-lg font-medium mb-4" safe>
        {title}
      </h2>
      {children}
    </section>
  );
}

/** One labelled value of a panel; `hint` is the name AWS gives it, for readers of AWS's documentation. */
export function Fact({ label, value, hint, class: cls, testid, state }: { label: string; value: string; hint?: string; class?: string; testid?: string; state?: string }) {
  return (
    <div class="min-w-0">
      <dt class="text-slate-500" safe>
        {label}
      </dt>
      <dd class={cls} data-testid={testid} data-state={state} safe>
        {value}
      </dd>
      {hint ? (
        <dd class="text-xs text-slate-400 font-mono break-all" data-hint safe>
          {hint}
        </dd>
      ) : (
        ""
      )}
    </div>
  );
}

/** A status word in its colour, with SES's own value on hover and for tests. */
export function Status({ word, value, api }: { word: StatusWord; value: string; api: string }) {
  return (
    <span class={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[word.tone]}`} title={`${api}: ${value}`} data-status={value} safe>
      {word.label}
    </span>
  );
}

/**
 * How much of the 24-hour quota is used. An SVG rather than <progress>: its fill is exactly as wide
 * as the share (none at 0%, where Chromium's <progress> can still draw a rounded cap), and the width
 * is an attribute, which the page's CSP allows where an inline style would not be.
 */
export function QuotaBar({ used, max }: { used: number; max: number }) {
  const share = max > 0 ? Math.min(100, Math.max(0, (used / max) * 100)) : 0;
  const percent = share.toFixed(1);
  return (
    <svg
      role="progressbar"
      aria-label="Share of the 24-hour sending quota used"
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow={percent}
      class="block h-3 w-full"
      data-testid="aws-quota-bar"
    >
      <rect width="100%" height="100%" rx="6" class="fill-slate-200" />
      {Number(percent) > 0 ? <rect width={`${percent}%`} height="100%" rx="6" class="fill-sky-600" data-fill /> : ""}
    </svg>
  );
}
