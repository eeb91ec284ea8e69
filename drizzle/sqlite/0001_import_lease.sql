ALTER TABLE `imports` ADD `runner` text;--> statement-breakpoint
ALTER TABLE `imports` ADD `lease_until` integer;