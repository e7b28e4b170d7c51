CREATE TABLE "apigateway_apis" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"connection_id" uuid NOT NULL,
	"account_id" text NOT NULL,
	"region" text NOT NULL,
	"aws_api_id" text NOT NULL,
	"protocol_type" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"version" text,
	"tags" jsonb NOT NULL,
	"endpoint_type" text,
	"status" text NOT NULL,
	"first_seen_ms" bigint NOT NULL,
	"last_seen_ms" bigint NOT NULL,
	"removed_ms" bigint
);
--> statement-breakpoint
CREATE TABLE "apigateway_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"api_id" uuid NOT NULL,
	"stage" text,
	"kind" text NOT NULL,
	"detail" text NOT NULL,
	"at_ms" bigint NOT NULL,
	"sync_run_id" uuid
);
--> statement-breakpoint
CREATE TABLE "apigateway_endpoints" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"api_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"operation_id" text,
	"api_key_required" boolean NOT NULL,
	"authorization_type" text NOT NULL,
	"classification" text NOT NULL,
	"first_seen_ms" bigint NOT NULL,
	"last_seen_ms" bigint NOT NULL,
	"last_traffic_ms" bigint,
	"removed_ms" bigint
);
--> statement-breakpoint
CREATE TABLE "apigateway_exports" (
	"customer_id" text NOT NULL,
	"sha256" text NOT NULL,
	"body" text NOT NULL,
	"created_ms" bigint NOT NULL,
	CONSTRAINT "apigateway_exports_customer_id_sha256_pk" PRIMARY KEY("customer_id","sha256")
);
--> statement-breakpoint
CREATE TABLE "apigateway_stages" (
	"api_id" uuid NOT NULL,
	"name" text NOT NULL,
	"deployment_id" text,
	"last_updated_ms" bigint,
	"spec_source" text,
	"spec_sha256" text,
	"endpoint_count" integer DEFAULT 0 NOT NULL,
	"access_log" jsonb,
	"status" text NOT NULL,
	"first_seen_ms" bigint NOT NULL,
	"last_seen_ms" bigint NOT NULL,
	"removed_ms" bigint,
	CONSTRAINT "apigateway_stages_api_id_name_pk" PRIMARY KEY("api_id","name")
);
--> statement-breakpoint
CREATE TABLE "apigateway_sync_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"connection_id" uuid NOT NULL,
	"status" text NOT NULL,
	"queued_ms" bigint NOT NULL,
	"started_ms" bigint,
	"ended_ms" bigint,
	"regions" jsonb NOT NULL,
	"aws_calls" jsonb NOT NULL,
	"throttled" integer DEFAULT 0 NOT NULL,
	"changes" jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "apigateway_apis" ADD CONSTRAINT "apigateway_apis_connection_id_apigateway_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."apigateway_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apigateway_changes" ADD CONSTRAINT "apigateway_changes_api_id_apigateway_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apigateway_apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apigateway_endpoints" ADD CONSTRAINT "apigateway_endpoints_api_id_apigateway_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apigateway_apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apigateway_stages" ADD CONSTRAINT "apigateway_stages_api_id_apigateway_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apigateway_apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apigateway_sync_runs" ADD CONSTRAINT "apigateway_sync_runs_connection_id_apigateway_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."apigateway_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "apigateway_apis_aws_idx" ON "apigateway_apis" USING btree ("connection_id","region","protocol_type","aws_api_id");--> statement-breakpoint
CREATE INDEX "apigateway_apis_customer_idx" ON "apigateway_apis" USING btree ("customer_id","name","id");--> statement-breakpoint
CREATE INDEX "apigateway_changes_api_idx" ON "apigateway_changes" USING btree ("api_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "apigateway_endpoints_identity_idx" ON "apigateway_endpoints" USING btree ("api_id","stage","method","path");--> statement-breakpoint
CREATE INDEX "apigateway_sync_runs_connection_idx" ON "apigateway_sync_runs" USING btree ("connection_id","queued_ms");