import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";

/** The limits the instance admin set for one key (null fields: its role's). */
export async function findKeyLimits(db: Database, keyId: string) {
  const { apiKeys } = db.t;
  const [row] = await db.orm
    .select({ requestsPerMinute: apiKeys.requestsPerMinute, mailsPerDay: apiKeys.mailsPerDay })
    .from(apiKeys)
    .where(eq(apiKeys.id, keyId));
  return row ?? null;
}
