CREATE TABLE `ivr_collected` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` text NOT NULL,
	`flow` text NOT NULL,
	`node` text NOT NULL,
	`name` text NOT NULL,
	`value` text NOT NULL,
	`masked` integer DEFAULT false NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ivr_collected_call_idx` ON `ivr_collected` (`call_id`,`at`);--> statement-breakpoint
CREATE TABLE `ivr_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`call_id` text NOT NULL,
	`flow` text NOT NULL,
	`version` integer NOT NULL,
	`node` text,
	`kind` text NOT NULL,
	`outcome` text,
	`duration_ms` integer
);
--> statement-breakpoint
CREATE INDEX `ivr_events_flow_at_idx` ON `ivr_events` (`flow`,`at`);--> statement-breakpoint
CREATE INDEX `ivr_events_at_idx` ON `ivr_events` (`at`);--> statement-breakpoint
CREATE TABLE `ivr_schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`schedule` text NOT NULL,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `voicemails` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` text NOT NULL,
	`caller` text NOT NULL,
	`mailbox` text NOT NULL,
	`flow` text NOT NULL,
	`recorded_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`path` text NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `voicemails_mailbox_idx` ON `voicemails` (`mailbox`,`recorded_at`,`id`);--> statement-breakpoint
CREATE INDEX `voicemails_recorded_idx` ON `voicemails` (`recorded_at`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event` text NOT NULL,
	`url` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "webhook_deliveries_status_known" CHECK("webhook_deliveries"."status" IN ('pending', 'delivered', 'failed'))
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_pending_idx` ON `webhook_deliveries` (`next_attempt_at`) WHERE "webhook_deliveries"."status" = 'pending';--> statement-breakpoint
ALTER TABLE `customers` ADD `customer_number` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `balance_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `language` text;--> statement-breakpoint
CREATE UNIQUE INDEX `customers_customer_number_unique` ON `customers` (`customer_number`);--> statement-breakpoint
-- Appended by hand (docs/storage.md, "Migrations"): customers from before this migration get a
-- customer number, 10000000 + id (the demo centre's 13800000001 and 13800000002 become 10000001
-- and 10000002, as embedded-default.md v2 has them).
UPDATE `customers` SET `customer_number` = printf('%08d', 10000000 + `id`) WHERE `customer_number` IS NULL;
