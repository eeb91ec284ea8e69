import { GUARD, percent, SES_REVIEW, type Rates } from "../../src/features/campaigns/guard";

function Rate({ label, rate, review, detail, testid }: { label: string; rate: number | null; review: number; detail: string; testid: string }) {
  const tone = rate === null ? "text-slate-500" : rate > review ? "text-red-700" : rate > review / 2 ? "text-amber-700" : "text-emerald-700";
  return (
    <div class="min-w-0" data-testid={testid}>
      <dt class="text-slate-500" safe>
        {label}
      </dt>
      <dd>
        <span class={`text-lg font-semibold tabular-nums ${tone}`} safe>
          {rate === null ? "—" : percent(rate)}
        </span>{" "}
        <span class="text-xs text-slate-500" safe>
          {detail}
        </span>
      </dd>
    </div>
  );
}

/**
 * Bounce and complaint rates against the rates at which SES puts an account under review, for one
 * campaign or the workspace's last 24 hours.
 */
export function ReputationRates({ rates, guarded }: { rates: Rates; guarded?: boolean }) {
  const outcomes = rates.delivered + rates.bounced;
  return (
    <div>
      <dl class="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
        <Rate
          label="Bounce rate"
          rate={rates.bounceRate}
          review={SES_REVIEW.bounceRate}
          detail={`${rates.bounced.toLocaleString("en")} of ${outcomes.toLocaleString("en")} · SES reviews past ${percent(SES_REVIEW.bounceRate)}`}
          testid="bounce-rate"
        />
        <Rate
          label="Complaint rate"
          rate={rates.complaintRate}
          review={SES_REVIEW.complaintRate}
          detail={`${rates.complained.toLocaleString("en")} of ${rates.delivered.toLocaleString("en")} · SES reviews past ${percent(SES_REVIEW.complaintRate)}`}
          testid="complaint-rate"
        />
      </dl>
      {guarded === undefined ? (
        ""
      ) : (
        <p class="mt-3 text-xs text-slate-500">
          {guarded
            ? `The reputation guard pauses this campaign if its bounce rate passes ${percent(GUARD.bounceRate)} or its complaint rate ${percent(GUARD.complaintRate)}, once ${GUARD.minSample} of its mails have an outcome.`
            : "The reputation guard is off for this campaign: someone resumed it after the guard paused it."}
        </p>
      )}
    </div>
  );
}
