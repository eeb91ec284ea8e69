import type { Auth } from "../../src/features/auth/model";
import { quotaShort, shortTime, type FieldError } from "../../src/features/campaigns/forms";
import type { CampaignView } from "../../src/features/campaigns/model";
import type { Review } from "../../src/features/campaigns/service";
import type { ListSummary } from "../../src/features/lists/model";
import { CampaignAttachments } from "../attachments/Attachments";
import { Button } from "../components/Button";
import { AppShell } from "../layouts/AppShell";
import { Card, Fact, FieldMessage, FormProblem, Notice, SECONDARY_LINK, ZonedTime } from "./parts";
import { count as n } from "../components/format";


export interface ReviewProps {
  auth: Auth;
  campaign: CampaignView;
  review: Review;
  lists: ListSummary[];
  templateName: string | null;
  zone: string;
  now: Date;
  errors: FieldError[];
  /** Whether the workspace has named its S3 bucket: files can then be attached here. */
  hasBucket: boolean;
}

/** "about 3 minutes": a duration in words. */
function aboutDuration(seconds: number): string {
  if (seconds < 60) return "less than a minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  return `about ${hours} hour${hours === 1 ? "" : "s"}`;
}

/**
 * The step between saving a campaign and sending it: who is mailed and who is left out, whether the
 * 24-hour quota covers it, what SES and the keys allow. Problems stop the launch; warnings are for
 * the person to weigh, and a quota too small for the campaign needs an explicit yes.
 */
