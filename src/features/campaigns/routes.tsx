import { Elysia, t } from "elysia";
import { CampaignForm, CampaignFormPage } from "../../../views/campaigns/CampaignFormPage";
import { CampaignPage, RecipientsTable, recipientsUrl } from "../../../views/campaigns/CampaignPage";
import { CampaignsPage, CampaignsTable } from "../../../views/campaigns/CampaignsPage";
import { ReviewPage } from "../../../views/campaigns/ReviewPage";
import { SendForm, SendPage } from "../../../views/campaigns/SendPage";
import type { Identity } from "../../aws/identities";
import type { Deps } from "../../deps";
import { AppError, Invalid } from "../../lib/errors";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { isHtmx, wantsPage } from "../../web/respond";
import type { Auth } from "../auth/model";
import { userTimeZone } from "../auth/service";
import { awsIdentities } from "../identities/service";
import { listLists } from "../lists/service";
import { listTemplates } from "../templates/service";
import { ATTACHMENTS_MAX, type Attachment } from "../attachments/model";
import { bucketSetting, resolveAttachments } from "../attachments/service";
import {
  blankCampaignForm,
  blankSendForm,
  campaignForm,
  campaignInput,
  fieldErrorsOf,
  noticeOf,
  quotaShort,
  readCampaignForm,
  readSendForm,
  sendInput,
  type FieldError,
  type FormBody,
  type NoticeCode,
} from "./forms";
import { EDITABLE, RECIPIENT_STATUSES, type RecipientStatus } from "./model";
import { campaignReport } from "./report";
import {
  campaignRecipients,
  campaignReputation,
  cancelCampaign,
  createCampaign,
  deleteCampaign,
  getCampaign,
  launchCampaign,
  listCampaigns,
  pauseCampaign,
  resendUnknown,
  resumeCampaign,
  reviewCampaign,
  sendEmail,
  updateCampaign,
} from "./service";
import { campaignsDocs } from "../../web/api-reference";

/** Files already in the workspace's bucket, by key (upload them with POST /campaigns/:id/attachments). */
const attachmentKeys = t.Array(t.Object({ key: t.String({ maxLength: 1024 }) }), { maxItems: ATTACHMENTS_MAX });

const instant = t.Optional(t.Nullable(t.Union([t.String({ maxLength: 64 }), t.Number()])));

const campaignBody = t.Object({
  name: t.Optional(t.String({ maxLength: 1000 })),
  from: t.Optional(t.String({ maxLength: 1000 })),
  replyTo: t.Optional(t.Nullable(t.String({ maxLength: 1000 }))),
  templateId: t.Optional(t.Nullable(t.String({ maxLength: 100 }))),
  subject: t.Optional(t.String({ maxLength: 10_000 })),
  html: t.Optional(t.String({ maxLength: 1024 * 1024 })),
  text: t.Optional(t.Nullable(t.String({ maxLength: 1024 * 1024 }))),
  listIds: t.Optional(t.Array(t.String({ maxLength: 100 }), { maxItems: 100 })),
  scheduledAt: instant,
  tracking: t.Optional(t.Boolean()),
  attachments: t.Optional(attachmentKeys),
});

const sendBody = t.Object({
  from: t.String({ maxLength: 1000 }),
  to: t.Optional(t.Union([t.String({ maxLength: 1000 }), t.Array(t.Union([t.String({ maxLength: 1000 }), t.Record(t.String({ maxLength: 64 }), t.Any())]), { maxItems: 10_000 })])),
  subject: t.Optional(t.String({ maxLength: 10_000 })),
  html: t.Optional(t.String({ maxLength: 1024 * 1024 })),
  text: t.Optional(t.Nullable(t.String({ maxLength: 1024 * 1024 }))),
  templateId: t.Optional(t.String({ maxLength: 100 })),
  variables: t.Optional(t.Record(t.String({ maxLength: 64 }), t.String({ maxLength: 10_000 }))),
  listId: t.Optional(t.String({ maxLength: 100 })),
  scheduledAt: instant,
  replyTo: t.Optional(t.Nullable(t.String({ maxLength: 1000 }))),
  tracking: t.Optional(t.Boolean()),
  name: t.Optional(t.String({ maxLength: 1000 })),
  attachments: t.Optional(attachmentKeys),
});

