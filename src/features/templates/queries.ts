import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../../db/client";

type Row = { id: string; workspaceId: string; name: string; subject: string; html: string; text: string | null; variables: string[]; createdAt: Date; updatedAt: Date };

export async function insertTemplate(db: Database, row: Row) {
  await db.orm.insert(db.t.templates).values(row);
}

export async function findTemplate(db: Database, workspaceId: string, id: string) {
  const { templates } = db.t;
  const [row] = await db.orm.select().from(templates).where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)));
  return row ?? null;
}

export async function listTemplateRows(db: Database, workspaceId: string) {
  const { templates } = db.t;
  return db.orm.select().from(templates).where(eq(templates.workspaceId, workspaceId)).orderBy(desc(templates.updatedAt));
}

export async function updateTemplateRow(db: Database, workspaceId: string, id: string, values: Omit<Row, "id" | "workspaceId" | "createdAt">) {
  const { templates } = db.t;
  const updated = await db.orm.update(templates).set(values).where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id))).returning({ id: templates.id });
  return updated.length > 0;
}

export async function deleteTemplateRow(db: Database, workspaceId: string, id: string) {
  const { templates } = db.t;
  const deleted = await db.orm.delete(templates).where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id))).returning({ id: templates.id });
  return deleted.length > 0;
}

/** Records where the template was published in SES ("region/name") and when; null forgets it. */
export async function setTemplateSesLink(db: Database, workspaceId: string, id: string, link: string | null, at: Date | null) {
  const { templates } = db.t;
  const updated = await db.orm
    .update(templates)
    .set({ sesTemplateName: link, sesPublishedAt: at })
    .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)))
    .returning({ id: templates.id });
  return updated.length > 0;
}

/** Forgets every template's link to one SES template: it was deleted, or another template now publishes to it. */
export async function clearTemplateSesLinks(db: Database, workspaceId: string, link: string) {
  const { templates } = db.t;
  await db.orm
    .update(templates)
    .set({ sesTemplateName: null, sesPublishedAt: null })
    .where(and(eq(templates.workspaceId, workspaceId), eq(templates.sesTemplateName, link)));
}
