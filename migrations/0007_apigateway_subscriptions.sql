CREATE TABLE "apigateway_key_deletions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"connection_id" uuid NOT NULL,
	"subscription_id" uuid NOT NULL,
	"region" text NOT NULL,
	"usage_plan_id" text NOT NULL,
	"aws_api_key_id" text,
	"key_name" text,
	"reason" text NOT NULL,
	"due_ms" bigint NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"lease_token" uuid,
	"lease_expires_ms" bigint
);
--> statement-breakpoint
CREATE TABLE "apigateway_subscriptions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"connection_id" uuid NOT NULL,
	"region" text NOT NULL,
	"usage_plan_id" text NOT NULL,
	"aws_api_key_id" text,
	"name" text NOT NULL,
	"description" text,
	"status" text NOT NULL,
	"value_sha256" text,
	"value_last4" text,
	"rotations" integer DEFAULT 0 NOT NULL,
	"creator_id" text NOT NULL,
	"updater_id" text NOT NULL,
	"created_ms" bigint NOT NULL,
	"updated_ms" bigint NOT NULL,
	"last_error" text,
	"idempotency_key" text,
	"request_sha256" text,
	"idempotency_expires_ms" bigint
);
--> statement-breakpoint
CREATE TABLE "apigateway_usage_plans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"connection_id" uuid NOT NULL,
	"region" text NOT NULL,
	"aws_usage_plan_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"throttle" jsonb,
	"quota" jsonb,
	"api_stages" jsonb NOT NULL,
	"first_seen_ms" bigint NOT NULL,
	"last_seen_ms" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "apigateway_sync_runs" ADD COLUMN "unknown_subscription_keys" jsonb;--> statement-breakpoint
ALTER TABLE "apigateway_key_deletions" ADD CONSTRAINT "apigateway_key_deletions_connection_id_apigateway_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."apigateway_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apigateway_subscriptions" ADD CONSTRAINT "apigateway_subscriptions_connection_id_apigateway_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."apigateway_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apigateway_usage_plans" ADD CONSTRAINT "apigateway_usage_plans_connection_id_apigateway_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."apigateway_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "apigateway_key_deletions_due_idx" ON "apigateway_key_deletions" USING btree ("due_ms");--> statement-breakpoint
CREATE INDEX "apigateway_key_deletions_key_idx" ON "apigateway_key_deletions" USING btree ("aws_api_key_id");--> statement-breakpoint
CREATE UNIQUE INDEX "apigateway_subscriptions_idempotency_idx" ON "apigateway_subscriptions" USING btree ("customer_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "apigateway_subscriptions_customer_idx" ON "apigateway_subscriptions" USING btree ("customer_id","created_ms","id");--> statement-breakpoint
CREATE INDEX "apigateway_subscriptions_connection_idx" ON "apigateway_subscriptions" USING btree ("connection_id","region","status");--> statement-breakpoint
CREATE INDEX "apigateway_subscriptions_key_idx" ON "apigateway_subscriptions" USING btree ("aws_api_key_id");--> statement-breakpoint
CREATE UNIQUE INDEX "apigateway_usage_plans_aws_idx" ON "apigateway_usage_plans" USING btree ("connection_id","region","aws_usage_plan_id");--> statement-breakpoint
CREATE INDEX "apigateway_usage_plans_customer_idx" ON "apigateway_usage_plans" USING btree ("customer_id","name","id");