CREATE TABLE `access_ledger` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`user` text NOT NULL,
	`recording_id` text,
	`action` text NOT NULL,
	`range` text,
	`via` text NOT NULL,
	`detail` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `access_ledger_recording_idx` ON `access_ledger` (`recording_id`,`seq`);--> statement-breakpoint
CREATE INDEX `access_ledger_user_idx` ON `access_ledger` (`user`,`at`);--> statement-breakpoint
CREATE INDEX `access_ledger_at_idx` ON `access_ledger` (`at`);--> statement-breakpoint
CREATE TABLE `recording_agents` (
	`recording_id` text NOT NULL,
	`agent` text NOT NULL,
	`extension` text NOT NULL,
	`from_ms` integer NOT NULL,
	`to_ms` integer,
	`started_at` integer NOT NULL,
	FOREIGN KEY (`recording_id`) REFERENCES `recordings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `recording_agents_agent_idx` ON `recording_agents` (`agent`,`started_at`,`recording_id`);--> statement-breakpoint
CREATE INDEX `recording_agents_recording_idx` ON `recording_agents` (`recording_id`);--> statement-breakpoint
CREATE TABLE `recording_pauses` (
	`recording_id` text NOT NULL,
	`from_ms` integer NOT NULL,
	`to_ms` integer,
	`by` text NOT NULL,
	FOREIGN KEY (`recording_id`) REFERENCES `recordings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `recording_pauses_recording_idx` ON `recording_pauses` (`recording_id`);--> statement-breakpoint
CREATE TABLE `recording_policies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`mode` text NOT NULL,
	`numbers` text DEFAULT '[]' NOT NULL,
	`agents` text DEFAULT '[]' NOT NULL,
	`services` text DEFAULT '[]' NOT NULL,
	`sample_percent` integer DEFAULT 100 NOT NULL,
	`priority` integer DEFAULT 100 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	CONSTRAINT "recording_policies_mode_known" CHECK("recording_policies"."mode" IN ('all', 'numbers', 'agents', 'services')),
	CONSTRAINT "recording_policies_sample" CHECK("recording_policies"."sample_percent" BETWEEN 0 AND 100)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recording_policies_name_unique` ON `recording_policies` (`name`);--> statement-breakpoint
CREATE TABLE `recording_tags` (
	`recording_id` text NOT NULL,
	`tag` text NOT NULL,
	`started_at` integer NOT NULL,
	PRIMARY KEY(`recording_id`, `tag`),
	FOREIGN KEY (`recording_id`) REFERENCES `recordings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `recording_tags_tag_idx` ON `recording_tags` (`tag`,`started_at`,`recording_id`);--> statement-breakpoint
CREATE TABLE `recordings` (
	`id` text PRIMARY KEY NOT NULL,
	`call_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`duration_ms` integer,
	`direction` text NOT NULL,
	`caller` text NOT NULL,
	`callee` text NOT NULL,
	`queue` text,
	`pilot` text,
	`customer_id` integer,
	`tier` text DEFAULT 'hot' NOT NULL,
	`status` text DEFAULT 'recording' NOT NULL,
	`path` text,
	`bytes` integer,
	`sha256` text,
	`policy_id` integer,
	`policy_version` integer,
	`legal_hold` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `recordings_started_idx` ON `recordings` (`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `recordings_call_idx` ON `recordings` (`call_id`);--> statement-breakpoint
CREATE INDEX `recordings_caller_idx` ON `recordings` (`caller`,`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `recordings_callee_idx` ON `recordings` (`callee`,`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `recordings_customer_idx` ON `recordings` (`customer_id`,`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `recordings_queue_idx` ON `recordings` (`queue`,`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `recordings_tier_idx` ON `recordings` (`tier`,`started_at`);--> statement-breakpoint
ALTER TABLE `calls` ADD `recording_decision` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `recording_policy_id` integer;--> statement-breakpoint
ALTER TABLE `calls` ADD `recording_policy_version` integer;