CREATE TABLE "customers" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
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
	"lease_expires_at" timestamp with time zone
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
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "external_ids_customer_idx" ON "external_ids" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "integrations_customer_order_idx" ON "integrations" USING btree ("customer_id","in_trash","created_ms","id");--> statement-breakpoint
CREATE INDEX "integrations_external_id_idx" ON "integrations" USING btree ("customer_id","external_id");--> statement-breakpoint
CREATE INDEX "integrations_due_idx" ON "integrations" USING btree ("next_run_at") WHERE NOT "integrations"."disabled" AND NOT "integrations"."in_trash";--> statement-breakpoint
CREATE INDEX "integrations_trash_idx" ON "integrations" USING btree ("trashed_ms") WHERE "integrations"."in_trash";--> statement-breakpoint
CREATE UNIQUE INDEX "tokens_hash_idx" ON "tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "tokens_customer_idx" ON "tokens" USING btree ("customer_id");