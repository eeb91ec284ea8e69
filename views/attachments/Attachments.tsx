import { createHash } from "node:crypto";
import type { Auth } from "../../src/features/auth/model";
import type { BucketSetting } from "../../src/features/attachments/service";
import { ATTACHMENT_MAX, CHOSEN_FIELD, sizeInWords, type Attachment, type ChosenFile } from "../../src/features/attachments/model";
import type { S3Object } from "../../src/aws/s3";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Flash } from "../components/Flash";
import { AppShell } from "../layouts/AppShell";
import { HINT, INPUT, LABEL } from "../campaigns/parts";

/**
 * Attachments in the pages: the workspace's bucket on the AWS page, a campaign's files on its review,
 * and, on the campaign and send forms, the files chosen so far (ticked boxes that go with the form).
 * Files are added by upload or picked from the bucket's list, searched by the start of their key.
 */

/** Where added files go: a draft campaign (saved at once) or a form still being written (sent with it). */
export type AttachTarget = { campaignId: string } | { form: string };

function targetParam(target: AttachTarget): string {
  return "campaignId" in target ? `campaign:${target.campaignId}` : `form:${target.form}`;
}

/** `attachTo` as it travels in the picker's links: "campaign:<id>" or "form:<id>"; anything else is no target. */
export function parseTarget(raw: string | undefined): AttachTarget | null {
  const m = /^(campaign|form):([A-Za-z0-9_-]{1,64})$/.exec(raw ?? "");
  if (!m) return null;
  return m[1] === "campaign" ? { campaignId: m[2]! } : { form: m[2]! };
}

function addUrl(target: AttachTarget): string {
  return "campaignId" in target ? `/campaigns/${target.campaignId}/attachments` : `/attachments?form=${target.form}`;
}

function slotId(target: AttachTarget): string {
  return "campaignId" in target ? "campaign-attachments-errors" : `${target.form}-attachments-errors`;
}

/** The error slot of an adder, emptied out of band when a file was added. */
export function ClearedSlot({ target }: { target: AttachTarget }) {
  return <div id={slotId(target)} hx-swap-oob="true" class="empty:hidden mb-3" aria-live="assertive"></div>;
}

// ---- The workspace's bucket (AWS page) ----

export function BucketPanel({ setting, canManage, keysRegion }: { setting: BucketSetting; canManage: boolean; keysRegion: string | null }) {
  return (
    <div id="aws-s3" data-testid="aws-s3">
      <p class="mb-4 text-sm text-slate-600">
        Files attached to campaigns live in an S3 bucket of your own, read and written with this workspace's AWS keys. Uploads go under{" "}
        <code>sesame/attachments/</code>; any file already in the bucket can be picked too.
      </p>
      <dl class="mb-4 grid gap-4 text-sm sm:grid-cols-2">
        <div class="min-w-0">
          <dt class="text-slate-500">Bucket</dt>
          <dd class="font-mono break-all" data-testid="aws-s3-bucket" safe>
            {setting.bucket ?? "None yet"}
          </dd>
        </div>
        <div class="min-w-0">
          <dt class="text-slate-500">Region</dt>
          <dd safe>{setting.region ?? (keysRegion ? `${keysRegion} (the keys' region)` : "The keys' region")}</dd>
        </div>
      </dl>
      {canManage ? (
        <form hx-put="/aws/s3" hx-target="#aws-s3-errors" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="aws-s3-form">
          <div id="aws-s3-errors" class="empty:hidden mb-4" aria-live="assertive"></div>
          <div class="grid gap-x-4 sm:grid-cols-2">
            <Field name="bucket" label="Bucket name" value={setting.bucket ?? ""} required maxlength={63} hint="As the S3 console shows it, such as acme-newsletter-files." />
            <Field name="region" label="Bucket region (optional)" value={setting.region ?? ""} maxlength={30} hint="Only when the bucket is not in the keys' region, such as eu-west-1." />
          </div>
          <div class="flex flex-wrap items-center gap-2">
            <Button>Check and save</Button>
            {setting.bucket ? (
              <Button kind="secondary" type="button" hx-delete="/aws/s3" hx-target="#aws-s3-errors" hx-swap="innerHTML" hx-confirm="Stop using this bucket for new attachments? Files already attached to campaigns stay where they are.">
                Stop using this bucket
              </Button>
            ) : (
              ""
            )}
          </div>
        </form>
      ) : (
        <p class="text-sm text-slate-600">A workspace admin or owner chooses the bucket.</p>
      )}
    </div>
  );
}

// ---- Adding files: upload and pick ----

