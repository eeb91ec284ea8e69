ALTER TABLE `campaign_stats` ADD `human_opens` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaign_stats` ADD `human_clicks` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaign_stats` ADD `rejected` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaign_stats` ADD `delayed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaign_stats` ADD `settled` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `guard_off_at` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `class` text;--> statement-breakpoint
CREATE INDEX `events_workspace_email_idx` ON `events` (`workspace_id`,`email`,`at`);--> statement-breakpoint
CREATE INDEX `events_recipient_idx` ON `events` (`recipient_id`,`type`);--> statement-breakpoint
CREATE INDEX `events_workspace_type_idx` ON `events` (`workspace_id`,`type`,`at`);--> statement-breakpoint
ALTER TABLE `recipients` ADD `delivered_at` integer;--> statement-breakpoint
ALTER TABLE `recipients` ADD `bounced_at` integer;--> statement-breakpoint
ALTER TABLE `recipients` ADD `complained_at` integer;--> statement-breakpoint
ALTER TABLE `recipients` ADD `human_opened_at` integer;--> statement-breakpoint
ALTER TABLE `recipients` ADD `human_clicked_at` integer;--> statement-breakpoint
ALTER TABLE `suppressions` ADD `event_id` integer;