ALTER TABLE "imports" ADD COLUMN "runner" text;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "lease_until" bigint;