CREATE TABLE `agent_skills` (
	`user_id` integer NOT NULL,
	`skill_id` integer NOT NULL,
	`level` integer NOT NULL,
	PRIMARY KEY(`user_id`, `skill_id`),
	FOREIGN KEY (`user_id`) REFERENCES `agents`(`user_id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`skill_id`) REFERENCES `skills`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "agent_skills_level_range" CHECK("agent_skills"."level" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE INDEX `agent_skills_skill_idx` ON `agent_skills` (`skill_id`);--> statement-breakpoint
CREATE TABLE `agent_state_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agent` text NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`duration_ms` integer,
	`call_id` text,
	`extension` text
);
--> statement-breakpoint
CREATE INDEX `agent_state_log_agent_idx` ON `agent_state_log` (`agent`,`started_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `agent_state_log_open_idx` ON `agent_state_log` (`agent`) WHERE "agent_state_log"."ended_at" IS NULL;--> statement-breakpoint
CREATE TABLE `agents` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`default_extension` text,
	`team` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agents_default_extension_unique` ON `agents` (`default_extension`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text NOT NULL,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_log_actor_idx` ON `audit_log` (`actor`,`at`);--> statement-breakpoint
CREATE TABLE `auth_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `auth_tokens_user_idx` ON `auth_tokens` (`user_id`);--> statement-breakpoint
CREATE INDEX `auth_tokens_expires_idx` ON `auth_tokens` (`expires_at`);--> statement-breakpoint
CREATE TABLE `calls` (
	`id` text PRIMARY KEY NOT NULL,
	`pbx_call_ids` text DEFAULT '[]' NOT NULL,
	`direction` text NOT NULL,
	`from_number` text NOT NULL,
	`to_number` text NOT NULL,
	`dialled_number` text NOT NULL,
	`queue_id` text,
	`customer_id` integer,
	`agents` text DEFAULT '[]' NOT NULL,
	`first_agent` text,
	`offered_at` integer NOT NULL,
	`queued_at` integer,
	`answered_at` integer,
	`ended_at` integer,
	`wait_ms` integer,
	`talk_ms` integer,
	`outcome` text,
	`cause` text,
	`has_call_data` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `calls_offered_at_idx` ON `calls` (`offered_at`);--> statement-breakpoint
CREATE INDEX `calls_first_agent_idx` ON `calls` (`first_agent`,`offered_at`);--> statement-breakpoint
CREATE INDEX `calls_from_number_idx` ON `calls` (`from_number`,`offered_at`);--> statement-breakpoint
CREATE INDEX `calls_to_number_idx` ON `calls` (`to_number`,`offered_at`);--> statement-breakpoint
CREATE INDEX `calls_open_idx` ON `calls` (`offered_at`) WHERE "calls"."ended_at" IS NULL;--> statement-breakpoint
CREATE TABLE `customers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`phone` text NOT NULL,
	`vip_level` integer DEFAULT 0 NOT NULL,
	`preferred_agent` text,
	`notes` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`preferred_agent`) REFERENCES `users`(`username`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_phone_unique` ON `customers` (`phone`);--> statement-breakpoint
CREATE INDEX `customers_preferred_agent_idx` ON `customers` (`preferred_agent`);--> statement-breakpoint
CREATE TABLE `pilot_numbers` (
	`number` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`queue_id` text,
	`ivr_flow` text,
	`description` text,
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE cascade ON DELETE restrict,
	CONSTRAINT "pilot_numbers_kind_known" CHECK("pilot_numbers"."kind" IN ('queue', 'ivr', 'replay')),
	CONSTRAINT "pilot_numbers_queue_has_queue" CHECK("pilot_numbers"."kind" <> 'queue' OR "pilot_numbers"."queue_id" IS NOT NULL),
	CONSTRAINT "pilot_numbers_ivr_has_flow" CHECK("pilot_numbers"."kind" <> 'ivr' OR "pilot_numbers"."ivr_flow" IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX `pilot_numbers_queue_idx` ON `pilot_numbers` (`queue_id`);--> statement-breakpoint
CREATE TABLE `queue_agents` (
	`queue_id` text NOT NULL,
	`user_id` integer NOT NULL,
	PRIMARY KEY(`queue_id`, `user_id`),
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE cascade ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `agents`(`user_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `queue_agents_user_idx` ON `queue_agents` (`user_id`);--> statement-breakpoint
CREATE TABLE `queue_skills` (
	`queue_id` text NOT NULL,
	`skill_id` integer NOT NULL,
	`min_level` integer DEFAULT 5 NOT NULL,
	PRIMARY KEY(`queue_id`, `skill_id`),
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE cascade ON DELETE cascade,
	FOREIGN KEY (`skill_id`) REFERENCES `skills`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "queue_skills_level_range" CHECK("queue_skills"."min_level" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE INDEX `queue_skills_skill_idx` ON `queue_skills` (`skill_id`);--> statement-breakpoint
CREATE TABLE `queues` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`strategy` text NOT NULL,
	`queue_device` text NOT NULL,
	`ring_timeout_s` integer DEFAULT 15 NOT NULL,
	`wrap_up_s` integer DEFAULT 0 NOT NULL,
	`max_wait_s` integer,
	`overflow_target` text,
	`priority` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "queues_strategy_known" CHECK("queues"."strategy" IN ('longestIdle', 'skillBased', 'roundRobin', 'linear', 'leastBusy', 'customerBased')),
	CONSTRAINT "queues_ring_timeout_positive" CHECK("queues"."ring_timeout_s" > 0),
	CONSTRAINT "queues_wrap_up_not_negative" CHECK("queues"."wrap_up_s" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `queues_queue_device_unique` ON `queues` (`queue_device`);--> statement-breakpoint
CREATE TABLE `skills` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `skills_name_unique` ON `skills` (`name`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`password_hash` text NOT NULL,
	`roles` text DEFAULT '[]' NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);