/** The upload field and the bucket's searchable list, for a campaign or a form. */
export function AttachmentAdder({ target, hasBucket }: { target: AttachTarget; hasBucket: boolean }) {
  const id = "campaignId" in target ? "campaign" : target.form;
  if (!hasBucket) {
    return (
      <p class="text-sm text-slate-600" data-testid="attachments-no-bucket">
        To attach files, a workspace admin first names the workspace's S3 bucket under{" "}
        <a href="/settings/aws#aws-s3-section" class="text-sky-700 underline">
          Settings → AWS
        </a>
        .
      </p>
    );
  }
  return (
    <div data-testid="attachment-adder">
      <div id={slotId(target)} class="empty:hidden mb-3" aria-live="assertive"></div>
      <form
        hx-post={addUrl(target)}
        hx-encoding="multipart/form-data"
        hx-target={`#${slotId(target)}`}
        hx-swap="innerHTML"
        hx-disabled-elt="find button"
        class="mb-4"
        data-testid="attachment-upload"
      >
        <label for={`${id}-file`} class={LABEL}>
          Upload a file
        </label>
        <div class="flex flex-wrap items-center gap-2">
          <input id={`${id}-file`} type="file" name="file" required class="min-w-0 max-w-full text-sm" aria-describedby={`${id}-file-hint`} />
          <Button kind="secondary">Upload</Button>
        </div>
        <p id={`${id}-file-hint`} class={HINT} safe>
          {`Stored in the workspace's bucket. Up to ${sizeInWords(ATTACHMENT_MAX)}; SES refuses programs and scripts (.exe, .bat, .js, .vbs …).`}
        </p>
      </form>
      <form
        hx-get="/aws/s3/objects"
        hx-trigger="submit, input delay:400ms"
        hx-target={`#${id}-objects`}
        hx-swap="innerHTML"
        class="mb-2"
        role="search"
      >
        <input type="hidden" name="attachTo" value={targetParam(target)} />
        <label for={`${id}-prefix`} class={LABEL}>
          Or pick a file already in the bucket
        </label>
        <div class="flex flex-wrap gap-2">
          <input id={`${id}-prefix`} name="prefix" type="search" class={`${INPUT} sm:w-80`} placeholder="Start of the key, such as reports/2026" maxlength={1024} />
          <Button kind="secondary">Search</Button>
        </div>
      </form>
      <div id={`${id}-objects`} data-testid="bucket-objects">
        <p class="text-sm text-slate-500">Search to list the bucket's files.</p>
      </div>
    </div>
  );
}

/** One page of the bucket's files; each can be attached to the target, or just listed. */
export function ObjectList({ listing, target }: { listing: { bucket: string; prefix: string; items: S3Object[]; nextToken: string | null }; target: AttachTarget | null }) {
  if (listing.items.length === 0) {
    return (
      <p class="text-sm text-slate-600" data-testid="bucket-empty" safe>
        {listing.prefix ? `No file in ${listing.bucket} starts with “${listing.prefix}”.` : `The bucket ${listing.bucket} has no files yet. Upload one.`}
      </p>
    );
  }
  return (
    <div class="overflow-x-auto rounded border border-slate-200">
      <ul class="divide-y divide-slate-100 text-sm" data-testid="bucket-object-list">
        {listing.items.map((o) => (
          <li class="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
            <span class="min-w-0 flex-1 break-all font-mono text-xs" safe>
              {o.key}
            </span>
            <span class="whitespace-nowrap text-slate-500 tabular-nums" safe>
              {sizeInWords(o.size)}
            </span>
            {target ? (
              <form hx-post={addUrl(target)} hx-target={`#${slotId(target)}`} hx-swap="innerHTML" hx-disabled-elt="find button">
                <input type="hidden" name="key" value={o.key} />
                <Button kind="secondary" aria-label={`Attach ${o.key}`}>
                  Attach
                </Button>
              </form>
            ) : (
              ""
            )}
          </li>
        ))}
      </ul>
      {listing.nextToken ? (
        <p class="px-3 py-2 text-xs text-slate-500">More files follow: type more of the key to narrow the list.</p>
      ) : (
        ""
      )}
    </div>
  );
}

// ---- A campaign's files (review step) ----