/** What the pages' forms post: strings by name (each list has a checkbox of its own). */
const formBody = t.Record(t.String({ maxLength: 200 }), t.String({ maxLength: 1024 * 1024 }));

const pageQuery = t.Object({ page: t.Optional(t.Numeric({ minimum: 1, maximum: 1_000_000 })), notice: t.Optional(t.String({ maxLength: 20 })) });

const recipientsQuery = t.Object({
  status: t.Optional(t.String({ maxLength: 20 })),
  page: t.Optional(t.Numeric({ minimum: 1, maximum: 1_000_000 })),
  notice: t.Optional(t.String({ maxLength: 20 })),
});

/** A status filter from a URL a person may have typed: an unknown one shows every recipient rather than an error page. */
function statusFilter(raw: string | undefined): RecipientStatus | null {
  return raw && RECIPIENT_STATUSES.includes(raw as RecipientStatus) ? (raw as RecipientStatus) : null;
}

/** SES's identities for the sender pick, or null when they cannot be listed (no keys, no permission): the form then asks for an address. */
async function identitiesOf(deps: Deps, auth: Auth): Promise<Identity[] | null> {
  try {
    return await awsIdentities(deps, auth);
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
}

/** After an action: htmx follows a redirect header, a plain form post a 303; JSON clients get `json`. */
function answer(request: Request, set: { headers: Record<string, unknown>; status?: unknown }, to: string, json: unknown) {
  if (isHtmx(request)) {
    set.headers["hx-redirect"] = to;
    return "";
  }
  if (wantsPage(request)) {
    set.status = 303;
    set.headers.location = to;
    return "";
  }
  return json;
}

const campaignUrl = (id: string, notice?: NoticeCode) => `/campaigns/${id}${notice ? `?notice=${notice}` : ""}`;

/** The JSON API of campaigns and sends (CONTRACT.md, "Sending"), and their pages: every address a person opens is a page. */
export function campaignsRoutes(ctx: Context) {
  async function formPage(deps: Deps, auth: Auth, campaignId: string | null) {
    const scope = requireScope(auth);
    const [templates, lists, identities, campaign] = await Promise.all([
      listTemplates(deps, scope),
      listLists(deps, scope),
      identitiesOf(deps, auth),
      campaignId ? getCampaign(deps, scope, campaignId) : Promise.resolve(null),
    ]);
    return { templates, lists, identities, campaign, zone: userTimeZone(auth), now: deps.clock.now(), hasBucket: (await bucketSetting(deps, auth)).bucket !== null };
  }

  /** The form's ticked files, looked up in the bucket (those the campaign has keep what is known of them). */
  async function formAttachments(deps: Deps, auth: Auth, values: { attachments: { key: string }[] }, existing: Attachment[] = []) {
    return resolveAttachments(deps, auth, values.attachments.map((a) => ({ key: a.key })), existing);
  }

  async function reviewPage(deps: Deps, auth: Auth, id: string, errors: FieldError[]) {
    const scope = requireScope(auth);
    const campaign = await getCampaign(deps, scope, id);
    const [review, lists, templates] = await Promise.all([reviewCampaign(deps, auth, id), listLists(deps, scope), listTemplates(deps, scope)]);
    const templateName = templates.find((tpl) => tpl.id === campaign.templateId)?.name ?? null;
    const hasBucket = (await bucketSetting(deps, auth)).bucket !== null;
    return <ReviewPage auth={auth} campaign={campaign} review={review} lists={lists} templateName={templateName} zone={userTimeZone(auth)} now={deps.clock.now()} errors={errors} hasBucket={hasBucket} />;
  }

  return new Elysia()
    .use(ctx)
    .post(
      "/email/send",
      async ({ auth, deps, body, set }) => {
        requireScope(auth);
        const result = await sendEmail(deps, requireAuth(auth), body);
        set.status = 202;
        return result;
      },
      { body: sendBody, detail: campaignsDocs.send },
    )
    .get(
      "/campaigns",
      async ({ auth, deps, query, request }) => {
        const page = await listCampaigns(deps, requireScope(auth), { page: query.page });
        if (!wantsPage(request) && !isHtmx(request)) return { items: page.items, total: page.total };
        const a = requireAuth(auth);
        const table = { ...page, zone: userTimeZone(a), now: deps.clock.now() };
        if (isHtmx(request)) return <CampaignsTable {...table} />;
        return <CampaignsPage auth={a} table={table} notice={noticeOf(query.notice)} />;
      },
      { query: pageQuery, detail: campaignsDocs.list },
    )
    .post(
      "/campaigns",
      async ({ auth, deps, body, set }) => {
        const scope = requireScope(auth);
        const attachments = body.attachments ? await resolveAttachments(deps, requireAuth(auth), body.attachments) : undefined;
        const campaign = await createCampaign(deps, scope, { ...body, attachments });
        set.status = 201;
        return campaign;
      },
      { body: campaignBody, detail: campaignsDocs.create },
    )
    .get("/campaigns/new", async ({ auth, deps }) => {
      const a = requireAuth(auth);
      const choices = await formPage(deps, a, null);
      return <CampaignFormPage auth={a} {...choices} values={blankCampaignForm(choices.zone, choices.now)} errors={[]} />;
    })
    .post(
      "/campaigns/new",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const values = readCampaignForm(body as FormBody);
        let errors: FieldError[] | null;
        try {
          const input = campaignInput(values, userTimeZone(a), deps.clock.now());
          const campaign = await createCampaign(deps, requireScope(a), { ...input, attachments: await formAttachments(deps, a, values) });
          return answer(request, set, `/campaigns/${campaign.id}/review`, campaign);
        } catch (err) {
          errors = fieldErrorsOf(err);
          if (!errors) throw err;
        }
        set.status = 422;
        const choices = await formPage(deps, a, null);
        return isHtmx(request) ? <CampaignForm {...choices} values={values} errors={errors} /> : <CampaignFormPage auth={a} {...choices} values={values} errors={errors} />;
      },
      { body: formBody },
    )
    .get(
      "/campaigns/:id",
      async ({ auth, deps, params, query, request }) => {
        const scope = requireScope(auth);
        if (!wantsPage(request) && !isHtmx(request)) return getCampaign(deps, scope, params.id);
        const a = requireAuth(auth);
        const zone = userTimeZone(a);
        const now = deps.clock.now();
        const status = statusFilter(query.status);
        // The recipients' filter and pages swap the table in and push this page's URL: only the full page carries the report.
        const whole = !isHtmx(request);
        const [campaign, recipients, lists, reputation, report] = await Promise.all([
          getCampaign(deps, scope, params.id),
          campaignRecipients(deps, scope, params.id, { status: status ?? undefined, page: query.page }),
          listLists(deps, scope),
          campaignReputation(deps, scope, params.id),
          whole ? campaignReport(deps, scope, params.id, zone) : null,
        ]);
        const table = { ...recipients, campaignId: campaign.id, status, started: campaign.status !== "draft" && campaign.status !== "scheduled", zone, now };
        if (!whole) return <RecipientsTable {...table} />;
        return <CampaignPage auth={a} campaign={campaign} recipients={table} lists={lists} reputation={reputation} report={report} zone={zone} now={now} notice={noticeOf(query.notice)} />;
      },
      { query: recipientsQuery, detail: campaignsDocs.get },
    )
    .patch(
      "/campaigns/:id",
      async ({ auth, deps, params, body }) => {
        const scope = requireScope(auth);
        const attachments = body.attachments ? await resolveAttachments(deps, requireAuth(auth), body.attachments, (await getCampaign(deps, scope, params.id)).attachments) : undefined;
        return updateCampaign(deps, scope, params.id, { ...body, attachments });
      },
      { body: campaignBody, detail: campaignsDocs.update },
    )
    .delete("/campaigns/:id", async ({ auth, deps, params, request, set }) => {
      await deleteCampaign(deps, requireScope(auth), params.id);
      if (isHtmx(request)) {
        set.headers["hx-redirect"] = "/campaigns?notice=deleted";
        return "";
      }
      set.status = 204;
      return "";
    }, { detail: campaignsDocs.remove })
    .get("/campaigns/:id/edit", async ({ auth, deps, params, redirect }) => {
      const a = requireAuth(auth);
      const choices = await formPage(deps, a, params.id);
      const campaign = choices.campaign!;
      // Only drafts and scheduled campaigns change; the others' page says what they are doing.
      if (!EDITABLE.includes(campaign.status) || campaign.kind !== "campaign") return redirect(campaignUrl(campaign.id), 303);
      return <CampaignFormPage auth={a} {...choices} values={campaignForm(campaign, choices.zone, choices.now, choices.identities)} errors={[]} />;
    })
    .post(
      "/campaigns/:id/edit",
      async ({ auth, deps, params, body, request, set }) => {
        const a = requireAuth(auth);
        const values = readCampaignForm(body as FormBody);
        let errors: FieldError[] | null;
        try {
          const scope = requireScope(a);
          const input = campaignInput(values, userTimeZone(a), deps.clock.now());
          const existing = (await getCampaign(deps, scope, params.id)).attachments;
          const campaign = await updateCampaign(deps, scope, params.id, { ...input, attachments: await formAttachments(deps, a, values, existing) });
          // A scheduled campaign stays launched at its new time; a draft (or one taken back to draft) goes to the review.
          const next = campaign.status === "scheduled" ? campaignUrl(campaign.id, "saved") : `/campaigns/${campaign.id}/review`;
          return answer(request, set, next, campaign);
        } catch (err) {
          errors = fieldErrorsOf(err);
          if (!errors) throw err;
        }
        set.status = 422;
        const choices = await formPage(deps, a, params.id);
        return isHtmx(request) ? <CampaignForm {...choices} values={values} errors={errors} /> : <CampaignFormPage auth={a} {...choices} values={values} errors={errors} />;
      },
      { body: formBody },
    )
    .get("/campaigns/:id/review", async ({ auth, deps, params, request, redirect }) => {
      const a = requireAuth(auth);
      requireScope(a);
      if (!wantsPage(request)) return reviewCampaign(deps, a, params.id);
      const campaign = await getCampaign(deps, requireScope(a), params.id);
      // The review comes before a launch; once launched, the campaign's own page is where it is followed.
      if (campaign.status !== "draft") return redirect(campaignUrl(campaign.id), 303);
      return reviewPage(deps, a, params.id, []);
    }, { detail: campaignsDocs.review })
    .post(
      "/campaigns/:id/launch",
      // No body schema: API clients send none (or {}); the review page's form may send its confirmation.
      async ({ auth, deps, params, body, request, set }) => {
        requireScope(auth);
        const a = requireAuth(auth);
        const fromPage = isHtmx(request) || wantsPage(request);
        try {
          if (fromPage && !(body as FormBody | undefined)?.confirmQuota && quotaShort(await reviewCampaign(deps, a, params.id))) {
            throw new Invalid("Tick the box to confirm that the rest waits for the quota, or launch when the quota allows everyone.", "quota_not_confirmed", "confirmQuota");
          }
          const { campaign, warnings } = await launchCampaign(deps, a, params.id);
          if (fromPage) return answer(request, set, campaignUrl(campaign.id, campaign.status === "scheduled" ? "scheduled" : "launched"), null);
          set.status = 202;
          return { ...campaign, warnings };
        } catch (err) {
          const errors = fieldErrorsOf(err);
          // htmx shows the refusal in the launch form (the error handler's flash); a plain form post gets the review again, with it.
          if (!errors || !wantsPage(request)) throw err;
          set.status = 422;
          return reviewPage(deps, a, params.id, errors);
        }
      },
      { detail: campaignsDocs.launch },
    )
    .post("/campaigns/:id/pause", async ({ auth, deps, params, request, set }) => {
      const campaign = await pauseCampaign(deps, requireScope(auth), params.id);
      return answer(request, set, campaignUrl(campaign.id, "paused"), campaign);
    }, { detail: campaignsDocs.pause })
    .post("/campaigns/:id/resume", async ({ auth, deps, params, request, set }) => {
      const campaign = await resumeCampaign(deps, requireScope(auth), params.id);
      return answer(request, set, campaignUrl(campaign.id, "resumed"), campaign);
    }, { detail: campaignsDocs.resume })
    .post("/campaigns/:id/cancel", async ({ auth, deps, params, request, set }) => {
      const campaign = await cancelCampaign(deps, requireScope(auth), params.id);
      return answer(request, set, campaignUrl(campaign.id, "cancelled"), campaign);
    }, { detail: campaignsDocs.cancel })
    .post("/campaigns/:id/resend-unknown", async ({ auth, deps, params, request, set }) => {
      const result = await resendUnknown(deps, requireScope(auth), params.id);
      if (isHtmx(request) || wantsPage(request)) return answer(request, set, campaignUrl(params.id, "resent"), result);
      set.status = 202;
      return result;
    }, { detail: campaignsDocs.resendUnknown })
    .get(
      "/campaigns/:id/recipients",
      async ({ auth, deps, params, query, request, redirect, set }) => {
        // A browser that opens this API address gets the campaign page showing the same recipients.
        if (wantsPage(request)) return redirect(recipientsUrl(params.id, { status: statusFilter(query.status), page: query.page ?? 1 }), 303);
        const scope = requireScope(auth);
        if (isHtmx(request)) {
          const status = statusFilter(query.status);
          const [campaign, page] = await Promise.all([getCampaign(deps, scope, params.id), campaignRecipients(deps, scope, params.id, { status: status ?? undefined, page: query.page })]);
          set.headers["hx-push-url"] = recipientsUrl(params.id, { status, page: page.page });
          const a = requireAuth(auth);
          return <RecipientsTable {...page} campaignId={campaign.id} status={status} started={campaign.status !== "draft" && campaign.status !== "scheduled"} zone={userTimeZone(a)} now={deps.clock.now()} />;
        }
        const page = await campaignRecipients(deps, scope, params.id, { status: query.status, page: query.page });
        return { items: page.items, total: page.total };
      },
      { query: recipientsQuery, detail: campaignsDocs.recipients },
    )
    .get("/send", async ({ auth, deps }) => {
      const a = requireAuth(auth);
      const scope = requireScope(a);
      const [templates, identities, bucket] = await Promise.all([listTemplates(deps, scope), identitiesOf(deps, a), bucketSetting(deps, a)]);
      const zone = userTimeZone(a);
      const now = deps.clock.now();
      return <SendPage auth={a} values={blankSendForm(zone, now)} templates={templates} identities={identities} zone={zone} now={now} errors={[]} hasBucket={bucket.bucket !== null} />;
    })
    .post(
      "/send",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const scope = requireScope(a);
        const values = readSendForm(body as FormBody);
        const zone = userTimeZone(a);
        let errors: FieldError[] | null;
        try {
          const result = await sendEmail(deps, a, sendInput(values, zone, deps.clock.now()));
          const campaign = await getCampaign(deps, scope, result.campaignId);
          return answer(request, set, campaignUrl(result.campaignId, campaign.status === "scheduled" ? "scheduled" : "sent"), result);
        } catch (err) {
          errors = fieldErrorsOf(err);
          if (!errors) throw err;
        }
        set.status = 422;
        const [templates, identities, bucket] = await Promise.all([listTemplates(deps, scope), identitiesOf(deps, a), bucketSetting(deps, a)]);
        const props = { values, templates, identities, zone, now: deps.clock.now(), errors };
        return isHtmx(request) ? <SendForm {...props} /> : <SendPage auth={a} {...props} hasBucket={bucket.bucket !== null} />;
      },
      { body: formBody },
    );
}
