import { Elysia, t } from "elysia";
import { BucketPanel, CampaignAttachments, ChosenAttachment, ClearedSlot, ObjectList, ObjectsPage, parseTarget } from "../../../views/attachments/Attachments";
import { AppError, BadRequest } from "../../lib/errors";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { isHtmx, swapPanel, wantsPage } from "../../web/respond";
import { readBodyText } from "../../web/security";
import type { Auth } from "../auth/model";
import { hasWorkspaceRole } from "../auth/model";
import { activeKeys } from "../credentials/service";
import type { Deps } from "../../deps";
import { attachmentsDocs } from "../../web/api-reference";
import {
  addCampaignAttachment,
  bucketSetting,
  campaignAttachments,
  clearBucket,
  listBucketObjects,
  pickAttachment,
  removeCampaignAttachment,
  saveBucket,
  uploadAttachment,
} from "./service";

/**
 * The key a pick names, from a body the parser left unread (these paths also take uploads, which are
 * streamed): JSON `{"key": …}` from the API, a form's `key` field from the pages.
 */
async function pickedKey(request: Request): Promise<unknown> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const text = await readBodyText(request);
  if (type.startsWith("application/json")) {
    try {
      return (JSON.parse(text || "{}") as { key?: unknown }).key;
    } catch {
      throw new BadRequest("The request body is not valid JSON.", "malformed_json");
    }
  }
  if (type.startsWith("application/x-www-form-urlencoded")) return new URLSearchParams(text).get("key");
  throw new BadRequest('Send the file as multipart/form-data (field "file"), or JSON {"key": …} to pick one already in the bucket.', "unsupported_media_type");
}

const isMultipart = (request: Request) => (request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");

async function attachmentFrom(deps: Deps, auth: Auth, request: Request) {
  return isMultipart(request) ? uploadAttachment(deps, auth, request) : pickAttachment(deps, auth, await pickedKey(request));
}

async function keysRegion(deps: Deps, auth: Auth): Promise<string | null> {
  const active = await activeKeys(deps, auth).catch(() => null);
  return active?.keys.region ?? null;
}

const bucketBody = t.Object({ bucket: t.String({ maxLength: 200 }), region: t.Optional(t.Nullable(t.String({ maxLength: 50 }))) });

/** The workspace's S3 bucket, its files, and the files attached to campaigns and single sends. */
export function attachmentsRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/aws/s3", async ({ auth, deps, request, redirect }) => {
      const a = requireAuth(auth);
      requireScope(a);
      if (wantsPage(request)) return redirect("/settings/aws#aws-s3-section", 303);
      const setting = await bucketSetting(deps, a);
      if (!isHtmx(request)) return setting;
      return <BucketPanel setting={setting} canManage={hasWorkspaceRole(a.workspaceRole, "admin")} keysRegion={await keysRegion(deps, a)} />;
    }, { detail: attachmentsDocs.bucket })
    .put(
      "/aws/s3",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const setting = await saveBucket(deps, a, body);
        if (!isHtmx(request)) return setting;
        swapPanel(set, "aws-s3");
        return <BucketPanel setting={setting} canManage keysRegion={await keysRegion(deps, a)} />;
      },
      { body: bucketBody, detail: attachmentsDocs.setBucket },
    )
    .delete("/aws/s3", async ({ auth, deps, request, set }) => {
      const a = requireAuth(auth);
      await clearBucket(deps, a);
      if (!isHtmx(request)) {
        set.status = 204;
        return "";
      }
      swapPanel(set, "aws-s3");
      return <BucketPanel setting={{ bucket: null, region: null }} canManage keysRegion={await keysRegion(deps, a)} />;
    }, { detail: attachmentsDocs.clearBucket })
    .get(
      "/aws/s3/objects",
      async ({ auth, deps, query, request }) => {
        const a = requireAuth(auth);
        requireScope(a);
        const options = { prefix: query.prefix, token: query.nextToken };
        if (wantsPage(request)) {
          try {
            return <ObjectsPage auth={a} listing={await listBucketObjects(deps, a, options)} />;
          } catch (err) {
            if (err instanceof AppError && err.status === 422) return <ObjectsPage auth={a} listing={null} error={err.message} />;
            throw err;
          }
        }
        const listing = await listBucketObjects(deps, a, options);
        if (isHtmx(request)) return <ObjectList listing={listing} target={parseTarget(query.attachTo)} />;
        return { items: listing.items, nextToken: listing.nextToken };
      },
      {
        query: t.Object({
          prefix: t.Optional(t.String({ maxLength: 1024 })),
          nextToken: t.Optional(t.String({ maxLength: 2048 })),
          attachTo: t.Optional(t.String({ maxLength: 100 })),
        }),
        detail: attachmentsDocs.objects,
      },
    )
    .post(
      "/attachments",
      async ({ auth, deps, request, query, set }) => {
        const a = requireAuth(auth);
        requireScope(a);
        const attachment = await attachmentFrom(deps, a, request);
        set.status = 201;
        const form = parseTarget(`form:${query.form ?? ""}`);
        if (!isHtmx(request) || !form || !("form" in form)) return attachment;
        set.headers["hx-retarget"] = `#${form.form}-attachments`;
        set.headers["hx-reswap"] = "beforeend";
        return (
          <>
            <ChosenAttachment file={attachment} form={form.form} />
            <ClearedSlot target={form} />
          </>
        );
      },
      { query: t.Object({ form: t.Optional(t.String({ maxLength: 64 })) }), detail: attachmentsDocs.upload },
    )
    .get("/campaigns/:id/attachments", async ({ auth, deps, params, request, redirect }) => {
      const a = requireAuth(auth);
      requireScope(a);
      if (wantsPage(request)) return redirect(`/campaigns/${encodeURIComponent(params.id)}/review`, 303);
      return { items: await campaignAttachments(deps, a, params.id) };
    }, { detail: attachmentsDocs.list })
    .post("/campaigns/:id/attachments", async ({ auth, deps, params, request, set }) => {
      const a = requireAuth(auth);
      requireScope(a);
      // Someone else's or no campaign is "not found" before anything is read or stored.
      await campaignAttachments(deps, a, params.id);
      const attachment = await addCampaignAttachment(deps, a, params.id, await attachmentFrom(deps, a, request));
      set.status = 201;
      if (!isHtmx(request)) return attachment;
      swapPanel(set, "campaign-attachments");
      return <CampaignAttachments campaignId={params.id} attachments={await campaignAttachments(deps, a, params.id)} editable hasBucket />;
    }, { detail: attachmentsDocs.add })
    .delete(
      "/campaigns/:id/attachments/:index",
      async ({ auth, deps, params, request, set }) => {
        const a = requireAuth(auth);
        requireScope(a);
        const left = await removeCampaignAttachment(deps, a, params.id, params.index);
        if (!isHtmx(request)) {
          set.status = 204;
          return "";
        }
        swapPanel(set, "campaign-attachments");
        const { bucket } = await bucketSetting(deps, a);
        return <CampaignAttachments campaignId={params.id} attachments={left} editable hasBucket={bucket !== null} />;
      },
      { params: t.Object({ id: t.String({ maxLength: 100 }), index: t.Numeric({ minimum: 0, maximum: 1000 }) }), detail: attachmentsDocs.remove },
    );
}
