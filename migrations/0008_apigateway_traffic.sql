CREATE TABLE "apigateway_traffic_cursors" (
	"connection_id" uuid NOT NULL,
	"region" text NOT NULL,
	"log_group" text NOT NULL,
	"position_ms" bigint NOT NULL,
	"lines" bigint DEFAULT 0 NOT NULL,
	"unparseable" bigint DEFAULT 0 NOT NULL,
	"unattributed" bigint DEFAULT 0 NOT NULL,
	"updated_ms" bigint NOT NULL,
	CONSTRAINT "apigateway_traffic_cursors_connection_id_region_log_group_pk" PRIMARY KEY("connection_id","region","log_group")
);
--> statement-breakpoint
CREATE TABLE "apigateway_traffic_minutes" (
	"endpoint_id" bigint NOT NULL,
	"minute_ms" bigint NOT NULL,
	"status" integer NOT NULL,
	"api_key_id" text NOT NULL,
	"requests" bigint NOT NULL,
	"bytes" bigint NOT NULL,
	"latency" integer[] NOT NULL,
	CONSTRAINT "apigateway_traffic_minutes_endpoint_id_minute_ms_status_api_key_id_pk" PRIMARY KEY("endpoint_id","minute_ms","status","api_key_id")
);
--> statement-breakpoint
CREATE TABLE "apigateway_traffic_seen" (
	"connection_id" uuid NOT NULL,
	"region" text NOT NULL,
	"log_group" text NOT NULL,
	"event_id" text NOT NULL,
	"ts" bigint NOT NULL,
	CONSTRAINT "apigateway_traffic_seen_connection_id_region_log_group_event_id_pk" PRIMARY KEY("connection_id","region","log_group","event_id")
);
--> statement-breakpoint
ALTER TABLE "apigateway_traffic_cursors" ADD CONSTRAINT "apigateway_traffic_cursors_connection_id_apigateway_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."apigateway_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apigateway_traffic_minutes" ADD CONSTRAINT "apigateway_traffic_minutes_endpoint_id_apigateway_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."apigateway_endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apigateway_traffic_seen" ADD CONSTRAINT "apigateway_traffic_seen_connection_id_apigateway_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."apigateway_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "apigateway_traffic_minutes_minute_brin_idx" ON "apigateway_traffic_minutes" USING brin ("minute_ms");