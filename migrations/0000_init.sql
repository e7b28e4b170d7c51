CREATE TABLE "collector_cursors" (
	"integration_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"position" text NOT NULL,
	"updated_ms" bigint NOT NULL,
	CONSTRAINT "collector_cursors_integration_id_scope_pk" PRIMARY KEY("integration_id","scope")
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"integration_id" uuid,
	"name" text NOT NULL,
	"start_ms" bigint NOT NULL,
	"end_ms" bigint,
	"running_state" text NOT NULL,
	"annotations" jsonb NOT NULL,
	"tags" text[] NOT NULL,
	"hosts" text[] NOT NULL,
	"is_user_event" boolean DEFAULT false NOT NULL,
	"dedupe_key" text,
	"created_ms" bigint NOT NULL,
	"updated_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "external_ids" (
	"value" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"role_arn" text,
	"created_ms" bigint NOT NULL,
	"expires_ms" bigint NOT NULL,
	"used_ms" bigint,
	"deleted_ms" bigint
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"name" text NOT NULL,
	"service" text NOT NULL,
	"refresh_mins" integer NOT NULL,
	"additional_tags" jsonb,
	"config" jsonb NOT NULL,
	"role_arn" text NOT NULL,
	"external_id" text NOT NULL,
	"creator_id" text NOT NULL,
	"updater_id" text NOT NULL,
	"created_ms" bigint NOT NULL,
	"updated_ms" bigint NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"in_trash" boolean DEFAULT false NOT NULL,
	"trashed_ms" bigint,
	"last_error" text,
	"last_error_ms" bigint,
	"last_error_event" jsonb,
	"last_metric_count" integer,
	"last_processing_timestamp" bigint,
	"last_processor_id" text,
	"last_received_data_point_ms" bigint,
	"next_run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_token" uuid,
	"lease_expires_at" timestamp with time zone,
	"consecutive_failures" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points" (
	"series_id" bigint NOT NULL,
	"ts" bigint NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "points_series_id_ts_pk" PRIMARY KEY("series_id","ts")
);
--> statement-breakpoint
CREATE TABLE "series" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"key" text NOT NULL,
	"metric" text NOT NULL,
	"source" text NOT NULL,
	"tags" jsonb NOT NULL,
	"integration_id" uuid,
	"last_point_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"permissions" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "collector_cursors" ADD CONSTRAINT "collector_cursors_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points" ADD CONSTRAINT "points_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series" ADD CONSTRAINT "series_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_customer_start_idx" ON "events" USING btree ("customer_id","start_ms","id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_dedupe_idx" ON "events" USING btree ("customer_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "events_integration_idx" ON "events" USING btree ("integration_id");--> statement-breakpoint
CREATE INDEX "external_ids_customer_idx" ON "external_ids" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "integrations_customer_order_idx" ON "integrations" USING btree ("customer_id","in_trash","created_ms","id");--> statement-breakpoint
CREATE INDEX "integrations_external_id_idx" ON "integrations" USING btree ("customer_id","external_id");--> statement-breakpoint
CREATE INDEX "integrations_due_idx" ON "integrations" USING btree ("next_run_at") WHERE NOT "integrations"."disabled" AND NOT "integrations"."in_trash";--> statement-breakpoint
CREATE INDEX "integrations_trash_idx" ON "integrations" USING btree ("trashed_ms") WHERE "integrations"."in_trash";--> statement-breakpoint
CREATE INDEX "points_ts_brin_idx" ON "points" USING brin ("ts");--> statement-breakpoint
CREATE UNIQUE INDEX "series_customer_key_idx" ON "series" USING btree ("customer_id","key");--> statement-breakpoint
CREATE INDEX "series_customer_metric_idx" ON "series" USING btree ("customer_id","metric","source");--> statement-breakpoint
CREATE INDEX "series_integration_idx" ON "series" USING btree ("integration_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tokens_hash_idx" ON "tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "tokens_customer_idx" ON "tokens" USING btree ("customer_id");