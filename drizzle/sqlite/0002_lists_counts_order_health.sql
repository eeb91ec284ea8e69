CREATE TABLE `instance_health` (
	`id` text PRIMARY KEY NOT NULL,
	`checked_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `list_contacts` ADD `position` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `list_contacts_added_idx` ON `list_contacts` (`list_id`,`created_at`,`position`);--> statement-breakpoint
ALTER TABLE `lists` ADD `contact_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `lists` ADD `columns` text DEFAULT '[]' NOT NULL;