export function CampaignAttachments({ campaignId, attachments, editable, hasBucket }: { campaignId: string; attachments: Attachment[]; editable: boolean; hasBucket: boolean }) {
  return (
    <section id="campaign-attachments" class="mb-6 min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby="campaign-attachments-title" data-testid="campaign-attachments">
      <h2 id="campaign-attachments-title" class="mb-4 text-lg font-medium">
        Attachments
      </h2>
      {attachments.length ? (
        <ul class="mb-4 divide-y divide-slate-100 rounded border border-slate-200 text-sm" data-testid="attachment-list">
          {attachments.map((a, i) => (
            <li class="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
              <span class="min-w-0 flex-1 break-all font-medium" data-testid="attachment-name" safe>
                {a.filename}
              </span>
              <span class="whitespace-nowrap text-slate-500 tabular-nums" safe>
                {sizeInWords(a.size)}
              </span>
              {editable ? (
                <Button
                  kind="danger"
                  type="button"
                  hx-delete={`/campaigns/${campaignId}/attachments/${i}`}
                  hx-target="#campaign-attachments-errors"
                  hx-swap="innerHTML"
                  hx-confirm={`Remove ${a.filename} from this campaign? The file stays in the bucket.`}
                >
                  Remove
                </Button>
              ) : (
                ""
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p class="mb-4 text-sm text-slate-600" data-testid="attachments-empty">
          No files are attached: the email goes out without attachments.
        </p>
      )}
      {editable ? <AttachmentAdder target={{ campaignId }} hasBucket={hasBucket} /> : ""}
    </section>
  );
}

// ---- Files chosen on a form (campaign form, send page) ----

/** The field a chosen file travels in: one per file, so that a form post keeps them all. */
export function attachmentField(key: string): string {
  return `${CHOSEN_FIELD}${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
}

export function ChosenAttachment({ file, form }: { file: ChosenFile; form: string }) {
  return (
    <li class="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
      <label class="flex min-w-0 flex-1 items-center gap-2">
        <input type="checkbox" form={form} name={attachmentField(file.key)} value={file.key} checked class="h-4 w-4 shrink-0" />
        <span class="min-w-0 break-all" data-testid="attachment-name" safe>
          {file.filename}
        </span>
      </label>
      {file.size !== null ? (
        <span class="whitespace-nowrap text-slate-500 tabular-nums" safe>
          {sizeInWords(file.size)}
        </span>
      ) : (
        ""
      )}
    </li>
  );
}

/** Inside a form: the files chosen so far; untick one to leave it out. The adder sits after the form. */
export function ChosenAttachments({ files, form, error }: { files: ChosenFile[]; form: string; error?: string }) {
  return (
    <fieldset class="mb-5 min-w-0">
      <legend class={LABEL}>Attachments (optional)</legend>
      <ul id={`${form}-attachments`} class="divide-y divide-slate-100 rounded border border-slate-200 text-sm empty:hidden" data-testid="chosen-attachments">
        {files.map((file) => (
          <ChosenAttachment file={file} form={form} />
        ))}
      </ul>
      <p class={HINT}>Add files below the form, by upload or from the bucket; untick a file to leave it out.</p>
      <p id="field-attachments-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite" safe>
        {error ?? ""}
      </p>
    </fieldset>
  );
}

/** The adder for a form, in a card of its own after the form (forms cannot hold forms). */
export function FormAttachmentCard({ form, hasBucket }: { form: string; hasBucket: boolean }) {
  return (
    <section class="mt-6 max-w-2xl min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby={`${form}-adder-title`} data-testid="form-attachments">
      <h2 id={`${form}-adder-title`} class="mb-4 text-lg font-medium">
        Add attachments
      </h2>
      <AttachmentAdder target={{ form }} hasBucket={hasBucket} />
    </section>
  );
}

// ---- The bucket's files as a page of their own ----

export function ObjectsPage({ auth, listing, error }: { auth: Auth; listing: { bucket: string; prefix: string; items: S3Object[]; nextToken: string | null } | null; error?: string }) {
  return (
    <AppShell auth={auth} active="settings" title="Files in the attachments bucket" crumbs={[{ href: "/settings/aws", label: "AWS" }]}>
      <section class="min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6">
        {error ? (
          <div class="mb-4">
            <Flash kind="error" message={error} />
          </div>
        ) : (
          ""
        )}
        <form method="get" action="/aws/s3/objects" class="mb-4" role="search">
          <label for="objects-prefix" class={LABEL}>
            Files whose key starts with
          </label>
          <div class="flex flex-wrap gap-2">
            <input id="objects-prefix" name="prefix" type="search" value={listing?.prefix ?? ""} class={`${INPUT} sm:w-80`} maxlength={1024} />
            <Button kind="secondary">Search</Button>
          </div>
        </form>
        {listing ? <ObjectList listing={listing} target={null} /> : ""}
      </section>
    </AppShell>
  );
}