export function ReviewPage({ auth, campaign, review, lists, templateName, zone, now, errors, hasBucket }: ReviewProps) {
  const blocked = review.problems.length > 0;
  const short = quotaShort(review);
  const later = campaign.scheduledAt && campaign.scheduledAt.getTime() > now.getTime();
  const listNames = campaign.listIds.map((id) => lists.find((l) => l.id === id)?.name ?? "A list that no longer exists");
  const rate = review.account?.maxSendRate ?? 0;
  return (
    <AppShell
      auth={auth}
      active="campaigns"
      title={`Review ${campaign.name}`}
      crumbs={[
        { href: "/campaigns", label: "Campaigns" },
        { href: `/campaigns/${campaign.id}`, label: campaign.name },
      ]}
    >
      {blocked ? (
        <Notice tone="red" testid="review-problems">
          <p class="mb-1 font-medium">Fix these before launching:</p>
          <ul class="list-disc space-y-1 pl-5">
            {review.problems.map((p) => (
              <li safe>{p}</li>
            ))}
          </ul>
        </Notice>
      ) : (
        ""
      )}
      {review.warnings.length || review.variablesWithoutFallback.length ? (
        <Notice tone="amber" testid="review-warnings">
          <p class="mb-1 font-medium">Before you launch, know that:</p>
          <ul class="list-disc space-y-1 pl-5">
            {review.warnings.map((w) => (
              <li safe>{w}</li>
            ))}
            {review.variablesWithoutFallback.length ? (
              <li safe>
                {`The message uses ${review.variablesWithoutFallback.map((v) => `{{${v}}}`).join(", ")} without a fallback: contacts with no value for ${review.variablesWithoutFallback.length === 1 ? "it" : "them"} are not mailed and show as failed. Give ${review.variablesWithoutFallback.length === 1 ? "it" : "each"} a fallback in the template, such as {{${review.variablesWithoutFallback[0]}|there}}, to mail everyone.`}
              </li>
            ) : (
              ""
            )}
          </ul>
        </Notice>
      ) : (
        ""
      )}

      <div class="grid gap-6 lg:grid-cols-2">
        <Card title="Who is mailed" id="review-audience" testid="review-audience">
          <p class="text-3xl font-semibold tabular-nums" data-testid="review-to-send" safe>
            {n(review.toSend)}
          </p>
          <p class="mb-4 text-sm text-slate-600">{review.toSend === 1 ? "person will be mailed" : "people will be mailed"}</p>
          <dl class="space-y-2 text-sm">
            <div class="flex justify-between gap-4">
              <dt class="text-slate-600">Different addresses in the chosen lists</dt>
              <dd class="tabular-nums" data-testid="review-distinct" safe>
                {n(review.distinct)}
              </dd>
            </div>
            <div class="flex justify-between gap-4">
              <dt class="text-slate-600">Left out: suppressed, bounced, complained or unsubscribed</dt>
              <dd class="tabular-nums" data-testid="review-suppressed" safe>
                {n(review.suppressed)}
              </dd>
            </div>
            <div class="flex justify-between gap-4">
              <dt class="text-slate-600">On more than one of the lists (mailed once)</dt>
              <dd class="tabular-nums" data-testid="review-duplicates" safe>
                {n(review.duplicates)}
              </dd>
            </div>
          </dl>
        </Card>

        <Card title="Sending limits" id="review-quota" testid="review-quota">
          {review.account ? (
            <dl class="space-y-2 text-sm">
              <div class="flex justify-between gap-4">
                <dt class="text-slate-600">Left of the 24-hour quota</dt>
                <dd class="tabular-nums" data-testid="review-quota-left" safe>
                  {review.quotaLeft === null ? "No limit" : n(review.quotaLeft)}
                </dd>
              </div>
              <div class="flex justify-between gap-4">
                <dt class="text-slate-600">Sending rate</dt>
                <dd class="tabular-nums" safe>{`${n(rate)} per second`}</dd>
              </div>
              <div class="flex justify-between gap-4">
                <dt class="text-slate-600">Account</dt>
                <dd>{review.account.productionAccess ? "Production access" : "SES sandbox"}</dd>
              </div>
              <p class={short ? "text-amber-800" : "text-emerald-800"} data-testid="review-quota-verdict" safe>
                {short
                  ? `Not enough for everyone today: ${n(review.quotaLeft ?? 0)} go now, the rest as the quota frees up.`
                  : `Enough for this campaign${rate > 0 ? `, which takes ${aboutDuration(review.toSend / rate)} at this rate` : ""}.`}
              </p>
            </dl>
          ) : (
            <p class="text-sm text-slate-600">Sesame could not read the account's limits: see the reason above.</p>
          )}
        </Card>
      </div>

      <Card title="What is sent" id="review-summary">
        <dl class="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
          <Fact label="From" value={campaign.from} />
          <Fact label="Replies go to" value={campaign.replyTo ?? "The sender"} />
          <Fact label="Template" value={templateName ?? "None"} />
          <Fact label="Subject" value={campaign.subject || "None yet"} />
          <Fact label="Lists" value={listNames.join(", ") || "None chosen"} />
          <Fact label="Opens and clicks" value={campaign.tracking ? "Tracked" : "Not tracked"} />
          <div class="min-w-0 sm:col-span-2">
            <dt class="text-slate-500">When</dt>
            <dd data-testid="review-when">
              {campaign.scheduledAt ? (
                later ? (
                  <>
                    Starts by itself at <ZonedTime at={campaign.scheduledAt} zone={zone} /> <span class="text-slate-500" safe>{`(${zone})`}</span>
                  </>
                ) : (
                  <span safe>{`The time chosen (${shortTime(campaign.scheduledAt, zone, now)}) has passed: it starts as soon as you launch it.`}</span>
                )
              ) : (
                "As soon as you launch it."
              )}
            </dd>
          </div>
        </dl>
      </Card>

      <CampaignAttachments campaignId={campaign.id} attachments={campaign.attachments} editable={campaign.status === "draft" || campaign.status === "scheduled"} hasBucket={hasBucket} />

      <form
        method="post"
        action={`/campaigns/${campaign.id}/launch`}
        hx-post={`/campaigns/${campaign.id}/launch`}
        hx-target="#launch-result"
        hx-swap="innerHTML"
        hx-disabled-elt="find button[type=submit]"
        class="rounded-lg border border-slate-200 bg-white p-4 sm:p-6"
        data-testid="launch-form"
      >
        <div id="launch-result" aria-live="assertive">
          <FormProblem errors={errors} />
        </div>
        {short && !blocked ? (
          <div class="mb-4">
            <label class="flex items-start gap-2 text-sm">
              <input id="field-confirmQuota" type="checkbox" name="confirmQuota" value="yes" required class="mt-0.5 h-4 w-4 shrink-0" aria-describedby="field-confirmQuota-error" />
              <span safe>{`I understand: ${n(review.quotaLeft ?? 0)} of the ${n(review.toSend)} emails go out now, and the rest wait for the 24-hour quota to allow them.`}</span>
            </label>
            <FieldMessage field="confirmQuota" errors={errors} />
          </div>
        ) : (
          ""
        )}
        <div class="flex flex-wrap items-center gap-3">
          <Button disabled={blocked} data-testid="launch-button">
            {later && campaign.scheduledAt ? `Schedule for ${shortTime(campaign.scheduledAt, zone, now)}` : "Launch now"}
          </Button>
          <a href={`/campaigns/${campaign.id}/edit`} class={SECONDARY_LINK}>
            Edit
          </a>
          {blocked ? <span class="text-sm text-slate-600">Launching is possible once the problems above are fixed.</span> : ""}
        </div>
      </form>
    </AppShell>
  );
}
