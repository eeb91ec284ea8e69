import type { Deps } from "../../deps";
import { csvLine } from "../../lib/csv";
import { Invalid } from "../../lib/errors";
import { readBound, readWhole } from "../events/explorer";
import { AUDIT_ACTIONS, EXPORT_PAGE, PAGE_SIZE, describeAudit, isAuditAction, type AuditItem, type AuditPage } from "./model";
import { anyAuditEntries, auditRowsBefore, listAuditRows, type AuditFilter, type AuditRow, type AuditScope } from "./queries";

export type { AuditFilter, AuditScope };

const PAGE_MAX = 100_000;
const PAGE_SIZE_MAX = 200;
const ACTOR_MAX = 320;

/** The filter as it comes from the query string or the page's form. */
export interface AuditFilterInput {
  action?: string[] | string;
  actor?: string;
  from?: string;
  to?: string;
  page?: string | number;
  pageSize?: string | number;
}

/** Actions from repeated or comma-separated `action` parameters; none means every action. */
function readActions(raw: string[] | string | undefined): string[] {
  const given = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  const unknown = given.find((v) => !isAuditAction(v));
  if (unknown !== undefined) {
    throw new Invalid(`The "action" filter takes one of ${AUDIT_ACTIONS.join(", ")}; "${unknown.slice(0, 40)}" is none of these.`, "invalid_action", "action");
  }
  return AUDIT_ACTIONS.filter((a) => given.includes(a));
}

/** Checks a filter; anything wrong is an Invalid naming its field (422), never a failed query. Days are the person's. */
export function readAuditFilter(input: AuditFilterInput, zone: string): AuditFilter {
  const actor = (input.actor ?? "").trim();
  if (actor.length > ACTOR_MAX) throw new Invalid(`The "actor" search is too long: keep it under ${ACTOR_MAX} characters.`, "invalid_actor", "actor");
  const from = (input.from ?? "").trim();
  const to = (input.to ?? "").trim();
  const since = readBound(from, "from", zone);
  const until = readBound(to, "to", zone);
  if (since && until && until.getTime() <= since.getTime()) throw new Invalid(`The "to" date is before the "from" date.`, "invalid_to", "to");
  return {
    actions: readActions(input.action),
    actor,
    from,
    to,
    since,
    until,
    page: readWhole(input.page, "page", 1, PAGE_MAX),
    pageSize: readWhole(input.pageSize, "pageSize", PAGE_SIZE, PAGE_SIZE_MAX),
  };
}

function toItem(row: AuditRow): AuditItem {
  const target = row.targetType ? { type: row.targetType, id: row.targetId, label: row.targetLabel } : null;
  return {
    id: row.id,
    at: row.at,
    action: row.action,
    summary: describeAudit({ action: row.action, target, detail: row.detail }),
    actor: { type: row.actorType, id: row.actorId, label: row.actorLabel },
    target,
    ip: row.ip,
    userAgent: row.userAgent,
    detail: row.detail,
  };
}

/** A page of the log, newest first. The caller was checked: a workspace owner or admin for a workspace's log, the instance admin for the instance's. */
export async function listAudit(deps: Deps, scope: AuditScope, filter: AuditFilter): Promise<AuditPage> {
  const { rows, total, totalCapped } = await listAuditRows(deps.db, scope, filter);
  return { items: rows.map(toItem), total, totalCapped, page: filter.page, pageSize: filter.pageSize };
}

export async function auditHasEntries(deps: Deps, scope: AuditScope): Promise<boolean> {
  return anyAuditEntries(deps.db, scope);
}

const CSV_HEADER = ["time (UTC)", "action", "what happened", "actor type", "actor", "actor id", "target type", "target", "target id", "ip", "user agent", "detail", "id"];

/**
 * Every entry the filter matches (not only one page), newest first, as CSV lines: read in keyset
 * pages and yielded one page at a time. Cells are escaped against spreadsheet formulas (src/lib/csv.ts).
 */
export async function* auditCsv(deps: Deps, scope: AuditScope, filter: AuditFilter): AsyncGenerator<string> {
  yield csvLine(CSV_HEADER);
  let before: { at: Date; id: string } | null = null;
  for (;;) {
    const rows = await auditRowsBefore(deps.db, scope, filter, before, EXPORT_PAGE);
    if (rows.length === 0) return;
    let out = "";
    for (const row of rows) {
      const item = toItem(row);
      out += csvLine([
        item.at.toISOString(),
        item.action,
        item.summary,
        item.actor.type,
        item.actor.label,
        item.actor.id,
        item.target?.type,
        item.target?.label,
        item.target?.id,
        item.ip,
        item.userAgent,
        item.detail ? JSON.stringify(item.detail) : "",
        item.id,
      ]);
    }
    yield out;
    const last = rows.at(-1)!;
    before = { at: last.at, id: last.id };
  }
}

/** The CSV as a byte stream that reads the next page only when the client has taken the last one, and stops when it leaves. */
export function auditCsvStream(deps: Deps, scope: AuditScope, filter: AuditFilter): ReadableStream<Uint8Array> {
  const lines = auditCsv(deps, scope, filter);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
}
