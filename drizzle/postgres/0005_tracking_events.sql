ALTER TABLE "campaign_stats" ADD COLUMN "human_opens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_stats" ADD COLUMN "human_clicks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_stats" ADD COLUMN "rejected" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_stats" ADD COLUMN "delayed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_stats" ADD COLUMN "settled" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "guard_off_at" bigint;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "class" text;--> statement-breakpoint
ALTER TABLE "recipients" ADD COLUMN "delivered_at" bigint;--> statement-breakpoint
ALTER TABLE "recipients" ADD COLUMN "bounced_at" bigint;--> statement-breakpoint
ALTER TABLE "recipients" ADD COLUMN "complained_at" bigint;--> statement-breakpoint
ALTER TABLE "recipients" ADD COLUMN "human_opened_at" bigint;--> statement-breakpoint
ALTER TABLE "recipients" ADD COLUMN "human_clicked_at" bigint;--> statement-breakpoint
ALTER TABLE "suppressions" ADD COLUMN "event_id" bigint;--> statement-breakpoint
CREATE INDEX "events_workspace_email_idx" ON "events" USING btree ("workspace_id","email","at");--> statement-breakpoint
CREATE INDEX "events_recipient_idx" ON "events" USING btree ("recipient_id","type");--> statement-breakpoint
CREATE INDEX "events_workspace_type_idx" ON "events" USING btree ("workspace_id","type","at");