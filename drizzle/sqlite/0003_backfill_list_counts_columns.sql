-- Custom SQL migration file, put your code below! ---- Lists made before counts and columns were kept: count their members and collect the attribute keys they use.
UPDATE `lists` SET `contact_count` = (SELECT count(*) FROM `list_contacts` lc WHERE lc.`list_id` = `lists`.`id`);--> statement-breakpoint
UPDATE `lists` SET `columns` = coalesce((
  SELECT json_group_array(json_object('key', k.key, 'label', k.key)) FROM (
    SELECT DISTINCT j.key AS key FROM `list_contacts` lc JOIN `contacts` c ON c.`id` = lc.`contact_id`, json_each(c.`attributes`) j
    WHERE lc.`list_id` = `lists`.`id` ORDER BY 1
  ) k
), '[]');
