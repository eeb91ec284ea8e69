CREATE TABLE "runners" (
	"id" text PRIMARY KEY NOT NULL,
	"started_at" bigint NOT NULL,
	"heartbeat_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "send_pacing" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"max_rate" double precision NOT NULL,
	"rate" double precision NOT NULL,
	"next_slot_at" bigint DEFAULT 0 NOT NULL,
	"max_24_hour_send" double precision NOT NULL,
	"sent_last_24_hours" double precision NOT NULL,
	"checked_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "reply_to" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "tracking" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "kind" text DEFAULT 'campaign' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "pause_reason" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "hold_until" bigint;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "session_id" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "duplicates" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "expanded_at" bigint;--> statement-breakpoint
ALTER TABLE "recipients" ADD COLUMN "claimed_by" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "time_zone" text;