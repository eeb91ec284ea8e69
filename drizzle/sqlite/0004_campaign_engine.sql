CREATE TABLE `runners` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `send_pacing` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`max_rate` real NOT NULL,
	`rate` real NOT NULL,
	`next_slot_at` integer DEFAULT 0 NOT NULL,
	`max_24_hour_send` real NOT NULL,
	`sent_last_24_hours` real NOT NULL,
	`checked_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `campaigns` ADD `reply_to` text;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `tracking` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `kind` text DEFAULT 'campaign' NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `pause_reason` text;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `hold_until` integer;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `session_id` text;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `duplicates` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `expanded_at` integer;--> statement-breakpoint
ALTER TABLE `recipients` ADD `claimed_by` text;--> statement-breakpoint
ALTER TABLE `users` ADD `time_zone` text;