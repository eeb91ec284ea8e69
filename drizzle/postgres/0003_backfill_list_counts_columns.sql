-- Custom SQL migration file, put your code below! ---- Lists made before counts and columns were kept: count their members and collect the attribute keys they use.
UPDATE "lists" SET "contact_count" = (SELECT count(*) FROM "list_contacts" lc WHERE lc."list_id" = "lists"."id");--> statement-breakpoint
UPDATE "lists" SET "columns" = coalesce((
  SELECT jsonb_agg(jsonb_build_object('key', k.key, 'label', k.key) ORDER BY k.key) FROM (
    SELECT DISTINCT a.key AS key FROM "list_contacts" lc JOIN "contacts" c ON c."id" = lc."contact_id", jsonb_object_keys(c."attributes") AS a(key)
    WHERE lc."list_id" = "lists"."id"
  ) k
), '[]'::jsonb);
