CREATE TABLE "collection_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"integration_id" uuid NOT NULL,
	"customer_id" text NOT NULL,
	"started_ms" bigint NOT NULL,
	"ended_ms" bigint NOT NULL,
	"replica" text NOT NULL,
	"status" text NOT NULL,
	"series" integer DEFAULT 0 NOT NULL,
	"events" integer DEFAULT 0 NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"aws_calls" jsonb NOT NULL,
	"error" text,
	"plan" jsonb
);
--> statement-breakpoint
ALTER TABLE "collection_runs" ADD CONSTRAINT "collection_runs_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "collection_runs_integration_idx" ON "collection_runs" USING btree ("integration_id","id");