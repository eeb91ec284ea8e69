CREATE TABLE `aws_account_samples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` text NOT NULL,
	`region` text NOT NULL,
	`at` integer NOT NULL,
	`sending_enabled` integer NOT NULL,
	`production_access` integer NOT NULL,
	`enforcement_status` text NOT NULL,
	`review_status` text,
	`max_send_rate` real NOT NULL,
	`max_24_hour_send` real NOT NULL,
	`sent_last_24_hours` real NOT NULL,
	`vdm_enabled` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `aws_account_samples_workspace_idx` ON `aws_account_samples` (`workspace_id`,`region`,`at`);--> statement-breakpoint
CREATE TABLE `ses_identities` (
	`workspace_id` text NOT NULL,
	`region` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`verification_status` text NOT NULL,
	`dkim_status` text,
	`dkim_tokens` text,
	`mail_from_domain` text,
	`mail_from_status` text,
	`sending_enabled` integer DEFAULT false NOT NULL,
	`checked_at` integer NOT NULL,
	`next_check_at` integer,
	`verified_at` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `region`, `name`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ses_identities_next_check_idx` ON `ses_identities` (`next_check_at`);--> statement-breakpoint
ALTER TABLE `suppressions` ADD `ses_pushed_at` integer;--> statement-breakpoint
ALTER TABLE `templates` ADD `ses_template_name` text;--> statement-breakpoint
ALTER TABLE `templates` ADD `ses_published_at` integer;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `ses_suppression_sync` text DEFAULT 'off' NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `ses_suppression_synced_at` integer;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `ses_suppression_pulled_through` integer;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `ses_suppression_target` text;