CREATE TABLE `routing_decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`queue_id` text,
	`agent` text,
	`detail` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `routing_decisions_call_idx` ON `routing_decisions` (`call_id`,`at`);--> statement-breakpoint
CREATE TABLE `teams` (
	`name` text PRIMARY KEY NOT NULL,
	`max_not_ready` integer,
	`away_alert_s` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `pilot_numbers` ADD `priority` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `pilot_numbers` ADD `required_skills` text;--> statement-breakpoint
ALTER TABLE `queues` ADD `weight` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `queues` ADD `least_busy_by` text DEFAULT 'calls' NOT NULL;--> statement-breakpoint
ALTER TABLE `queues` ADD `max_misses` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `queues` ADD `customer_rules` text;--> statement-breakpoint
ALTER TABLE `queues` ADD `steps` text DEFAULT '[]' NOT NULL;