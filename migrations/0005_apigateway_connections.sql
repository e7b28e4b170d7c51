CREATE TABLE "apigateway_connections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"name" text NOT NULL,
	"credential_type" text NOT NULL,
	"role_arn" text,
	"external_id" text,
	"access_key_id" text,
	"secret_ciphertext" text,
	"regions" text[] NOT NULL,
	"api_types" text[] NOT NULL,
	"stages" jsonb NOT NULL,
	"api_filter" jsonb NOT NULL,
	"export" jsonb NOT NULL,
	"subscriptions" jsonb NOT NULL,
	"traffic" jsonb NOT NULL,
	"sync_interval_mins" integer NOT NULL,
	"additional_tags" jsonb,
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
	"last_sync_ms" bigint,
	"last_sync_duration_ms" bigint,
	"last_processor_id" text,
	"api_count" integer DEFAULT 0 NOT NULL,
	"endpoint_count" integer DEFAULT 0 NOT NULL,
	"next_run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_token" uuid,
	"lease_expires_at" timestamp with time zone,
	"consecutive_failures" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "apigateway_connections" ADD CONSTRAINT "apigateway_connections_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "apigateway_connections_customer_order_idx" ON "apigateway_connections" USING btree ("customer_id","in_trash","created_ms","id");--> statement-breakpoint
CREATE INDEX "apigateway_connections_external_id_idx" ON "apigateway_connections" USING btree ("customer_id","external_id");--> statement-breakpoint
CREATE INDEX "apigateway_connections_due_idx" ON "apigateway_connections" USING btree ("next_run_at") WHERE NOT "apigateway_connections"."disabled" AND NOT "apigateway_connections"."in_trash";--> statement-breakpoint
CREATE INDEX "apigateway_connections_trash_idx" ON "apigateway_connections" USING btree ("trashed_ms") WHERE "apigateway_connections"."in_trash";