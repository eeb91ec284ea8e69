import type { Config } from "../../config";
import type { BulkDestination, BulkTemplate, OutgoingAttachment, OutgoingMessage } from "../../aws/ses";
import { beforeBodyEnd, decodeEntities, escapeAttribute, rewriteLinks } from "../../lib/links";
import { bulkValues, renderBulkTemplate, renderMessage, type BulkMessage } from "../templates/render";
import { clickUrl, isTrackable, openPixelUrl } from "../tracking/links";
import { unsubscribeUrl } from "../unsubscribe/service";

/**
 * Turns a campaign and one recipient into the mail SES gets, on either send path. Both paths render
 * with the one renderer and add the same tracking, headers and tags, so a recipient gets the same
 * mail whether it went out alone (SendEmail) or in a batch (SendBulkEmail).
 */
export interface CampaignContent {
  workspaceId: string;
  campaignId: string;
  from: string;
  replyTo: string | null;
  subject: string;
  html: string;
  text: string | null;
  tracking: boolean;
  configurationSet: string | null;
  /** The campaign's files, read from S3 once per run; every recipient gets the same ones. */
  attachments?: OutgoingAttachment[];
}

export interface Addressee {
  recipientId: number;
  email: string;
  variables: Record<string, string>;
}

const PIXEL_STYLE = "display:block;width:1px;height:1px;border:0;";

function pixel(src: string): string {
  return `<img src="${src}" width="1" height="1" alt="" style="${PIXEL_STYLE}">`;
}

function headers(unsubscribe: string) {
  return [
    { name: "List-Unsubscribe", value: `<${unsubscribe}>` },
    { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
  ];
}

/** SES message tags: what SES events carry back so they map to the workspace, campaign and recipient. */
function tags(content: CampaignContent, to: Addressee) {
  return [
    { name: "workspace", value: content.workspaceId },
    { name: "campaign", value: content.campaignId },
    { name: "recipient", value: String(to.recipientId) },
  ];
}

/** Lower-cased keys, with the address itself as {{email}}: how the renderer looks variables up. */
function valuesOf(to: Addressee): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(to.variables)) if (typeof value === "string") values[key.toLowerCase()] = value;
  values.email = to.email;
  return values;
}

export type Composed = { ok: true; message: OutgoingMessage } | { ok: false; missing: string[] };

/** One recipient's mail for SendEmail, or the variables it lacks (it cannot be sent as written). */
export function composeMessage(config: Config, content: CampaignContent, to: Addressee, now: Date): Composed {
  const unsubscribe = unsubscribeUrl(config, { workspaceId: content.workspaceId, email: to.email, campaignId: content.campaignId });
  const rendered = renderMessage({ subject: content.subject, html: content.html, text: content.text, values: valuesOf(to), unsubscribeUrl: unsubscribe });
  if (rendered.missing.length) return { ok: false, missing: rendered.missing };
  let html = rendered.html;
  if (content.tracking) {
    const target = { workspaceId: content.workspaceId, campaignId: content.campaignId, recipientId: to.recipientId };
    html = rewriteLinks(html, (url) => (url !== unsubscribe && isTrackable(url) ? clickUrl(config, target, url, now) : null));
    html = beforeBodyEnd(html, pixel(escapeAttribute(openPixelUrl(config, target, now))));
  }
  return {
    ok: true,
    message: {
      from: content.from,
      replyTo: content.replyTo,
      to: to.email,
      subject: rendered.subject,
      html,
      text: rendered.text,
      headers: headers(unsubscribe),
      tags: tags(content, to),
      configurationSet: content.configurationSet,
      ...(content.attachments?.length ? { attachments: content.attachments } : {}),
    },
  };
}

/** A campaign's content as one SendBulkEmail template, with what each destination fills in. */
export interface BulkPlan {
  template: BulkTemplate;
  message: BulkMessage;
  /** Tracked links: their slot and their address with the recipient's slots still in it. */
  links: { key: string; url: string }[];
}

const SLOT = /\{\{\{(v\d+)\}\}\}/g;

/** Null when the campaign cannot go through SendBulkEmail and has to be sent one mail per call. */
export function planBulk(content: CampaignContent): BulkPlan | null {
  // SES takes attachments in SendBulkEmail's template, but the SES emulator the tests run against drops
  // them there: a campaign with files goes one mail per SendEmail call, where both keep them.
  if (content.attachments?.length) return null;
  const message = renderBulkTemplate({ subject: content.subject, html: content.html, text: content.text });
  if (!message) return null;
  const links: BulkPlan["links"] = [];
  let html = message.html;
  if (content.tracking) {
    const unsubscribe = message.unsubscribeSlot ? `{{{${message.unsubscribeSlot}}}}` : null;
    html = rewriteLinks(html, (url) => {
      if (url === unsubscribe || !isTrackable(url)) return null;
      const key = `l${links.length}`;
      links.push({ key, url });
      return `{{{${key}}}}`;
    });
    html = beforeBodyEnd(html, pixel("{{{px}}}"));
  }
  return {
    message,
    links,
    template: { from: content.from, replyTo: content.replyTo, subject: message.subject, html, text: message.text, configurationSet: content.configurationSet },
  };
}

export type BulkComposed = { ok: true; destination: BulkDestination } | { ok: false; missing: string[] };

export function composeBulkDestination(config: Config, content: CampaignContent, plan: BulkPlan, to: Addressee, now: Date): BulkComposed {
  const unsubscribe = unsubscribeUrl(config, { workspaceId: content.workspaceId, email: to.email, campaignId: content.campaignId });
  const { data, missing } = bulkValues(plan.message, valuesOf(to), unsubscribe);
  if (missing.length) return { ok: false, missing };
  if (content.tracking) {
    const target = { workspaceId: content.workspaceId, campaignId: content.campaignId, recipientId: to.recipientId };
    data.px = escapeAttribute(openPixelUrl(config, target, now));
    for (const link of plan.links) {
      // The address as the one-by-one path reads it from the finished HTML: the recipient's escaped values, decoded.
      const url = link.url.replace(SLOT, (_, key: string) => decodeEntities(data[key] ?? ""));
      data[link.key] = escapeAttribute(clickUrl(config, target, url, now));
    }
  }
  return { ok: true, destination: { to: to.email, replacementData: JSON.stringify(data), headers: headers(unsubscribe), tags: tags(content, to) } };
}
